/**
 * The client directory's shard attributes (functions/domain/shards.ts): what every client
 * write stores besides the client, and the one-off backfill for clients stored before them.
 *
 * Until the backfill has walked the whole table and left its mark, a campaign's fan-out reads
 * its filter on the unsharded indexes (every client is there) and splits the streams by the
 * id's hash instead; once the mark is there, new campaigns query the sharded indexes.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { GetCommand, PutCommand, ScanCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Client } from '../../domain/clients.js';
import { shardedKey, shardOf } from '../../domain/shards.js';
import { SHARD_ATTRIBUTES } from '../../definitions/tables.js';
import { isConditionFailure } from './errors.js';

/** In the uniques table: present once every client carries its shard attributes. */
export const SHARDS_MIGRATED_KEY = 'migration#client-shards';

type ShardFields = Partial<Record<(typeof SHARD_ATTRIBUTES)[keyof typeof SHARD_ATTRIBUTES], string | number>>;

/** The index keys a client is stored with. */
export function shardFieldsOf(client: Pick<Client, 'id' | 'tag' | 'operatorCode'>): ShardFields {
  const shard = shardOf(client.id);
  return {
    [SHARD_ATTRIBUTES.shard]: shard,
    ...(client.tag !== undefined ? { [SHARD_ATTRIBUTES.tag]: shardedKey(client.tag, shard) } : {}),
    ...(client.operatorCode !== undefined ? { [SHARD_ATTRIBUTES.operatorCode]: shardedKey(client.operatorCode, shard) } : {}),
  };
}

/** A client as stored: with its shard attributes. */
export function storedClient<C extends Client>(client: C): C & ShardFields {
  return { ...client, ...shardFieldsOf(client) };
}

/** A stored item as a client: the storage-only attributes removed. */
export function clientOfItem<C>(item: C): C {
  if (!item || typeof item !== 'object') return item;
  const copy = { ...(item as Record<string, unknown>) };
  for (const attribute of Object.values(SHARD_ATTRIBUTES)) delete copy[attribute];
  return copy as C;
}

export async function shardsMigrated(db: DynamoDBDocumentClient, uniquesTable: string): Promise<boolean> {
  const { Item } = await db.send(new GetCommand({ TableName: uniquesTable, Key: { key: SHARDS_MIGRATED_KEY }, ConsistentRead: true }));
  return Item !== undefined;
}

export interface BackfillResult {
  /** Clients given their shard attributes by this run. */
  updated: number;
  scanned: number;
  /** The mark was already there: nothing was read. */
  alreadyDone: boolean;
}

/**
 * Gives every client without shard attributes its attributes, then leaves the mark. Safe to
 * run again and alongside the API: a client written meanwhile already has its attributes (every
 * write stores them), so an item is only updated while it still has none and still exists.
 * Run it after the code that writes shards is deployed, so no client is stored without them afterwards.
 */
export async function backfillClientShards(
  db: DynamoDBDocumentClient,
  tables: { clients: string; uniques: string },
  options: { segments?: number; onProgress?: (scanned: number, updated: number) => void } = {},
): Promise<BackfillResult> {
  if (await shardsMigrated(db, tables.uniques)) return { updated: 0, scanned: 0, alreadyDone: true };
  const segments = options.segments ?? 4;
  let updated = 0;
  let scanned = 0;
  await Promise.all(
    Array.from({ length: segments }, async (_, segment) => {
      let start: Record<string, unknown> | undefined;
      do {
        const output: { Items?: Record<string, unknown>[]; LastEvaluatedKey?: Record<string, unknown>; ScannedCount?: number } = await db.send(
          new ScanCommand({
            TableName: tables.clients,
            Segment: segment,
            TotalSegments: segments,
            ExclusiveStartKey: start,
            FilterExpression: 'attribute_not_exists(#shard)',
            ProjectionExpression: '#id, #tag, #code',
            ExpressionAttributeNames: { '#shard': SHARD_ATTRIBUTES.shard, '#id': 'id', '#tag': 'tag', '#code': 'operatorCode' },
          }),
        );
        scanned += output.ScannedCount ?? 0;
        for (const item of (output.Items ?? []) as Pick<Client, 'id' | 'tag' | 'operatorCode'>[]) {
          if (await setShardFields(db, tables.clients, item)) updated += 1;
        }
        options.onProgress?.(scanned, updated);
        start = output.LastEvaluatedKey;
      } while (start);
    }),
  );
  await db.send(new PutCommand({ TableName: tables.uniques, Item: { key: SHARDS_MIGRATED_KEY, at: new Date().toISOString(), updated } }));
  return { updated, scanned, alreadyDone: false };
}

async function setShardFields(db: DynamoDBDocumentClient, table: string, client: Pick<Client, 'id' | 'tag' | 'operatorCode'>): Promise<boolean> {
  const fields = Object.entries(shardFieldsOf(client));
  try {
    await db.send(
      new UpdateCommand({
        TableName: table,
        Key: { id: client.id },
        UpdateExpression: `SET ${fields.map((_, i) => `#f${i} = :f${i}`).join(', ')}`,
        ConditionExpression: 'attribute_exists(id) AND attribute_not_exists(#f0)',
        ExpressionAttributeNames: Object.fromEntries(fields.map(([name], i) => [`#f${i}`, name])),
        ExpressionAttributeValues: Object.fromEntries(fields.map(([, value], i) => [`:f${i}`, value])),
      }),
    );
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw error;
  }
}
