/**
 * How a campaign's audience is split into parallel fan-out streams. Every client belongs to
 * one of SHARD_COUNT shards, a stable hash of its id, written with the client so a filter's
 * index is spread over that many partitions; stream `s` of `S` reads the shards `j` with
 * `j mod S = s`. The streams' audiences are therefore disjoint and together complete, and
 * the split needs nothing but the client's id, so it holds for a client stored before
 * shards existed too.
 */

/** Shards per index value; a stream count must divide it. */
export const SHARD_COUNT = 16;
export const STREAM_COUNTS = [1, 2, 4, 8, 16] as const;
export const DEFAULT_STREAMS = 8;

/** FNV-1a (32 bit) of the id, mod SHARD_COUNT: stable across processes and runtimes. */
export function shardOf(clientId: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < clientId.length; i++) {
    hash ^= clientId.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash % SHARD_COUNT;
}

export function isStreamCount(streams: number): boolean {
  return Number.isInteger(streams) && streams >= 1 && SHARD_COUNT % streams === 0;
}

/** The shards stream `stream` of `streams` reads, in order. */
export function shardsOfStream(stream: number, streams: number): number[] {
  if (!isStreamCount(streams) || !Number.isInteger(stream) || stream < 0 || stream >= streams) {
    throw new RangeError(`stream ${stream} of ${streams}: the stream count must divide ${SHARD_COUNT}`);
  }
  const shards: number[] = [];
  for (let shard = stream; shard < SHARD_COUNT; shard += streams) shards.push(shard);
  return shards;
}

export function streamOfShard(shard: number, streams: number): number {
  return shard % streams;
}

/** The stream a client falls in. */
export function streamOf(clientId: string, streams: number): number {
  return streamOfShard(shardOf(clientId), streams);
}

/**
 * The page number a stream's page is stored under: the streams' pages interleave
 * (`page * streams + stream`), so their chunk numbers, and the message ids derived from them,
 * never meet, and a single stream numbers its pages as the fan-out always did.
 */
export function storedPage(page: number, stream: number, streams: number): number {
  return page * streams + stream;
}

/** A sharded index key: the value and the client's shard. */
export function shardedKey(value: string, shard: number): string {
  return `${value}#${shard}`;
}
