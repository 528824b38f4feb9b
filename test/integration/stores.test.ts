import { BatchWriteCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { newCampaignRecord } from '../../functions/domain/campaigns.js';
import { ConflictError, LeaseLostError, NotFoundError, ValidationError } from '../../functions/domain/errors.js';
import { chunksOfPage, emptyCounts, type MessageRecord } from '../../functions/domain/messages.js';
import { stores } from '../../functions/handlers/wiring.js';
import type { Stores } from '../../functions/ports.js';
import type { Clock } from '../../functions/ports.js';
import { createTestTables, documentClient, storeOutcome } from '../support/aws.js';

let now = new Date('2030-01-01T10:00:00Z');
const clock: Clock = { now: () => now };
let store: Stores;
let tableNames: Record<string, string>;
let tableEnv: Parameters<typeof stores>[0];

beforeAll(async () => {
  const tables = await createTestTables();
  tableNames = tables.names;
  tableEnv = tables.env as never;
  store = stores(tableEnv, clock, documentClient());
});

let phoneSeq = 0;
const phone = () => `7999${String(1_000_000 + phoneSeq++).slice(-7)}`;

async function drain<T>(read: (cursor?: string) => Promise<{ items: T[]; nextCursor: string | null }>): Promise<T[]> {
  const all: T[] = [];
  let cursor: string | undefined;
  do {
    const page = await read(cursor);
    all.push(...page.items);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return all;
}

describe('client store', () => {
  it('creates a client with a derived operator code and reads it back', async () => {
    const created = await store.clients.create({ phone: '79161234567', timezone: 'Europe/Moscow', tag: 'vip' });
    expect(created.operatorCode).toBe('916');
    expect(await store.clients.get(created.id)).toEqual(created);
  });

  it('refuses a second client with the same phone', async () => {
    const p = phone();
    await store.clients.create({ phone: p, timezone: 'UTC' });
    await expect(store.clients.create({ phone: p, timezone: 'UTC' })).rejects.toBeInstanceOf(ConflictError);
  });

  it('keeps exactly one of ten concurrent creations with one phone', async () => {
    const p = phone();
    const results = await Promise.allSettled(Array.from({ length: 10 }, () => store.clients.create({ phone: p, timezone: 'UTC', tag: `race-${p}` })));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(results.filter((r) => r.status === 'rejected').every((r) => (r as PromiseRejectedResult).reason instanceof ConflictError)).toBe(true);
    const listed = await drain((cursor) => store.clients.list({ limit: 50, tag: `race-${p}`, ...(cursor ? { cursor } : {}) }));
    expect(listed).toHaveLength(1);
  });

  it('moves the phone reservation when the phone changes, and frees it on delete', async () => {
    const [a, b] = [phone(), phone()];
    const client = await store.clients.create({ phone: a, timezone: 'UTC' });
    const other = await store.clients.create({ phone: b, timezone: 'UTC' });
    await expect(store.clients.update(client.id, { phone: b })).rejects.toBeInstanceOf(ConflictError);
    const moved = await store.clients.update(client.id, { phone: `7916${a.slice(4)}` });
    expect(moved.operatorCode).toBe('916');
    await store.clients.create({ phone: a, timezone: 'UTC' }); // the old phone is free again
    await store.clients.delete(other.id);
    await store.clients.create({ phone: b, timezone: 'UTC' });
    await expect(store.clients.delete(other.id)).rejects.toBeInstanceOf(NotFoundError);
    await expect(store.clients.update('nope', { tag: 'x' })).rejects.toBeInstanceOf(NotFoundError);
  });

  it('removes a tag with null', async () => {
    const client = await store.clients.create({ phone: phone(), timezone: 'UTC', tag: 'gone' });
    const updated = await store.clients.update(client.id, { tag: null });
    expect(updated.tag).toBeUndefined();
    expect((await store.clients.get(client.id))?.tag).toBeUndefined();
  });

  it('lists by tag and operator code with opaque cursors', async () => {
    const tag = `list-${phoneSeq}`;
    for (let i = 0; i < 5; i++) await store.clients.create({ phone: phone(), timezone: 'UTC', tag, operatorCode: i % 2 ? '901' : '902' });
    const first = await store.clients.list({ limit: 2, tag });
    expect(first.items).toHaveLength(2);
    expect(first.nextCursor).toEqual(expect.any(String));
    expect(await drain((cursor) => store.clients.list({ limit: 2, tag, ...(cursor ? { cursor } : {}) }))).toHaveLength(5);
    const both = await drain((cursor) => store.clients.list({ limit: 2, tag, operatorCode: '901', ...(cursor ? { cursor } : {}) }));
    expect(both.map((c) => c.operatorCode)).toEqual(['901', '901']);
    await expect(store.clients.list({ limit: 2, cursor: 'garbage' })).rejects.toBeInstanceOf(ValidationError);
  });

  it('walks an audience over every filter value exactly once, page by page', async () => {
    const tags = [`aud-a-${phoneSeq}`, `aud-b-${phoneSeq}`, `aud-c-${phoneSeq}`];
    const expected: string[] = [];
    for (let i = 0; i < 13; i++) {
      const client = await store.clients.create({ phone: phone(), timezone: 'UTC', tag: tags[i % 3] as string, operatorCode: i % 4 === 0 ? '950' : '951' });
      if (i % 3 !== 2) expected.push(client.id);
    }
    const byTag = await drain((cursor) =>
      store.clients.audience({ tags: [tags[0] as string, tags[1] as string, tags[0] as string] }, { limit: 4, ...(cursor ? { cursor } : {}) }),
    );
    expect(byTag.map((m) => m.id).sort()).toEqual(expected.sort());
    expect(byTag.every((m) => /^7\d{10}$/.test(m.phone ?? ''))).toBe(true);
    const narrowed = await drain((cursor) => store.clients.audience({ tags, operatorCodes: ['950'] }, { limit: 3, ...(cursor ? { cursor } : {}) }));
    expect(narrowed).toHaveLength(4); // i = 0, 4, 8, 12
  });
});

describe('campaign store', () => {
  const input = { text: 'hello', startAt: '2030-01-01T09:00:00Z', endAt: '2030-01-02T00:00:00Z' };

  it('numbers campaigns and starts each once', async () => {
    const a = await store.campaigns.create((id) => newCampaignRecord(input, id, now));
    const b = await store.campaigns.create((id) => newCampaignRecord(input, id, now));
    expect(Number(b.id)).toBeGreaterThan(Number(a.id));
    expect(a.status).toBe('running');
    expect(await store.campaigns.start(a.id)).toBe(true);
    // Again while nothing has moved (the first answer may have been lost): true, the fan-out as it was.
    expect(await store.campaigns.start(a.id)).toBe(true);
    expect((await store.campaigns.get(a.id))?.fanout).toEqual({ page: 0, done: false });
    // Once the fan-out has moved, a start is refused.
    await store.campaigns.advanceFanout(a.id, 0, { page: 1, cursor: 'x', done: false }, 10);
    expect(await store.campaigns.start(a.id)).toBe(false);
    expect(await store.campaigns.start('999999')).toBe(false);
  });

  it('advances the fan-out once per page and finishes when every written message is settled', async () => {
    const c = await store.campaigns.create((id) => newCampaignRecord(input, id, now));
    await store.campaigns.start(c.id);
    expect(await store.campaigns.advanceFanout(c.id, 0, { page: 1, cursor: 'x', done: false }, 10)).toBe(true);
    // The same advance again (its answer lost, or a replay): already there, so true, and counted once.
    expect(await store.campaigns.advanceFanout(c.id, 0, { page: 1, cursor: 'x', done: false }, 10)).toBe(true);
    expect((await store.campaigns.get(c.id))?.fannedOut).toBe(10);
    // From the same page to somewhere else: refused.
    expect(await store.campaigns.advanceFanout(c.id, 0, { page: 1, cursor: 'y', done: false }, 10)).toBe(false);
    expect(await store.campaigns.advanceFanout(c.id, 1, { page: 2, done: true }, 5)).toBe(true);
    expect((await store.campaigns.get(c.id))?.fannedOut).toBe(15);
    const totalsBefore = await store.campaigns.totals();
    // The tally has seen 10 of the 15 written messages, all settled: a lagging tally never finishes a campaign early.
    await store.campaigns.applyTally(c.id, { delta: { ...emptyCounts(), sent: 9, failed: 1 }, through: '100' }, undefined);
    expect((await store.campaigns.get(c.id))?.status).toBe('running');
    await store.campaigns.applyTally(c.id, { delta: { ...emptyCounts(), sent: 4, expired: 1 }, through: '200' }, '100');
    const done = await store.campaigns.get(c.id);
    expect(done?.status).toBe('finished');
    expect(done?.counts).toEqual({ queued: 0, sent: 13, failed: 1, expired: 1, cancelled: 0 });
    expect(done?.tallied).toBe('200');
    const totals = await store.campaigns.totals();
    expect([totals.sent - totalsBefore.sent, totals.failed - totalsBefore.failed, totals.expired - totalsBefore.expired]).toEqual([13, 1, 1]);
  });

  it('applies a tally only from the mark it was computed against, counters and totals together', async () => {
    const c = await store.campaigns.create((id) => newCampaignRecord(input, id, now));
    await store.campaigns.start(c.id);
    await store.campaigns.applyTally(c.id, { delta: { ...emptyCounts(), queued: 10 }, through: '5' }, undefined);
    const totalsBefore = await store.campaigns.totals();
    // A replay computed against no mark, or against an old one, is refused and changes nothing anywhere.
    await expect(store.campaigns.applyTally(c.id, { delta: { ...emptyCounts(), queued: 10 }, through: '5' }, undefined)).rejects.toBeInstanceOf(ConflictError);
    await expect(store.campaigns.applyTally(c.id, { delta: { ...emptyCounts(), queued: -1, sent: 1 }, through: '9' }, '4')).rejects.toBeInstanceOf(
      ConflictError,
    );
    expect((await store.campaigns.get(c.id))?.counts.queued).toBe(10);
    expect(await store.campaigns.totals()).toEqual(totalsBefore);
  });

  it('removes only scheduled campaigns and cancels only live ones', async () => {
    now = new Date('2030-01-01T08:00:00Z');
    const scheduled = await store.campaigns.create((id) => newCampaignRecord(input, id, now));
    expect(scheduled.status).toBe('scheduled');
    const edited = await store.campaigns.replace({ ...scheduled, text: 'edited' }, 'scheduled');
    expect(edited.text).toBe('edited');
    await expect(store.campaigns.replace({ ...scheduled, text: 'x' }, 'running')).rejects.toBeInstanceOf(ConflictError);
    const cancelled = await store.campaigns.cancel(scheduled.id);
    expect(cancelled.status).toBe('cancelled');
    await expect(store.campaigns.cancel(scheduled.id)).rejects.toBeInstanceOf(ConflictError);
    await expect(store.campaigns.remove(scheduled.id)).rejects.toBeInstanceOf(ConflictError);
    await expect(store.campaigns.remove('424242')).rejects.toBeInstanceOf(NotFoundError);
    const other = await store.campaigns.create((id) => newCampaignRecord(input, id, now));
    await store.campaigns.remove(other.id);
    expect(await store.campaigns.get(other.id)).toBeUndefined();
    now = new Date('2030-01-01T10:00:00Z');
  });
});

describe('message store', () => {
  const audience = Array.from({ length: 23 }, (_, i) => ({ id: `client-${i}`, phone: `7900000${String(i).padStart(4, '0')}` }));

  it('writes a page of chunks once: a replay gets back the stored chunks and cursor', async () => {
    const chunks = chunksOfPage('77', 0, audience, now);
    expect(chunks.map((c) => c.messages.length)).toEqual([10, 10, 3]);
    expect(await store.messages.writePage('77', 0, chunks, 'cursor-after-0')).toEqual({ chunks, nextCursor: 'cursor-after-0' });
    const replay = await store.messages.writePage('77', 0, chunksOfPage('77', 0, audience.slice(1), now), 'another-cursor');
    expect(replay.nextCursor).toBe('cursor-after-0');
    expect(replay.chunks.map((c) => c.messages[0]?.clientId)).toEqual(['client-0', 'client-10', 'client-20']);
    expect((await store.messages.chunksOfPage('77', 0)).length).toBe(3);
    expect(await store.messages.chunksOfPage('77', 1)).toEqual([]);
    expect((await store.messages.writePage('77', 1, chunksOfPage('77', 1, audience.slice(0, 5), now), null)).nextCursor).toBeNull();
    expect((await store.messages.writePage('77', 1, chunksOfPage('77', 1, audience, now), 'late')).nextCursor).toBeNull();
  });

  /**
   * DynamoDB Local never throttles, so a client in front of it answers the page's batch of chunk
   * puts as a throttled DynamoDB would: only the first `written` items stored, the rest handed back
   * as UnprocessedItems, for the first `throttledBatches` batches.
   */
  function throttlingStore(throttledBatches: number, written = 1) {
    const real = documentClient();
    const batches: number[] = [];
    const send = async (command: { input: unknown }) => {
      if (!(command instanceof BatchWriteCommand)) return real.send(command as never);
      const [table, requests] = Object.entries(command.input.RequestItems ?? {})[0] ?? [];
      batches.push(requests?.length ?? 0);
      if (!table || !requests || batches.length > throttledBatches) return real.send(command);
      if (written > 0) await real.send(new BatchWriteCommand({ RequestItems: { [table]: requests.slice(0, written) } }));
      return { UnprocessedItems: { [table]: requests.slice(written) } };
    };
    return { store: stores(tableEnv, clock, { send } as unknown as DynamoDBDocumentClient), batches };
  }

  it('puts a page of chunks again until DynamoDB has processed every one of them', async () => {
    const { store: throttled, batches } = throttlingStore(1);
    const chunks = chunksOfPage('83', 0, audience, now);
    expect(await throttled.messages.writePage('83', 0, chunks, 'next')).toEqual({ chunks, nextCursor: 'next' });
    // Chunks 1 and 2 in one batch (chunk 0, the page's mark, is put on its own last): one stored, one handed back and put again.
    expect(batches).toEqual([2, 1]);
    expect(await store.messages.chunksOfPage('83', 0)).toEqual(chunks);
  });

  it('fails the page, leaving it unmarked, when DynamoDB keeps handing chunks back', { timeout: 20_000 }, async () => {
    const { store: throttled, batches } = throttlingStore(Infinity, 0);
    const chunks = chunksOfPage('84', 0, audience, now);
    await expect(throttled.messages.writePage('84', 0, chunks, 'next')).rejects.toThrow(/2 chunk\(s\) still unprocessed after 6 batch writes/);
    expect(batches).toEqual([2, 2, 2, 2, 2, 2]);
    // The first chunk, which marks the page written, is not: a replay of the page writes it all again.
    expect(await store.messages.chunksOfPage('84', 0)).toEqual([]);
  });

  it('writes over a page whose first write stopped before its first chunk', async () => {
    // A crash left chunk 31 of page 3 behind, but not chunk 30, which completes a page.
    const stale = chunksOfPage('81', 3, audience.slice(0, 15), now)[1];
    await documentClient().send(
      new PutCommand({
        TableName: tableNames.messages,
        Item: {
          campaignId: '81',
          chunk: 31,
          createdAt: now.toISOString(),
          receives: 0,
          open: 5,
          m: stale?.messages.map((m) => ({ i: m.id, c: m.clientId, p: Number(m.phone), s: m.status, a: 0 })),
        },
      }),
    );
    const fresh = chunksOfPage('81', 3, audience.slice(3, 18), now);
    const written = await store.messages.writePage('81', 3, fresh, 'next');
    expect(written.chunks).toEqual(fresh);
    expect((await store.messages.chunksOfPage('81', 3)).map((c) => c.messages.map((m) => m.clientId))).toEqual(
      fresh.map((c) => c.messages.map((m) => m.clientId)),
    );
  });

  it('lets one worker claim a chunk, and none once every message is final', async () => {
    const [chunk] = (await store.messages.writePage('78', 0, chunksOfPage('78', 0, audience.slice(0, 2), now), null)).chunks;
    const first = await store.messages.claim('78', 0, 60_000, now);
    expect(first.kind).toBe('claimed');
    expect(first.kind === 'claimed' && first.chunk.receives).toBe(1);
    const second = await store.messages.claim('78', 0, 60_000, now);
    expect(second).toEqual({ kind: 'leased', until: now.getTime() + 60_000 });
    const messages = (chunk?.messages ?? []).map((m): MessageRecord => ({ ...m, status: 'sent', attempts: 1, sentAt: now.toISOString() }));
    await store.messages.saveOutcome('78', 0, messages, (first as Extract<typeof first, { kind: 'claimed' }>).lease);
    expect(await store.messages.claim('78', 0, 60_000, now)).toEqual({ kind: 'done' });
    expect(await store.messages.claim('78', 5, 60_000, now)).toEqual({ kind: 'missing' });
    const found = await store.messages.get(messages[1]?.id as number);
    expect(found).toMatchObject({ id: messages[1]?.id, campaignId: '78', clientId: 'client-1', status: 'sent', attempts: 1, sentAt: now.toISOString() });
    expect(await store.messages.get(1)).toBeUndefined();
  });

  it('a lease that has run out can be claimed again', async () => {
    await store.messages.writePage('79', 0, chunksOfPage('79', 0, audience.slice(0, 1), now), null);
    await store.messages.claim('79', 0, 1000, now);
    const later = new Date(now.getTime() + 1000);
    const again = await store.messages.claim('79', 0, 1000, later);
    expect(again.kind === 'claimed' && again.chunk.receives).toBe(2);
  });

  it("stores an outcome only under its claim's lease, even when a later claim's clock wrote the same lease end", async () => {
    const [chunk] = (await store.messages.writePage('77', 0, chunksOfPage('77', 0, audience.slice(0, 2), now), null)).chunks;
    const [first, second] = chunk?.messages ?? [];
    if (!first || !second) throw new Error('two messages expected');
    const a = await store.messages.claim('77', 0, 60_000, now);
    // A's lease ran out unused; B claims at its end and stores one message sent, the other to retry.
    const b = await store.messages.claim('77', 0, 60_000, new Date(now.getTime() + 60_000));
    if (a.kind !== 'claimed' || b.kind !== 'claimed') throw new Error('both claims expected to succeed');
    await store.messages.saveOutcome(
      '77',
      0,
      [
        { ...first, status: 'sent', attempts: 1 },
        { ...second, attempts: 1, lastError: 'HTTP 500' },
      ],
      b.lease,
    );
    // C's clock is a minute behind B's: its lease has the very end A's had, yet it is C's.
    const c = await store.messages.claim('77', 0, 60_000, now);
    if (c.kind !== 'claimed') throw new Error('C expected to claim the chunk');
    expect(c.lease.until).toBe(a.lease.until);
    const failed = [first, second].map((message): MessageRecord => ({ ...message, status: 'failed', attempts: 1, lastError: 'HTTP 400' }));
    await expect(store.messages.saveOutcome('77', 0, failed, a.lease)).rejects.toBeInstanceOf(LeaseLostError);
    await expect(store.messages.saveOutcome('77', 0, failed, b.lease)).rejects.toBeInstanceOf(LeaseLostError);
    expect((await store.messages.chunksOfPage('77', 0))[0]?.messages.map((message) => [message.status, message.attempts])).toEqual([
      ['sent', 1],
      ['queued', 1],
    ]);
    await store.messages.saveOutcome(
      '77',
      0,
      [
        { ...first, status: 'sent', attempts: 1 },
        { ...second, status: 'sent', attempts: 2 },
      ],
      c.lease,
    );
    expect(await store.messages.claim('77', 0, 60_000, now)).toEqual({ kind: 'done' });
  });

  it('lists messages in id order, filtered by status, with cursors', async () => {
    const chunks = chunksOfPage('80', 0, audience, now);
    await store.messages.writePage('80', 0, chunks, null);
    const second = chunks[1];
    if (!second) throw new Error('expected a second chunk');
    await storeOutcome(
      store.messages,
      '80',
      1,
      second.messages.map((m, i) => (i % 2 ? { ...m, status: 'failed', attempts: 1, lastError: 'HTTP 400' } : m)),
    );
    const all = await drain((cursor) => store.messages.list('80', { limit: 7, ...(cursor ? { cursor } : {}) }));
    expect(all.map((m) => m.clientId)).toEqual(audience.map((a) => a.id));
    expect(all.map((m) => m.id)).toEqual([...all.map((m) => m.id)].sort((x, y) => x - y));
    const failed = await drain((cursor) => store.messages.list('80', { limit: 2, status: 'failed', ...(cursor ? { cursor } : {}) }));
    expect(failed.map((m) => m.clientId)).toEqual(['client-11', 'client-13', 'client-15', 'client-17', 'client-19']);
    expect(failed[0]).toMatchObject({ lastError: 'HTTP 400', attempts: 1 });
  });
});
