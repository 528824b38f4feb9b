/** Shards and fan-out streams: every client in exactly one stream, streams' pages and message ids disjoint. */
import { describe, expect, it } from 'vitest';
import { fanoutEnvSchema, parseEnv } from '../../functions/adapters/config.js';
import { isDrained, isFannedOut, type Campaign } from '../../functions/domain/campaigns.js';
import { CHUNKS_PER_PAGE, CHUNK_SIZE, emptyCounts, messageId } from '../../functions/domain/messages.js';
import { SHARD_COUNT, shardOf, shardsOfStream, storedPage, streamOf, STREAM_COUNTS } from '../../functions/domain/shards.js';

const ids = Array.from({ length: 4000 }, (_, i) => Buffer.from(`client-${i}-${i * 7919}`).toString('base64url'));

describe('shards', () => {
  it('assigns each id a stable shard in range, spread evenly', () => {
    const counts = new Array<number>(SHARD_COUNT).fill(0);
    for (const id of ids) {
      const shard = shardOf(id);
      expect(shard).toBe(shardOf(id));
      expect(Number.isInteger(shard) && shard >= 0 && shard < SHARD_COUNT).toBe(true);
      counts[shard] = (counts[shard] ?? 0) + 1;
    }
    // 250 expected per shard: a hash that clumps would leave some near 0.
    for (const count of counts) expect(count).toBeGreaterThan(150);
    // Pinned values: the shard is stored with every client, so the hash must never change.
    // (FNV-1a of 'a' is 0xe40c292c.)
    expect([shardOf('a'), shardOf('abc'), shardOf('Zm9vYmFy')]).toEqual([12, 11, 0]);
    expect(shardOf('')).toBe(0x811c9dc5 % SHARD_COUNT);
  });

  it('gives every shard to exactly one stream, for each stream count', () => {
    for (const streams of STREAM_COUNTS) {
      const owned = Array.from({ length: streams }, (_, stream) => shardsOfStream(stream, streams)).flat();
      expect(owned.sort((a, b) => a - b)).toEqual(Array.from({ length: SHARD_COUNT }, (_, shard) => shard));
      for (const id of ids.slice(0, 200)) expect(shardsOfStream(streamOf(id, streams), streams)).toContain(shardOf(id));
    }
  });

  it('refuses a stream count that does not divide the shards, and a stream out of range', () => {
    expect(() => shardsOfStream(0, 3)).toThrow(RangeError);
    expect(() => shardsOfStream(4, 4)).toThrow(RangeError);
    const env = {
      CLIENTS_TABLE: 'c',
      UNIQUES_TABLE: 'u',
      CAMPAIGNS_TABLE: 'k',
      MESSAGES_TABLE: 'm',
      FANOUT_QUEUE_URL: 'http://q/f',
      SEND_QUEUE_URL: 'http://q/s',
    };
    expect(parseEnv(fanoutEnvSchema, env).FANOUT_STREAMS).toBe(8);
    expect(parseEnv(fanoutEnvSchema, { ...env, FANOUT_STREAMS: '4' }).FANOUT_STREAMS).toBe(4);
    expect(() => parseEnv(fanoutEnvSchema, { ...env, FANOUT_STREAMS: '3' })).toThrow(/FANOUT_STREAMS/);
    expect(() => parseEnv(fanoutEnvSchema, { ...env, FANOUT_STREAMS: '0' })).toThrow(/FANOUT_STREAMS/);
  });

  it("numbers the streams' pages, chunks and message ids so that no two streams meet", () => {
    for (const streams of STREAM_COUNTS) {
      const seen = new Set<number>();
      const messageIds = new Set<number>();
      for (let stream = 0; stream < streams; stream++) {
        for (let page = 0; page < 40; page++) {
          const stored = storedPage(page, stream, streams);
          expect(seen.has(stored)).toBe(false);
          seen.add(stored);
          for (let chunk = stored * CHUNKS_PER_PAGE; chunk < (stored + 1) * CHUNKS_PER_PAGE; chunk++)
            for (let position = 0; position < CHUNK_SIZE; position++) messageIds.add(messageId(7, chunk, position));
        }
      }
      // Dense: S streams of 40 pages use exactly the first 40 * S page numbers.
      expect(Math.max(...seen)).toBe(40 * streams - 1);
      expect(messageIds.size).toBe(40 * streams * CHUNKS_PER_PAGE * CHUNK_SIZE);
    }
    // One stream numbers its pages as the fan-out without streams does.
    expect([0, 1, 2].map((page) => storedPage(page, 0, 1))).toEqual([0, 1, 2]);
  });
});

describe('fanned out', () => {
  const running = (fanout: Campaign['fanout']) => ({ status: 'running' as const, fanout, counts: { ...emptyCounts(), sent: 5 }, fannedOut: 5 });

  it('is done only when every stream is done', () => {
    const streams = [
      { page: 3, done: true },
      { page: 2, done: false },
    ];
    expect(isFannedOut({ page: 0, done: false, streams })).toBe(false);
    expect(isDrained(running({ page: 0, done: false, streams }))).toBe(false);
    const all = streams.map((stream) => ({ ...stream, done: true }));
    expect(isFannedOut({ page: 0, done: false, streams: all })).toBe(true);
    expect(isDrained(running({ page: 0, done: false, streams: all }))).toBe(true);
    // A campaign fanned out before streams: its own progress.
    expect(isFannedOut({ page: 4, done: true })).toBe(true);
    expect(isFannedOut({ page: 4, done: false })).toBe(false);
    expect(isFannedOut(undefined)).toBe(false);
  });
});
