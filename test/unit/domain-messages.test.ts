import { describe, expect, it } from 'vitest';
import {
  addressOf,
  CHUNK_SIZE,
  CHUNKS_PER_PAGE,
  chunksOfPage,
  countsDelta,
  countsOf,
  emptyCounts,
  FINAL_STATUSES,
  isLaterSequence,
  tallyOf,
  isOpen,
  MAX_CAMPAIGN_SEQ,
  MESSAGE_STATUSES,
  messageId,
  PAGE_SIZE,
  totalOf,
  type AudienceMember,
  type MessageRecord,
} from '../../functions/domain/messages.js';

const now = new Date('2030-06-01T12:00:00.000Z');
const audience = (count: number, from = 0): AudienceMember[] =>
  Array.from({ length: count }, (_, i) => ({ id: `client-${from + i}`, phone: `7900${String(from + i).padStart(7, '0')}` }));
const record = (status: MessageRecord['status'], id = 1): MessageRecord => ({ id, clientId: `c${id}`, phone: '79000000000', status, attempts: 0 });

describe('counts', () => {
  it('start with every status at zero', () => {
    expect(emptyCounts()).toEqual({ queued: 0, sent: 0, failed: 0, expired: 0, cancelled: 0 });
    expect(Object.keys(emptyCounts()).sort()).toEqual([...MESSAGE_STATUSES].sort());
  });
  it('are fresh objects each time', () => {
    const a = emptyCounts();
    a.sent = 5;
    expect(emptyCounts().sent).toBe(0);
  });
  it('total every status', () => {
    expect(totalOf({ queued: 1, sent: 2, failed: 3, expired: 4, cancelled: 5 })).toBe(15);
    expect(totalOf(emptyCounts())).toBe(0);
  });
  it('tally a run of chunk changes once, past the applied mark, and nothing for changes that move no status', () => {
    const changes = [
      { campaignId: '1', sequence: '100', before: [], after: ['queued', 'queued'] as const },
      { campaignId: '1', sequence: '101', before: ['queued', 'queued'] as const, after: ['queued', 'queued'] as const },
      { campaignId: '1', sequence: '102', before: ['queued', 'queued'] as const, after: ['sent', 'failed'] as const },
    ].map((change) => ({ ...change, before: [...change.before], after: [...change.after] }));
    expect(tallyOf(changes, undefined)).toEqual({ delta: { ...emptyCounts(), sent: 1, failed: 1 }, through: '102' });
    expect(tallyOf(changes, '100')).toEqual({ delta: { ...emptyCounts(), queued: -2, sent: 1, failed: 1 }, through: '102' });
    expect(tallyOf(changes, '102')).toBeUndefined();
    expect(tallyOf(changes.slice(1, 2), undefined)).toBeUndefined();
    // Sequence numbers compare as numbers, not as text.
    expect(isLaterSequence('1000', '999')).toBe(true);
    expect(isLaterSequence('999', '1000')).toBe(false);
  });
  it('count messages by status', () => {
    expect(countsOf([record('sent'), record('sent'), record('queued'), record('expired')])).toEqual({
      queued: 1,
      sent: 2,
      failed: 0,
      expired: 1,
      cancelled: 0,
    });
  });
  it('move by the difference between a chunk before and after, summing to zero', () => {
    const before = [record('queued', 1), record('queued', 2), record('queued', 3), record('sent', 4)];
    const after = [record('sent', 1), record('failed', 2), record('queued', 3), record('sent', 4)];
    const delta = countsDelta(before, after);
    expect(delta).toEqual({ queued: -2, sent: 1, failed: 1, expired: 0, cancelled: 0 });
    expect(totalOf(delta)).toBe(0);
  });
  it('do not move when nothing changed', () => {
    const same = [record('queued', 1), record('sent', 2)];
    expect(countsDelta(same, same)).toEqual(emptyCounts());
  });
});

describe('statuses', () => {
  it('only queued is open; every other status is final', () => {
    expect(isOpen(record('queued'))).toBe(true);
    for (const status of MESSAGE_STATUSES.filter((s) => s !== 'queued')) {
      expect(isOpen(record(status))).toBe(false);
      expect(FINAL_STATUSES.has(status)).toBe(true);
    }
    expect(FINAL_STATUSES.has('queued')).toBe(false);
  });
});

describe('message ids', () => {
  it('lead back to their campaign, chunk and position', () => {
    for (const [seq, chunk, position] of [
      [1, 0, 0],
      [1, 0, 9],
      [42, 7, 3],
      [MAX_CAMPAIGN_SEQ, 2 ** 27 - 1, 9],
    ] as const) {
      const id = messageId(seq, chunk, position);
      expect(Number.isSafeInteger(id)).toBe(true);
      expect(addressOf(id)).toEqual({ campaignId: String(seq), chunk, position });
    }
  });
  it('are distinct across positions, chunks and campaigns', () => {
    const ids = new Set<number>();
    for (const seq of [1, 2])
      for (let chunk = 0; chunk < 30; chunk++) for (let position = 0; position < CHUNK_SIZE; position++) ids.add(messageId(seq, chunk, position));
    expect(ids.size).toBe(2 * 30 * CHUNK_SIZE);
  });
  it('stay within the safe integer range for every campaign number', () => {
    expect(messageId(MAX_CAMPAIGN_SEQ, 2 ** 27 - 1, CHUNK_SIZE - 1)).toBeLessThanOrEqual(Number.MAX_SAFE_INTEGER);
  });
  it.each([
    ['zero', 0],
    ['below the first campaign', 2 ** 31 - 1],
    ['negative', -5],
    ['fractional', 2 ** 31 + 0.5],
    ['unsafe', Number.MAX_SAFE_INTEGER + 2],
    ['NaN', Number.NaN],
    ['a position past the chunk size', messageId(1, 0, 0) + CHUNK_SIZE],
    ['the last unused slot of a chunk', messageId(1, 3, 0) + 15],
  ])('point nowhere when %s', (_name, id) => {
    expect(addressOf(id)).toBeUndefined();
  });
});

describe('chunksOfPage', () => {
  it('makes no chunk of an empty page', () => {
    expect(chunksOfPage('1', 0, [], now)).toEqual([]);
  });
  it('cuts a page into chunks of up to ten, numbered after the page', () => {
    const chunks = chunksOfPage('5', 2, audience(23), now);
    expect(chunks.map((chunk) => chunk.chunk)).toEqual([20, 21, 22]);
    expect(chunks.map((chunk) => chunk.messages.length)).toEqual([10, 10, 3]);
    expect(PAGE_SIZE).toBe(CHUNK_SIZE * CHUNKS_PER_PAGE);
  });
  it('fills a full page with exactly CHUNKS_PER_PAGE chunks', () => {
    const chunks = chunksOfPage('5', 0, audience(PAGE_SIZE), now);
    expect(chunks).toHaveLength(CHUNKS_PER_PAGE);
    expect(chunks.every((chunk) => chunk.messages.length === CHUNK_SIZE)).toBe(true);
  });
  it('gives each member one queued message, in order, with an id pointing at its place', () => {
    const members = audience(12);
    const chunks = chunksOfPage('9', 1, members, now);
    const messages = chunks.flatMap((chunk) => chunk.messages);
    expect(messages.map((message) => message.clientId)).toEqual(members.map((member) => member.id));
    expect(messages.map((message) => message.phone)).toEqual(members.map((member) => member.phone));
    for (const chunk of chunks) {
      expect(chunk).toMatchObject({ campaignId: '9', createdAt: now.toISOString(), receives: 0 });
      chunk.messages.forEach((message, position) => {
        expect(message).toMatchObject({ status: 'queued', attempts: 0 });
        expect(message.lastError).toBeUndefined();
        expect(addressOf(message.id)).toEqual({ campaignId: '9', chunk: chunk.chunk, position });
      });
    }
  });
  it('gives a replayed page the same ids', () => {
    const first = chunksOfPage('9', 3, audience(15), now).flatMap((chunk) => chunk.messages.map((message) => message.id));
    const replay = chunksOfPage('9', 3, audience(15), new Date(now.getTime() + 60_000)).flatMap((chunk) => chunk.messages.map((message) => message.id));
    expect(replay).toEqual(first);
  });
  it('never repeats an id across pages of one campaign', () => {
    const ids = [0, 1, 2].flatMap((page) =>
      chunksOfPage('9', page, audience(PAGE_SIZE, page * PAGE_SIZE), now).flatMap((chunk) => chunk.messages.map((message) => message.id)),
    );
    expect(new Set(ids).size).toBe(3 * PAGE_SIZE);
  });
});

describe('tallyOf: an e-mail campaign’s emailEvents', () => {
  const change = (sequence: string, emailEvents?: { delivered: number; bounced: number; complained: number }) => ({
    campaignId: '7',
    sequence,
    before: ['sent' as const],
    after: ['sent' as const],
    ...(emailEvents ? { emailEvents } : {}),
  });

  it('adds up the deliveries the changes moved, even when no status moved', () => {
    const changes = [change('10', { delivered: 1, bounced: 0, complained: 0 }), change('11', { delivered: -1, bounced: 0, complained: 1 }), change('12')];
    expect(tallyOf(changes, undefined)).toEqual({ delta: emptyCounts(), through: '12', emailEvents: { delivered: 0, bounced: 0, complained: 1 } });
  });

  it('leaves out what the mark already holds, and moves nothing for changes of no delivery and no status', () => {
    const changes = [change('10', { delivered: 1, bounced: 0, complained: 0 }), change('11', { delivered: 0, bounced: 1, complained: 0 })];
    expect(tallyOf(changes, '10')?.emailEvents).toEqual({ delivered: 0, bounced: 1, complained: 0 });
    expect(tallyOf(changes, '11')).toBeUndefined();
    expect(tallyOf([change('12')], undefined)).toBeUndefined();
  });
});
