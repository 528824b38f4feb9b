/**
 * Fixture for test/integration/local-dynamodb.test.ts: a parent process that starts
 * DynamoDB Local, reports the Java pid on stdout and waits to be killed, so the test can
 * check that no Java process outlives it.
 */
import { startDynamoDbLocal } from '../../local/dynamodb.js';

const dynamo = await startDynamoDbLocal();
process.stdout.write(`${JSON.stringify({ pid: dynamo.pid, endpoint: dynamo.endpoint })}\n`);
setInterval(() => undefined, 60_000);
