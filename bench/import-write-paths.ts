/**
 * `npx tsx bench/import-write-paths.ts [clients] [variants]`: how fast DynamoDB Local takes new
 * clients by each way of writing them, to tell what bounds the bulk import (`createMany` in
 * functions/adapters/dynamo/client-store.ts) here. Every variant writes the same client items
 * (storedClient, with the shard attributes) into fresh copies of the clients and uniques tables
 * of functions/definitions/tables.ts, against a DynamoDB Local of its own, and prints clients a
 * minute with the cores DynamoDB Local used meanwhile:
 *
 *   warm  BatchWriteItem, unconditional, 8 in flight (warms the JIT; no uniqueness at all)
 *   A     what createMany does: transactions of 33 clients x 3 items (reservation, client,
 *         suppression check), 6 in flight
 *   B     the same without the suppression check: 50 clients x 2 items
 *   E     A on a clients table without the two unsharded indexes
 *   D     BatchWriteItem again, warm
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { BatchWriteCommand, DynamoDBDocumentClient, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { storedClient } from '../functions/adapters/dynamo/client-shards.js';
import { tableList } from '../functions/definitions/tables.js';
import { newClientRecord } from '../functions/domain/clients.js';
import { createTables, localDynamoClient, startDynamoDbLocal } from '../local/dynamodb.js';

const count = Number(process.argv[2] ?? 10_000);
const variants = (process.argv[3] ?? 'warm,A,B,E,A,D').split(',');

const local = await startDynamoDbLocal();
const raw = localDynamoClient(local.endpoint);
const db = DynamoDBDocumentClient.from(raw, { marshallOptions: { removeUndefinedValues: true } });
type Tables = Record<string, string>;
type Client = ReturnType<typeof storedClient>;

let copies = 0;
function freshTables(shardedIndexesOnly = false): Promise<Tables> {
  copies += 1;
  const definitions = tableList
    .filter((table) => table.name === 'clients' || table.name === 'uniques')
    .map((table) =>
      shardedIndexesOnly && table.name === 'clients' ? { ...table, indexes: table.indexes.filter((index) => /shard/i.test(index.indexName)) } : table,
    );
  return createTables(raw, definitions, (table) => `${table.name}-paths${copies}`);
}

let nextPhone = 0;
function newClients(): Client[] {
  return Array.from({ length: count }, (_, i) => {
    const phone = `79${String(nextPhone++).padStart(9, '0')}`;
    return storedClient(newClientRecord({ phone, timezone: 'Europe/Moscow', tag: `t${i % 10}` }, randomBytes(12).toString('base64url'), new Date()));
  });
}

const groupsOf = <T>(items: T[], size: number): T[][] =>
  Array.from({ length: Math.ceil(items.length / size) }, (_, i) => items.slice(i * size, i * size + size));

async function inFlight<T>(items: T[], concurrency: number, write: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) await write(items[next++] as T);
    }),
  );
}

function javaCpuSeconds(): number {
  const fields = readFileSync(`/proc/${local.pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

const reservation = (client: Client, tables: Tables) => ({
  Put: {
    TableName: tables.uniques,
    Item: { key: `phone#${client.phone}`, clientId: client.id },
    ConditionExpression: 'attribute_not_exists(#k)',
    ExpressionAttributeNames: { '#k': 'key' },
  },
});
const clientPut = (client: Client, tables: Tables) => ({ Put: { TableName: tables.clients, Item: client, ConditionExpression: 'attribute_not_exists(id)' } });
const suppressionCheck = (client: Client, tables: Tables) => ({
  ConditionCheck: {
    TableName: tables.uniques,
    Key: { key: `suppressed#${client.phone}` },
    ConditionExpression: 'attribute_not_exists(#k)',
    ExpressionAttributeNames: { '#k': 'key' },
  },
});

const transactions = (perTransaction: number, items: (client: Client, tables: Tables) => object[]) => (clients: Client[], tables: Tables) =>
  inFlight(
    groupsOf(clients, perTransaction),
    6,
    async (group) => void (await db.send(new TransactWriteCommand({ TransactItems: group.flatMap((client) => items(client, tables)) as never }))),
  );

const batches = (clients: Client[], tables: Tables) =>
  inFlight(groupsOf(clients, 25), 8, async (group) => {
    await db.send(
      new BatchWriteCommand({
        RequestItems: { [tables.uniques as string]: group.map((client) => ({ PutRequest: { Item: { key: `phone#${client.phone}`, clientId: client.id } } })) },
      }),
    );
    await db.send(new BatchWriteCommand({ RequestItems: { [tables.clients as string]: group.map((client) => ({ PutRequest: { Item: client } })) } }));
  });

const runs: Record<string, { label: string; shardedIndexesOnly?: boolean; write: (clients: Client[], tables: Tables) => Promise<void> }> = {
  warm: { label: 'BatchWriteItem, unconditional (JIT warm-up)', write: batches },
  A: {
    label: 'A: transactions of 33 clients x 3 items (createMany)',
    write: transactions(33, (c, t) => [reservation(c, t), clientPut(c, t), suppressionCheck(c, t)]),
  },
  B: { label: 'B: transactions of 50 clients x 2 items (no suppression check)', write: transactions(50, (c, t) => [reservation(c, t), clientPut(c, t)]) },
  E: {
    label: 'E: as A, only the sharded indexes',
    shardedIndexesOnly: true,
    write: transactions(33, (c, t) => [reservation(c, t), clientPut(c, t), suppressionCheck(c, t)]),
  },
  D: { label: 'D: BatchWriteItem, unconditional', write: batches },
};

try {
  for (const name of variants) {
    const run = runs[name];
    if (!run) throw new Error(`unknown variant ${name} (known: ${Object.keys(runs).join(', ')})`);
    const tables = await freshTables(run.shardedIndexesOnly);
    const clients = newClients();
    const started = Date.now();
    const cpu = javaCpuSeconds();
    await run.write(clients, tables);
    const seconds = (Date.now() - started) / 1000;
    console.log(
      `${run.label}: ${Math.round((count / seconds) * 60).toLocaleString('en-US')} clients/min (${seconds.toFixed(1)} s; DynamoDB Local used ${((javaCpuSeconds() - cpu) / seconds).toFixed(2)} cores)`,
    );
  }
} finally {
  raw.destroy();
  await local.stop();
}
