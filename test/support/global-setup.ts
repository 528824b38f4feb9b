/**
 * Starts ONE DynamoDB Local (in memory) and ONE SQS emulator for the whole test run and
 * hands their endpoints to the test files: `inject('dynamoEndpoint')`, `inject('sqsEndpoint')`
 * (or the helpers in ./aws.ts). Files create their own uniquely named tables and queues.
 */
import type { TestProject } from 'vitest/node';
import { buildAdmin } from '../../local/admin-build.js';
import { startDynamoDbLocal } from '../../local/dynamodb.js';
import { startSqsEmulator } from '../../local/sqs.js';

declare module 'vitest' {
  export interface ProvidedContext {
    dynamoEndpoint: string;
    sqsEndpoint: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  // The admin app is built once here, before any file runs: the browser tests serve it, and the
  // stack (infra, bench) deploys it, and a build while another file reads web/dist would race.
  const [dynamo, sqs] = await Promise.all([startDynamoDbLocal(), startSqsEmulator(), buildAdmin({ quiet: true })]);
  project.provide('dynamoEndpoint', dynamo.endpoint);
  project.provide('sqsEndpoint', sqs.endpoint);
  return async () => {
    await Promise.all([sqs.stop(), dynamo.stop()]);
  };
}
