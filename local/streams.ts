/**
 * An imitation of Lambda's DynamoDB stream event source mapping, for the local runtime.
 *
 * `startStreamPoller(options)` -> `{ stop(): Promise<void> }`
 *   - `streams`: a DynamoDB Streams client; `dynamo`: a DynamoDB client (to find the table's stream);
 *   - `tableName`, `handler(event: DynamoDBStreamEvent)`: the Lambda handler's body, which may
 *     answer `batchItemFailures` (ReportBatchItemFailures);
 *   - `batchSize?` (100), `batchWindowMs?` (0: hand over what one read gets), `intervalMs?` (100, the pause when a shard had nothing new),
 *     `checkpointFile?` (where each shard's last handled position is kept across restarts;
 *     without it a start reads the stream from its oldest record), `logger?`.
 *   `idle()` waits until everything written so far is handled; `stop()` hands over what is
 *   already in the stream, then resolves.
 *
 * As Lambda does, shards are read in order, a parent before its children, and a batch is
 * handed over whole: when the handler throws, the same records come again; when it names
 * failed records, reading resumes at the earliest of them. So the handler sees every record
 * at least once and in order; making that exactly once is the handler's part.
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import { DescribeTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DescribeStreamCommand, GetShardIteratorCommand, type DynamoDBStreamsClient, type Shard } from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { describeError, silentLogger, type LocalLogger } from './ports.js';

export interface StreamPollerOptions {
  streams: DynamoDBStreamsClient;
  dynamo: DynamoDBClient;
  tableName: string;
  handler: (event: DynamoDBStreamEvent) => Promise<DynamoDBBatchResponse | void>;
  batchSize?: number;
  /** Once a batch has records, how long to keep gathering more (the mapping's MaximumBatchingWindow). */
  batchWindowMs?: number;
  intervalMs?: number;
  checkpointFile?: string;
  logger?: LocalLogger;
}

export interface StreamPoller {
  /** Resolves once a read of every shard, begun after the call, found nothing new: all written so far is handled. */
  idle(): Promise<void>;
  stop(): Promise<void>;
}

/** A stream record as GetRecords answers it on the wire: attribute values are the JSON Lambda hands over. */
type WireRecord = Omit<DynamoDBRecord, 'eventSourceARN'>;

/** A wire record in the shape Lambda hands to a handler. */
function lambdaRecord(record: WireRecord, streamArn: string): DynamoDBRecord {
  return {
    ...record,
    eventVersion: record.eventVersion ?? '1.1',
    eventSource: 'aws:dynamodb',
    awsRegion: record.awsRegion ?? 'us-east-1',
    eventSourceARN: streamArn,
  };
}

/** An error DynamoDB Streams answered, named as the SDK names it (`ExpiredIteratorException`). */
class StreamsError extends Error {
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }
}

/**
 * GetRecords through DynamoDB Local's JSON protocol, parsed as it comes. The SDK's client would
 * rebuild every attribute value of every image field by field through its schema and give back
 * another shape that lambdaRecord turned back into this one, for three records of every chunk
 * (two of them with both images): 560 µs of client CPU a record through the SDK, 120 µs this
 * way (300 chunks' records read five times each way, 2026-12-03), work Lambda's event source
 * mapping does on AWS, outside any function. The other stream calls (a few a minute) stay on
 * the SDK.
 */
async function getRecords(
  endpoint: URL,
  agent: HttpAgent,
  shardIterator: string,
  limit: number,
): Promise<{ Records?: WireRecord[]; NextShardIterator?: string }> {
  const payload = JSON.stringify({ ShardIterator: shardIterator, Limit: limit });
  // node:http, not the global fetch: a test that stands in for fetch to see the requests it makes must not see these.
  const { status, text } = await new Promise<{ status: number; text: string }>((resolve, reject) => {
    const request = httpRequest(
      endpoint,
      {
        method: 'POST',
        agent,
        headers: {
          'content-type': 'application/x-amz-json-1.0',
          'content-length': Buffer.byteLength(payload),
          'x-amz-target': 'DynamoDBStreams_20120810.GetRecords',
          // DynamoDB Local reads the signature's form, not its value.
          authorization: 'AWS4-HMAC-SHA256 Credential=local/20200101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=0',
        },
      },
      (response) => {
        const parts: Buffer[] = [];
        response.on('data', (part: Buffer) => parts.push(part));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, text: Buffer.concat(parts).toString('utf8') }));
        response.on('error', reject);
      },
    );
    request.on('error', reject);
    request.end(payload);
  });
  const body = JSON.parse(text) as { Records?: WireRecord[]; NextShardIterator?: string; __type?: string; message?: string; Message?: string };
  if (status >= 300) throw new StreamsError(body.__type?.split('#').pop() ?? `HTTP ${status}`, body.message ?? body.Message ?? '');
  return body;
}

const SHARD_LIST_MS = 5000;
const STREAM_LAG_MS = 300;

function readCheckpoints(file: string | undefined): Record<string, string> {
  if (!file || !existsSync(file)) return {};
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>;
  } catch {
    // A torn file costs a replay from the oldest record, which the handler absorbs.
    return {};
  }
}

export function startStreamPoller(options: StreamPollerOptions): StreamPoller {
  const { streams, dynamo, tableName, handler, batchSize = 100, batchWindowMs = 0, intervalMs = 100, checkpointFile } = options;
  const logger = options.logger ?? silentLogger;
  const checkpoints = readCheckpoints(checkpointFile);
  const finished = new Set<string>();
  const iterators = new Map<string, string>();
  let stopping = false;
  let wake: (() => void) | undefined;
  let endpoint: Promise<URL> | undefined;
  /** The poller's own connections to DynamoDB Local, closed when it stops. */
  const connections = new HttpAgent({ keepAlive: true });
  /** The streams client's own endpoint (DynamoDB Local's), as a URL. */
  const streamsEndpoint = () =>
    (endpoint ??= (async () => {
      const resolved = await streams.config.endpoint?.();
      if (!resolved) throw new Error('the DynamoDB Streams client has no endpoint: the local stream poller reads DynamoDB Local only');
      return new URL(`${resolved.protocol}//${resolved.hostname}${resolved.port ? `:${resolved.port}` : ''}${resolved.path}`);
    })());

  const saveCheckpoints = () => {
    if (!checkpointFile) return;
    writeFileSync(`${checkpointFile}.tmp`, JSON.stringify(checkpoints));
    renameSync(`${checkpointFile}.tmp`, checkpointFile);
  };

  async function iteratorAt(streamArn: string, shardId: string, at?: { type: 'AT_SEQUENCE_NUMBER' | 'AFTER_SEQUENCE_NUMBER'; sequence: string }) {
    const { ShardIterator } = await streams.send(
      new GetShardIteratorCommand({
        StreamArn: streamArn,
        ShardId: shardId,
        ShardIteratorType: at?.type ?? 'TRIM_HORIZON',
        ...(at ? { SequenceNumber: at.sequence } : {}),
      }),
    );
    return ShardIterator;
  }

  /** One batch from a shard: true when it had records (read again at once). */
  async function pollShard(streamArn: string, shard: Shard): Promise<boolean> {
    const shardId = shard.ShardId as string;
    let iterator = iterators.get(shardId);
    if (!iterator) {
      const done = checkpoints[shardId];
      iterator = await iteratorAt(streamArn, shardId, done ? { type: 'AFTER_SEQUENCE_NUMBER', sequence: done } : undefined);
      if (!iterator) return false;
    }
    // As the event source's batching window: once records come, gather more until the batch is full or the window ends.
    const Records: WireRecord[] = [];
    let NextShardIterator: string | undefined = iterator;
    const windowEnds = Date.now() + batchWindowMs;
    while (NextShardIterator && Records.length < batchSize) {
      let page;
      try {
        page = await getRecords(await streamsEndpoint(), connections, NextShardIterator, batchSize - Records.length);
      } catch (error) {
        // DynamoDB Local answers a read of an empty new shard this way; an old iterator expires. Either way: a fresh iterator next time.
        if (!['TrimmedDataAccessException', 'ExpiredIteratorException'].includes((error as Error).name)) throw error;
        if (Records.length > 0) break;
        iterators.delete(shardId);
        return false;
      }
      Records.push(...(page.Records ?? []));
      NextShardIterator = page.NextShardIterator;
      if (Records.length === 0 || stopping || Date.now() >= windowEnds) break;
      if ((page.Records ?? []).length === 0) await new Promise((wake) => setTimeout(wake, Math.min(intervalMs, Math.max(0, windowEnds - Date.now()))));
    }
    if (Records.length === 0) {
      if (NextShardIterator) iterators.set(shardId, NextShardIterator);
      else finished.add(shardId);
      return false;
    }
    const event: DynamoDBStreamEvent = { Records: Records.map((record) => lambdaRecord(record, streamArn)) };
    const first = Records[0]?.dynamodb?.SequenceNumber as string;
    try {
      const failures = (await handler(event))?.batchItemFailures ?? [];
      const retryFrom = failures
        .map((failure) => failure.itemIdentifier)
        .filter((id): id is string => Boolean(id))
        .sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1))[0];
      if (retryFrom) {
        iterators.delete(shardId);
        iterators.set(shardId, (await iteratorAt(streamArn, shardId, { type: 'AT_SEQUENCE_NUMBER', sequence: retryFrom })) as string);
        // Not idle: those records are still to be handled. A short pause keeps a failing handler from spinning.
        await new Promise((wake) => setTimeout(wake, intervalMs));
        return true;
      }
    } catch (error) {
      logger.error('stream handler failed; the batch comes again', { tableName, records: Records.length, ...describeError(error) });
      iterators.set(shardId, (await iteratorAt(streamArn, shardId, { type: 'AT_SEQUENCE_NUMBER', sequence: first })) as string);
      await new Promise((wake) => setTimeout(wake, intervalMs));
      return true;
    }
    checkpoints[shardId] = Records.at(-1)?.dynamodb?.SequenceNumber as string;
    saveCheckpoints();
    if (NextShardIterator) iterators.set(shardId, NextShardIterator);
    else finished.add(shardId);
    return true;
  }

  let stopBy = Infinity;
  let idleWaiters: { from: number; resolve: () => void }[] = [];
  let shardsReadAt = 0;
  let shards: Shard[] = [];
  const running = (async () => {
    let streamArn: string | undefined;
    for (;;) {
      const passStarted = Date.now();
      let busy = false;
      let failed = false;
      try {
        streamArn ??= (await dynamo.send(new DescribeTableCommand({ TableName: tableName }))).Table?.LatestStreamArn;
        if (!streamArn) throw new Error(`table ${tableName} has no stream`);
        // The shard list changes rarely (a new shard every few hours, or when one closes): looked up every few seconds.
        if (Date.now() - shardsReadAt > SHARD_LIST_MS || shards.every((shard) => finished.has(shard.ShardId as string))) {
          shards = (await streams.send(new DescribeStreamCommand({ StreamArn: streamArn }))).StreamDescription?.Shards ?? [];
          shardsReadAt = Date.now();
        }
        const known = new Set(shards.map((shard) => shard.ShardId));
        for (const shard of shards) {
          if (finished.has(shard.ShardId as string)) continue;
          // A child waits for its parent, as Lambda reads a shard only after its parent.
          if (shard.ParentShardId && known.has(shard.ParentShardId) && !finished.has(shard.ParentShardId)) continue;
          busy = (await pollShard(streamArn, shard)) || busy;
        }
      } catch (error) {
        failed = true;
        logger.warn('stream poller could not read; trying again', { tableName, ...describeError(error) });
      }
      if (!busy && !failed) {
        for (const waiter of idleWaiters.filter((candidate) => candidate.from <= passStarted)) waiter.resolve();
        idleWaiters = idleWaiters.filter((candidate) => candidate.from > passStarted);
      }
      // A stop first hands over what is already in the stream (a graceful stop leaves nothing untallied), within a bound.
      if (stopping && (!busy || Date.now() > stopBy)) return;
      if (!busy && !stopping) await new Promise<void>((resolve) => ((wake = resolve), setTimeout(resolve, intervalMs)));
    }
  })();

  return {
    // A write shows in DynamoDB Local's stream a moment after it returns: only a read begun that long after the call counts.
    idle: () => new Promise<void>((resolve) => idleWaiters.push({ from: Date.now() + STREAM_LAG_MS, resolve })),
    async stop() {
      stopping = true;
      stopBy = Date.now() + 10_000;
      wake?.();
      await running;
      connections.destroy();
    },
  };
}
