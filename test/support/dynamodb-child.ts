/**
 * Fixture for test/integration/local-dynamodb.test.ts: a parent process that starts
 * DynamoDB Local, reports the Java pid on stdout and waits to be killed, so the test can
 * check that no Java process outlives it. With GRACEFUL=1 it handles SIGINT as the
 * runtime does: it still uses DynamoDB after the signal, then stops it and exits.
 */
import { ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { localDynamoClient, startDynamoDbLocal } from '../../local/dynamodb.js';

const dynamo = await startDynamoDbLocal();
if (process.env.GRACEFUL === '1') {
  process.once('SIGINT', () => {
    void (async () => {
      // The drain: work in flight still writes to DynamoDB after Ctrl-C.
      await new Promise((wake) => setTimeout(wake, 500));
      const client = localDynamoClient(dynamo.endpoint);
      await client.send(new ListTablesCommand({}));
      client.destroy();
      process.stdout.write('drained\n');
      await dynamo.stop();
      process.exit(0);
    })();
  });
}
process.stdout.write(`${JSON.stringify({ pid: dynamo.pid, endpoint: dynamo.endpoint })}\n`);
setInterval(() => undefined, 60_000);
