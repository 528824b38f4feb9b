/**
 * Puts an audience into a clients table quickly: BatchWriteItem, 25 items a request, several
 * requests in flight. The items are the ones the client store writes (newClientRecord);
 * the phone reservations in the uniques table are left out, since delivery never reads them.
 * Seeding goes through the bench's own client, so the call meter never sees it.
 */
import { randomBytes } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { newCampaignRecord } from '../functions/domain/campaigns.js';
import { newClientRecord } from '../functions/domain/clients.js';
import { storedClient } from '../functions/adapters/dynamo/client-shards.js';
import { quietSdkLogger } from '../functions/adapters/sdk-logger.js';

const BATCH = 25;

export interface SeedOptions {
  table: string;
  count: number;
  tag: string;
  /** First phone number; each client takes the next one (the fake provider accepts 70000000000..79999999999). */
  firstPhone?: number;
  concurrency?: number;
  /** Each client's name, when the campaign's template reads it. */
  name?: (index: number) => string;
  /** Each client's zone (Europe/Moscow when not given). */
  timezone?: (index: number) => string;
}

/** A document client of the bench's own, outside the handlers' metered singleton. */
export function benchDocumentClient(dynamoEndpoint: string): DynamoDBDocumentClient {
  const client = new DynamoDBClient({
    endpoint: dynamoEndpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    logger: quietSdkLogger,
  });
  return DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
}

async function writeBatch(db: DynamoDBDocumentClient, table: string, items: Record<string, unknown>[]): Promise<void> {
  let requests = items.map((Item) => ({ PutRequest: { Item } }));
  for (let attempt = 0; requests.length > 0; attempt++) {
    if (attempt > 0) await new Promise((wake) => setTimeout(wake, Math.min(1000, 20 * 2 ** attempt)));
    const { UnprocessedItems } = await db.send(new BatchWriteCommand({ RequestItems: { [table]: requests } }));
    requests = (UnprocessedItems?.[table] ?? []) as typeof requests;
    if (attempt > 20) throw new Error(`BatchWriteItem left ${requests.length} items unprocessed after ${attempt} attempts`);
  }
}

/** `count` items built by `build(i)`, written in BatchWriteItem requests by several workers at once. */
async function seedItems(
  db: DynamoDBDocumentClient,
  table: string,
  count: number,
  build: (i: number) => Record<string, unknown>,
  concurrency = 8,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const start = next;
      next = Math.min(count, next + BATCH);
      const items = [];
      for (let i = start; i < next; i++) items.push(build(i));
      await writeBatch(db, table, items);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}

/** Returns the clients' ids, in the order of their phones. */
export async function seedClients(db: DynamoDBDocumentClient, options: SeedOptions): Promise<string[]> {
  const firstPhone = options.firstPhone ?? 79_000_000_000;
  const now = new Date();
  const ids = Array.from({ length: options.count }, () => randomBytes(12).toString('base64url'));
  // As the client store writes them: with their shard attributes, or a sharded fan-out would not find them.
  const build = (i: number): Record<string, unknown> =>
    storedClient(
      newClientRecord(
        {
          phone: String(firstPhone + i),
          timezone: options.timezone?.(i) ?? 'Europe/Moscow',
          tag: options.tag,
          ...(options.name ? { name: options.name(i) } : {}),
        },
        ids[i] as string,
        now,
      ),
    ) as unknown as Record<string, unknown>;
  await seedItems(db, options.table, options.count, build, options.concurrency);
  return ids;
}

/**
 * Campaigns straight into the campaigns table (finished ones, with counts), so GET /stats can
 * be measured against a large table without running that many campaigns.
 */
export async function seedCampaigns(db: DynamoDBDocumentClient, options: { table: string; count: number; firstId: number }): Promise<void> {
  const started = new Date(Date.now() - 7_200_000);
  const ends = new Date(Date.now() + 3_600_000).toISOString();
  await seedItems(db, options.table, options.count, (i) => {
    const record = newCampaignRecord({ text: 'seeded', startAt: started.toISOString(), endAt: ends }, String(options.firstId + i), started);
    return { ...record, status: 'finished', counts: { ...record.counts, sent: 10 } };
  });
}
