import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { BatchGetCommand, GetCommand, QueryCommand, ScanCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { audiencePlan, matchesFilter, type AudiencePlan, type CampaignFilter } from '../../domain/campaigns.js';
import { newClientRecord, patchedClient, suppressionChange, type Client, type ClientPatch, type NewClient } from '../../domain/clients.js';
import { ConflictError, NotFoundError } from '../../domain/errors.js';
import type { AudienceMember } from '../../domain/messages.js';
import type { AudienceStream, ClientStore, Clock, Page, PageRequest } from '../../ports.js';
import { shardedKey, shardsOfStream, streamOf } from '../../domain/shards.js';
import { CLIENTS_BY_OPERATOR, CLIENTS_BY_OPERATOR_SHARD, CLIENTS_BY_TAG, CLIENTS_BY_TAG_SHARD, SHARD_ATTRIBUTES, tables } from '../../definitions/tables.js';
import { clientOfItem, shardsMigrated, storedClient } from './client-shards.js';
import { DynamoSuppressionList, suppressedKey } from './suppression-list.js';
import { decodeCursor, encodeCursor, fromStartKey, isRecord, listCursor, startKeyFields } from './cursor.js';
import { failedConditions, isTransactionConflict } from './errors.js';

export interface ClientTables {
  clients: string;
  uniques: string;
}

type Key = Record<string, unknown>;
/** Where an audience walk stands: which filter value it is querying and the key it stopped at. */
interface AudienceCursor {
  v: number;
  k?: Key;
}

const phoneKey = (phone: string) => `phone#${phone}`;
export { suppressedKey };
/** When the latest opt-out was stored (epoch ms): the fan-out re-checks a page only when an opt-out may not have reached the index yet. */
const LATEST_OPT_OUT_KEY = 'optout#latest';
/** Generous bound on how long a global secondary index lags its table. */
export const INDEX_LAG_MS = 60_000;
const keyNames = { '#k': 'key' };
/** Client fields an audience page reads: what a message and its template variables need. */
const AUDIENCE_FIELDS = ['id', 'phone', 'tag', 'operatorCode', 'timezone', 'name', 'attributes', 'optedOut'];
/** Every field by placeholder: several (name, timezone) are DynamoDB reserved words. */
const AUDIENCE_PROJECTION = {
  expression: AUDIENCE_FIELDS.map((_, i) => `#p${i}`).join(', '),
  names: Object.fromEntries(AUDIENCE_FIELDS.map((field, i) => [`#p${i}`, field])),
};
const phoneTaken = (phone: string) =>
  new ConflictError(`another client has phone ${phone}`, [{ field: 'phone', message: 'is already taken by another client' }]);
/** Concurrent creates of one phone (a bulk import run twice at once) conflict; the retry finds the phone taken. */
const MAX_CONFLICT_ATTEMPTS = 5;
/** DynamoDB's limit of 100 items per transaction, two items per client. */
export const MAX_CLIENTS_PER_TRANSACTION = 50;
/** DynamoDB's limit of items per transaction: how many new clients' items `createMany` packs into one. */
const MAX_TRANSACTION_ITEMS = 100;
const newId = () => randomBytes(12).toString('base64url');

export class DynamoClientStore implements ClientStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tables: ClientTables,
    private readonly clock: Clock,
  ) {}

  /**
   * A phone on the suppression list makes the new client opted out unless the request says
   * `optedOut: false`; the list's entry is checked in the same transaction, so an opt-out
   * stored meanwhile is not lost.
   */
  async create(input: NewClient): Promise<Client> {
    const suppressed = await this.isSuppressed(input.phone);
    const client = newClientRecord(input, newId(), this.clock.now(), suppressed);
    for (let attempt = 1; ; attempt++) {
      try {
        await this.db.send(
          new TransactWriteCommand({
            TransactItems: [...this.newClientItems(client), ...this.suppressionItems(client, input.optedOut, suppressed, false)],
          }),
        );
        return client;
      } catch (error) {
        const failed = failedConditions(error);
        if (failed?.includes(0)) throw phoneTaken(client.phone);
        if (failed?.includes(2)) throw new ConflictError('the phone was opted out while this request ran; try again');
        if (!isTransactionConflict(error) || attempt >= MAX_CONFLICT_ATTEMPTS) throw error;
        await sleep(Math.random() * 20 * attempt);
      }
    }
  }

  /** The phone's reservation (item 0) and the client (item 1), each only if new. */
  private newClientItems(client: Client) {
    return [
      {
        Put: {
          TableName: this.tables.uniques,
          Item: { key: phoneKey(client.phone), clientId: client.id },
          ConditionExpression: 'attribute_not_exists(#k)',
          ExpressionAttributeNames: { '#k': 'key' },
        },
      },
      { Put: { TableName: this.tables.clients, Item: storedClient(client), ConditionExpression: 'attribute_not_exists(id)' } },
    ];
  }

  /**
   * Several new clients, each as `create` would make it, in few requests: one consistent batch
   * read of the rows' phone reservations and suppression entries, then the rows packed into
   * transactions of up to 100 items (each row's three items are the same as `create`'s: the
   * conditional phone reservation, the client, and the check that the phone is still not on the
   * suppression list), so phone uniqueness and the suppression check hold exactly as for one
   * client. A transaction is all or nothing: when a row's condition fails, that row gets its
   * conflict (or is read again, for an opt-out stored meanwhile) and the others are sent again.
   * Rows the read finds suppressed, rows that opt out, and a phone repeated within the call go
   * through `create` one by one (they touch shared suppression items). Conflicts come back per
   * row instead of being thrown.
   */
  async createMany(inputs: NewClient[]): Promise<(Client | ConflictError)[]> {
    if (inputs.length > MAX_CLIENTS_PER_TRANSACTION) throw new Error(`at most ${MAX_CLIENTS_PER_TRANSACTION} clients per call`);
    const results = new Array<Client | ConflictError>(inputs.length);
    const single: number[] = [];
    let packed: { index: number; client: Client; items: object[] }[] = [];
    const existing = await this.existingUniques(inputs.flatMap((input) => [phoneKey(input.phone), suppressedKey(input.phone)]));
    const seen = new Set<string>();
    inputs.forEach((input, index) => {
      if (existing.has(phoneKey(input.phone))) results[index] = phoneTaken(input.phone);
      else if (seen.has(input.phone) || existing.has(suppressedKey(input.phone)) || input.optedOut === true) single.push(index);
      else {
        const client = newClientRecord(input, newId(), this.clock.now(), false);
        packed.push({ index, client, items: [...this.newClientItems(client), ...this.suppressionItems(client, input.optedOut, false, false)] });
      }
      seen.add(input.phone);
    });
    for (let attempt = 1; packed.length > 0; attempt++) {
      const again: typeof packed = [];
      const groups: (typeof packed)[] = [[]];
      for (const row of packed) {
        const last = groups[groups.length - 1]!;
        if (last.reduce((sum, { items }) => sum + items.length, 0) + row.items.length > MAX_TRANSACTION_ITEMS) groups.push([row]);
        else last.push(row);
      }
      await Promise.all(
        groups.map(async (group) => {
          try {
            await this.db.send(new TransactWriteCommand({ TransactItems: group.flatMap(({ items }) => items) as never }));
            for (const { index, client } of group) results[index] = client;
          } catch (error) {
            const failed = failedConditions(error);
            if (!failed || (failed.length === 0 && !isTransactionConflict(error))) throw error;
            let offset = 0;
            for (const row of group) {
              const itemsFailed = failed.filter((item) => item >= offset && item < offset + row.items.length).map((item) => item - offset);
              offset += row.items.length;
              if (itemsFailed.includes(0)) results[row.index] = phoneTaken(row.client.phone);
              // The phone was opted out since it was read: `create` reads the list again and makes the client opted out.
              else if (itemsFailed.length > 0) single.push(row.index);
              else again.push(row);
            }
          }
        }),
      );
      if (again.length > 0 && attempt >= MAX_CONFLICT_ATTEMPTS)
        throw new Error(`${again.length} client(s) still meet concurrent transactions after ${attempt} attempts`);
      if (again.length > 0) await sleep(Math.random() * 20 * attempt);
      packed = again;
    }
    // Sequential: these rows may share a phone (the later one then conflicts, as when posted one by one).
    for (const index of single.sort((a, b) => a - b)) {
      results[index] = await this.create(inputs[index]!).catch((error: unknown) => {
        if (error instanceof ConflictError) return error;
        throw error;
      });
    }
    return results;
  }

  /** Which of `keys` exist in the uniques table (consistent batch reads of up to 100 keys). */
  private async existingUniques(keys: string[]): Promise<Set<string>> {
    const found = new Set<string>();
    const distinct = [...new Set(keys)];
    await Promise.all(
      Array.from({ length: Math.ceil(distinct.length / 100) }, async (_, part) => {
        let request: Key[] | undefined = distinct.slice(part * 100, part * 100 + 100).map((key) => ({ key }));
        while (request?.length) {
          const output: { Responses?: Record<string, Key[]>; UnprocessedKeys?: Record<string, { Keys?: Key[] }> } = await this.db.send(
            new BatchGetCommand({
              RequestItems: { [this.tables.uniques]: { Keys: request, ConsistentRead: true, ProjectionExpression: '#k', ExpressionAttributeNames: keyNames } },
            }),
          );
          for (const item of output.Responses?.[this.tables.uniques] ?? []) found.add(String(item.key));
          request = output.UnprocessedKeys?.[this.tables.uniques]?.Keys;
        }
      }),
    );
    return found;
  }

  private isSuppressed(phone: string): Promise<boolean> {
    return new DynamoSuppressionList(this.db, this.tables.uniques).isSuppressed(phone);
  }

  /**
   * The suppression list's part of a client write. Opted out: the phone goes on the list, and
   * the latest-opt-out mark moves when this is a new opt-out. Explicit `optedOut: false`: the
   * phone comes off. Otherwise the write stands only while the phone is still not on the list
   * (when it was not on it as read).
   */
  private suppressionItems(next: Client, explicit: boolean | undefined, wasSuppressed: boolean, wasOptedOut: boolean) {
    const key = suppressedKey(next.phone);
    switch (suppressionChange(next, explicit)) {
      case 'add':
        return [
          { Put: { TableName: this.tables.uniques, Item: { key, at: this.clock.now().getTime() } } },
          ...(wasOptedOut && wasSuppressed
            ? []
            : [{ Put: { TableName: this.tables.uniques, Item: { key: LATEST_OPT_OUT_KEY, at: this.clock.now().getTime() } } }]),
        ];
      case 'remove':
        return [{ Delete: { TableName: this.tables.uniques, Key: { key } } }];
      case 'keep':
        return wasSuppressed
          ? []
          : [
              {
                ConditionCheck: {
                  TableName: this.tables.uniques,
                  Key: { key },
                  ConditionExpression: 'attribute_not_exists(#k)',
                  ExpressionAttributeNames: keyNames,
                },
              },
            ];
    }
  }

  async get(id: string): Promise<Client | undefined> {
    const { Item } = await this.db.send(new GetCommand({ TableName: this.tables.clients, Key: { id }, ConsistentRead: true }));
    return clientOfItem(Item as Client | undefined);
  }

  async findByPhone(phone: string): Promise<Client | undefined> {
    const { Item } = await this.db.send(new GetCommand({ TableName: this.tables.uniques, Key: { key: phoneKey(phone) }, ConsistentRead: true }));
    const clientId = (Item as { clientId?: string } | undefined)?.clientId;
    const client = clientId === undefined ? undefined : await this.get(clientId);
    // A phone change moves the reservation and the client in one transaction; this check only guards a read between the two gets.
    return client?.phone === phone ? client : undefined;
  }

  async update(id: string, patch: ClientPatch): Promise<Client> {
    const current = await this.mustGet(id);
    const phoneMoves = patch.phone !== undefined && patch.phone !== current.phone;
    const suppressed = await this.isSuppressed(patch.phone ?? current.phone);
    const next = patchedClient(current, patch, this.clock.now(), phoneMoves && suppressed);
    // The stored phone is the version check: a concurrent phone change makes this fail instead of orphaning a reservation.
    const putClient = {
      Put: {
        TableName: this.tables.clients,
        Item: storedClient(next),
        ConditionExpression: 'phone = :old',
        ExpressionAttributeValues: { ':old': current.phone },
      },
    };
    const items = phoneMoves
      ? [
          putClient,
          {
            Put: {
              TableName: this.tables.uniques,
              Item: { key: phoneKey(next.phone), clientId: id },
              ConditionExpression: 'attribute_not_exists(#k)',
              ExpressionAttributeNames: keyNames,
            },
          },
          { Delete: { TableName: this.tables.uniques, Key: { key: phoneKey(current.phone) } } },
        ]
      : [putClient];
    const suppression = this.suppressionItems(next, patch.optedOut, suppressed, Boolean(current.optedOut) && !phoneMoves);
    try {
      await this.db.send(new TransactWriteCommand({ TransactItems: [...items, ...suppression] }));
    } catch (error) {
      const failed = failedConditions(error);
      if (phoneMoves && failed?.includes(1)) throw phoneTaken(next.phone);
      if (failed?.includes(0)) throw new ConflictError('the client changed while this request ran; try again');
      if (failed?.length) throw new ConflictError('the phone was opted out while this request ran; try again');
      throw error;
    }
    return next;
  }

  async delete(id: string): Promise<void> {
    const current = await this.mustGet(id);
    await this.db
      .send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Delete: {
                TableName: this.tables.clients,
                Key: { id },
                ConditionExpression: 'phone = :phone',
                ExpressionAttributeValues: { ':phone': current.phone },
              },
            },
            { Delete: { TableName: this.tables.uniques, Key: { key: phoneKey(current.phone) } } },
          ],
        }),
      )
      .catch((error: unknown) => {
        if (failedConditions(error)?.includes(0)) throw new NotFoundError(`client ${id} not found`);
        throw error;
      });
  }

  async list(request: PageRequest & { tag?: string; operatorCode?: string }): Promise<Page<Client>> {
    const { tag, operatorCode } = request;
    // The operator code only filters a tag's partition: a cursor of the tag's list goes on with or without it.
    const cursor =
      tag !== undefined
        ? listCursor<Key>(`clients.${CLIENTS_BY_TAG}`, startKeyFields(tables.clients, CLIENTS_BY_TAG, tag))
        : operatorCode !== undefined
          ? listCursor<Key>(`clients.${CLIENTS_BY_OPERATOR}`, startKeyFields(tables.clients, CLIENTS_BY_OPERATOR, operatorCode))
          : listCursor<Key>('clients', startKeyFields(tables.clients));
    const startKey = cursor.decode(request.cursor);
    const base = { TableName: this.tables.clients, Limit: request.limit, ExclusiveStartKey: startKey };
    const output = await fromStartKey(startKey, () =>
      tag !== undefined
        ? this.db.send(
            new QueryCommand({
              ...base,
              IndexName: CLIENTS_BY_TAG,
              ...byValue('tag', tag, operatorCode === undefined ? undefined : { operatorCode: [operatorCode] }),
            }),
          )
        : operatorCode !== undefined
          ? this.db.send(new QueryCommand({ ...base, IndexName: CLIENTS_BY_OPERATOR, ...byValue('operatorCode', operatorCode) }))
          : this.db.send(new ScanCommand(base)),
    );
    return { items: (output.Items ?? []).map((item) => clientOfItem(item as Client)), nextCursor: cursor.encode(output.LastEvaluatedKey) };
  }

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
   * enough to matter are the page's phones looked up on the suppression list (one strongly
   * consistent batch read). Otherwise the check costs one read per page.
   */
  private async recheckOptOuts(items: AudienceMember[], readFrom: number): Promise<void> {
    const candidates = items.filter((item) => !item.optedOut);
    if (candidates.length === 0) return;
    const { Item } = await this.db.send(new GetCommand({ TableName: this.tables.uniques, Key: { key: LATEST_OPT_OUT_KEY }, ConsistentRead: true }));
    if (!Item || Number(Item.at) < readFrom - INDEX_LAG_MS) return;
    const suppressed = new Set<string>();
    const phones = [...new Set(candidates.map((item) => item.phone))];
    for (let start = 0; start < phones.length; start += 100) {
      let keys: Key[] | undefined = phones.slice(start, start + 100).map((phone) => ({ key: suppressedKey(phone) }));
      while (keys?.length) {
        const output: { Responses?: Record<string, Key[]>; UnprocessedKeys?: Record<string, { Keys?: Key[] }> } = await this.db.send(
          new BatchGetCommand({
            RequestItems: { [this.tables.uniques]: { Keys: keys, ConsistentRead: true, ProjectionExpression: '#k', ExpressionAttributeNames: keyNames } },
          }),
        );
        for (const found of output.Responses?.[this.tables.uniques] ?? []) suppressed.add(String(found.key).slice('suppressed#'.length));
        keys = output.UnprocessedKeys?.[this.tables.uniques]?.Keys;
      }
    }
    for (const item of candidates) if (suppressed.has(item.phone)) item.optedOut = true;
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

  private async mustGet(id: string): Promise<Client> {
    const client = await this.get(id);
    if (!client) throw new NotFoundError(`client ${id} not found`);
    return client;
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

/** KeyConditionExpression on one index value, with the other filter list as a FilterExpression. */
function byValue(attribute: string, value: string, also?: Record<string, readonly string[]>, projection?: string) {
  const names: Record<string, string> = { '#a': attribute };
  const values: Record<string, unknown> = { ':a': value };
  let filterExpression: string | undefined;
  for (const [name, allowed] of Object.entries(also ?? {})) {
    names['#f'] = name;
    allowed.forEach((entry, i) => (values[`:f${i}`] = entry));
    filterExpression = `#f IN (${allowed.map((_, i) => `:f${i}`).join(', ')})`;
  }
  return {
    KeyConditionExpression: '#a = :a',
    ...(filterExpression ? { FilterExpression: filterExpression } : {}),
    ...(projection ? { ProjectionExpression: projection } : {}),
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: values,
  };
}
