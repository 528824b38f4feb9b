import { DeleteMessageCommand, ReceiveMessageCommand, type Message, type SQSClient } from '@aws-sdk/client-sqs';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { SQSRecord } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoCampaignStore } from '../../functions/adapters/dynamo/campaign-store.js';
import { DynamoEventStore } from '../../functions/adapters/dynamo/event-store.js';
import { DynamoEventTypeStore } from '../../functions/adapters/dynamo/event-type-store.js';
import { DynamoMessageStore } from '../../functions/adapters/dynamo/message-store.js';
import { DynamoNoticeStore } from '../../functions/adapters/dynamo/notice-store.js';
import { DynamoSuppressionList } from '../../functions/adapters/dynamo/suppression-list.js';
import { stepScheduleName, StepTimerRouter } from '../../functions/adapters/scheduler.js';
import { SqsFanoutQueue, SqsSendQueue, SqsStartTimerQueue } from '../../functions/adapters/sqs.js';
import { createStartTimerHandler } from '../../functions/delivery/start-timer.js';
import { newCampaignRecord } from '../../functions/domain/campaigns.js';
import { newEvent, type EventStepRef } from '../../functions/domain/events.js';
import { chunksOfPage, type AudienceMember, type MessageStatus } from '../../functions/domain/messages.js';
import { isNoticeKey, NOTICE_CHUNK, noticeChunk } from '../../functions/domain/notices.js';
import { stores } from '../../functions/handlers/wiring.js';
import type { Clock, StepTimerEvent } from '../../functions/ports.js';
import { fireEvent, releaseStep, type StepDependencies } from '../../functions/services/events.js';
import { toSqsEvent } from '../../local/poller.js';
import { recoverDelivery } from '../../local/recover.js';
import { LocalScheduler, schedulesTable } from '../../local/scheduler.js';
import {
  createTestQueues,
  createTestTables,
  createTestTablesOf,
  documentClient,
  sqsClient,
  storeOutcome,
  type TestQueues,
  type TestTables,
} from '../support/aws.js';

const HOUR = 3_600_000;
const clock: Clock = { now: () => new Date() };

function audience(count: number, from = 0): AudienceMember[] {
  return Array.from({ length: count }, (_, i) => ({ id: `client-${from + i}`, phone: String(79_000_000_000 + from + i) }));
}

/** Every message on a queue, deleting as it goes (a FIFO group shows one message at a time). */
async function drainMessages(sqs: SQSClient, queueUrl: string): Promise<Message[]> {
  const messages: Message[] = [];
  for (;;) {
    const { Messages } = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0, MessageSystemAttributeNames: ['All'] }),
    );
    if (!Messages?.length) return messages;
    messages.push(...Messages);
    for (const message of Messages) await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: message.ReceiptHandle }));
  }
}

/** Every message body on a queue. */
const drain = async (sqs: SQSClient, queueUrl: string): Promise<unknown[]> =>
  (await drainMessages(sqs, queueUrl)).map((message) => JSON.parse(message.Body ?? 'null') as unknown);

/** Every message on a queue as the poller hands it to a handler. */
const drainRecords = async (sqs: SQSClient, queue: { url: string; arn: string }): Promise<SQSRecord[]> =>
  toSqsEvent(await drainMessages(sqs, queue.url), queue.arn).Records;

describe('recoverDelivery after a restart emptied the queues', () => {
  let db: DynamoDBDocumentClient;
  let sqs: SQSClient;
  let tables: TestTables;
  let queues: TestQueues;
  let campaigns: DynamoCampaignStore;
  let messages: DynamoMessageStore;

  beforeAll(async () => {
    db = documentClient();
    sqs = sqsClient();
    [tables, queues] = await Promise.all([createTestTables(), createTestQueues()]);
    campaigns = new DynamoCampaignStore(db, { campaigns: tables.names.campaigns, uniques: tables.names.uniques });
    messages = new DynamoMessageStore(db, tables.names.messages);
  });
  afterAll(() => {
    db.destroy();
    sqs.destroy();
  });

  async function campaign(startOffsetMs: number, endOffsetMs: number, createdOffsetMs = 0): Promise<string> {
    const now = Date.now();
    const created = await campaigns.create((id) =>
      newCampaignRecord(
        { text: 'hello', startAt: new Date(now + startOffsetMs).toISOString(), endAt: new Date(now + endOffsetMs).toISOString() },
        id,
        new Date(now + createdOffsetMs),
      ),
    );
    return created.id;
  }

  /** Writes a page's chunks; `settle` gives some chunks' messages a final status. */
  async function writePage(campaignId: string, page: number, size: number, settle: Record<number, MessageStatus[]> = {}): Promise<void> {
    const chunks = chunksOfPage(campaignId, page, audience(size, page * 100), new Date());
    await messages.writePage(campaignId, page, chunks, null);
    for (const [chunk, statuses] of Object.entries(settle)) {
      const stored = chunks.find((candidate) => candidate.chunk === Number(chunk));
      if (!stored) throw new Error(`no chunk ${chunk}`);
      await storeOutcome(
        messages,
        campaignId,
        stored.chunk,
        stored.messages.map((message, i) => ({ ...message, status: statuses[i] ?? message.status })),
      );
    }
  }

  it('resumes each fan-out where it stands and re-enqueues exactly the chunks with queued messages', async () => {
    // Started (running) but its fan-out never began.
    const notStarted = await campaign(-60_000, HOUR);
    // Fan-out halfway: pages 0 and 1 written, page 2 next; chunk 0 fully sent.
    const halfway = await campaign(-60_000, HOUR);
    await campaigns.start(halfway);
    await writePage(halfway, 0, 20, { 0: Array(10).fill('sent') });
    await campaigns.advanceFanout(halfway, 0, { page: 1, cursor: 'c1', done: false }, 20);
    await writePage(halfway, 1, 10);
    await campaigns.advanceFanout(halfway, 1, { page: 2, cursor: 'c2', done: false }, 10);
    // Page 2's write cut off by the restart: a chunk of it stored, not its mark (chunk 20); the replay writes it again.
    await messages.writePage(halfway, 2, chunksOfPage(halfway, 2, audience(20, 200), new Date()).slice(1), null);
    // Fan-out done; chunk 0 all final, chunk 1 partly sent.
    const fannedOut = await campaign(-60_000, HOUR);
    await campaigns.start(fannedOut);
    await writePage(fannedOut, 0, 15, { 0: Array(10).fill('failed'), 1: ['sent', 'sent'] });
    await campaigns.advanceFanout(fannedOut, 0, { page: 1, done: true }, 15);
    // Ended while down, mid fan-out: no more fan-out, but its open chunks go back so they end expired.
    const ended = await campaign(-2 * HOUR, -HOUR, -2 * HOUR);
    await campaigns.start(ended);
    await writePage(ended, 0, 5);
    await campaigns.advanceFanout(ended, 0, { page: 1, cursor: 'c', done: false }, 5);
    // Cancelled with queued messages left: they go back so they end cancelled.
    const cancelledWithQueued = await campaign(-60_000, HOUR);
    await campaigns.start(cancelledWithQueued);
    await writePage(cancelledWithQueued, 0, 3);
    await campaigns.advanceFanout(cancelledWithQueued, 0, { page: 1, done: true }, 3);
    await campaigns.cancel(cancelledWithQueued);
    // Nothing to do for these.
    const cancelledEmpty = await campaign(-60_000, HOUR);
    await campaigns.cancel(cancelledEmpty);
    const scheduled = await campaign(HOUR, 2 * HOUR);
    // Its schedule fired before the restart (a minute ahead, within the two-minute lead): the start timer's message was lost.
    const timed = await campaign(60_000, HOUR);

    const result = await recoverDelivery({
      campaigns,
      messages,
      fanoutQueue: new SqsFanoutQueue(sqs, queues.fanout.url),
      sendQueue: new SqsSendQueue(sqs, queues.send.url),
      clock,
      startTimer: new SqsStartTimerQueue(sqs, queues.startTimer.url),
      startLeadMs: 120_000,
    });

    // Only the one within the lead; the hour-ahead one still has its schedule.
    const timers = (await drain(sqs, queues.startTimer.url)) as { campaignId: string }[];
    expect(timers.map((timer) => timer.campaignId).filter((id) => [timed, scheduled].includes(id))).toEqual([timed]);
    expect(result.timedStarts).toBeGreaterThanOrEqual(1);

    const fanoutEvents = await drain(sqs, queues.fanout.url);
    expect(fanoutEvents).toHaveLength(3);
    expect(fanoutEvents).toEqual(
      expect.arrayContaining([
        { type: 'start', campaignId: notStarted },
        { type: 'page', campaignId: halfway, page: 2 },
        // Its next page only closes the fan-out, with what a cut-off write left of it.
        { type: 'page', campaignId: ended, page: 1 },
      ]),
    );
    const chunkRefs = (await drain(sqs, queues.send.url)) as { campaignId: string; chunk: number }[];
    const key = (ref: { campaignId: string; chunk: number }) => `${ref.campaignId}/${ref.chunk}`;
    expect(chunkRefs.map(key).sort()).toEqual(
      [
        { campaignId: halfway, chunk: 1 },
        { campaignId: halfway, chunk: 10 },
        { campaignId: fannedOut, chunk: 1 },
        { campaignId: ended, chunk: 0 },
        { campaignId: cancelledWithQueued, chunk: 0 },
      ]
        .map(key)
        .sort(),
    );
    // Not chunk 21: its page is queued by its replay, after writing it again.
    expect(await messages.chunksOfPage(halfway, 2)).toHaveLength(1);
    expect(result).toMatchObject({ fanoutStarts: 1, fanoutPages: 2, chunks: 5 });
    expect([...result.campaigns].sort()).toEqual([notStarted, halfway, fannedOut, ended, cancelledWithQueued].sort());
    expect(result.campaigns).not.toContain(scheduled);
    expect(result.campaigns).not.toContain(cancelledEmpty);
  });

  it('puts back the notices still queued, and only those', async () => {
    const notices = new DynamoNoticeStore(db, { messages: tables.names.messages, uniques: tables.names.uniques });
    const client = { id: 'client-n', phone: '79000000777' };
    const [queued, sent, failed] = await Promise.all(
      ['queued', 'sent', 'failed'].map((text) => notices.create((id) => noticeChunk(id, client, text, new Date()))),
    );
    for (const [chunk, status] of [
      [sent, 'sent'],
      [failed, 'failed'],
    ] as const) {
      await storeOutcome(messages, chunk!.campaignId, chunk!.chunk, [{ ...chunk!.messages[0]!, status }]);
    }
    const recover = (withNotices: boolean) =>
      recoverDelivery({
        campaigns,
        messages,
        fanoutQueue: new SqsFanoutQueue(sqs, queues.fanout.url),
        sendQueue: new SqsSendQueue(sqs, queues.send.url),
        clock,
        ...(withNotices ? { notices } : {}),
      });
    const noticeRefs = async () =>
      ((await drain(sqs, queues.send.url)) as { campaignId: string; chunk: number }[]).filter((ref) => isNoticeKey(ref.campaignId));

    // The negative control: without the notice store nothing brings a notice back.
    await recover(false);
    expect(await noticeRefs()).toEqual([]);
    await drain(sqs, queues.fanout.url);

    const result = await recover(true);
    expect(await noticeRefs()).toEqual([{ campaignId: queued!.campaignId, chunk: NOTICE_CHUNK }]);
    expect(result.notices).toBe(1);
  });

  it('puts each event step still waiting back on the start timer, which releases it once when due; not a step released, nor one whose schedule is held', async () => {
    const clients = stores(tables.env as never, clock, db).clients;
    const notices = new DynamoNoticeStore(db, { messages: tables.names.messages, uniques: tables.names.uniques });
    const events = new DynamoEventStore(db, { events: tables.names.events, messages: tables.names.messages }, () => notices.nextId());
    const eventTypes = new DynamoEventTypeStore(db, tables.names.eventTypes);
    const scheduler = new LocalScheduler(db, (await createTestTablesOf([schedulesTable])).schedules as string, clock);
    // The timers go on `before`'s start timer queue, which the restart loses; the runtime comes back with `after`'s.
    const [before, after] = await Promise.all([createTestQueues(), createTestQueues()]);
    const stepDeps = (on: TestQueues, now: Clock): StepDependencies => ({
      clock: now,
      clients,
      events,
      sendQueue: new SqsSendQueue(sqs, on.send.url),
      suppression: new DynamoSuppressionList(db, tables.names.uniques),
    });
    const at = new Date().toISOString();
    const soon = { key: 'recover.soon', steps: [{ channel: 'sms' as const, text: 'In half a minute', delaySeconds: 30 }], createdAt: at, updatedAt: at };
    await eventTypes.put({ ...soon, key: 'recover.now-then-soon', steps: [{ channel: 'sms', text: 'Now', delaySeconds: 0 }, ...soon.steps] });
    await eventTypes.put({ ...soon, key: 'recover.later', steps: [{ channel: 'sms', text: 'In twenty minutes', delaySeconds: 1200 }] });
    let phones = 0;
    const newClient = () => clients.create({ phone: `7915000${String(phones++).padStart(4, '0')}`, timezone: 'UTC' });
    const fire = async (type: string) => {
      const client = await newClient();
      // As the local runtime routes a step: an SQS delay on the start timer, the local scheduler past 15 minutes.
      const stepTimer = new StepTimerRouter(
        { scheduleStep: (step, fireAt) => scheduler.scheduleAt(stepScheduleName(step), fireAt, new Date(step.dueAt)) },
        { startTimer: new SqsStartTimerQueue(sqs, before.startTimer.url), clock },
      );
      return fireEvent({ ...stepDeps(before, clock), clients, eventTypes, stepTimer }, { type, clientId: client.id });
    };

    // Step 0 was released by the request (one notice already); step 1's 30 s delay was on the lost queue.
    const waiting = await fire('recover.now-then-soon');
    const released = waiting.steps[0];
    expect(released).toMatchObject({ status: 'queued', messageId: expect.any(Number) });
    // Fired a minute before the restart, the runtime down since: due 30 s ago.
    const overdueClient = await newClient();
    const overdue = (await events.create(newEvent(events.newId(), soon, overdueClient, undefined, new Date(Date.now() - 60_000)))).event;
    // 20 minutes off: the local scheduler's table holds its schedule, which survives the restart and fires on its own.
    const held = await fire('recover.later');
    expect(await scheduler.isScheduled(stepScheduleName({ eventId: held.id, step: 0 }))).toBe(true);

    const ours = new Set([waiting.id, overdue.id, held.id]);
    const recover = (options: { events?: boolean; schedules?: boolean }) =>
      recoverDelivery({
        campaigns,
        messages,
        fanoutQueue: new SqsFanoutQueue(sqs, after.fanout.url),
        sendQueue: new SqsSendQueue(sqs, after.send.url),
        clock,
        startTimer: new SqsStartTimerQueue(sqs, after.startTimer.url),
        ...(options.events ? { events } : {}),
        ...(options.schedules ? { stepScheduled: (step: EventStepRef) => scheduler.isScheduled(stepScheduleName(step)) } : {}),
      });
    const stepTimers = async () =>
      (await drainRecords(sqs, after.startTimer)).filter((record) => ours.has((JSON.parse(record.body) as StepTimerEvent).eventId));
    const byEvent = (a: StepTimerEvent, b: StepTimerEvent) => (a.eventId < b.eventId ? -1 : 1);
    const timerEvents = (records: SQSRecord[]) => records.map((record) => JSON.parse(record.body) as StepTimerEvent).sort(byEvent);
    const dueAt = async (eventId: string, step: number) => (await events.get(eventId))?.steps[step]?.dueAt as string;

    // The negative control: without the event store nothing brings a step's timer back, and it waits for ever.
    await recover({});
    expect(await stepTimers()).toEqual([]);
    expect((await events.get(waiting.id))?.steps[1]?.status).toBe('scheduled');
    // Without the scheduler's table to ask, the held step goes back too (a second timer, which would hop beside its schedule).
    const unasked = await recover({ events: true });
    expect(timerEvents(await stepTimers()).map((timer) => timer.eventId)).toEqual([waiting.id, overdue.id, held.id].sort());
    expect(unasked.steps).toBe(3);

    const result = await recover({ events: true, schedules: true });
    const records = await stepTimers();
    // Receivable at once (no delay): the start timer hops or waits to each dueAt itself.
    expect(timerEvents(records)).toEqual(
      [
        { eventId: waiting.id, step: 1, dueAt: await dueAt(waiting.id, 1) },
        { eventId: overdue.id, step: 0, dueAt: await dueAt(overdue.id, 0) },
      ].sort(byEvent),
    );
    expect(result.steps).toBe(2);

    // The start timer as the runtime's poller runs it: the overdue step is released at once, the other when its moment comes.
    const timer = (now: Clock) =>
      createStartTimerHandler({
        clock: now,
        startTimer: new SqsStartTimerQueue(sqs, after.startTimer.url),
        fanoutQueue: new SqsFanoutQueue(sqs, after.fanout.url),
        releaseStep: (eventId, step) => releaseStep(stepDeps(after, now), eventId, step),
      });
    const recordOf = (eventId: string) => records.find((record) => (JSON.parse(record.body) as StepTimerEvent).eventId === eventId) as SQSRecord;
    expect((await timer(clock)({ Records: [recordOf(overdue.id)] })).batchItemFailures).toEqual([]);
    const aMinuteOn: Clock = { now: () => new Date(Date.now() + 60_000) };
    expect((await timer(aMinuteOn)({ Records: [recordOf(waiting.id)] })).batchItemFailures).toEqual([]);

    const stepsNow = [...(await events.get(waiting.id))!.steps, (await events.get(overdue.id))!.steps[0], (await events.get(held.id))!.steps[0]];
    expect(stepsNow.map((step) => step?.status)).toEqual(['queued', 'queued', 'queued', 'scheduled']);
    expect(stepsNow[0]?.messageId).toBe(released?.messageId);
    // One notice each on the send queue; none for the step released before the restart.
    const sent = ((await drain(sqs, after.send.url)) as { campaignId: string }[]).map((ref) => ref.campaignId).filter(isNoticeKey);
    expect(sent.sort()).toEqual([`notice#${stepsNow[1]?.messageId}`, `notice#${stepsNow[2]?.messageId}`].sort());

    // Released now, they are not put back by the next restart; the held one is still its schedule's.
    const again = await recover({ events: true, schedules: true });
    expect(await stepTimers()).toEqual([]);
    expect(again.steps).toBe(0);
  });
});
