import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { GetCommand, QueryCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { audiencePlan, matchesFilter, type AudiencePlan, type CampaignFilter } from '../../domain/campaigns.js';
import { addressOf, isOptedOutOf, normalizedOptOuts, SUPPRESSIBLE_CHANNELS, type Client } from '../../domain/clients.js';
import type { AudienceMember } from '../../domain/messages.js';
import { shardedKey, shardsOfStream, streamOf } from '../../domain/shards.js';
import type { AudienceReader, AudienceStream, Clock, Page, PageRequest } from '../../ports.js';
import { CLIENTS_BY_OPERATOR, CLIENTS_BY_OPERATOR_SHARD, CLIENTS_BY_TAG, CLIENTS_BY_TAG_SHARD, SHARD_ATTRIBUTES } from '../../definitions/tables.js';
import { byValue, LATEST_OPT_OUT_KEY, type Key } from './client-keys.js';
import { DynamoSuppressionList } from './suppression-list.js';
import type { ClientTables } from './client-store.js';
import { shardsMigrated } from './client-shards.js';
import { decodeCursor, encodeCursor, isRecord } from './cursor.js';

/** Where an audience walk stands: which filter value it is querying and the key it stopped at. */
interface AudienceCursor {
  v: number;
  k?: Key;
}

/** Generous bound on how long a global secondary index lags its table. */
export const INDEX_LAG_MS = 60_000;
/** Client fields an audience page reads: what a message and its template variables need. */
const AUDIENCE_FIELDS = ['id', 'phone', 'email', 'tag', 'operatorCode', 'timezone', 'name', 'attributes', 'optedOut', 'optOuts'];
/** Every field by placeholder: several (name, timezone) are DynamoDB reserved words. */
const AUDIENCE_PROJECTION = {
  expression: AUDIENCE_FIELDS.map((_, i) => `#p${i}`).join(', '),
  names: Object.fromEntries(AUDIENCE_FIELDS.map((field, i) => [`#p${i}`, field])),
};

/** The clients a campaign reaches, read from the clients table's indexes; the directory's writes are client-store.ts's. */
export class DynamoAudienceReader implements AudienceReader {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tables: ClientTables,
    private readonly clock: Clock,
  ) {}

  async shardsReady(): Promise<boolean> {
    return shardsMigrated(this.db, this.tables.uniques);
  }

  /**
   * Walks the domain's audience plan value by value on its index, keeping the clients
   * `matchesFilter` accepts; a client has one tag and one operator code, so it is met once.
   * A stream (`part`) reads only its own clients: its shards of each value, its Scan segment,
   * or, on the unsharded indexes, the clients whose id hashes to it.
   */
  async audience(filter: CampaignFilter, request: PageRequest, part?: AudienceStream): Promise<Page<AudienceMember>> {
    const walk: StreamPlan = part ? streamPlan(audiencePlan(filter), part) : audiencePlan(filter);
    const splitByHash = part !== undefined && walk.index !== undefined && !walk.sharded && part.streams > 1;
    const mine = (id: string) => !splitByHash || streamOf(id, (part as AudienceStream).streams) === (part as AudienceStream).stream;
    let position: AudienceCursor | undefined = decodeCursor(
      request.cursor,
      (value): value is AudienceCursor => isRecord(value) && typeof value.v === 'number',
    ) ?? { v: 0 };
    const items: AudienceMember[] = [];
    const readFrom = this.clock.now().getTime();
    while (position && items.length < request.limit) {
      const wanted = request.limit - items.length;
      // Split by hash, about 1/S of what is read is kept: read more, and stop at the page's last client.
      const output: { Items?: Key[]; LastEvaluatedKey?: Key } = await this.readAudience(
        walk,
        position,
        splitByHash ? Math.min(1000, wanted * (part as AudienceStream).streams) : wanted,
      );
      let cut: Key | undefined;
      for (const item of (output.Items ?? []) as AudienceMember[]) {
        if (matchesFilter(item as Pick<Client, 'tag' | 'operatorCode'>, filter) && mine(item.id)) items.push(item);
        if (items.length === request.limit) {
          // The index's key of the last client taken: the next page starts right after it.
          cut = walk.index === undefined ? { id: item.id } : { id: item.id, [walk.index]: item[walk.index] };
          break;
        }
      }
      if (cut && splitByHash) position = { v: position.v, k: cut };
      else if (output.LastEvaluatedKey) position = { v: position.v, k: output.LastEvaluatedKey };
      else position = position.v + 1 < walk.values.length ? { v: position.v + 1 } : undefined;
    }
    await this.recheckOptOuts(items, readFrom);
    return { items, nextCursor: encodeCursor(position) };
  }

  /**
   * An index lags its table, so a page read from it may still show a client who has just
   * opted out. Each opt-out stamps one item with its time; only when that stamp is recent
   * enough to matter are the page's addresses looked up on the suppression list (strongly
   * consistent batch reads), and a member whose address is on it is marked opted out of that
   * channel. Otherwise the check costs one read per page.
   */
  private async recheckOptOuts(items: AudienceMember[], readFrom: number): Promise<void> {
    const candidates = items.filter((item) => !item.optedOut);
    if (candidates.length === 0) return;
    const { Item } = await this.db.send(new GetCommand({ TableName: this.tables.uniques, Key: { key: LATEST_OPT_OUT_KEY }, ConsistentRead: true }));
    if (!Item || Number(Item.at) < readFrom - INDEX_LAG_MS) return;
    const list = new DynamoSuppressionList(this.db, this.tables.uniques, this.clock);
    for (const channel of SUPPRESSIBLE_CHANNELS) {
      const open = candidates.filter((item) => !isOptedOutOf(item, channel));
      const suppressed = await list.suppressedAmong(
        open.flatMap((item) => addressOf(item, channel) ?? []),
        channel,
      );
      for (const item of open) {
        const address = addressOf(item, channel);
        if (address !== undefined && suppressed.has(address)) item.optOuts = normalizedOptOuts([...(item.optOuts ?? []), channel]);
      }
    }
  }

  async countAudience(filter: CampaignFilter): Promise<number> {
    const walk = audiencePlan(filter);
    let total = 0;
    for (const value of walk.values) {
      let start: Key | undefined;
      do {
        const page = { TableName: this.tables.clients, Select: 'COUNT' as const, ExclusiveStartKey: start };
        const also = walk.index === 'tag' && filter.operatorCodes?.length ? { operatorCode: filter.operatorCodes } : undefined;
        const output: { Count?: number; LastEvaluatedKey?: Key } =
          walk.index === undefined
            ? await this.db.send(new ScanCommand(page))
            : await this.db.send(new QueryCommand({ ...page, IndexName: audienceIndexes[walk.index], ...byValue(walk.index, value, also) }));
        total += output.Count ?? 0;
        start = output.LastEvaluatedKey;
      } while (start);
    }
    return total;
  }

  private readAudience(walk: StreamPlan, position: AudienceCursor, limit: number) {
    const page = { TableName: this.tables.clients, Limit: limit, ExclusiveStartKey: position.k, ProjectionExpression: AUDIENCE_PROJECTION.expression };
    const value = walk.values[position.v];
    if (walk.index === undefined || value === undefined)
      return this.db.send(new ScanCommand({ ...page, ...(walk.segment ?? {}), ExpressionAttributeNames: AUDIENCE_PROJECTION.names }));
    const query = byValue(walk.sharded ? SHARD_ATTRIBUTES[walk.index] : walk.index, value);
    return this.db.send(
      new QueryCommand({
        ...page,
        IndexName: (walk.sharded ? shardedIndexes : audienceIndexes)[walk.index],
        ...query,
        ExpressionAttributeNames: { ...query.ExpressionAttributeNames, ...AUDIENCE_PROJECTION.names },
      }),
    );
  }
}

const audienceIndexes = { tag: CLIENTS_BY_TAG, operatorCode: CLIENTS_BY_OPERATOR } as const;
const shardedIndexes = { tag: CLIENTS_BY_TAG_SHARD, operatorCode: CLIENTS_BY_OPERATOR_SHARD } as const;

/** An audience plan as one stream reads it: its shards of each value, or its segment of a Scan. */
interface StreamPlan extends AudiencePlan {
  sharded?: boolean;
  segment?: { Segment: number; TotalSegments: number };
}

function streamPlan(plan: AudiencePlan, part: AudienceStream): StreamPlan {
  if (plan.index === undefined) return part.streams > 1 ? { ...plan, segment: { Segment: part.stream, TotalSegments: part.streams } } : plan;
  if (part.unsharded) return plan;
  const shards = shardsOfStream(part.stream, part.streams);
  return { index: plan.index, values: plan.values.flatMap((value) => shards.map((shard) => shardedKey(value, shard))), sharded: true };
}
