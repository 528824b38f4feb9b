import { randomBytes } from 'node:crypto';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { GetCommand, QueryCommand, ScanCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { audiencePlan, matchesFilter, type AudiencePlan, type CampaignFilter } from '../../domain/campaigns.js';
import { newClientRecord, patchedClient, type Client, type ClientPatch, type NewClient } from '../../domain/clients.js';
import { ConflictError, NotFoundError } from '../../domain/errors.js';
import type { AudienceMember } from '../../domain/messages.js';
import type { ClientStore, Clock, Page, PageRequest } from '../../ports.js';
import { CLIENTS_BY_OPERATOR, CLIENTS_BY_TAG } from '../../definitions/tables.js';
import { decodeCursor, encodeCursor, isRecord } from './cursor.js';
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
const phoneTaken = (phone: string) =>
  new ConflictError(`another client has phone ${phone}`, [{ field: 'phone', message: 'is already taken by another client' }]);
/** Concurrent creates of one phone (a bulk import run twice at once) conflict; the retry finds the phone taken. */
const MAX_CONFLICT_ATTEMPTS = 5;
/** DynamoDB's limit of 100 items per transaction, two items per client. */
export const MAX_CLIENTS_PER_TRANSACTION = 50;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const newId = () => randomBytes(12).toString('base64url');

export class DynamoClientStore implements ClientStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tables: ClientTables,
    private readonly clock: Clock,
  ) {}

  async create(input: NewClient): Promise<Client> {
    const client = newClientRecord(input, newId(), this.clock.now());
    for (let attempt = 1; ; attempt++) {
      try {
        await this.putNew(client);
        return client;
      } catch (error) {
        if (failedConditions(error)?.includes(0)) throw phoneTaken(client.phone);
        if (!isTransactionConflict(error) || attempt >= MAX_CONFLICT_ATTEMPTS) throw error;
        await sleep(Math.random() * 20 * attempt);
      }
    }
  }

  private async putNew(client: Client): Promise<void> {
    await this.db.send(new TransactWriteCommand({ TransactItems: this.newClientItems(client) }));
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
      { Put: { TableName: this.tables.clients, Item: client, ConditionExpression: 'attribute_not_exists(id)' } },
    ];
  }

  /**
   * Up to 50 new clients in one transaction (100 items: each its reservation and itself). A
   * transaction is all or nothing, so a cancelled one names the phones already taken: those
   * rows become conflicts and the rest go again. A transaction that keeps meeting concurrent
   * ones falls back to one transaction per client, each with its own retries.
   */
  async createMany(inputs: NewClient[]): Promise<(Client | ConflictError)[]> {
    if (inputs.length > MAX_CLIENTS_PER_TRANSACTION) throw new Error(`at most ${MAX_CLIENTS_PER_TRANSACTION} clients per transaction`);
    const now = this.clock.now();
    const results = new Array<Client | ConflictError>(inputs.length);
    let pending = inputs.map((input, index) => ({ index, input, client: newClientRecord(input, newId(), now) }));
    for (let attempt = 1; pending.length > 0;) {
      try {
        await this.db.send(new TransactWriteCommand({ TransactItems: pending.flatMap(({ client }) => this.newClientItems(client)) }));
        for (const { index, client } of pending) results[index] = client;
        pending = [];
      } catch (error) {
        const failed = failedConditions(error);
        if (failed && failed.length > 0) {
          const refused = new Set(failed.map((item) => Math.floor(item / 2)));
          for (const position of refused) {
            const { index, client } = pending[position]!;
            results[index] = failed.includes(position * 2) ? phoneTaken(client.phone) : new ConflictError('the new client id was taken; try again');
          }
          pending = pending.filter((_, position) => !refused.has(position));
          continue;
        }
        if (!isTransactionConflict(error)) throw error;
        if (++attempt > MAX_CONFLICT_ATTEMPTS) {
          for (const { index, input } of pending) {
            results[index] = await this.create(input).catch((single: unknown) => {
              if (single instanceof ConflictError) return single;
              throw single;
            });
          }
          pending = [];
        } else await sleep(Math.random() * 50 * attempt);
      }
    }
    return results;
  }

  async get(id: string): Promise<Client | undefined> {
    const { Item } = await this.db.send(new GetCommand({ TableName: this.tables.clients, Key: { id }, ConsistentRead: true }));
    return Item as Client | undefined;
  }

  async update(id: string, patch: ClientPatch): Promise<Client> {
    const current = await this.mustGet(id);
    const next = patchedClient(current, patch, this.clock.now());
    // The stored phone is the version check: a concurrent phone change makes this fail instead of orphaning a reservation.
    const putClient = {
      Put: { TableName: this.tables.clients, Item: next, ConditionExpression: 'phone = :old', ExpressionAttributeValues: { ':old': current.phone } },
    };
    const phoneMoves = next.phone !== current.phone;
    const items = phoneMoves
      ? [
          putClient,
          {
            Put: {
              TableName: this.tables.uniques,
              Item: { key: phoneKey(next.phone), clientId: id },
              ConditionExpression: 'attribute_not_exists(#k)',
              ExpressionAttributeNames: { '#k': 'key' },
            },
          },
          { Delete: { TableName: this.tables.uniques, Key: { key: phoneKey(current.phone) } } },
        ]
      : [putClient];
    try {
      await this.db.send(new TransactWriteCommand({ TransactItems: items }));
    } catch (error) {
      const failed = failedConditions(error);
      if (failed?.includes(1)) throw phoneTaken(next.phone);
      if (failed?.includes(0)) throw new ConflictError('the client changed while this request ran; try again');
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
    const startKey = decodeCursor(request.cursor, isRecord);
    const { tag, operatorCode } = request;
    const base = { TableName: this.tables.clients, Limit: request.limit, ExclusiveStartKey: startKey };
    const output =
      tag !== undefined
        ? await this.db.send(
            new QueryCommand({
              ...base,
              IndexName: CLIENTS_BY_TAG,
              ...byValue('tag', tag, operatorCode === undefined ? undefined : { operatorCode: [operatorCode] }),
            }),
          )
        : operatorCode !== undefined
          ? await this.db.send(new QueryCommand({ ...base, IndexName: CLIENTS_BY_OPERATOR, ...byValue('operatorCode', operatorCode) }))
          : await this.db.send(new ScanCommand(base));
    return { items: (output.Items ?? []) as Client[], nextCursor: encodeCursor(output.LastEvaluatedKey) };
  }

  /**
   * Walks the domain's audience plan value by value on its index, keeping the clients
   * `matchesFilter` accepts; a client has one tag and one operator code, so it is met once.
   */
  async audience(filter: CampaignFilter, request: PageRequest): Promise<Page<AudienceMember>> {
    const walk = audiencePlan(filter);
    let position: AudienceCursor | undefined = decodeCursor(
      request.cursor,
      (value): value is AudienceCursor => isRecord(value) && typeof value.v === 'number',
    ) ?? { v: 0 };
    const items: AudienceMember[] = [];
    while (position && items.length < request.limit) {
      const output: { Items?: Key[]; LastEvaluatedKey?: Key } = await this.readAudience(walk, position, request.limit - items.length);
      for (const item of (output.Items ?? []) as Pick<Client, 'id' | 'phone' | 'tag' | 'operatorCode'>[]) {
        if (matchesFilter(item, filter)) items.push({ id: item.id, phone: item.phone });
      }
      if (output.LastEvaluatedKey) position = { v: position.v, k: output.LastEvaluatedKey };
      else position = position.v + 1 < walk.values.length ? { v: position.v + 1 } : undefined;
    }
    return { items, nextCursor: encodeCursor(position) };
  }

  private readAudience(walk: AudiencePlan, position: AudienceCursor, limit: number) {
    const page = { TableName: this.tables.clients, Limit: limit, ExclusiveStartKey: position.k, ProjectionExpression: 'id, phone, tag, operatorCode' };
    const value = walk.values[position.v];
    if (walk.index === undefined || value === undefined) return this.db.send(new ScanCommand(page));
    return this.db.send(new QueryCommand({ ...page, IndexName: audienceIndexes[walk.index], ...byValue(walk.index, value) }));
  }

  private async mustGet(id: string): Promise<Client> {
    const client = await this.get(id);
    if (!client) throw new NotFoundError(`client ${id} not found`);
    return client;
  }
}

const audienceIndexes = { tag: CLIENTS_BY_TAG, operatorCode: CLIENTS_BY_OPERATOR } as const;

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
