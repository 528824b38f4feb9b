/**
 * `npx tsx bench/sdk-logger.ts`: the client CPU of one DynamoDB Query answering 100 items, with
 * the SDK's default logger and with the one Herald's clients are built with (quietSdkLogger in
 * functions/handlers/wiring.ts), against a DynamoDB Local of its own. Alternating rounds, the
 * median of each printed.
 */
import { CreateTableCommand, DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand, DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { quietSdkLogger } from '../functions/adapters/sdk-logger.js';
import { startDynamoDbLocal } from '../local/dynamodb.js';

const ROUNDS = 6;
const QUERIES = 300;
const TABLE = 'sdk-logger-bench';

const local = await startDynamoDbLocal();
try {
  const base: DynamoDBClientConfig = { endpoint: local.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } };
  const setup = DynamoDBDocumentClient.from(new DynamoDBClient(base));
  await setup.send(
    new CreateTableCommand({
      TableName: TABLE,
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      AttributeDefinitions: [
        { AttributeName: 'pk', AttributeType: 'S' },
        { AttributeName: 'sk', AttributeType: 'S' },
      ],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
  // Items shaped like clients: a name, a phone, a tag, a zone and two attributes.
  for (let batch = 0; batch < 4; batch++) {
    const items = Array.from({ length: 25 }, (_, i) => ({
      PutRequest: {
        Item: {
          pk: 'page',
          sk: `${batch}-${i}`,
          name: 'x'.repeat(40),
          phone: '79000000000',
          tag: 'a',
          timezone: 'Europe/Moscow',
          attributes: { city: 'Moscow', plan: 'gold' },
        },
      },
    }));
    await setup.send(new BatchWriteCommand({ RequestItems: { [TABLE]: items } }));
  }
  const clients = {
    'default logger': DynamoDBDocumentClient.from(new DynamoDBClient(base)),
    quietSdkLogger: DynamoDBDocumentClient.from(new DynamoDBClient({ ...base, logger: quietSdkLogger })),
  };
  const query = new QueryCommand({ TableName: TABLE, KeyConditionExpression: 'pk = :p', ExpressionAttributeValues: { ':p': 'page' } });
  const samples = new Map<string, number[]>(Object.keys(clients).map((name) => [name, []]));
  for (let round = 0; round < ROUNDS; round++) {
    for (const [name, client] of Object.entries(clients)) {
      await client.send(query);
      const cpu = process.cpuUsage();
      for (let i = 0; i < QUERIES; i++) await client.send(query);
      const used = process.cpuUsage(cpu);
      samples.get(name)?.push((used.user + used.system) / 1000 / QUERIES);
    }
  }
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;
  for (const [name, values] of samples)
    console.log(`${name}: ${median(values).toFixed(2)} ms of client CPU per Query of 100 items (median of ${ROUNDS} rounds of ${QUERIES})`);
} finally {
  await local.stop();
}
