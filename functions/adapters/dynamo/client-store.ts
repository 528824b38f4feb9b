import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { BatchGetCommand, GetCommand, QueryCommand, ScanCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { CampaignFilter } from '../../domain/campaigns.js';
import type { Channel } from '../../domain/channels/channel.js';
import {
  addressOf,
  isOptedOutOf,
  liftedByCreate,
  liftedByPatch,
  newClientRecord,
  patchedClient,
  suppressionPlan,
  type Client,
  type ClientPatch,
  type NewClient,
  type SuppressedAddresses,
  type SuppressibleChannel,
} from '../../domain/clients.js';
import { ConflictError, NotFoundError } from '../../domain/errors.js';
import type { AudienceMember } from '../../domain/messages.js';
import type { AudienceStream, ClientDirectory, ClientStore, Clock, Page, PageRequest } from '../../ports.js';
import { CLIENTS_BY_OPERATOR, CLIENTS_BY_TAG, tables } from '../../definitions/tables.js';
import { DynamoAudienceReader } from './audience-reader.js';
import { byValue, emailKey, keyNames, LATEST_OPT_OUT_KEY, phoneKey, type Key } from './client-keys.js';
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
const emailTaken = (email: string) =>
  new ConflictError(`another client has email ${email}`, [{ field: 'email', message: 'is already taken by another client' }]);
const optedOutMeanwhile = () => new ConflictError('an address was opted out while this request ran; try again');
/** Concurrent creates of one phone (a bulk import run twice at once) conflict; the retry finds the phone taken. */
const MAX_CONFLICT_ATTEMPTS = 5;
/** DynamoDB's limit of 100 items per transaction; a client takes at most five (itself, two reservations, two suppression items). */
export const MAX_CLIENTS_PER_TRANSACTION = 50;
/** DynamoDB's limit of items per transaction: how many new clients' items `createMany` packs into one. */
const MAX_TRANSACTION_ITEMS = 100;
const newId = () => randomBytes(12).toString('base64url');

/** The address reservations a client holds in the uniques table, by field. */
const RESERVED = [
  { field: 'phone', key: phoneKey, taken: phoneTaken },
  { field: 'email', key: emailKey, taken: emailTaken },
] as const;

/**
 * One item of a client write's transaction, and what its failed condition means: the address
 * is taken (`taken`), an address went on the suppression list since it was read (`suppressed`),
 * or the client changed or went (`changed`).
 */
interface WriteItem {
  item: Record<string, unknown>;
  onFailure?: { reason: 'taken'; error: ConflictError } | { reason: 'suppressed' } | { reason: 'changed' };
}

/** What the failed conditions of a transaction's items mean, first the taken addresses, then the rest. */
function failureOf(items: WriteItem[], failed: number[]): WriteItem['onFailure'] | undefined {
  const reasons = failed.map((index) => items[index]?.onFailure).filter((reason) => reason !== undefined);
  return reasons.find((reason) => reason.reason === 'taken') ?? reasons[0];
}

/** The client directory: the API's writes of clients, their address reservations and the suppression list, and its reads of one client or a listing. */
export class DynamoClientDirectory implements ClientDirectory {
  private readonly suppression: DynamoSuppressionList;

  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tables: ClientTables,
    private readonly clock: Clock,
  ) {
    this.suppression = new DynamoSuppressionList(db, tables.uniques, clock);
  }

  /**
   * A phone on the suppression list makes the new client opted out unless the request says
   * `optedOut: false`, an e-mail address on it puts `email` in its `optOuts` unless the request
   * gives `optOuts`; the list's entries are checked in the same transaction, so an opt-out
   * stored meanwhile is not lost.
   */
  async create(input: NewClient): Promise<Client> {
    const suppressed = await this.suppressedAddresses(input);
    const client = newClientRecord(input, newId(), this.clock.now(), suppressed);
    const items = this.newClientWrite(client, input, suppressed);
    for (let attempt = 1; ; attempt++) {
      try {
        await this.db.send(new TransactWriteCommand({ TransactItems: items.map(({ item }) => item) as never }));
        return client;
      } catch (error) {
        const failed = failedConditions(error);
        const failure = failed && failureOf(items, failed);
        if (failure?.reason === 'taken') throw failure.error;
        if (failure) throw optedOutMeanwhile();
        if (!isTransactionConflict(error) || attempt >= MAX_CONFLICT_ATTEMPTS) throw error;
        await sleep(Math.random() * 20 * attempt);
      }
    }
  }

  /** A new client's transaction: its address reservations and itself, each only if new, and its part of the suppression list. */
  private newClientWrite(client: Client, input: NewClient, suppressed: SuppressedAddresses): WriteItem[] {
    return [
      ...this.reservations(client),
      { item: { Put: { TableName: this.tables.clients, Item: storedClient(client), ConditionExpression: 'attribute_not_exists(id)' } } },
      ...this.suppressionItems(client, liftedByCreate(client, input, suppressed), suppressed, () => false),
    ];
  }

  /** The reservation of each of the client's addresses, each only while no client holds it. */
  private reservations(client: Client, only?: (field: 'phone' | 'email') => boolean): WriteItem[] {
    return RESERVED.flatMap(({ field, key, taken }) => {
      const address = client[field];
      if (address === undefined || (only && !only(field))) return [];
      return [
        {
          item: {
            Put: {
              TableName: this.tables.uniques,
              Item: { key: key(address), clientId: client.id },
              ConditionExpression: 'attribute_not_exists(#k)',
              ExpressionAttributeNames: keyNames,
            },
          },
          onFailure: { reason: 'taken' as const, error: taken(address) },
        },
      ];
    });
  }

  /**
   * Several new clients, each as `create` would make it, in few requests: one consistent batch
   * read of the rows' address reservations and suppression entries, then the rows packed into
   * transactions of up to 100 items (each row's items are the same as `create`'s: the
   * conditional reservations, the client, and the checks that its addresses are still not on the
   * suppression list), so uniqueness and the suppression check hold exactly as for one
   * client. A transaction is all or nothing: when a row's condition fails, that row gets its
   * conflict (or is read again, for an opt-out stored meanwhile) and the others are sent again.
   * Rows the read finds suppressed, rows that opt out, and an address repeated within the call go
   * through `create` one by one (they touch shared suppression items). Conflicts come back per
   * row instead of being thrown.
   */
  async createMany(inputs: NewClient[]): Promise<(Client | ConflictError)[]> {
    if (inputs.length > MAX_CLIENTS_PER_TRANSACTION) throw new Error(`at most ${MAX_CLIENTS_PER_TRANSACTION} clients per call`);
    const results = new Array<Client | ConflictError>(inputs.length);
    const single: number[] = [];
    let packed: { index: number; client: Client; items: WriteItem[] }[] = [];
    const addresses = (input: NewClient) =>
      [
        input.phone !== undefined
          ? { reservation: phoneKey(input.phone), suppressed: suppressedKey(input.phone, 'sms'), taken: phoneTaken(input.phone) }
          : undefined,
        input.email !== undefined
          ? { reservation: emailKey(input.email), suppressed: suppressedKey(input.email, 'email'), taken: emailTaken(input.email) }
          : undefined,
      ].filter((address) => address !== undefined);
    const existing = await this.existingUniques(inputs.flatMap((input) => addresses(input).flatMap((address) => [address.reservation, address.suppressed])));
    const seen = new Set<string>();
    inputs.forEach((input, index) => {
      const own = addresses(input);
      const taken = own.find((address) => existing.has(address.reservation));
      if (taken) results[index] = taken.taken;
      else if (
        own.some((address) => seen.has(address.reservation) || existing.has(address.suppressed)) ||
        input.optedOut === true ||
        (input.optOuts?.length ?? 0) > 0
      )
        single.push(index);
      else {
        const client = newClientRecord(input, newId(), this.clock.now());
        packed.push({ index, client, items: this.newClientWrite(client, input, {}) });
      }
      for (const address of own) seen.add(address.reservation);
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
            await this.db.send(new TransactWriteCommand({ TransactItems: group.flatMap(({ items }) => items.map(({ item }) => item)) as never }));
            for (const { index, client } of group) results[index] = client;
          } catch (error) {
            const failed = failedConditions(error);
            if (!failed || (failed.length === 0 && !isTransactionConflict(error))) throw error;
            let offset = 0;
            for (const row of group) {
              const itemsFailed = failed.filter((item) => item >= offset && item < offset + row.items.length).map((item) => item - offset);
              offset += row.items.length;
              const failure = failureOf(row.items, itemsFailed);
              if (failure?.reason === 'taken') results[row.index] = failure.error;
              // An address was opted out since it was read: `create` reads the list again and makes the client opted out.
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
    // Sequential: these rows may share an address (the later one then conflicts, as when posted one by one).
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

  /** Which of these addresses are on the suppression list: one read for one address, one batch read for two. */
  private async suppressedAddresses(addresses: Pick<Client, 'phone' | 'email'>): Promise<SuppressedAddresses> {
    const { phone, email } = addresses;
    if (phone !== undefined && email !== undefined) {
      const found = await this.existingUniques([suppressedKey(phone, 'sms'), suppressedKey(email, 'email')]);
      return { sms: found.has(suppressedKey(phone, 'sms')), email: found.has(suppressedKey(email, 'email')) };
    }
    if (phone !== undefined) return { sms: await this.suppression.isSuppressed(phone, 'sms') };
    if (email !== undefined) return { email: await this.suppression.isSuppressed(email, 'email') };
    return {};
  }

  /**
   * The suppression list's part of a client write, address by address (clients.ts
   * suppressionPlan). Opted out of the address's channel: the address goes on the list, and the
   * latest-opt-out mark moves unless the client was already out of it with that address on the
   * list (`wasOut`). Opted back in by this write: the address comes off. Otherwise the write
   * stands only while the address is still not on the list (when it was not on it as read).
   */
  private suppressionItems(
    next: Client,
    lifted: (channel: SuppressibleChannel) => boolean,
    suppressed: SuppressedAddresses,
    wasOut: (channel: SuppressibleChannel, address: string) => boolean,
  ): WriteItem[] {
    const at = this.clock.now().getTime();
    const plan = suppressionPlan(next, lifted);
    const moved = plan.some(({ channel, address, change }) => change === 'add' && !(wasOut(channel, address) && suppressed[channel]));
    return [
      ...plan.flatMap(({ channel, address, change }): WriteItem[] => {
        const key = suppressedKey(address, channel);
        switch (change) {
          case 'add':
            return [{ item: { Put: { TableName: this.tables.uniques, Item: { key, at } } } }];
          case 'remove':
            return [{ item: { Delete: { TableName: this.tables.uniques, Key: { key } } } }];
          case 'keep':
            return suppressed[channel]
              ? []
              : [
                  {
                    item: {
                      ConditionCheck: {
                        TableName: this.tables.uniques,
                        Key: { key },
                        ConditionExpression: 'attribute_not_exists(#k)',
                        ExpressionAttributeNames: keyNames,
                      },
                    },
                    onFailure: { reason: 'suppressed' as const },
                  },
                ];
        }
      }),
      ...(moved ? [{ item: { Put: { TableName: this.tables.uniques, Item: { key: LATEST_OPT_OUT_KEY, at } } } }] : []),
    ];
  }

  async get(id: string): Promise<Client | undefined> {
    const { Item } = await this.db.send(new GetCommand({ TableName: this.tables.clients, Key: { id }, ConsistentRead: true }));
    return clientOfItem(Item as Client | undefined);
  }

  async findByPhone(phone: string): Promise<Client | undefined> {
    return this.findByReservation(phoneKey(phone), (client) => client.phone === phone);
  }

  async findByEmail(email: string): Promise<Client | undefined> {
    const address = email.toLowerCase();
    return this.findByReservation(emailKey(address), (client) => client.email === address);
  }

  private async findByReservation(key: string, holds: (client: Client) => boolean): Promise<Client | undefined> {
    const { Item } = await this.db.send(new GetCommand({ TableName: this.tables.uniques, Key: { key }, ConsistentRead: true }));
    const clientId = (Item as { clientId?: string } | undefined)?.clientId;
    const client = clientId === undefined ? undefined : await this.get(clientId);
    // An address change moves the reservation and the client in one transaction; this check only guards a read between the two gets.
    return client && holds(client) ? client : undefined;
  }

  async update(id: string, patch: ClientPatch): Promise<Client> {
    const current = await this.mustGet(id);
    const addresses = {
      phone: patch.phone === undefined ? current.phone : (patch.phone ?? undefined),
      email: patch.email === undefined ? current.email : (patch.email ?? undefined),
    };
    const suppressed = await this.suppressedAddresses(addresses);
    const next = patchedClient(current, patch, this.clock.now(), suppressed);
    const moves = (field: 'phone' | 'email') => next[field] !== current[field];
    const items: WriteItem[] = [
      // The stored addresses are the version check: a concurrent address change makes this fail instead of orphaning a reservation.
      { item: { Put: { TableName: this.tables.clients, Item: storedClient(next), ...this.sameAddresses(current) } }, onFailure: { reason: 'changed' } },
      ...this.reservations(next, moves),
      ...RESERVED.flatMap(({ field, key }) => {
        const old = current[field];
        return moves(field) && old !== undefined ? [{ item: { Delete: { TableName: this.tables.uniques, Key: { key: key(old) } } } }] : [];
      }),
      ...this.suppressionItems(
        next,
        liftedByPatch(current, next, patch),
        suppressed,
        (channel, address) => isOptedOutOf(current, channel) && addressOf(current, channel) === address,
      ),
    ];
    try {
      await this.db.send(new TransactWriteCommand({ TransactItems: items.map(({ item }) => item) as never }));
    } catch (error) {
      const failed = failedConditions(error);
      const failure = failed && failureOf(items, failed);
      if (failure?.reason === 'taken') throw failure.error;
      if (failure?.reason === 'changed') throw new ConflictError('the client changed while this request ran; try again');
      if (failure) throw optedOutMeanwhile();
      throw error;
    }
    return next;
  }

  async optOut(id: string, channel: Channel): Promise<Client> {
    const current = await this.mustGet(id);
    if (isOptedOutOf(current, channel)) return current;
    return this.update(id, { optOuts: [...(current.optOuts ?? []), channel] });
  }

  /** The condition that the stored client still exists with these addresses. */
  private sameAddresses(client: Client) {
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = {};
    const parts = ['attribute_exists(id)'];
    for (const { field } of RESERVED) {
      names[`#${field}`] = field;
      const address = client[field];
      if (address === undefined) parts.push(`attribute_not_exists(#${field})`);
      else {
        values[`:${field}`] = address;
        parts.push(`#${field} = :${field}`);
      }
    }
    return {
      ConditionExpression: parts.join(' AND '),
      ExpressionAttributeNames: names,
      ...(Object.keys(values).length > 0 ? { ExpressionAttributeValues: values } : {}),
    };
  }

  async delete(id: string): Promise<void> {
    const current = await this.mustGet(id);
    await this.db
      .send(
        new TransactWriteCommand({
          TransactItems: [
            { Delete: { TableName: this.tables.clients, Key: { id }, ...this.sameAddresses(current) } },
            ...RESERVED.flatMap(({ field, key }) => {
              const address = current[field];
              return address === undefined ? [] : [{ Delete: { TableName: this.tables.uniques, Key: { key: key(address) } } }];
            }),
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
