/** The start timer against the SQS emulator: far starts hop with a delay, near ones are waited to the millisecond, never early. */
import { DeleteMessageBatchCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import type { SQSEvent } from 'aws-lambda';
import { beforeAll, describe, expect, it } from 'vitest';
import { SqsFanoutQueue, SqsStartTimerQueue } from '../../functions/adapters/sqs.js';
import { createStartTimerHandler } from '../../functions/delivery/start-timer.js';
import { DEFAULT_START_TIMING } from '../../functions/domain/start-timing.js';
import type { Clock, StartTimerEvent, StepTimerEvent } from '../../functions/ports.js';
import { toSqsEvent } from '../../local/poller.js';
import { createTestQueues, sqsClient, type TestQueues } from '../support/aws.js';

const sqs = sqsClient();
let queues: TestQueues;
beforeAll(async () => {
  queues = await createTestQueues();
});

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

/** The real start timer queue, with each put recorded. */
function recordingTimer() {
  const real = new SqsStartTimerQueue(sqs, queues.startTimer.url);
  const puts: { event: StartTimerEvent; delaySeconds: number }[] = [];
  const stepPuts: { event: StepTimerEvent; delaySeconds: number }[] = [];
  return {
    puts,
    stepPuts,
    put: async (event: StartTimerEvent, delaySeconds: number) => {
      puts.push({ event, delaySeconds });
      await real.put(event, delaySeconds);
    },
    putStep: async (event: StepTimerEvent, delaySeconds: number) => {
      stepPuts.push({ event, delaySeconds });
      await real.putStep(event, delaySeconds);
    },
  };
}

async function timerRecord(event: StartTimerEvent) {
  await new SqsStartTimerQueue(sqs, queues.startTimer.url).put(event, 0);
  const [record] = await drain(queues.startTimer.url, queues.startTimer.arn);
  if (!record) throw new Error('no start timer message');
  return record;
}

describe('start timer handler', () => {
  it('puts a start still 20 s away back on its queue, delayed to 2 s before its hand-off (3 s before it), and starts nothing yet', async () => {
    const startAt = new Date(Date.now() + 20_000).toISOString();
    const timer = recordingTimer();
    const handler = createStartTimerHandler({ clock: { now: () => new Date() }, startTimer: timer, fanoutQueue: new SqsFanoutQueue(sqs, queues.fanout.url) });
    const record = await timerRecord({ campaignId: '71', startAt });
    expect((await handler({ Records: [record] })).batchItemFailures).toEqual([]);
    expect(timer.puts).toHaveLength(1);
    expect(timer.puts[0]?.event).toEqual({ campaignId: '71', startAt });
    expect(timer.puts[0]?.delaySeconds).toBeGreaterThanOrEqual(13);
    expect(timer.puts[0]?.delaySeconds).toBeLessThanOrEqual(15);
    // Delayed: not receivable now; and no start reached the fan-out queue.
    expect(await drain(queues.startTimer.url, queues.startTimer.arn)).toHaveLength(0);
    expect(await drain(queues.fanout.url, queues.fanout.arn)).toHaveLength(0);
  });

  it('waits a near hand-off in the handler and puts the start on the fan-out queue within a few ms after it, never before', async () => {
    const handoffMs = Date.now() + 1_500;
    const startAtMs = handoffMs + DEFAULT_START_TIMING.prestartMs;
    const timer = recordingTimer();
    const record = await timerRecord({ campaignId: '72', startAt: new Date(startAtMs).toISOString() });
    let sentAt = 0;
    const fanoutQueue = new SqsFanoutQueue(sqs, queues.fanout.url);
    const handler = createStartTimerHandler({
      clock: { now: () => new Date() },
      startTimer: timer,
      fanoutQueue: {
        start: async (campaignId, key) => {
          sentAt = Date.now();
          await fanoutQueue.start(campaignId, key);
        },
        page: (campaignId, page) => fanoutQueue.page(campaignId, page),
        resume: (campaignId, resumedAt, walk) => fanoutQueue.resume(campaignId, resumedAt, walk),
        occurrence: (campaignId, firedAt) => fanoutQueue.occurrence(campaignId, firedAt),
      },
    });
    expect((await handler({ Records: [record] })).batchItemFailures).toEqual([]);
    expect(sentAt).toBeGreaterThanOrEqual(handoffMs);
    expect(sentAt - handoffMs).toBeLessThan(300);
    expect(timer.puts).toHaveLength(0);
    const starts = await drain(queues.fanout.url, queues.fanout.arn);
    expect(starts.map((start) => JSON.parse(start.body))).toEqual([{ type: 'start', campaignId: '72' }]);
  });

  it('never starts early when a sleep wakes too soon: it checks the clock again (control: the clock is what it checks)', async () => {
    const startAtMs = Date.parse('2030-01-01T00:00:10.000Z');
    const handoffMs = startAtMs - DEFAULT_START_TIMING.prestartMs;
    let nowMs = handoffMs - 3_000;
    const clock: Clock = { now: () => new Date(nowMs) };
    const sleeps: number[] = [];
    let startedAt: number | undefined;
    const handler = createStartTimerHandler({
      clock,
      startTimer: recordingTimer(),
      fanoutQueue: {
        start: async () => void (startedAt = nowMs),
        page: async () => undefined,
        resume: async () => undefined,
        occurrence: async () => undefined,
      },
      // Each sleep wakes after only half of what was asked.
      sleep: async (ms) => {
        sleeps.push(ms);
        nowMs += Math.ceil(ms / 2);
      },
    });
    const record = await timerRecord({ campaignId: '73', startAt: new Date(startAtMs).toISOString() });
    expect((await handler({ Records: [record] })).batchItemFailures).toEqual([]);
    expect(startedAt).toBeGreaterThanOrEqual(handoffMs);
    expect(sleeps.length).toBeGreaterThan(2);
    expect(sleeps[0]).toBe(3_000);
  });

  it("hops an event's step while it is far and releases it at its dueAt, never before", async () => {
    const dueMs = Date.parse('2030-01-01T00:00:30.000Z');
    let nowMs = dueMs - 20_000;
    const released: [string, number, number][] = [];
    const timer = recordingTimer();
    const handler = createStartTimerHandler({
      clock: { now: () => new Date(nowMs) },
      startTimer: timer,
      fanoutQueue: new SqsFanoutQueue(sqs, queues.fanout.url),
      releaseStep: async (eventId, step) => void released.push([eventId, step, nowMs]),
      sleep: async (ms) => void (nowMs += ms),
    });
    const step = { eventId: 'aB3dE5fG7hJ9kL1m', step: 1, dueAt: new Date(dueMs).toISOString() };
    const record = { ...(await timerRecord({ campaignId: '75', startAt: new Date(0).toISOString() })), body: JSON.stringify(step) };
    expect((await handler({ Records: [record] })).batchItemFailures).toEqual([]);
    expect(timer.stepPuts).toEqual([{ event: step, delaySeconds: 18 }]);
    expect(released).toEqual([]);
    nowMs = dueMs - 1_500;
    expect((await handler({ Records: [record] })).batchItemFailures).toEqual([]);
    expect(released).toEqual([['aB3dE5fG7hJ9kL1m', 1, dueMs]]);
    expect(await drain(queues.startTimer.url, queues.startTimer.arn)).toHaveLength(0);
  });

  it('fails a malformed timer message on its own', async () => {
    const handler = createStartTimerHandler({
      clock: { now: () => new Date() },
      startTimer: recordingTimer(),
      fanoutQueue: new SqsFanoutQueue(sqs, queues.fanout.url),
    });
    const good = await timerRecord({ campaignId: '74', startAt: new Date(Date.now() - 1000).toISOString() });
    const bad = { ...good, messageId: 'bad', body: '{"campaignId":"x"}' };
    expect((await handler({ Records: [good, bad] })).batchItemFailures).toEqual([{ itemIdentifier: 'bad' }]);
    expect((await drain(queues.fanout.url, queues.fanout.arn)).map((start) => JSON.parse(start.body).campaignId)).toEqual(['74']);
  });
});
