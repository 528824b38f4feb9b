/**
 * The inbox store (functions/adapters/dynamo/inbox-store.ts) on DynamoDB Local: listing, read and
 * unread, read-all, archive, idempotent delivery, and the unread count equal to what
 * `status=unread` lists while arrivals, reads, unreads, read-alls and archives run at once.
 */
import { GetCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { DynamoInboxStore } from '../../functions/adapters/dynamo/inbox-store.js';
import { tables } from '../../functions/definitions/tables.js';
import { NotFoundError, ValidationError } from '../../functions/domain/errors.js';
import { isRead, type InboxItemView } from '../../functions/domain/inbox.js';
import type { Clock } from '../../functions/ports.js';
import { createTestTablesOf, documentClient } from '../support/aws.js';

let db: DynamoDBDocumentClient;
let table: string;
let now = new Date('2030-01-01T10:00:00Z');
const clock: Clock = { now: () => now };
let store: DynamoInboxStore;
let clientSeq = 0;
const newClient = () => `inbox-client-${process.pid}-${clientSeq++}`;
let messageSeq = 1;
const content = (title = 'Hello') => ({ title, text: 'text', campaignId: '7' });

beforeAll(async () => {
  table = (await createTestTablesOf([tables.inbox])).inbox as string;
  db = documentClient();
  store = new DynamoInboxStore(db, table, clock, 90);
});

async function listAll(clientId: string, status: 'all' | 'unread', limit = 3, from = store): Promise<InboxItemView[]> {
  const items: InboxItemView[] = [];
  let cursor: string | undefined;
  do {
    const page = await from.list(clientId, { limit, status, ...(cursor ? { cursor } : {}) });
    items.push(...page.items);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return items;
}

async function deliverAll(clientId: string, n: number) {
  const items: InboxItemView[] = [];
  for (let i = 0; i < n; i++) items.push((await store.deliver(clientId, messageSeq++, content(`item ${i}`)))!.item);
  return items;
}

describe('inbox store', () => {
  it('lists items newest first, pages with cursors, and counts the unread', async () => {
    const client = newClient();
    const delivered = await deliverAll(client, 5);
    const listed = await listAll(client, 'all', 2);
    expect(listed.map((item) => item.title)).toEqual(['item 4', 'item 3', 'item 2', 'item 1', 'item 0']);
    expect(listed).toEqual([...delivered].reverse());
    expect(listed[0]).toMatchObject({ readAt: null, campaignId: '7', text: 'text' });
    expect(await store.count(client)).toBe(5);
    const page = await store.list(client, { limit: 10, status: 'all' });
    expect(page.unreadCount).toBe(5);
  });

  it('delivers a message once, however often it is sent', async () => {
    const client = newClient();
    const id = messageSeq++;
    const results = await Promise.all([1, 2, 3].map(() => store.deliver(client, id, content())));
    expect(results.filter((result) => result !== undefined)).toHaveLength(1);
    expect(await store.deliver(client, id, content())).toBeUndefined();
    expect(await listAll(client, 'all')).toHaveLength(1);
    expect(await store.count(client)).toBe(1);
  });

  it('reads, unreads, reads all, and archives', async () => {
    const client = newClient();
    const [a, b, c] = await deliverAll(client, 3);
    const read = await store.mark(client, b!.id, true);
    expect(read.changed).toBe(true);
    expect(read.item.readAt).not.toBeNull();
    expect(read.unread).toBe(2);
    expect((await store.mark(client, b!.id, true)).changed).toBe(false);
    expect((await listAll(client, 'unread')).map((item) => item.id)).toEqual([c!.id, a!.id]);

    const all = await store.readAll(client);
    expect(all).toEqual({ unread: 0, changed: true });
    expect(await listAll(client, 'unread')).toEqual([]);
    expect((await listAll(client, 'all')).every((item) => item.readAt !== null)).toBe(true);
    expect(await store.readAll(client)).toEqual({ unread: 0, changed: false });

    // Marked unread after the read-all: unread, listed as such.
    const unread = await store.mark(client, a!.id, false);
    expect(unread.item.readAt).toBeNull();
    expect(unread.unread).toBe(1);
    expect((await listAll(client, 'unread')).map((item) => item.id)).toEqual([a!.id]);

    expect((await store.archive(client, a!.id)).unread).toBe(0);
    expect((await listAll(client, 'all')).map((item) => item.id)).toEqual([c!.id, b!.id]);
    await expect(store.archive(client, a!.id)).rejects.toBeInstanceOf(NotFoundError);
    await expect(store.mark(client, a!.id, true)).rejects.toBeInstanceOf(NotFoundError);
  });

  it("finds no item of another client's, nor one whose id was made up", async () => {
    const owner = newClient();
    const other = newClient();
    const [item] = await deliverAll(owner, 1);
    await expect(store.mark(other, item!.id, true)).rejects.toBeInstanceOf(NotFoundError);
    await expect(store.archive(other, item!.id)).rejects.toBeInstanceOf(NotFoundError);
    const [ms, messageId] = item!.id.split('-');
    await expect(store.mark(owner, `${ms}-${Number(messageId) + 1}`, true)).rejects.toBeInstanceOf(NotFoundError);
    await expect(store.mark(owner, 'nonsense', true)).rejects.toBeInstanceOf(NotFoundError);
    expect(await store.count(owner)).toBe(1);
  });

  it("refuses another client's cursor and a forged one", async () => {
    const owner = newClient();
    const other = newClient();
    await deliverAll(owner, 3);
    const page = await store.list(owner, { limit: 1, status: 'all' });
    expect(page.nextCursor).not.toBeNull();
    await expect(store.list(other, { limit: 1, status: 'all', cursor: page.nextCursor! })).rejects.toBeInstanceOf(ValidationError);
    const forged = Buffer.from(JSON.stringify(['inbox', { clientId: owner, entry: 'counter' }])).toString('base64url');
    await expect(store.list(owner, { limit: 1, status: 'all', cursor: forged })).rejects.toBeInstanceOf(ValidationError);
  });

  it('lists no expired item and counts none', async () => {
    const client = newClient();
    const short = new DynamoInboxStore(db, table, clock, 1);
    await short.deliver(client, messageSeq++, content());
    expect(await short.count(client)).toBe(1);
    const saved = now;
    now = new Date(now.getTime() + 2 * 24 * 3600_000);
    try {
      expect(await short.count(client)).toBe(0);
      expect(await short.list(client, { limit: 10, status: 'all' })).toEqual({ items: [], nextCursor: null, unreadCount: 0 });
    } finally {
      now = saved;
    }
  });
});

/** A small seeded generator: the same run of operations every time. */
function random(seed: number) {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

describe('the unread count under concurrency', () => {
  it('always equals what status=unread lists, with arrivals, reads, unreads, read-alls and archives at once', async () => {
    const client = newClient();
    const realClock = new DynamoInboxStore(db, table, { now: () => new Date() }, 90);
    await Promise.all([1, 2].map(() => realClock.deliver(client, messageSeq++, content())));
    const next = random(41);
    let running = true;
    const snapshots: { listed: number; counted: number }[] = [];

    // Short pauses between a worker's steps leave the observer moments when nothing changes.
    const pause = () => new Promise((resolve) => setTimeout(resolve, next() * 40));
    const arrivals = async (n: number) => {
      for (let i = 0; i < n; i++) {
        await realClock.deliver(client, messageSeq++, content(`arrival ${i}`));
        await pause();
      }
    };
    const marks = async (n: number) => {
      for (let i = 0; i < n; i++) {
        const { items } = await realClock.list(client, { limit: 20, status: 'all' });
        const item = items[Math.floor(next() * items.length)];
        if (!item) continue;
        await realClock.mark(client, item.id, next() < 0.5).catch((error: unknown) => {
          // Archived by another worker meanwhile.
          if (!(error instanceof NotFoundError)) throw error;
        });
        await pause();
      }
    };
    const readAlls = async (n: number) => {
      for (let i = 0; i < n; i++) {
        await realClock.readAll(client);
        await pause();
      }
    };
    const archives = async (n: number) => {
      for (let i = 0; i < n; i++) {
        const { items } = await realClock.list(client, { limit: 5, status: 'all' });
        const item = items[items.length - 1];
        if (item)
          await realClock.archive(client, item.id).catch((error: unknown) => {
            if (!(error instanceof NotFoundError)) throw error;
          });
      }
    };
    const stamp = async () =>
      (await db.send(new GetCommand({ TableName: table, Key: { clientId: client, entry: 'counter' }, ConsistentRead: true }))).Item?.stamp as string;
    let moved = 0;
    // While the others run: a listing of the unread during which the inbox did not change holds exactly its unreadCount.
    const observe = async () => {
      while (running) {
        const before = await stamp();
        const page = await realClock.list(client, { limit: 1000, status: 'unread' });
        if ((await stamp()) !== before) moved++;
        else if (page.nextCursor === null) snapshots.push({ listed: page.items.length, counted: page.unreadCount });
      }
    };

    const observer = observe();
    await Promise.all([arrivals(12), arrivals(12), arrivals(12), marks(15), marks(15), readAlls(4), archives(5)]);
    running = false;
    await observer;

    expect(snapshots.length).toBeGreaterThan(0);
    expect(snapshots.filter((snapshot) => snapshot.listed !== snapshot.counted)).toEqual([]);
    const unread = await listAll(client, 'unread', 7, realClock);
    expect(await realClock.count(client)).toBe(unread.length);
    // And both equal the rule itself, applied to the items as stored.
    const { Items = [] } = await db.send(
      new QueryCommand({ TableName: table, KeyConditionExpression: 'clientId = :c', ExpressionAttributeValues: { ':c': client }, ConsistentRead: true }),
    );
    const counter = Items.find((item) => item.entry === 'counter')!;
    const stored = Items.filter((item) => String(item.entry).startsWith('item#'));
    const byRule = stored.filter((item) => !isRead(item as never, counter.lastReadAllAt as string | undefined));
    expect(byRule.length).toBe(unread.length);
    console.log(`inbox concurrency: ${stored.length} items, ${unread.length} unread, ${snapshots.length} snapshots checked, ${moved} moved while read`);
  });
});
