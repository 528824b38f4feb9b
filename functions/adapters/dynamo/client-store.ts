import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { BatchGetCommand, GetCommand, QueryCommand, ScanCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { CampaignFilter } from '../../domain/campaigns.js';
import { newClientRecord, patchedClient, suppressionChange, type Client, type ClientPatch, type NewClient } from '../../domain/clients.js';
import { ConflictError, NotFoundError } from '../../domain/errors.js';
import type { AudienceMember } from '../../domain/messages.js';
import type { AudienceStream, ClientDirectory, ClientStore, Clock, Page, PageRequest } from '../../ports.js';
import { CLIENTS_BY_OPERATOR, CLIENTS_BY_TAG, tables } from '../../definitions/tables.js';
import { DynamoAudienceReader } from './audience-reader.js';
import { byValue, keyNames, LATEST_OPT_OUT_KEY, phoneKey, type Key } from './client-keys.js';
import { clientOfItem, storedClient } from './client-shards.js';
import { DynamoSuppressionList, suppressedKey } from './suppression-list.js';
import { fromStartKey, listCursor, startKeyFields } from './cursor.js';
import { failedConditions, isTransactionConflict } from './errors.js';

export interface ClientTables {
  clients: string;
  uniques: string;
}

export { suppressedKey };
export { INDEX_LAG_MS } from './audience-reader.js';
const phoneTaken = (phone: string) =>
  new ConflictError(`another client has phone ${phone}`, [{ field: 'phone', message: 'is already taken by another client' }]);
/** Concurrent creates of one phone (a bulk import run twice at once) conflict; the retry finds the phone taken. */
const MAX_CONFLICT_ATTEMPTS = 5;
/** DynamoDB's limit of 100 items per transaction, two items per client. */
export const MAX_CLIENTS_PER_TRANSACTION = 50;
/** DynamoDB's limit of items per transaction: how many new clients' items `createMany` packs into one. */
const MAX_TRANSACTION_ITEMS = 100;
const newId = () => randomBytes(12).toString('base64url');

/** The client directory: the API's writes of clients, their phone reservations and the suppression list, and its reads of one client or a listing. */
export class DynamoClientDirectory implements ClientDirectory {
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

  private async mustGet(id: string): Promise<Client> {
    const client = await this.get(id);
    if (!client) throw new NotFoundError(`client ${id} not found`);
    return client;
  }
}

/** The clients table as the handlers' stores hold it: the directory, and the audience read apart (audience-reader.ts). */
export class DynamoClientStore extends DynamoClientDirectory implements ClientStore {
  private readonly reader: DynamoAudienceReader;

  constructor(db: DynamoDBDocumentClient, tables: ClientTables, clock: Clock) {
    super(db, tables, clock);
    this.reader = new DynamoAudienceReader(db, tables, clock);
  }

  audience(filter: CampaignFilter, request: PageRequest, part?: AudienceStream): Promise<Page<AudienceMember>> {
    return this.reader.audience(filter, request, part);
  }

  shardsReady(): Promise<boolean> {
    return this.reader.shardsReady();
  }

  countAudience(filter: CampaignFilter): Promise<number> {
    return this.reader.countAudience(filter);
  }
}
