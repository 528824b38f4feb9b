import { setTimeout as sleep } from 'node:timers/promises';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { BatchWriteCommand, GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import {
  addressOf,
  CHUNK_SIZE,
  CHUNKS_PER_PAGE,
  emptyCounts,
  isOpen,
  pageMarkOf,
  type Chunk,
  type ChunkChange,
  type Counts,
  type Message,
  type MessageRecord,
  type MessageStatus,
} from '../../domain/messages.js';
import { LeaseLostError } from '../../domain/errors.js';
import { isNoticeKey, noticeIdOfKey } from '../../domain/notice-ids.js';
import type { StepNoticeChange } from '../../domain/events.js';
import type { ChunkLease, ClaimResult, MessageStore, Page, PageRequest, WrittenPage } from '../../ports.js';
import { chunkOf, emailEventsMoved, eventRefOf, storedMessages, toStoredChunk, type StoredChunk } from './chunk-codec.js';
import { decodeCursor, encodeCursor, isRecord, listCursor } from './cursor.js';
import { isConditionFailure, isRetryable, itemOfConditionFailure } from './errors.js';

/** Attempts at a batch of chunk puts before the fan-out invocation fails (its page is then written again). */
const MAX_BATCH_ATTEMPTS = 6;
/** The pauses between an outcome write's attempts (after the SDK's own): doubling from the first to the last. */
const OUTCOME_RETRY_BASE_MS = 200;
const OUTCOME_RETRY_MAX_MS = 1_000;

function viewOf(chunk: Pick<Chunk, 'campaignId' | 'channel' | 'createdAt'>, message: MessageRecord): Message {
  return { ...message, campaignId: chunk.campaignId, channel: chunk.channel, createdAt: chunk.createdAt };
}

/** Where a campaign's message list stands: the campaign, the next chunk and the position in it. */
type ListPosition = { campaignId: string; c: number; p: number };
const isCount = (value: unknown) => Number.isSafeInteger(value) && (value as number) >= 0;
const messagesCursor = (campaignId: string) =>
  listCursor<ListPosition>('messages', {
    campaignId: (value) => value === campaignId,
    c: isCount,
    p: (value) => isCount(value) && (value as number) < CHUNK_SIZE,
  });

export class DynamoMessageStore implements MessageStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  /**
   * The page's first chunk is written last, with the next cursor: it marks the page as
   * complete. Until it exists no chunk of the page has reached the send queue, so a replay
   * writes the others over; once it exists, a replay reads the page back instead. The fan-out
   * queue is FIFO per campaign, so one page is never written by two workers at once.
   */
  async writePage(campaignId: string, page: number, chunks: Chunk[], nextCursor: string | null): Promise<WrittenPage> {
    const [first, ...rest] = chunks;
    if (!first) return { chunks, nextCursor };
    const written = await this.readPage(campaignId, page, first.chunk);
    if (written) return written;
    await this.putAll(rest.map(toStoredChunk));
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.table,
          Item: { ...toStoredChunk(first), next: nextCursor ?? '' },
          ConditionExpression: 'attribute_not_exists(chunk)',
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      return (await this.readPage(campaignId, page, first.chunk)) as WrittenPage;
    }
    return { chunks, nextCursor };
  }

  /**
   * Unconditional puts of a page's other chunks, in one request (a page holds fewer chunks
   * than BatchWriteItem's 25): a ninth of the requests to DynamoDB, the same write units.
   * Items DynamoDB leaves unprocessed (throttled) are sent again with a growing pause.
   */
  private async putAll(items: StoredChunk[]): Promise<void> {
    let requests = items.map((Item) => ({ PutRequest: { Item } }));
    for (let attempt = 1; requests.length > 0; attempt++) {
      if (attempt > MAX_BATCH_ATTEMPTS) throw new Error(`${requests.length} chunk(s) still unprocessed after ${MAX_BATCH_ATTEMPTS} batch writes`);
      if (attempt > 1) await sleep(Math.random() * 25 * 2 ** attempt);
      const { UnprocessedItems } = await this.db.send(new BatchWriteCommand({ RequestItems: { [this.table]: requests } }));
      requests = (UnprocessedItems?.[this.table] ?? []) as typeof requests;
    }
  }

  /** The page as stored, when its first chunk (the completion mark) exists. */
  private async readPage(campaignId: string, page: number, firstChunk: number): Promise<WrittenPage | undefined> {
    const { Item } = await this.db.send(new GetCommand({ TableName: this.table, Key: { campaignId, chunk: firstChunk }, ConsistentRead: true }));
    if (!Item) return undefined;
    return { chunks: await this.chunksOfPage(campaignId, page), nextCursor: (Item as StoredChunk).next || null };
  }

  async chunksOfPage(campaignId: string, page: number): Promise<Chunk[]> {
    const { Items } = await this.db.send(
      new QueryCommand({
        TableName: this.table,
        KeyConditionExpression: 'campaignId = :c AND chunk BETWEEN :first AND :last',
        ExpressionAttributeValues: { ':c': campaignId, ':first': page * CHUNKS_PER_PAGE, ':last': page * CHUNKS_PER_PAGE + CHUNKS_PER_PAGE - 1 },
        ConsistentRead: true,
      }),
    );
    return ((Items ?? []) as StoredChunk[]).map(chunkOf);
  }

  async claim(campaignId: string, chunk: number, leaseMs: number, now: Date): Promise<ClaimResult> {
    try {
      const { Attributes } = await this.db.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { campaignId, chunk },
          UpdateExpression: 'SET leaseUntil = :until ADD receives :one',
          ConditionExpression: 'attribute_exists(chunk) AND #open > :zero AND (attribute_not_exists(leaseUntil) OR leaseUntil <= :now)',
          ExpressionAttributeNames: { '#open': 'open' },
          ExpressionAttributeValues: { ':until': now.getTime() + leaseMs, ':one': 1, ':zero': 0, ':now': now.getTime() },
          ReturnValues: 'ALL_NEW',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      const item = Attributes as StoredChunk;
      return { kind: 'claimed', chunk: chunkOf(item), lease: { until: item.leaseUntil as number, receives: item.receives } };
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      const current = itemOfConditionFailure(error) as StoredChunk | undefined;
      if (!current) return { kind: 'missing' };
      if (current.open === 0) return { kind: 'done' };
      return { kind: 'leased', until: current.leaseUntil ?? now.getTime() };
    }
  }

  async saveOutcome(campaignId: string, chunk: number, messages: MessageRecord[], lease: ChunkLease, retryForMs?: number): Promise<void> {
    const started = performance.now();
    const { m, z } = storedMessages(messages);
    const write = {
      TableName: this.table,
      Key: { campaignId, chunk },
      UpdateExpression: `SET m = :m, #open = :open${z ? ', z = :z' : ''} REMOVE leaseUntil`,
      // The claim's own lease: its end, which a rewrite of the chunk removes, and its receive count,
      // which every later claim moves on (even one whose clock repeats the end). The condition rides
      // on the write that happens anyway: no extra read or write for it, and a refused write moves
      // no counter, the tally counting only the stream of stored writes.
      ConditionExpression: 'leaseUntil = :until AND receives = :receives',
      ExpressionAttributeNames: { '#open': 'open' },
      ExpressionAttributeValues: {
        ':m': m,
        ':open': messages.filter(isOpen).length,
        ...(z ? { ':z': z } : {}),
        ':until': lease.until,
        ':receives': lease.receives,
      },
    };
    for (let attempt = 1; ; attempt++) {
      try {
        await this.db.send(new UpdateCommand(write));
        return;
      } catch (error) {
        // On an attempt after the first, this may also be the earlier attempt's own write, stored though
        // its answer was lost: either way nothing more is written, and a redelivery finds the chunk done or leased.
        if (isConditionFailure(error)) throw new LeaseLostError(`chunk ${campaignId}/${chunk}: its lease ended and another worker claimed it`);
        // Past the SDK's own retries: once more after a pause, while the caller's span leaves room for the pause.
        const pauseMs = Math.min(OUTCOME_RETRY_BASE_MS * 2 ** (attempt - 1), OUTCOME_RETRY_MAX_MS);
        if (retryForMs === undefined || !isRetryable(error) || performance.now() - started + pauseMs >= retryForMs) throw error;
        await sleep(pauseMs);
      }
    }
  }

  async get(id: number): Promise<Message | undefined> {
    const address = addressOf(id);
    if (!address) return undefined;
    const { Item } = await this.db.send(new GetCommand({ TableName: this.table, Key: { campaignId: address.campaignId, chunk: address.chunk } }));
    const chunk = Item ? chunkOf(Item as StoredChunk) : undefined;
    const message = chunk?.messages.find((candidate) => candidate.id === id);
    return chunk && message ? viewOf(chunk, message) : undefined;
  }

  async recount(campaignId: string): Promise<Counts> {
    const counts = emptyCounts();
    let startKey: Record<string, unknown> | undefined;
    do {
      const output = await this.db.send(
        new QueryCommand({
          TableName: this.table,
          KeyConditionExpression: 'campaignId = :c',
          ProjectionExpression: 'm',
          ExpressionAttributeValues: { ':c': campaignId },
          ExclusiveStartKey: startKey,
          ConsistentRead: true,
        }),
      );
      for (const item of (output.Items ?? []) as Pick<StoredChunk, 'm'>[]) for (const message of item.m) counts[message.s] += 1;
      startKey = output.LastEvaluatedKey;
    } while (startKey);
    return counts;
  }

  async openChunks(campaignId: string, request: PageRequest): Promise<Page<number>> {
    const output = await this.db.send(
      new QueryCommand({
        TableName: this.table,
        KeyConditionExpression: 'campaignId = :c',
        FilterExpression: '#open > :zero',
        ProjectionExpression: 'chunk',
        ExpressionAttributeNames: { '#open': 'open' },
        ExpressionAttributeValues: { ':c': campaignId, ':zero': 0 },
        Limit: request.limit,
        ExclusiveStartKey: decodeCursor(request.cursor, isRecord),
        ConsistentRead: true,
      }),
    );
    const open = (output.Items ?? []).map((item) => Number(item.chunk));
    // A page cut off before its mark was stored is written again, every chunk of it, by its replay,
    // which then queues them itself: a copy queued now could be sent, then overwritten as queued and sent again.
    const marks = new Set(open.map(pageMarkOf));
    const written = new Set(open.filter((chunk) => marks.has(chunk)));
    await Promise.all(
      [...marks]
        .filter((mark) => !written.has(mark))
        .map(async (mark) => {
          const { Item } = await this.db.send(
            new GetCommand({ TableName: this.table, Key: { campaignId, chunk: mark }, ProjectionExpression: 'chunk', ConsistentRead: true }),
          );
          if (Item) written.add(mark);
        }),
    );
    return { items: open.filter((chunk) => written.has(pageMarkOf(chunk))), nextCursor: encodeCursor(output.LastEvaluatedKey) };
  }

  /** Messages in id order, read chunk by chunk from where the cursor left off. */
  async list(campaignId: string, request: PageRequest & { status?: MessageStatus }): Promise<Page<Message>> {
    const cursor = messagesCursor(campaignId);
    let position: ListPosition | undefined = cursor.decode(request.cursor) ?? { campaignId, c: 0, p: 0 };
    const items: Message[] = [];
    while (position && items.length < request.limit) {
      const output: { Items?: Record<string, unknown>[]; LastEvaluatedKey?: Record<string, unknown> } = await this.db.send(
        new QueryCommand({
          TableName: this.table,
          KeyConditionExpression: 'campaignId = :c AND chunk >= :from',
          ExpressionAttributeValues: { ':c': campaignId, ':from': position.c },
          Limit: Math.ceil((request.limit - items.length) / 10) + 1,
        }),
      );
      const chunks: Chunk[] = ((output.Items ?? []) as unknown as StoredChunk[]).map(chunkOf);
      let next: ListPosition | undefined;
      for (const chunk of chunks) {
        const from = chunk.chunk === position.c ? position.p : 0;
        for (let p = from; p < chunk.messages.length; p++) {
          const message = chunk.messages[p] as MessageRecord;
          if (items.length === request.limit) {
            next = { campaignId, c: chunk.chunk, p };
            break;
          }
          if (!request.status || message.status === request.status) items.push(viewOf(chunk, message));
        }
        if (next) break;
      }
      const lastChunk = chunks.at(-1);
      position = next ?? (output.LastEvaluatedKey && lastChunk ? { campaignId, c: lastChunk.chunk + 1, p: 0 } : undefined);
    }
    return { items, nextCursor: cursor.encode(position) };
  }
}

/**
 * A record of the messages table's stream as the chunk change it is, or undefined for a
 * record that is not one (a removal, or an item of another shape).
 */
export function chunkChangeOf(record: DynamoDBRecord): ChunkChange | undefined {
  const stream = record.dynamodb;
  const keys = stream?.Keys ? unmarshall(stream.Keys as Record<string, AttributeValue>) : undefined;
  if (!stream?.SequenceNumber || typeof keys?.campaignId !== 'string') return undefined;
  // Notices are no campaign's messages: they move no campaign counter and no overall total.
  if (isNoticeKey(keys.campaignId)) return undefined;
  const itemOf = (image: unknown) => (image ? (unmarshall(image as Record<string, AttributeValue>) as Partial<StoredChunk>) : undefined);
  const [old, current] = [itemOf(stream.OldImage), itemOf(stream.NewImage)];
  const emailEvents = emailEventsMoved(old, current);
  return {
    campaignId: keys.campaignId,
    sequence: stream.SequenceNumber,
    before: (old?.m ?? []).map((message) => message.s),
    after: (current?.m ?? []).map((message) => message.s),
    ...(emailEvents ? { emailEvents } : {}),
  };
}

/**
 * A write of an event step's notice (its chunk carries the step, chunk-codec.ts) that changed its
 * message's status, as the messages table's stream reports it: what moves the step (the tally).
 */
export function stepNoticeChangeOf(record: DynamoDBRecord): StepNoticeChange | undefined {
  const stream = record.dynamodb;
  const keys = stream?.Keys ? unmarshall(stream.Keys as Record<string, AttributeValue>) : undefined;
  const messageId = typeof keys?.campaignId === 'string' ? noticeIdOfKey(keys.campaignId) : undefined;
  if (messageId === undefined || !stream?.NewImage) return undefined;
  const after = unmarshall(stream.NewImage as Record<string, AttributeValue>) as Partial<StoredChunk>;
  const ref = eventRefOf(after.ev);
  const message = after.m?.[0];
  if (!ref || !message) return undefined;
  const before = stream.OldImage ? (unmarshall(stream.OldImage as Record<string, AttributeValue>) as Partial<StoredChunk>).m?.[0]?.s : undefined;
  if (before === message.s) return undefined;
  return { ...ref, messageId, status: message.s, ...(message.e !== undefined ? { lastError: message.e } : {}) };
}
