/**
 * Runs in every test file before its imports: points the AWS SDK's own environment
 * variables at the run's local endpoints, exactly as the local runtime does for its
 * in-process handlers, so code that builds its clients from the environment
 * (functions/handlers/wiring.ts) talks to DynamoDB Local and the SQS emulator.
 */
import { inject } from 'vitest';
import { resolveLocalhostSubdomains } from '../../local/sqs.js';

process.env.AWS_REGION = 'us-east-1';
process.env.AWS_ACCESS_KEY_ID = 'local';
process.env.AWS_SECRET_ACCESS_KEY = 'local';
process.env.AWS_ENDPOINT_URL_DYNAMODB = inject('dynamoEndpoint');
process.env.AWS_ENDPOINT_URL_SQS = inject('sqsEndpoint');
// fauxqs queue URLs are http://sqs.<region>.localhost:<port>/...; see local/sqs.ts.
resolveLocalhostSubdomains();
// Tests read what they need from state, not from log lines; a test that checks logs turns them on itself.
process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
