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
import { failedConditions } from './errors.js';

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
const newId = () => randomBytes(12).toString('base64url');

export class DynamoClientStore implements ClientStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tables: ClientTables,
    private readonly clock: Clock,
  ) {}

  async create(input: NewClient): Promise<Client> {
    const client = newClientRecord(input, newId(), this.clock.now());
    try {
      await this.db.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName: this.tables.uniques,
                Item: { key: phoneKey(client.phone), clientId: client.id },
                ConditionExpression: 'attribute_not_exists(#k)',
                ExpressionAttributeNames: { '#k': 'key' },
              },
            },
            { Put: { TableName: this.tables.clients, Item: client, ConditionExpression: 'attribute_not_exists(id)' } },
          ],
        }),
      );
    } catch (error) {
      if (failedConditions(error)?.includes(0)) throw phoneTaken(client.phone);
      throw error;
    }
    return client;
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
      for (const item of (output.Items ?? []) as Pick<Client, 'id' | 'phone' | 'tag' | 'operatorCode' | 'timezone'>[]) {
        if (matchesFilter(item, filter)) items.push({ id: item.id, phone: item.phone, timezone: item.timezone });
      }
      if (output.LastEvaluatedKey) position = { v: position.v, k: output.LastEvaluatedKey };
      else position = position.v + 1 < walk.values.length ? { v: position.v + 1 } : undefined;
    }
    return { items, nextCursor: encodeCursor(position) };
  }

  private readAudience(walk: AudiencePlan, position: AudienceCursor, limit: number) {
    const page = {
      TableName: this.tables.clients,
      Limit: limit,
      ExclusiveStartKey: position.k,
      // `timezone` is a DynamoDB reserved word.
      ProjectionExpression: 'id, phone, tag, operatorCode, #tz',
      ExpressionAttributeNames: { '#tz': 'timezone' },
    };
    const value = walk.values[position.v];
    if (walk.index === undefined || value === undefined) return this.db.send(new ScanCommand(page));
    const query = byValue(walk.index, value);
    return this.db.send(
      new QueryCommand({
        ...page,
        IndexName: audienceIndexes[walk.index],
        ...query,
        ExpressionAttributeNames: { ...page.ExpressionAttributeNames, ...query.ExpressionAttributeNames },
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
