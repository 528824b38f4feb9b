import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { GetCommand, PutCommand, QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { tables } from '../../definitions/tables.js';
import { NotFoundError } from '../../domain/errors.js';
import {
  archived,
  arrival,
  EMPTY_COUNTER,
  isExpired,
  isRead,
  marked,
  parseItemId,
  readAll,
  unreadCount,
  viewOf,
  type InboxContent,
  type InboxCounter,
  type InboxItem,
  type InboxItemView,
  type InboxStatus,
} from '../../domain/inbox.js';
import type { Clock, InboxChange, InboxPage, InboxReads, InboxStore, PageRequest } from '../../ports.js';
import { fromStartKey, listCursor, startKeyFields, type FieldCheck } from './cursor.js';
import { failedConditions, isTransactionConflict } from './errors.js';

const COUNTER = 'counter';
const ITEM_PREFIX = 'item#';
const itemEntry = (createdAt: string) => `${ITEM_PREFIX}${createdAt}`;
const guardEntry = (messageId: number) => `message#${messageId}`;

/**
 * How many times a step is computed again when another step of the same inbox came first. Only
 * one client's own tabs and sends meet here, so a few tries decide it; the backoff is random so
 * two steps that met do not meet again.
 */
const MAX_ATTEMPTS = 25;
/** A listing is read again when its inbox changed while it was read, at most this often. */
const MAX_SNAPSHOT_ATTEMPTS = 4;
/** Reads of one page at most, when the unread filter leaves most items out. */
const MAX_PAGE_READS = 10;

type Write = NonNullable<ConstructorParameters<typeof TransactWriteCommand>[0]['TransactItems']>[number];

/** What a step writes: the items' writes, the counter it leaves, and what the caller gets. */
interface Plan<T> {
  writes: Write[];
  /** Absent when the step changes nothing: nothing is written. */
  counter?: InboxCounter;
  result: T;
  /** Called with the failed writes' indexes when a condition other than the counter's failed. */
  refused?: (failed: number[]) => T;
}

class StaleCounter extends Error {}

const backoff = (attempt: number) => new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(250, 10 * 2 ** attempt)));

/**
 * The inbox table (functions/definitions/tables.ts). Each change is computed from the counter it
 * read (functions/domain/inbox.ts) and written in one transaction with the counter, on condition
 * that the counter still has the stamp it was read with: two changes of one inbox never both
 * write from the same state, so the stored unread count is always what the stored items count.
 */
export class DynamoInboxStore implements InboxStore, InboxReads {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
    private readonly clock: Clock,
    private readonly retentionDays: number,
  ) {}

  /** One client's list: a cursor of another client's inbox, or of anything but an item, is refused. */
  private cursorOf(clientId: string) {
    const fields = startKeyFields(tables.inbox, undefined, clientId);
    const entry = fields.entry as FieldCheck;
    return listCursor<{ clientId: string; entry: string }>('inbox', {
      ...fields,
      entry: (value) => entry(value) && (value as string).startsWith(ITEM_PREFIX),
    });
  }

  /**
   * Whether the item message `messageId` put in the client's inbox has been read, by itself or by a
   * read-all (an `unlessRead` event step asks, functions/services/events.ts). An item archived
   * since counts as read: the client has dealt with it. False when the message made no item.
   */
  async isRead(clientId: string, messageId: number): Promise<boolean> {
    const { Item: guard } = await this.db.send(
      new GetCommand({ TableName: this.table, Key: { clientId, entry: guardEntry(messageId) }, ConsistentRead: true }),
    );
    if (typeof guard?.item !== 'string') return false;
    const [{ Item }, counter] = await Promise.all([
      this.db.send(new GetCommand({ TableName: this.table, Key: { clientId, entry: guard.item }, ConsistentRead: true })),
      this.counter(clientId),
    ]);
    if (!Item || Item.messageId !== messageId) return true;
    return isRead(itemOf(Item), counter.lastReadAllAt);
  }

  private async counter(clientId: string): Promise<InboxCounter> {
    const { Item } = await this.db.send(new GetCommand({ TableName: this.table, Key: { clientId, entry: COUNTER }, ConsistentRead: true }));
    if (!Item) return EMPTY_COUNTER;
    return {
      stamp: Item.stamp as string,
      ...(Item.lastReadAllAt !== undefined ? { lastReadAllAt: Item.lastReadAllAt as string } : {}),
      unread: (Item.unread as Record<string, number> | undefined) ?? {},
    };
  }

  private counterWrite(clientId: string, before: InboxCounter, after: InboxCounter): Write {
    return {
      Put: {
        TableName: this.table,
        Item: { clientId, entry: COUNTER, ...after },
        ...(before.stamp === undefined
          ? { ConditionExpression: 'attribute_not_exists(entry)' }
          : { ConditionExpression: '#stamp = :stamp', ExpressionAttributeNames: { '#stamp': 'stamp' }, ExpressionAttributeValues: { ':stamp': before.stamp } }),
      },
    };
  }

  /** Reads the counter, plans the step from it, and writes it while the counter is unchanged; again when it changed. */
  private async step<T>(clientId: string, plan: (counter: InboxCounter) => Promise<Plan<T>>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      const before = await this.counter(clientId);
      const step = await plan(before);
      if (!step.counter) return step.result;
      const items = [...step.writes, this.counterWrite(clientId, before, step.counter)];
      try {
        if (items.length === 1) {
          await this.db.send(new PutCommand((items[0] as Required<Pick<Write, 'Put'>>).Put));
        } else {
          await this.db.send(new TransactWriteCommand({ TransactItems: items }));
        }
        return step.result;
      } catch (error) {
        const failed = failedConditions(error);
        const counterFailed = (error as { name?: string }).name === 'ConditionalCheckFailedException' || failed?.includes(items.length - 1);
        if (!counterFailed && !isTransactionConflict(error)) {
          if (failed && failed.length > 0 && step.refused) return step.refused(failed);
          throw error;
        }
        if (attempt + 1 >= MAX_ATTEMPTS) throw new StaleCounter(`inbox of ${clientId} kept changing: ${MAX_ATTEMPTS} attempts`);
        await backoff(attempt);
      }
    }
  }

  private async item(clientId: string, itemId: string): Promise<InboxItem> {
    const named = parseItemId(itemId);
    const missing = () => new NotFoundError(`inbox item ${itemId} does not exist`);
    if (!named) throw missing();
    const { Item } = await this.db.send(new GetCommand({ TableName: this.table, Key: { clientId, entry: itemEntry(named.createdAt) }, ConsistentRead: true }));
    if (!Item || Item.messageId !== named.messageId) throw missing();
    const item = itemOf(Item);
    if (isExpired(item, this.clock.now())) throw missing();
    return item;
  }

  deliver(clientId: string, messageId: number, content: InboxContent) {
    return this.step<(InboxChange & { item: InboxItemView }) | undefined>(clientId, async (counter) => {
      const now = this.clock.now();
      const { item, counter: after } = arrival(counter, clientId, messageId, content, now, this.retentionDays);
      const entry = itemEntry(item.createdAt);
      const notThere = 'attribute_not_exists(entry)';
      return {
        writes: [
          {
            Put: {
              TableName: this.table,
              Item: { clientId, entry: guardEntry(messageId), item: entry, expiration: item.expiresAt },
              ConditionExpression: notThere,
            },
          },
          { Put: { TableName: this.table, Item: storedItem(item), ConditionExpression: notThere } },
        ],
        counter: after,
        result: { item: viewOf(item, after), unread: unreadCount(after, now), changed: true },
        // The guard is there: this message's item was written before.
        refused: () => undefined,
      };
    });
  }

  async count(clientId: string): Promise<number> {
    return unreadCount(await this.counter(clientId), this.clock.now());
  }

  mark(clientId: string, itemId: string, read: boolean) {
    return this.step<InboxChange & { item: InboxItemView }>(clientId, async (counter) => {
      const item = await this.item(clientId, itemId);
      const now = this.clock.now();
      const step = marked(counter, item, read, now);
      if (!step) return { writes: [], result: { item: viewOf(item, counter), unread: unreadCount(counter, now), changed: false } };
      return {
        writes: [{ Put: { TableName: this.table, Item: storedItem(step.item), ConditionExpression: 'attribute_exists(entry)' } }],
        counter: step.counter,
        result: { item: viewOf(step.item, step.counter), unread: unreadCount(step.counter, now), changed: true },
      };
    });
  }

  readAll(clientId: string): Promise<InboxChange> {
    return this.step<InboxChange>(clientId, async (counter) => {
      const now = this.clock.now();
      // Nothing unread: every item is read already, and a read-all would change nothing.
      if (unreadCount(counter, now) === 0) return { writes: [], result: { unread: 0, changed: false } };
      return { writes: [], counter: readAll(counter, now), result: { unread: 0, changed: true } };
    });
  }

  archive(clientId: string, itemId: string): Promise<InboxChange> {
    return this.step<InboxChange>(clientId, async (counter) => {
      const item = await this.item(clientId, itemId);
      const now = this.clock.now();
      const after = archived(counter, item, now);
      return {
        writes: [{ Delete: { TableName: this.table, Key: { clientId, entry: itemEntry(item.createdAt) }, ConditionExpression: 'attribute_exists(entry)' } }],
        counter: after,
        result: { unread: unreadCount(after, now), changed: true },
      };
    });
  }

  /**
   * A page of the inbox, newest first, with the unread count of the same moment: the counter is
   * read before and after the page, and the page read again when the inbox changed in between.
   */
  async list(clientId: string, request: PageRequest & { status: InboxStatus }): Promise<InboxPage> {
    const cursors = this.cursorOf(clientId);
    const start = cursors.decode(request.cursor);
    let page: InboxPage | undefined;
    for (let attempt = 0; attempt < MAX_SNAPSHOT_ATTEMPTS; attempt++) {
      const counter = await this.counter(clientId);
      const now = this.clock.now();
      const { items, last } = await this.items(clientId, counter, request.status, request.limit, start, now);
      page = { items: items.map((item) => viewOf(item, counter)), nextCursor: cursors.encode(last), unreadCount: unreadCount(counter, now) };
      if ((await this.counter(clientId)).stamp === counter.stamp) break;
    }
    return page as InboxPage;
  }

  private async items(
    clientId: string,
    counter: InboxCounter,
    status: InboxStatus,
    limit: number,
    start: { clientId: string; entry: string } | undefined,
    now: Date,
  ): Promise<{ items: InboxItem[]; last: { clientId: string; entry: string } | undefined }> {
    const names: Record<string, string> = { '#exp': 'expiration' };
    const values: Record<string, unknown> = { ':client': clientId, ':prefix': ITEM_PREFIX, ':now': Math.floor(now.getTime() / 1000) };
    let filter = '#exp > :now';
    if (status === 'unread') {
      names['#readAt'] = 'readAt';
      if (counter.lastReadAllAt === undefined) filter += ' AND attribute_not_exists(#readAt)';
      else {
        Object.assign(names, { '#createdAt': 'createdAt', '#unreadAt': 'unreadAt' });
        values[':readAll'] = counter.lastReadAllAt;
        filter += ' AND attribute_not_exists(#readAt) AND (#createdAt > :readAll OR #unreadAt > :readAll)';
      }
    }
    const items: InboxItem[] = [];
    let startKey: Record<string, unknown> | undefined = start;
    for (let reads = 0; reads < MAX_PAGE_READS && items.length < limit; reads++) {
      const exclusiveStart = startKey;
      const { Items = [], LastEvaluatedKey } = await fromStartKey(exclusiveStart, () =>
        this.db.send(
          new QueryCommand({
            TableName: this.table,
            KeyConditionExpression: 'clientId = :client AND begins_with(entry, :prefix)',
            FilterExpression: filter,
            ExpressionAttributeNames: names,
            ExpressionAttributeValues: values,
            ScanIndexForward: false,
            ConsistentRead: true,
            Limit: limit - items.length,
            ...(exclusiveStart ? { ExclusiveStartKey: exclusiveStart } : {}),
          }),
        ),
      );
      items.push(...Items.map(itemOf));
      startKey = LastEvaluatedKey;
      if (!startKey) break;
    }
    return { items, last: startKey as { clientId: string; entry: string } | undefined };
  }
}

function storedItem(item: InboxItem): Record<string, unknown> {
  const { expiresAt, ...rest } = item;
  return { ...rest, entry: itemEntry(item.createdAt), expiration: expiresAt };
}

function itemOf(stored: Record<string, unknown>): InboxItem {
  const { entry: _entry, expiration, ...rest } = stored;
  return { ...(rest as Omit<InboxItem, 'expiresAt'>), expiresAt: expiration as number };
}
