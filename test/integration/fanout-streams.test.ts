/**
 * Parallel fan-out against DynamoDB Local and the SQS emulator: S streams, each its own FIFO
 * group, reach every matching client exactly once on the sharded indexes, on Scan segments and
 * on the old unsharded indexes (clients stored before shards); replays and a crash between
 * writes add nothing.
 */
import { DeleteMessageBatchCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { PutCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { backfillClientShards, shardsMigrated } from '../../functions/adapters/dynamo/client-shards.js';
import { SqsFanoutQueue, SqsSendQueue } from '../../functions/adapters/sqs.js';
import { createFanoutHandler } from '../../functions/delivery/fanout.js';
import { isFannedOut, newCampaignRecord, type CampaignFilter } from '../../functions/domain/campaigns.js';
import { addressOf } from '../../functions/domain/messages.js';
import { shardOf, streamOf } from '../../functions/domain/shards.js';
import { stores, systemClock } from '../../functions/handlers/wiring.js';
import type { Stores } from '../../functions/ports.js';
import { toSqsEvent } from '../../local/poller.js';
import { createTestQueues, createTestTables, documentClient, sqsClient, uniqueSuffix, type TestQueues, type TestTables } from '../support/aws.js';

const STREAMS = 4;
const sqs = sqsClient();
const db = documentClient();
let tables: TestTables;
let store: Stores;
let queues: TestQueues;

function handlerWith(client: DynamoDBDocumentClient, streams = STREAMS): (event: SQSEvent) => Promise<SQSBatchResponse> {
  return createFanoutHandler({
    ...stores(tables.env as never, systemClock, client),
    clock: systemClock,
    fanoutQueue: new SqsFanoutQueue(sqs, queues.fanout.url),
    sendQueue: new SqsSendQueue(sqs, queues.send.url),
    streams,
  });
}
let handler: ReturnType<typeof handlerWith>;

beforeAll(async () => {
  tables = await createTestTables();
  store = stores(tables.env as never, systemClock, db);
  queues = await createTestQueues();
  handler = handlerWith(db);
});

let phoneSeq = 0;
const phone = () => `7957${String(phoneSeq++).padStart(7, '0')}`;
async function seed(count: number, fields: { tag?: string; operatorCode?: string }): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i += 25) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(25, count - i) }, () => store.clients.create({ phone: phone(), timezone: 'UTC', ...fields })),
    );
    ids.push(...batch.map((client) => client.id));
  }
  return ids;
}

async function campaign(filter: CampaignFilter) {
  const now = new Date();
  return store.campaigns.create((id) =>
    newCampaignRecord({ text: 't', startAt: now.toISOString(), endAt: new Date(now.getTime() + 120_000).toISOString(), filter }, id, now),
  );
}

async function drain(url: string, arn: string): Promise<SQSRecord[]> {
  const records: SQSRecord[] = [];
  for (;;) {
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, WaitTimeSeconds: 0, MessageSystemAttributeNames: ['All'] }),
    );
    if (Messages.length === 0) return records;
    records.push(...toSqsEvent(Messages, arn).Records);
    await sqs.send(
      new DeleteMessageBatchCommand({ QueueUrl: url, Entries: Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle ?? '' })) }),
    );
  }
}

const redelivery = (record: SQSRecord): SQSRecord => ({ ...record, attributes: { ...record.attributes, ApproximateReceiveCount: '2' } });

/** Runs the fan-out to its end, the streams' events round by round; returns the fan-out events seen and the chunks queued. */
async function runFanout(first: SQSRecord[], run = handler) {
  const events: SQSRecord[] = [];
  const chunks: { campaignId: string; chunk: number }[] = [];
  let pending = first;
  while (pending.length) {
    events.push(...pending);
    const results = await Promise.all(pending.map((record) => run({ Records: [record] })));
    for (const result of results) expect(result.batchItemFailures).toEqual([]);
    chunks.push(...(await drain(queues.send.url, queues.send.arn)).map((r) => JSON.parse(r.body) as { campaignId: string; chunk: number }));
    pending = await drain(queues.fanout.url, queues.fanout.arn);
  }
  return { events, chunks };
}

async function startEvents(id: string): Promise<SQSRecord[]> {
  await new SqsFanoutQueue(sqs, queues.fanout.url).start(id);
  return drain(queues.fanout.url, queues.fanout.arn);
}

/** Every message of a campaign as stored: its client, and the chunk it sits in. */
async function stored(campaignId: string) {
  const messages = [];
  let cursor: string | undefined;
  do {
    const page = await store.messages.list(campaignId, { limit: 500, ...(cursor ? { cursor } : {}) });
    messages.push(...page.items);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return messages;
}

async function chunkItems(campaignId: string): Promise<number> {
  const { Count } = await db.send(
    new QueryCommand({
      TableName: tables.names.messages,
      KeyConditionExpression: 'campaignId = :c',
      ExpressionAttributeValues: { ':c': campaignId },
      Select: 'COUNT',
    }),
  );
  return Count ?? 0;
}

function expectEachOnce(messages: { clientId: string; id: number }[], expected: string[]) {
  const clients = messages.map((message) => message.clientId);
  expect(new Set(clients).size).toBe(clients.length);
  expect(new Set(clients)).toEqual(new Set(expected));
  expect(new Set(messages.map((message) => message.id)).size).toBe(messages.length);
}

describe('parallel fan-out, sharded indexes', () => {
  let tagged: string[];
  const tag = `par-${uniqueSuffix()}`;
  beforeAll(async () => {
    await backfillClientShards(db, tables.names);
    tagged = await seed(300, { tag });
    // Another tag's clients must not leak in.
    await seed(30, { tag: `${tag}-other` });
  });

  it('reads a tag in S streams, each its own FIFO group, every matching client exactly once', async () => {
    const c = await campaign({ tags: [tag] });
    const start = await startEvents(c.id);
    const { events } = await runFanout(start);
    const pages = events.map((record) => ({
      body: JSON.parse(record.body) as { type: string; stream?: number; page?: number },
      group: record.attributes.MessageGroupId,
    }));
    const streamPages = pages.filter((event) => event.body.type === 'page');
    // Every stream starts at page 0, in a group of its own.
    expect(new Set(streamPages.filter((event) => event.body.page === 0).map((event) => event.body.stream))).toEqual(new Set([0, 1, 2, 3]));
    for (const event of streamPages) expect(event.group).toBe(`${c.id}#${event.body.stream}`);

    const messages = await stored(c.id);
    expectEachOnce(messages, tagged);
    // Each message sits in a page of the stream its client hashes to.
    for (const message of messages) {
      const chunk = addressOf(message.id)?.chunk ?? -1;
      expect(Math.floor(chunk / 10) % STREAMS).toBe(streamOf(message.clientId, STREAMS));
    }
    const after = await store.campaigns.get(c.id);
    expect(after?.fannedOut).toBe(300);
    expect(after?.audience).toBe(300);
    expect(after?.fanout?.streams).toHaveLength(STREAMS);
    expect(after?.fanout?.unsharded).toBeUndefined();
    expect(isFannedOut(after?.fanout)).toBe(true);
  });

  it('a replayed page, as a duplicate or a redelivery, writes nothing new', async () => {
    const c = await campaign({ tags: [tag] });
    const start = await startEvents(c.id);
    await Promise.all(start.map((record) => handler({ Records: [record] })));
    const pageZero = await drain(queues.fanout.url, queues.fanout.arn);
    expect(pageZero).toHaveLength(STREAMS);
    const stream1 = pageZero.find((record) => JSON.parse(record.body).stream === 1) as SQSRecord;
    await handler({ Records: [stream1] });
    const itemsAfterOne = await chunkItems(c.id);
    expect(itemsAfterOne).toBeGreaterThan(0);
    const queuedOnce = await drain(queues.send.url, queues.send.arn);
    // The same page again: as a duplicate nothing at all; as a redelivery the same chunks handed off again, no item written.
    await handler({ Records: [stream1] });
    expect(await drain(queues.send.url, queues.send.arn)).toEqual([]);
    await handler({ Records: [redelivery(stream1)] });
    const queuedAgain = await drain(queues.send.url, queues.send.arn);
    expect(queuedAgain.map((r) => r.body).sort()).toEqual(queuedOnce.map((r) => r.body).sort());
    expect(await chunkItems(c.id)).toBe(itemsAfterOne);
    // The rest of the fan-out (stream 1's next page was asked for twice, the duplicate dropped or ignored).
    await runFanout([...pageZero.filter((record) => record !== stream1), ...(await drain(queues.fanout.url, queues.fanout.arn))]);
    expectEachOnce(await stored(c.id), tagged);
    expect((await store.campaigns.get(c.id))?.fannedOut).toBe(300);
  });

  it("an advance or a start stored though its answer was lost (the SDK's retry then meets its condition) still hands off: no stream stops", async () => {
    // Below the SDK's retries: the write reaches DynamoDB Local, then its answer is lost as a timeout.
    const lossy = documentClient();
    const lost = { start: 0, advance: 0 };
    lossy.middlewareStack.add(
      (next) => async (args) => {
        const output = await next(args);
        const expression = (args.input as { UpdateExpression?: string }).UpdateExpression ?? '';
        const kind = expression.includes('fannedOut') ? 'advance' : expression.includes('fanout = :progress') ? 'start' : undefined;
        // The first start, and each stream's first advance.
        if (kind && lost[kind] < (kind === 'start' ? 1 : STREAMS)) {
          lost[kind] += 1;
          throw Object.assign(new Error('the answer never came'), { name: 'TimeoutError' });
        }
        return output;
      },
      { step: 'deserialize', name: 'loseAnswers' },
    );
    const c = await campaign({ tags: [tag] });
    const { chunks } = await runFanout(await startEvents(c.id), handlerWith(lossy));
    expect(lost).toEqual({ start: 1, advance: STREAMS });
    const messages = await stored(c.id);
    expectEachOnce(messages, tagged);
    // Every chunk reached the send queue, and the campaign counts each client once.
    expect(new Set(chunks.map((chunk) => chunk.chunk)).size).toBe(await chunkItems(c.id));
    const after = await store.campaigns.get(c.id);
    expect(after?.fannedOut).toBe(300);
    expect(isFannedOut(after?.fanout)).toBe(true);
  });

  it('a crash between the writes of a page loses and doubles nothing', async () => {
    const c = await campaign({ tags: [tag] });
    const start = await startEvents(c.id);
    await Promise.all(start.map((record) => handler({ Records: [record] })));
    const pageZero = await drain(queues.fanout.url, queues.fanout.arn);
    // The invocation dies after the batch of the page's other chunks landed: the page's first
    // chunk (written last, with the cursor, by a put of its own) never does.
    let batches = 0;
    const crashing = documentClient();
    crashing.middlewareStack.add(
      (next, context) => async (args) => {
        if (/^BatchWrite(Item)?Command$/.test(context.commandName ?? '')) batches += 1;
        else if (batches > 0 && /^Put(Item)?Command$/.test(context.commandName ?? '')) throw new Error('invocation killed');
        return next(args);
      },
      { step: 'initialize', name: 'killBeforeThePageMark' },
    );
    const target = pageZero[2] as SQSRecord;
    const chunksBefore = await chunkItems(c.id);
    // Its only record failed: the batch processor throws, as Lambda sees a crashed invocation.
    await expect(handlerWith(crashing)({ Records: [target] })).rejects.toThrow(/All records failed/);
    expect(batches).toBe(1);
    expect(await chunkItems(c.id)).toBeGreaterThan(chunksBefore);
    expect(await drain(queues.send.url, queues.send.arn)).toEqual([]);
    expect((await store.campaigns.get(c.id))?.fanout?.streams?.[2]).toEqual({ page: 0, done: false });
    // SQS gives the message back: the page is written over and goes on.
    await runFanout([...pageZero.filter((record) => record !== target), redelivery(target)]);
    expectEachOnce(await stored(c.id), tagged);
    expect((await store.campaigns.get(c.id))?.fannedOut).toBe(300);
    crashing.destroy();
  });

  it('reads operator codes on their sharded index too, and a cancel stops every stream', async () => {
    const code = String(100 + Math.floor(Math.random() * 800));
    const ids = await seed(60, { operatorCode: code });
    const c = await campaign({ operatorCodes: [code] });
    await runFanout(await startEvents(c.id));
    expectEachOnce(await stored(c.id), ids);

    const cancelled = await campaign({ tags: [tag] });
    const start = await startEvents(cancelled.id);
    await Promise.all(start.map((record) => handler({ Records: [record] })));
    await store.campaigns.cancel(cancelled.id);
    await runFanout(await drain(queues.fanout.url, queues.fanout.arn));
    expect(await chunkItems(cancelled.id)).toBe(0);
    expect((await store.campaigns.get(cancelled.id))?.fanout?.streams?.every((stream) => stream.done)).toBe(true);
  });
});

describe('parallel fan-out, Scan segments and clients stored before shards', () => {
  // Campaign numbers start again in tables of their own: fresh queues, so the FIFO deduplication of the first tests' ids does not drop these.
  beforeEach(async () => {
    queues = await createTestQueues();
  });

  it('reaches every client once without a filter (S Scan segments)', async () => {
    const own = await createTestTables();
    const ownStores = stores(own.env as never, systemClock, db);
    const ids: string[] = [];
    for (let i = 0; i < 130; i += 26) {
      ids.push(
        ...(await Promise.all(Array.from({ length: 26 }, () => ownStores.clients.create({ phone: phone(), timezone: 'UTC' })))).map((client) => client.id),
      );
    }
    const ownHandler = createFanoutHandler({
      ...ownStores,
      clock: systemClock,
      fanoutQueue: new SqsFanoutQueue(sqs, queues.fanout.url),
      sendQueue: new SqsSendQueue(sqs, queues.send.url),
      streams: STREAMS,
    });
    const now = new Date();
    const c = await ownStores.campaigns.create((id) =>
      newCampaignRecord({ text: 't', startAt: now.toISOString(), endAt: new Date(now.getTime() + 60_000).toISOString(), filter: {} }, id, now),
    );
    await new SqsFanoutQueue(sqs, queues.fanout.url).start(c.id);
    await runFanout(await drain(queues.fanout.url, queues.fanout.arn), ownHandler);
    const messages = (await ownStores.messages.list(c.id, { limit: 500 })).items;
    expectEachOnce(messages, ids);
    expect((await ownStores.campaigns.get(c.id))?.fannedOut).toBe(130);
  });

  it('finds clients stored without a shard: by hash on the old index until the backfill, then on the sharded one', async () => {
    const own = await createTestTables();
    const ownStores = stores(own.env as never, systemClock, db);
    const tag = `old-${uniqueSuffix()}`;
    // Items as the version before shards stored them: no shard attributes at all.
    const old = Array.from({ length: 120 }, (_, i) => ({
      id: `old${i}-${uniqueSuffix()}`,
      phone: phone(),
      operatorCode: '957',
      tag,
      timezone: 'UTC',
      createdAt: new Date().toISOString(),
      updatedAt: new Date().toISOString(),
    }));
    for (const item of old) await db.send(new PutCommand({ TableName: own.names.clients, Item: item }));
    // And some written by this version.
    const fresh = await Promise.all(Array.from({ length: 40 }, () => ownStores.clients.create({ phone: phone(), timezone: 'UTC', tag })));
    const everyone = [...old.map((item) => item.id), ...fresh.map((client) => client.id)];
    const ownHandler = createFanoutHandler({
      ...ownStores,
      clock: systemClock,
      fanoutQueue: new SqsFanoutQueue(sqs, queues.fanout.url),
      sendQueue: new SqsSendQueue(sqs, queues.send.url),
      streams: STREAMS,
    });
    const fanOut = async () => {
      const now = new Date();
      const c = await ownStores.campaigns.create((id) =>
        newCampaignRecord({ text: 't', startAt: now.toISOString(), endAt: new Date(now.getTime() + 60_000).toISOString(), filter: { tags: [tag] } }, id, now),
      );
      await new SqsFanoutQueue(sqs, queues.fanout.url).start(c.id);
      await runFanout(await drain(queues.fanout.url, queues.fanout.arn), ownHandler);
      return { messages: (await ownStores.messages.list(c.id, { limit: 500 })).items, campaign: await ownStores.campaigns.get(c.id) };
    };

    expect(await shardsMigrated(db, own.names.uniques)).toBe(false);
    const before = await fanOut();
    expect(before.campaign?.fanout?.unsharded).toBe(true);
    expectEachOnce(before.messages, everyone);

    // Negative control: on the sharded index alone the old clients are not there before the backfill.
    const shardedOnly = await ownStores.clients.audience({ tags: [tag] }, { limit: 500 }, { stream: 0, streams: 1 });
    expect(shardedOnly.items).toHaveLength(40);

    const backfill = await backfillClientShards(db, own.names);
    expect(backfill).toMatchObject({ updated: 120, alreadyDone: false });
    expect(await backfillClientShards(db, own.names)).toMatchObject({ updated: 0, alreadyDone: true });
    const client = await db.send(
      new QueryCommand({ TableName: own.names.clients, KeyConditionExpression: 'id = :id', ExpressionAttributeValues: { ':id': old[0]?.id } }),
    );
    expect(client.Items?.[0]).toMatchObject({ shard: shardOf(old[0]?.id ?? ''), tagShard: `${tag}#${shardOf(old[0]?.id ?? '')}` });
    // The API never shows the storage attributes.
    expect(Object.keys((await ownStores.clients.get(old[0]?.id ?? '')) ?? {})).not.toContain('shard');

    const after = await fanOut();
    expect(after.campaign?.fanout?.unsharded).toBeUndefined();
    expectEachOnce(after.messages, everyone);
  });
});
