/** The fan-out handler against DynamoDB Local and the SQS emulator: pages, replays, the end. */
import { DeleteMessageBatchCommand, PurgeQueueCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DynamoMessageStore } from '../../functions/adapters/dynamo/message-store.js';
import { SqsFanoutQueue, SqsSendQueue, SqsStartTimerQueue } from '../../functions/adapters/sqs.js';
import { stores, systemClock } from '../../functions/handlers/wiring.js';
import type { Stores } from '../../functions/ports.js';
import { newCampaignRecord, type CampaignFilter } from '../../functions/domain/campaigns.js';
import { chunksOfPage } from '../../functions/domain/messages.js';
import { createFanoutHandler } from '../../functions/delivery/fanout.js';
import { toSqsEvent } from '../../local/poller.js';
import { createTestQueues, createTestTables, documentClient, sqsClient, uniqueSuffix, type TestQueues } from '../support/aws.js';

let store: Stores;
let messagesTable: string;
let queues: TestQueues;
let handler: (event: SQSEvent) => Promise<SQSBatchResponse>;
const sqs = sqsClient();

beforeAll(async () => {
  const tables = await createTestTables();
  messagesTable = tables.names.messages;
  store = stores(tables.env as never, systemClock, documentClient());
  queues = await createTestQueues();
  handler = createFanoutHandler({
    ...store,
    clock: systemClock,
    fanoutQueue: new SqsFanoutQueue(sqs, queues.fanout.url),
    sendQueue: new SqsSendQueue(sqs, queues.send.url),
    startTimer: new SqsStartTimerQueue(sqs, queues.startTimer.url),
  });
});
beforeEach(async () => {
  await sqs.send(new PurgeQueueCommand({ QueueUrl: queues.fanout.url }));
  await sqs.send(new PurgeQueueCommand({ QueueUrl: queues.send.url }));
});

let phoneSeq = 0;
async function seed(count: number, tag: string): Promise<void> {
  for (let i = 0; i < count; i += 20) {
    await Promise.all(
      Array.from({ length: Math.min(20, count - i) }, () =>
        store.clients.create({ phone: `7955${String(phoneSeq++).padStart(7, '0')}`, timezone: 'UTC', tag }),
      ),
    );
  }
}

async function campaign(filter: CampaignFilter, endInMs = 60_000) {
  const now = new Date();
  return store.campaigns.create((id) =>
    newCampaignRecord({ text: 't', startAt: now.toISOString(), endAt: new Date(now.getTime() + endInMs).toISOString(), filter }, id, now),
  );
}

/** Everything on a queue now, received as Lambda would get it (and deleted, as after success). */
async function drain(url: string, arn: string): Promise<SQSEvent['Records']> {
  const records: SQSEvent['Records'] = [];
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

/** Runs the fan-out chain to its end, one fan-out message at a time; returns every chunk sent. */
async function runChain(first: SQSEvent['Records'][number] | undefined): Promise<{ chunks: { campaignId: string; chunk: number }[]; invocations: number }> {
  const chunks: { campaignId: string; chunk: number }[] = [];
  let invocations = 0;
  let pending = first ? [first] : [];
  while (pending.length) {
    for (const record of pending) {
      invocations += 1;
      expect((await handler({ Records: [record] })).batchItemFailures).toEqual([]);
    }
    chunks.push(...(await drain(queues.send.url, queues.send.arn)).map((r) => JSON.parse(r.body)));
    pending = await drain(queues.fanout.url, queues.fanout.arn);
  }
  return { chunks, invocations };
}

const startRecord = async (id: string) => {
  await new SqsFanoutQueue(sqs, queues.fanout.url).start(id);
  return (await drain(queues.fanout.url, queues.fanout.arn))[0];
};

describe('fan-out handler', () => {
  it('writes the audience page by page, one chunk message per ten clients, and counts what it wrote', async () => {
    const tag = `fan-${uniqueSuffix()}`;
    await seed(230, tag);
    const c = await campaign({ tags: [tag] });
    const { chunks, invocations } = await runChain(await startRecord(c.id));
    expect(invocations).toBe(3); // pages of 100
    expect(chunks).toHaveLength(23);
    const after = await store.campaigns.get(c.id);
    expect(after?.fannedOut).toBe(230);
    expect(after?.fanout).toEqual({ page: 3, done: true });
    const clientIds = (await store.messages.list(c.id, { limit: 500 })).items.map((m) => m.clientId);
    expect(new Set(clientIds).size).toBe(230);
  });

  it('does nothing on a second start, and a replayed page writes no second message for a client', async () => {
    const tag = `replay-${uniqueSuffix()}`;
    await seed(150, tag);
    const c = await campaign({ tags: [tag] });
    const start = await startRecord(c.id);
    if (!start) throw new Error('no start message');
    await handler({ Records: [start] });
    const firstChunks = await drain(queues.send.url, queues.send.arn);
    expect(firstChunks).toHaveLength(10);
    // The same start again (a second trigger), and page 1 delivered twice, once as a redelivery.
    await handler({ Records: [start] });
    const [page1] = await drain(queues.fanout.url, queues.fanout.arn);
    if (!page1) throw new Error('no page 1');
    await handler({ Records: [page1] });
    await handler({ Records: [{ ...page1, attributes: { ...page1.attributes, ApproximateReceiveCount: '2' } }] });
    const after = await store.campaigns.get(c.id);
    expect(after?.fannedOut).toBe(150);
    const messages = (await store.messages.list(c.id, { limit: 500 })).items;
    expect(messages).toHaveLength(150);
    expect(new Set(messages.map((m) => m.clientId)).size).toBe(150);
  });

  it('reaches every client once without a filter (a Scan)', async () => {
    const c = await campaign({});
    const { chunks } = await runChain(await startRecord(c.id));
    const total = (await store.campaigns.get(c.id))?.fannedOut ?? 0;
    expect(total).toBeGreaterThanOrEqual(380);
    expect(chunks).toHaveLength(Math.ceil(total / 10)); // full pages of 100: ten full chunks each
    const messages = (await store.messages.list(c.id, { limit: 1000 })).items;
    expect(new Set(messages.map((m) => m.clientId)).size).toBe(total);
  });

  it('writes nothing for a cancelled campaign or after the end', async () => {
    const tag = `late-${uniqueSuffix()}`;
    await seed(20, tag);
    const cancelled = await campaign({ tags: [tag] });
    await store.campaigns.cancel(cancelled.id);
    await runChain(await startRecord(cancelled.id));
    expect((await store.campaigns.get(cancelled.id))?.fannedOut ?? 0).toBe(0);
    const ending = await campaign({ tags: [tag] }, 300);
    const start = await startRecord(ending.id);
    await new Promise((resolve) => setTimeout(resolve, 400));
    const { chunks } = await runChain(start);
    expect(chunks).toEqual([]);
    expect((await store.messages.list(ending.id, { limit: 10 })).items).toEqual([]);
  });

  /**
   * The state a crash between a page's batch of chunks and its mark's put leaves (the mark, its
   * first chunk, is stored last): the page's other chunks exist, the mark does not, nothing advanced.
   */
  async function cutOffPage(tag: string, clients: number) {
    await seed(clients, tag);
    const c = await campaign({ tags: [tag] });
    await store.campaigns.start(c.id);
    const db = documentClient();
    const killedBeforeTheMark = {
      send: (command: unknown) => (command instanceof PutCommand ? Promise.reject(new Error('killed')) : db.send(command as never)),
    };
    const audience = await store.clients.audience({ tags: [tag] }, { limit: 100 });
    await expect(
      new DynamoMessageStore(killedBeforeTheMark as unknown as DynamoDBDocumentClient, messagesTable).writePage(
        c.id,
        0,
        chunksOfPage(c.id, 0, audience.items, new Date()),
        audience.nextCursor,
      ),
    ).rejects.toThrow('killed');
    // The control: the cut-off write did store the page's other chunks, all open.
    expect((await store.messages.chunksOfPage(c.id, 0)).map((chunk) => chunk.chunk)).toEqual(chunks(1, clients / 10));
    return c;
  }
  const chunks = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);
  const pageRecord = async (id: string, page: number) => {
    await new SqsFanoutQueue(sqs, queues.fanout.url).page(id, page);
    return (await drain(queues.fanout.url, queues.fanout.arn))[0];
  };

  it("leaves a page cut off before its mark off the open chunks (resume's and recovery's), until its replay wrote and queued it", async () => {
    const c = await cutOffPage(`cut-${uniqueSuffix()}`, 30);
    // Queued now, chunk 1 could be sent and then written again as queued by the replay, and sent twice.
    expect((await store.messages.openChunks(c.id, { limit: 100 })).items).toEqual([]);

    await runChain(await pageRecord(c.id, 0));
    expect((await store.messages.openChunks(c.id, { limit: 100 })).items).toEqual(chunks(0, 3));
    expect((await store.campaigns.get(c.id))?.fannedOut).toBe(30);
  });

  it('hands off and counts what a cut-off page left when the campaign was cancelled before its replay, once', async () => {
    const c = await cutOffPage(`cut-cancel-${uniqueSuffix()}`, 30);
    await store.campaigns.cancel(c.id);
    const page = await pageRecord(c.id, 0);
    if (!page) throw new Error('no page 0');
    expect((await handler({ Records: [page] })).batchItemFailures).toEqual([]);
    // The senders close these as cancelled; counted as written, the settled counts can reach what was fanned out.
    expect((await drain(queues.send.url, queues.send.arn)).map((record) => JSON.parse(record.body).chunk)).toEqual(chunks(1, 3));
    const after = await store.campaigns.get(c.id);
    expect([after?.fanout, after?.fannedOut]).toEqual([{ page: 0, done: true }, 20]);

    await handler({ Records: [{ ...page, attributes: { ...page.attributes, ApproximateReceiveCount: '2' } }] });
    expect(await drain(queues.send.url, queues.send.arn)).toEqual([]);
    expect((await store.campaigns.get(c.id))?.fannedOut).toBe(20);
  });

  it('hands a page off again when its message comes back after a crash between the advance and the hand-off', async () => {
    const tag = `crash-${uniqueSuffix()}`;
    await seed(120, tag);
    const c = await campaign({ tags: [tag] });
    const start = await startRecord(c.id);
    if (!start) throw new Error('no start message');
    // The state a crash right after the advance leaves: page 0 written and counted, nothing queued.
    await store.campaigns.start(c.id);
    const audience = await store.clients.audience({ tags: [tag] }, { limit: 100 });
    const written = await store.messages.writePage(c.id, 0, chunksOfPage(c.id, 0, audience.items, new Date()), audience.nextCursor);
    await store.campaigns.advanceFanout(c.id, 0, { page: 1, cursor: written.nextCursor ?? undefined, done: false }, 100);

    await handler({ Records: [{ ...start, attributes: { ...start.attributes, ApproximateReceiveCount: '2' } }] });
    expect(await drain(queues.send.url, queues.send.arn)).toHaveLength(10);
    const [next] = await drain(queues.fanout.url, queues.fanout.arn);
    expect(JSON.parse(next?.body ?? '{}')).toEqual({ type: 'page', campaignId: c.id, page: 1 });
    const { chunks } = await runChain(next);
    expect(chunks).toHaveLength(2);
    expect((await store.campaigns.get(c.id))?.fannedOut).toBe(120);
  });
});

describe('fan-out: opt-outs and templates', () => {
  it('skips opted-out clients whatever the filter, counts them suppressed, and copies just the used variables', async () => {
    const tag = `tpl-${uniqueSuffix()}`;
    const created = [];
    for (let i = 0; i < 25; i++) {
      created.push(
        await store.clients.create({
          phone: `7956${String(phoneSeq++).padStart(7, '0')}`,
          timezone: 'UTC',
          tag,
          name: `Client ${i}`,
          attributes: { city: `City ${i}`, unused: 'never copied' },
          ...(i % 5 === 0 ? { optedOut: true } : {}),
        }),
      );
    }
    const now = new Date();
    const c = await store.campaigns.create((id) =>
      newCampaignRecord(
        {
          text: 'Hi {{ name }} from {{ attributes.city }}',
          startAt: now.toISOString(),
          endAt: new Date(now.getTime() + 60_000).toISOString(),
          filter: { tags: [tag] },
        },
        id,
        now,
      ),
    );
    await runChain(await startRecord(c.id));
    const after = await store.campaigns.get(c.id);
    expect(after?.fannedOut).toBe(20);
    expect([after?.suppressed, after?.audience]).toEqual([5, 25]);
    const optedOut = new Set(created.filter((client) => client.optedOut).map((client) => client.id));
    const written = (await store.messages.chunksOfPage(c.id, 0)).flatMap((chunk) => chunk.messages);
    expect(written).toHaveLength(20);
    expect(written.some((message) => optedOut.has(message.clientId))).toBe(false);
    const byId = new Map(created.map((client) => [client.id, client]));
    for (const message of written) {
      const client = byId.get(message.clientId);
      expect(message.vars).toEqual({ name: client?.name, attributes: { city: client?.attributes?.city } });
    }
  });
});

describe('fan-out handler: a start before startAt', () => {
  async function scheduledIn(aheadMs: number, tag: string) {
    const now = new Date();
    const startAt = new Date(now.getTime() + aheadMs).toISOString();
    return store.campaigns.create((id) =>
      newCampaignRecord({ text: 't', startAt, endAt: new Date(now.getTime() + aheadMs + 60_000).toISOString(), filter: { tags: [tag] } }, id, now),
    );
  }

  it('sends a start that came 30 s early back to the start timer, with the campaign untouched', async () => {
    const tag = `early-${uniqueSuffix()}`;
    await seed(5, tag);
    const c = await scheduledIn(30_000, tag);
    expect(c.status).toBe('scheduled');
    expect((await handler({ Records: [(await startRecord(c.id))!] })).batchItemFailures).toEqual([]);
    const after = await store.campaigns.get(c.id);
    expect(after?.status).toBe('scheduled');
    expect(after?.fanout).toBeUndefined();
    expect(await drain(queues.send.url, queues.send.arn)).toHaveLength(0);
    const timers = await drain(queues.startTimer.url, queues.startTimer.arn);
    expect(timers.map((timer) => JSON.parse(timer.body))).toEqual([{ campaignId: c.id, startAt: c.startAt }]);
  });

  it("drops a start that came hours early: its campaign's schedule starts it", async () => {
    const tag = `far-${uniqueSuffix()}`;
    await seed(5, tag);
    const c = await scheduledIn(3_600_000, tag);
    expect((await handler({ Records: [(await startRecord(c.id))!] })).batchItemFailures).toEqual([]);
    expect((await store.campaigns.get(c.id))?.status).toBe('scheduled');
    expect(await drain(queues.startTimer.url, queues.startTimer.arn)).toHaveLength(0);
    expect(await drain(queues.send.url, queues.send.arn)).toHaveLength(0);
  });

  it('control: the same start once startAt has passed begins the fan-out', async () => {
    const tag = `due-${uniqueSuffix()}`;
    await seed(5, tag);
    const c = await scheduledIn(1_000, tag);
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const { chunks } = await runChain(await startRecord(c.id));
    expect(chunks).toHaveLength(1);
    expect((await store.campaigns.get(c.id))?.status).toBe('running');
    expect(await drain(queues.startTimer.url, queues.startTimer.arn)).toHaveLength(0);
  });
});
