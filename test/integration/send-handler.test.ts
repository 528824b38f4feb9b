/**
 * The send handler's edges, against DynamoDB Local, the SQS emulator and the fake
 * provider over a real socket: claims, duplicates, retries, the end and cancels.
 */
import { DynamoDBServiceException, ProvisionedThroughputExceededException } from '@aws-sdk/client-dynamodb';
import { PurgeQueueCommand, ReceiveMessageCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { logger } from '../../functions/telemetry/logger.js';
import { metricNames, metrics } from '../../functions/telemetry/metrics.js';
import { HttpProvider } from '../../functions/adapters/provider.js';
import { SqsSendQueue } from '../../functions/adapters/sqs.js';
import { DynamoRateSlots } from '../../functions/adapters/dynamo/rate-slots.js';
import { DynamoNoticeStore } from '../../functions/adapters/dynamo/notice-store.js';
import { DynamoSuppressionList } from '../../functions/adapters/dynamo/suppression-list.js';
import type { Channel } from '../../functions/domain/channels/channel.js';
import { smsRules, type SmsMessage } from '../../functions/domain/channels/sms.js';
import { NOTICE_CHUNK, noticeChunk } from '../../functions/domain/notices.js';
import { stores, systemClock } from '../../functions/handlers/wiring.js';
import type { Clock, Stores } from '../../functions/ports.js';
import { newCampaignRecord, STATUS_RECHECK_MS } from '../../functions/domain/campaigns.js';
import { chunksOfPage } from '../../functions/domain/messages.js';
import { checkTemplate } from '../../functions/domain/templates.js';
import { LEASE_OUTCOME_MARGIN_MS } from '../../functions/domain/cutoff.js';
import { createSendHandler, type SendDependencies } from '../../functions/delivery/send.js';
import { startFakeProvider, type FakeProvider } from '../../local/fake-provider.js';
import { toSqsEvent } from '../../local/poller.js';
import { createTestQueues, createTestTables, documentClient, sqsClient, startTestTally, type TestQueues, type TestTally } from '../support/aws.js';

let store: Stores;
let queues: TestQueues;
let provider: FakeProvider;
let handler: (event: SQSEvent, context?: { getRemainingTimeInMillis(): number }) => Promise<SQSBatchResponse>;
let tally: TestTally;
let sendDependencies: SendDependencies<SmsMessage>;
let notices: DynamoNoticeStore;
let tablesEnv: Record<string, string>;
const sqs = sqsClient();

beforeAll(async () => {
  const tables = await createTestTables();
  tablesEnv = tables.env as Record<string, string>;
  store = stores(tables.env as never, systemClock, documentClient());
  tally = startTestTally(tables.names.messages, store.campaigns);
  queues = await createTestQueues();
  provider = await startFakeProvider({ token: 'secret-jwt', latencyMs: 0 });
  sendDependencies = {
    clock: systemClock,
    campaigns: store.campaigns,
    messages: store.messages,
    sendQueue: new SqsSendQueue(sqs, queues.send.url),
    rateSlots: new DynamoRateSlots(documentClient(), tables.env.UNIQUES_TABLE as string),
    suppression: new DynamoSuppressionList(documentClient(), tables.env.UNIQUES_TABLE as string),
    sender: new HttpProvider({ baseUrl: provider.url, token: async () => 'secret-jwt', maxSockets: 4 }),
    rules: smsRules,
    settings: { providerTimeoutMs: 2000, providerConcurrency: 4, maxBackoffSeconds: 60 },
  };
  handler = createSendHandler(sendDependencies);
  notices = new DynamoNoticeStore(documentClient(), { messages: tables.env.MESSAGES_TABLE as string, uniques: tables.env.UNIQUES_TABLE as string });
});
afterAll(async () => {
  await provider.stop();
  await tally.stop();
});
beforeEach(async () => {
  // Each case reads only its own records: what an earlier case left to retry is dropped.
  await sqs.send(new PurgeQueueCommand({ QueueUrl: queues.send.url }));
  provider.reset();
  provider.setFaults({ latencyMs: 0, errorRate: 0, rateLimit429: 0, malformedRate: 0, down: false });
});

/** A running campaign, created at `now`, with one fanned-out page of `size` messages in chunks of ten. */
async function campaignWithChunks(size: number, endInMs = 60_000, now = new Date(), channel: Channel = 'sms') {
  const campaign = await store.campaigns.create((id) =>
    newCampaignRecord({ text: 'hi', startAt: now.toISOString(), endAt: new Date(now.getTime() + endInMs).toISOString() }, id, now),
  );
  await store.campaigns.start(campaign.id);
  const audience = Array.from({ length: size }, (_, i) => ({ id: `c${i}`, phone: `7900${String(i).padStart(7, '0')}` }));
  const { chunks } = await store.messages.writePage(campaign.id, 0, chunksOfPage(campaign.id, 0, audience, now, undefined, channel), null);
  await store.campaigns.advanceFanout(campaign.id, 0, { page: 1, done: true }, size);
  return { campaign, chunks };
}

/** Real SQS messages for the chunks (duplicates allowed), received as Lambda would get them. */
async function receive(refs: { campaignId: string; chunk: number }[]): Promise<SQSEvent> {
  for (const ref of refs) await sqs.send(new SendMessageCommand({ QueueUrl: queues.send.url, MessageBody: JSON.stringify(ref) }));
  const messages = [];
  while (messages.length < refs.length) {
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queues.send.url, MaxNumberOfMessages: 10, WaitTimeSeconds: 1, MessageSystemAttributeNames: ['All'] }),
    );
    messages.push(...Messages);
  }
  return toSqsEvent(messages, queues.send.arn);
}

/** The counters once the tally has caught up with every chunk write so far. */
const countsOf = async (id: string) => {
  await tally.settled();
  return (await store.campaigns.get(id))?.counts;
};

const throttled = () =>
  new ProvisionedThroughputExceededException({
    message: 'The level of configured provisioned throughput for the table was exceeded.',
    $metadata: { httpStatusCode: 400 },
  });

/**
 * A messages store on DynamoDB Local whose first `failures` outcome writes fail with `error`,
 * thrown above the SDK's own retries (its `initialize` step), so only Herald's retry can make
 * one again. `tried` counts the outcome writes that reached the client.
 */
function failingOutcomes(failures: number, error: () => Error = throttled) {
  const db = documentClient();
  const tried = { outcomeWrites: 0 };
  db.middlewareStack.add(
    (next) => async (args) => {
      if ((args.input as { UpdateExpression?: string }).UpdateExpression?.includes('REMOVE leaseUntil')) {
        tried.outcomeWrites += 1;
        if (tried.outcomeWrites <= failures) throw error();
      }
      return next(args);
    },
    { step: 'initialize', name: 'failOutcomeWrites' },
  );
  return { messages: stores(tablesEnv as never, systemClock, db).messages, tried };
}

describe('send handler', () => {
  it('sends every open message of a chunk once and moves the counters once', async () => {
    const { campaign } = await campaignWithChunks(15);
    const result = await handler(
      await receive([
        { campaignId: campaign.id, chunk: 0 },
        { campaignId: campaign.id, chunk: 1 },
      ]),
    );
    expect(result.batchItemFailures).toEqual([]);
    expect(provider.sentMsgIds()).toHaveLength(15);
    expect(await countsOf(campaign.id)).toEqual({ queued: 0, sent: 15, failed: 0, expired: 0, cancelled: 0 });
    expect((await store.campaigns.get(campaign.id))?.status).toBe('finished');
  });

  it("sends no chunk of another channel: such a chunk on this channel's queue fails its record, no call made", async () => {
    const { campaign } = await campaignWithChunks(5, 60_000, new Date(), 'email');
    const other = await campaignWithChunks(5);
    const event = await receive([
      { campaignId: campaign.id, chunk: 0 },
      { campaignId: other.campaign.id, chunk: 0 },
    ]);
    const result = await handler(event);
    const misrouted = event.Records.find((record) => (JSON.parse(record.body) as { campaignId: string }).campaignId === campaign.id);
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: misrouted?.messageId }]);
    // The negative control: the SMS chunk beside it went out.
    expect(provider.sentMsgIds().sort()).toEqual(other.chunks[0]?.messages.map((message) => message.id).sort());
  });

  it('a crash right after the outcome write: the redelivery sends nothing again, the counts add up and the campaign finishes', async () => {
    const { campaign } = await campaignWithChunks(20);
    // The process dies after each chunk's outcome is stored, before anything else the handler does.
    const crashing = createSendHandler({
      ...sendDependencies,
      messages: Object.assign(Object.create(store.messages) as Stores['messages'], {
        saveOutcome: async (...args: Parameters<Stores['messages']['saveOutcome']>) => {
          await store.messages.saveOutcome(...args);
          throw new Error('killed after the outcome write');
        },
      }),
    });
    const refs = [
      { campaignId: campaign.id, chunk: 0 },
      { campaignId: campaign.id, chunk: 1 },
    ];
    expect((await crashing(await receive(refs))).batchItemFailures).toHaveLength(2);
    expect(provider.sentMsgIds()).toHaveLength(20);
    expect((await handler(await receive(refs))).batchItemFailures).toEqual([]);
    expect(provider.sentMsgIds()).toHaveLength(20);
    expect(await countsOf(campaign.id)).toEqual({ queued: 0, sent: 20, failed: 0, expired: 0, cancelled: 0 });
    expect((await store.campaigns.get(campaign.id))?.status).toBe('finished');
  });

  it('makes an outcome write DynamoDB throttled again, within the lease: the chunk is stored once and nothing goes out twice', async () => {
    const { campaign } = await campaignWithChunks(10);
    const { messages, tried } = failingOutcomes(3);
    const ref = { campaignId: campaign.id, chunk: 0 };
    const result = await createSendHandler({ ...sendDependencies, messages })(await receive([ref]));
    expect(result.batchItemFailures).toEqual([]);
    expect(tried.outcomeWrites).toBe(4);
    expect(await countsOf(campaign.id)).toEqual({ queued: 0, sent: 10, failed: 0, expired: 0, cancelled: 0 });
    // The redelivery finds the chunk done: each message reached the provider once.
    expect((await handler(await receive([ref]))).batchItemFailures).toEqual([]);
    expect(provider.requests()).toHaveLength(10);
    expect(new Set(provider.sentMsgIds()).size).toBe(10);
  });

  it("makes a throttled outcome write again by the handler's own clock, however far the machine's is from it", async () => {
    // The injected clock runs ten minutes behind the machine's: its lease still has minutes to run, though by
    // the machine's time it ended long ago. A deadline read on the other clock would give up at the first throttle.
    const behind: Clock = { now: () => new Date(Date.now() - 10 * 60_000) };
    const { campaign } = await campaignWithChunks(10, 3_600_000, behind.now());
    const { messages, tried } = failingOutcomes(2);
    const result = await createSendHandler({ ...sendDependencies, clock: behind, messages })(await receive([{ campaignId: campaign.id, chunk: 0 }]));
    expect(result.batchItemFailures).toEqual([]);
    expect(tried.outcomeWrites).toBe(3);
    expect(await countsOf(campaign.id)).toEqual({ queued: 0, sent: 10, failed: 0, expired: 0, cancelled: 0 });
  });

  it('stops making a throttled outcome write again when the invocation ends, and never retries a write DynamoDB refused', async () => {
    const { campaign } = await campaignWithChunks(20);
    // 6.5 s left: enough for the calls (they must end 5 s before), then the write is tried until the end.
    const forever = failingOutcomes(Number.POSITIVE_INFINITY);
    const started = Date.now();
    const event = await receive([{ campaignId: campaign.id, chunk: 0 }]);
    const result = await createSendHandler({ ...sendDependencies, messages: forever.messages })(event, { getRemainingTimeInMillis: () => 6_500 });
    const misrouted = event.Records.find((record) => (JSON.parse(record.body) as { campaignId: string }).campaignId === campaign.id);
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: misrouted?.messageId }]);
    expect(forever.tried.outcomeWrites).toBeGreaterThan(3);
    expect(Date.now() - started).toBeLessThan(6_500 + 1_000);
    // The bound of "What a crash can and cannot do" in docs/architecture.md: the answered calls are not stored, and go out again after the lease.
    expect(provider.sentMsgIds()).toHaveLength(10);
    expect((await store.messages.list(campaign.id, { limit: 20 })).items.filter((message) => message.status === 'queued')).toHaveLength(20);
    // The negative control: a refusal that is not throttling (a malformed write) is not made again.
    const refused = failingOutcomes(
      Number.POSITIVE_INFINITY,
      () =>
        new DynamoDBServiceException({
          name: 'ValidationException',
          $fault: 'client',
          $metadata: { httpStatusCode: 400 },
          message: 'Invalid UpdateExpression',
        }),
    );
    const second = await receive([{ campaignId: campaign.id, chunk: 1 }]);
    expect((await createSendHandler({ ...sendDependencies, messages: refused.messages })(second)).batchItemFailures).toHaveLength(1);
    expect(refused.tried.outcomeWrites).toBe(1);
  });

  it('sends a chunk delivered twice in one batch only once, and a redelivery of a sent chunk not at all', async () => {
    const { campaign } = await campaignWithChunks(10);
    const ref = { campaignId: campaign.id, chunk: 0 };
    const event = await receive([ref, ref]);
    const result = await handler(event);
    expect(result.batchItemFailures).toHaveLength(1); // the duplicate waits for the lease, then finds the chunk done
    expect(provider.sentMsgIds()).toHaveLength(10);
    const again = await handler(await receive([ref]));
    expect(again.batchItemFailures).toEqual([]);
    expect(provider.requests()).toHaveLength(10);
  });

  it('leaves a chunk with retryable failures on the queue, invisible for the backoff, with attempts and the last error', async () => {
    const { campaign } = await campaignWithChunks(3);
    provider.setFaults({ errorRate: 1 });
    const event = await receive([{ campaignId: campaign.id, chunk: 0 }]);
    const result = await handler(event);
    const misrouted = event.Records.find((record) => (JSON.parse(record.body) as { campaignId: string }).campaignId === campaign.id);
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: misrouted?.messageId }]);
    const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queues.send.url, WaitTimeSeconds: 0 }));
    expect(Messages).toHaveLength(0);
    const listed = await store.messages.list(campaign.id, { limit: 10 });
    expect(listed.items.map((m) => [m.status, m.attempts, m.lastError])).toEqual([
      ['queued', 1, 'HTTP 500'],
      ['queued', 1, 'HTTP 500'],
      ['queued', 1, 'HTTP 500'],
    ]);
    expect(await countsOf(campaign.id)).toMatchObject({ queued: 3, sent: 0 });
  });

  it('fails the messages after three attempts refused with 401 (a wrong token), counting them for the alarm; other failures go on', async () => {
    const { campaign } = await campaignWithChunks(4, 600_000);
    // The deployed placeholder: the provider takes only 'secret-jwt'.
    const provider401 = new HttpProvider({ baseUrl: provider.url, token: async () => 'placeholder', maxSockets: 4 });
    const wrongToken = createSendHandler<SmsMessage>({ ...sendDependencies, sender: provider401 });
    const ref = { campaignId: campaign.id, chunk: 0 };
    const documents: ReturnType<typeof metrics.serializeMetrics>[] = [];
    const publish = vi.spyOn(metrics, 'publishStoredMetrics').mockImplementation(() => {
      documents.push(metrics.serializeMetrics());
      metrics.clearMetrics();
      return metrics;
    });
    const states = [];
    try {
      for (let attempt = 1; attempt <= 3; attempt++) {
        // Each receive stands for the chunk's redelivery: the copy left waiting for its backoff is dropped.
        await sqs.send(new PurgeQueueCommand({ QueueUrl: queues.send.url }));
        const event = await receive([ref]);
        const result = await wrongToken(event);
        const listed = (await store.messages.list(campaign.id, { limit: 10 })).items;
        states.push({ retried: result.batchItemFailures.length, messages: listed.map((m) => [m.status, m.attempts, m.lastError]) });
      }
    } finally {
      publish.mockRestore();
    }
    expect(states).toEqual([
      { retried: 1, messages: Array(4).fill(['queued', 1, 'HTTP 401']) },
      { retried: 1, messages: Array(4).fill(['queued', 2, 'HTTP 401']) },
      { retried: 0, messages: Array(4).fill(['failed', 3, 'HTTP 401 on 3 attempts: the provider refused the token']) },
    ]);
    expect(provider.requests().map((request) => request.outcome)).toEqual(Array(12).fill('unauthorized'));
    expect(await countsOf(campaign.id)).toEqual({ queued: 0, sent: 0, failed: 4, expired: 0, cancelled: 0 });
    // A datapoint of 1 per failed message; CloudWatch sums them for the alarm.
    const counted = documents.map((document) => [(document[metricNames.providerAuthFailures] as number | number[] | undefined) ?? []].flat());
    expect(counted).toEqual([[], [], [1, 1, 1, 1]]);

    // Control: a provider that is down is retried past three attempts, and counts nothing for the alarm.
    const other = await campaignWithChunks(2, 600_000);
    provider.setFaults({ errorRate: 1 });
    const otherRef = { campaignId: other.campaign.id, chunk: 0 };
    for (let attempt = 1; attempt <= 4; attempt++) {
      await sqs.send(new PurgeQueueCommand({ QueueUrl: queues.send.url }));
      await handler(await receive([otherRef]));
    }
    expect((await store.messages.list(other.campaign.id, { limit: 10 })).items.map((m) => [m.status, m.attempts, m.lastError])).toEqual(
      Array(2).fill(['queued', 4, 'HTTP 500']),
    );
  });

  it('expires instead of retrying when the backoff would end after the campaign', async () => {
    const { campaign } = await campaignWithChunks(2, 1500);
    provider.setFaults({ rateLimit429: 1, retryAfterSeconds: 5 });
    const result = await handler(await receive([{ campaignId: campaign.id, chunk: 0 }]));
    expect(result.batchItemFailures).toEqual([]);
    expect(provider.requests()).toHaveLength(2);
    expect(await countsOf(campaign.id)).toEqual({ queued: 0, sent: 0, failed: 0, expired: 2, cancelled: 0 });
    const [first] = (await store.messages.list(campaign.id, { limit: 1 })).items;
    expect(first).toMatchObject({ status: 'expired', attempts: 1, lastError: 'HTTP 429' });
  });

  it('makes no call for a cancelled campaign, or after the end', async () => {
    const cancelled = await campaignWithChunks(4);
    await store.campaigns.cancel(cancelled.campaign.id);
    const ended = await campaignWithChunks(3, 300);
    await new Promise((resolve) => setTimeout(resolve, 400));
    const result = await handler(
      await receive([
        { campaignId: cancelled.campaign.id, chunk: 0 },
        { campaignId: ended.campaign.id, chunk: 0 },
      ]),
    );
    expect(result.batchItemFailures).toEqual([]);
    expect(provider.requests()).toEqual([]);
    expect(await countsOf(cancelled.campaign.id)).toMatchObject({ queued: 0, cancelled: 4 });
    expect(await countsOf(ended.campaign.id)).toMatchObject({ queued: 0, expired: 3 });
  });

  it('starts no call that could outlive the chunk lease: the rest of the chunk goes back, unattempted, for a fresh claim', async () => {
    const { campaign } = await campaignWithChunks(10, 600_000);
    provider.setFaults({ latencyMs: 300 });
    // This invocation's clock leaps 56 s once the first wave of 4 calls is out: 4 s of the 60 s lease are left, under the outcome margin.
    let leap = 0;
    const late = createSendHandler({ ...sendDependencies, clock: { now: () => new Date(Date.now() + leap) } });
    const ref = { campaignId: campaign.id, chunk: 0 };
    const running = late(await receive([ref]));
    await vi.waitFor(() => expect(provider.requests().length).toBeGreaterThan(0), { timeout: 5_000, interval: 5 });
    leap = 56_000;
    expect((await running).batchItemFailures).toEqual([]);
    // Only the first wave went out; the others are untouched (no attempt) and the lease is released.
    expect(provider.sentMsgIds()).toHaveLength(4);
    const afterFirst = (await store.messages.list(campaign.id, { limit: 10 })).items;
    expect(afterFirst.filter((message) => message.status === 'queued').map((message) => message.attempts)).toEqual([0, 0, 0, 0, 0, 0]);
    // The chunk came back at once; a fresh claim sends the rest, each message once.
    expect((await handler(await receive([ref]))).batchItemFailures).toEqual([]);
    expect(new Set(provider.sentMsgIds()).size).toBe(10);
    expect(provider.sentMsgIds()).toHaveLength(10);
    expect(await countsOf(campaign.id)).toMatchObject({ queued: 0, sent: 10 });
  });

  it("starts no call that could outlive the invocation (Lambda's timeout): the rest of the chunk goes back, unattempted", async () => {
    const { campaign } = await campaignWithChunks(10, 600_000);
    provider.setFaults({ latencyMs: 1000 });
    // 7.5 s left of the invocation: calls may start while 1 s of a call and the 5 s outcome margin still fit. Waves of
    // 4 calls start at about 0 and 1 s (budget 2.5 and 1.5 s); the third, at about 2 s, would leave 0.5 s and does not start.
    const invoked = Date.now();
    const context = { getRemainingTimeInMillis: () => 7_500 - (Date.now() - invoked) };
    const ref = { campaignId: campaign.id, chunk: 0 };
    expect((await handler(await receive([ref]), context)).batchItemFailures).toEqual([]);
    // It ended with the outcome stored, before Lambda would have ended it.
    expect(Date.now() - invoked).toBeLessThan(7_500 - LEASE_OUTCOME_MARGIN_MS + 1_000);
    expect(provider.sentMsgIds()).toHaveLength(8);
    const afterFirst = (await store.messages.list(campaign.id, { limit: 10 })).items;
    expect(afterFirst.filter((message) => message.status === 'queued').map((message) => message.attempts)).toEqual([0, 0]);
    // The chunk came back at once; a fresh claim sends the other two, each message once.
    provider.setFaults({ latencyMs: 0 });
    expect((await handler(await receive([ref]))).batchItemFailures).toEqual([]);
    expect(new Set(provider.sentMsgIds()).size).toBe(10);
    expect(provider.sentMsgIds()).toHaveLength(10);
    expect(await countsOf(campaign.id)).toMatchObject({ queued: 0, sent: 10 });
  });

  it("waits for a rate slot only while a call could still end within the invocation: a slow rate does not run it into Lambda's timeout", async () => {
    const now = new Date();
    const campaign = await store.campaigns.create((id) =>
      newCampaignRecord({ text: 'hi', startAt: now.toISOString(), endAt: new Date(now.getTime() + 600_000).toISOString(), maxPerSecond: 1 }, id, now),
    );
    await store.campaigns.start(campaign.id);
    const audience = Array.from({ length: 10 }, (_, i) => ({ id: `r${i}`, phone: `7901${String(i).padStart(7, '0')}` }));
    await store.messages.writePage(campaign.id, 0, chunksOfPage(campaign.id, 0, audience, now), null);
    await store.campaigns.advanceFanout(campaign.id, 0, { page: 1, done: true }, 10);
    // 9 s left: waits may last until 1 s of a call and the 5 s margin are all that is left, about 3 s; at one call a
    // second, four limiter slots would otherwise each wait up to 10 s for every message in turn.
    const invoked = Date.now();
    const context = { getRemainingTimeInMillis: () => 9_000 - (Date.now() - invoked) };
    expect((await handler(await receive([{ campaignId: campaign.id, chunk: 0 }]), context)).batchItemFailures).toEqual([]);
    expect(Date.now() - invoked).toBeLessThan(9_000 - LEASE_OUTCOME_MARGIN_MS + 1_000);
    const sent = provider.sentMsgIds().length;
    expect(sent).toBeGreaterThanOrEqual(2);
    expect(sent).toBeLessThanOrEqual(5);
    const messages = (await store.messages.list(campaign.id, { limit: 10 })).items;
    expect(messages.filter((message) => message.status === 'sent')).toHaveLength(sent);
    expect(messages.filter((message) => message.status === 'queued').every((message) => message.attempts === 0)).toBe(true);
  });

  it("refuses the outcome of an invocation that outlived its lease: the next holder's sends and outcome stand, the counters move once", async () => {
    const { campaign } = await campaignWithChunks(10, 600_000);
    const ref = { campaignId: campaign.id, chunk: 0 };
    // Invocation A's provider answers every call 500, and A reads no answer until the test lets it:
    // A stalls with its first calls made, as an invocation frozen past its lease would.
    const failing = await startFakeProvider({ token: 'secret-jwt', errorRate: 1 });
    const failingHttp = new HttpProvider({ baseUrl: failing.url, token: async () => 'secret-jwt', maxSockets: 4 });
    let wake = () => {};
    const stalled = new Promise<void>((resolve) => (wake = resolve));
    try {
      const a = createSendHandler({
        ...sendDependencies,
        sender: {
          channel: 'sms',
          send: async (message: SmsMessage, timeoutMs: number) => {
            const outcome = await failingHttp.send(message, timeoutMs);
            await stalled;
            return outcome;
          },
        },
      });
      const running = a(await receive([ref]));
      await vi.waitFor(() => expect(failing.requests().length).toBeGreaterThan(0), { timeout: 5_000, interval: 5 });
      // A has claimed the chunk; B's clock is past the end of A's lease: B claims the chunk and sends it all.
      const b = createSendHandler({ ...sendDependencies, clock: { now: () => new Date(Date.now() + 61_000) } });
      expect((await b(await receive([ref]))).batchItemFailures).toEqual([]);
      expect(provider.sentMsgIds()).toHaveLength(10);
      const stored = (await store.messages.list(campaign.id, { limit: 10 })).items;
      expect(stored.every((message) => message.status === 'sent' && message.attempts === 1)).toBe(true);

      // A wakes: its calls get their 500s and its outcome (every message queued again, one more attempt) is refused.
      wake();
      const result = await running;
      // Its record stays on the queue (not deleted under another worker), to find the chunk done later.
      expect(result.batchItemFailures).toHaveLength(1);
      expect(failing.requests().length).toBeGreaterThan(0);
      expect((await store.messages.list(campaign.id, { limit: 10 })).items).toEqual(stored);
      expect(await countsOf(campaign.id)).toEqual({ queued: 0, sent: 10, failed: 0, expired: 0, cancelled: 0 });
      expect(await store.messages.recount(campaign.id)).toEqual(await countsOf(campaign.id));
      expect((await store.campaigns.get(campaign.id))?.status).toBe('finished');
      expect(await store.messages.claim(campaign.id, 0, 60_000, new Date(Date.now() + 200_000))).toEqual({ kind: 'done' });
    } finally {
      wake();
      await failing.stop();
    }
  });

  it('sends no notice to a client who opted out after it was posted; the same notice to a client who did not is sent', async () => {
    const suffix = String(Date.now()).slice(-7);
    const staying = await store.clients.create({ phone: `7911${suffix}`, tag: 'n', timezone: 'UTC' });
    const leaving = await store.clients.create({ phone: `7912${suffix}`, tag: 'n', timezone: 'UTC' });
    const kept = await notices.create((id) => noticeChunk(id, staying, 'Your receipt', new Date()));
    const dropped = await notices.create((id) => noticeChunk(id, leaving, 'Your receipt', new Date()));
    await store.clients.update(leaving.id, { optedOut: true });
    const result = await handler(
      await receive([
        { campaignId: kept.campaignId, chunk: NOTICE_CHUNK },
        { campaignId: dropped.campaignId, chunk: NOTICE_CHUNK },
      ]),
    );
    expect(result.batchItemFailures).toEqual([]);
    const keptId = kept.messages[0]?.id as number;
    const droppedId = dropped.messages[0]?.id as number;
    expect(provider.sentMsgIds()).toEqual([keptId]);
    expect(provider.requests().some((request) => request.msgId === droppedId)).toBe(false);
    expect(await notices.get(keptId)).toMatchObject({ status: 'sent', attempts: 1 });
    expect(await notices.get(droppedId)).toMatchObject({ status: 'cancelled', attempts: 0, lastError: 'opted out before the send' });
  });

  it('fails a message that renders larger than an SMS for its client, with the reason and no call; the others are sent', async () => {
    const now = new Date();
    // Within the limit with placeholders (`<name>`, 6 characters, 1,200 in all): the text is accepted when written.
    const text = '{% for i in (1..200) %}{{ name }}{% endfor %}';
    const campaign = await store.campaigns.create((id) =>
      newCampaignRecord({ text, startAt: now.toISOString(), endAt: new Date(now.getTime() + 60_000).toISOString() }, id, now),
    );
    await store.campaigns.start(campaign.id);
    const suffix = String(Date.now()).slice(-6);
    // 8 characters make 1,600; 9 make 1,800.
    const audience = ['Annabell', 'Annabelle', 'Bo'].map((name, i) => ({ id: `c${i}`, phone: `7913${suffix}${i}`, name }));
    const { chunks } = await store.messages.writePage(campaign.id, 0, chunksOfPage(campaign.id, 0, audience, now, checkTemplate(text)), null);
    await store.campaigns.advanceFanout(campaign.id, 0, { page: 1, done: true }, audience.length);
    const result = await handler(await receive([{ campaignId: campaign.id, chunk: 0 }]));
    expect(result.batchItemFailures).toEqual([]);
    const [long, tooLong, short] = chunks[0]?.messages ?? [];
    expect(provider.sentMsgIds().sort()).toEqual([long?.id, short?.id].sort());
    expect(provider.requests().some((request) => request.msgId === tooLong?.id)).toBe(false);
    expect(provider.requests().find((request) => request.msgId === long?.id)?.text).toHaveLength(1600);
    expect(await store.messages.get(tooLong?.id as number)).toMatchObject({
      status: 'failed',
      attempts: 1,
      lastError: 'template: renders to more than 1,600 characters',
    });
    expect(await countsOf(campaign.id)).toEqual({ queued: 0, sent: 2, failed: 1, expired: 0, cancelled: 0 });
    expect((await store.campaigns.get(campaign.id))?.status).toBe('finished');
  });

  it('reads the suppression list for notices only: a campaign message was checked against it at the fan-out', async () => {
    const reads: string[] = [];
    const counting = createSendHandler({
      ...sendDependencies,
      suppression: { isSuppressed: (phone) => (reads.push(phone), sendDependencies.suppression.isSuppressed(phone)) },
    });
    const { campaign } = await campaignWithChunks(10);
    await counting(await receive([{ campaignId: campaign.id, chunk: 0 }]));
    expect(provider.sentMsgIds()).toHaveLength(10);
    expect(reads).toEqual([]);
    const client = await store.clients.create({ phone: `7914${String(Date.now()).slice(-7)}`, tag: 'n', timezone: 'UTC' });
    const notice = await notices.create((id) => noticeChunk(id, client, 'Your receipt', new Date()));
    await counting(await receive([{ campaignId: notice.campaignId, chunk: NOTICE_CHUNK }]));
    expect(reads).toEqual([client.phone]);
    expect(provider.sentMsgIds()).toContain(notice.messages[0]?.id);
  });

  it('keeps its view of a campaign across invocations, never past the recheck age: a cancel stored since is seen once it is that old', async () => {
    const { campaign } = await campaignWithChunks(30);
    const reads: string[] = [];
    const campaigns = { ...store.campaigns, get: (id: string) => (reads.push(id), store.campaigns.get(id)) } as typeof store.campaigns;
    // The environment's clock stands still unless the test moves it: the view's age is what the test says, whatever the machine's pace.
    let at = Date.now();
    const warm = createSendHandler({ ...sendDependencies, campaigns, clock: { now: () => new Date(at) } });
    await warm(await receive([{ campaignId: campaign.id, chunk: 0 }]));
    expect(reads).toHaveLength(1);
    // The next invocation of the same environment, within the age: its calls start without a read.
    await warm(await receive([{ campaignId: campaign.id, chunk: 1 }]));
    expect(reads).toHaveLength(1);
    expect(provider.sentMsgIds()).toHaveLength(20);
    // Cancelled behind the view's back; once the view is as old as the recheck age, no call starts.
    await store.campaigns.cancel(campaign.id);
    at += STATUS_RECHECK_MS;
    await warm(await receive([{ campaignId: campaign.id, chunk: 2 }]));
    expect(reads).toHaveLength(2);
    expect(provider.sentMsgIds()).toHaveLength(20);
    expect(await countsOf(campaign.id)).toMatchObject({ queued: 0, sent: 20, cancelled: 10 });
  });

  it('keeps provider calls within the configured concurrency', async () => {
    const { campaign } = await campaignWithChunks(40);
    provider.setFaults({ latencyMs: 50 });
    await handler(await receive([0, 1, 2, 3].map((chunk) => ({ campaignId: campaign.id, chunk }))));
    expect(provider.sentMsgIds()).toHaveLength(40);
    expect(provider.maxInFlight()).toBeLessThanOrEqual(4);
    expect(provider.maxInFlight()).toBeGreaterThan(1);
  });

  it('fails only the record whose body is not a chunk reference', async () => {
    const { campaign } = await campaignWithChunks(1);
    await sqs.send(new SendMessageCommand({ QueueUrl: queues.send.url, MessageBody: '{"nonsense":true}' }));
    const event = await receive([{ campaignId: campaign.id, chunk: 0 }]);
    const result = await handler(event);
    expect(result.batchItemFailures).toHaveLength(1);
    expect(provider.sentMsgIds()).toHaveLength(1);
  });

  it('logs each message with its campaign, message and client ids, and never a whole phone', async () => {
    const { campaign, chunks } = await campaignWithChunks(3);
    provider.setFaults({ errorRate: 1 });
    const lines: string[] = [];
    const capture = (chunk: string | Uint8Array) => {
      lines.push(String(chunk));
      return true;
    };
    const spies = [vi.spyOn(process.stdout, 'write').mockImplementation(capture), vi.spyOn(process.stderr, 'write').mockImplementation(capture)];
    logger.setLogLevel('INFO');
    try {
      await handler(await receive([{ campaignId: campaign.id, chunk: 0 }]));
    } finally {
      logger.setLogLevel('SILENT');
      for (const spy of spies) spy.mockRestore();
    }
    const entries = lines
      .flatMap((line) => line.split('\n'))
      .filter(Boolean)
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    const about = entries.filter((entry) => entry.messageId !== undefined);
    expect(about).toHaveLength(3);
    for (const entry of about)
      expect(entry).toMatchObject({ campaignId: campaign.id, messageId: expect.any(Number), clientId: expect.stringMatching(/^c\d$/) });
    const phones = chunks[0]?.messages.map((m) => m.phone) ?? [];
    expect(phones).toHaveLength(3);
    for (const phone of phones) expect(lines.join('')).not.toContain(phone);
  });

  it("puts each call's provider latency in the invocation's EMF document in whole milliseconds, its digits being bytes ingested", async () => {
    const { campaign } = await campaignWithChunks(3);
    const documents: ReturnType<typeof metrics.serializeMetrics>[] = [];
    // What each publish would print on AWS (metrics are off in the tests).
    const publish = vi.spyOn(metrics, 'publishStoredMetrics').mockImplementation(() => {
      documents.push(metrics.serializeMetrics());
      metrics.clearMetrics();
      return metrics;
    });
    try {
      await handler(await receive([{ campaignId: campaign.id, chunk: 0 }]));
    } finally {
      publish.mockRestore();
    }
    const latencies = documents.flatMap((document) => [document[metricNames.providerLatency] as number | number[]].flat());
    expect(latencies).toHaveLength(3);
    for (const ms of latencies) expect(Number.isInteger(ms), String(ms)).toBe(true);
  });
});
