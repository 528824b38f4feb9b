/**
 * What a POST /events that dies half-way leaves, on DynamoDB Local and the SQS emulator: every
 * step's timer is set before the event is written (a step due at once gets its check-back), so
 * wherever the request dies each step is still released exactly once, by its timer; a retry with
 * the same Idempotency-Key finds the same event and fires nothing twice. "Dies" is a store or queue
 * that throws at that point, as a killed Lambda stops there.
 */
import { ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DynamoEventStore } from '../../functions/adapters/dynamo/event-store.js';
import { DynamoEventTypeStore } from '../../functions/adapters/dynamo/event-type-store.js';
import { DynamoNoticeStore } from '../../functions/adapters/dynamo/notice-store.js';
import { DynamoSuppressionList } from '../../functions/adapters/dynamo/suppression-list.js';
import { SqsSendQueue } from '../../functions/adapters/sqs.js';
import { ConflictError } from '../../functions/domain/errors.js';
import { CHECK_BACK_SECONDS } from '../../functions/domain/notices.js';
import { stores } from '../../functions/handlers/wiring.js';
import type { StepTimerEvent } from '../../functions/ports.js';
import { fireEvent, releaseStep, type EventDependencies } from '../../functions/services/events.js';
import { createTestQueues, createTestTables, documentClient, sqsClient, type TestQueues } from '../support/aws.js';

const sqs = sqsClient();
const nowMs = Date.parse('2030-05-01T09:00:00.000Z');
let queues: TestQueues;
let deps: EventDependencies;
let events: DynamoEventStore;
/** The timers the request set, as the start timer would get them. */
const timers: StepTimerEvent[] = [];
/** Where the request dies: the step's notice written, or the event, never reaching the next write. */
let dieAt: 'enqueue' | 'create' | undefined;
let phoneSeq = 0;

beforeAll(async () => {
  const [tables, created] = await Promise.all([createTestTables(), createTestQueues()]);
  queues = created;
  const clock = { now: () => new Date(nowMs) };
  const db = documentClient();
  const notices = new DynamoNoticeStore(db, { messages: tables.names.messages, uniques: tables.names.uniques });
  events = new DynamoEventStore(db, { events: tables.names.events, messages: tables.names.messages }, () => notices.nextId());
  const sendQueue = new SqsSendQueue(sqs, queues.send.url);
  deps = {
    ...stores(tables.env as never, clock, db),
    clock,
    eventTypes: new DynamoEventTypeStore(db, tables.names.eventTypes),
    events: {
      ...events,
      newId: (key) => events.newId(key),
      get: (id) => events.get(id),
      queueStep: (...args) => events.queueStep(...args),
      closeStep: (...args) => events.closeStep(...args),
      settleStep: (...args) => events.settleStep(...args),
      waitingSteps: (request) => events.waitingSteps(request),
      create: async (event) => {
        if (dieAt === 'create') throw new Error('killed before the event was written');
        return events.create(event);
      },
    },
    sendQueue: {
      enqueue: async (chunks) => {
        if (dieAt === 'enqueue') throw new Error("killed after the step's notice was written, before it was queued");
        await sendQueue.enqueue(chunks);
      },
    },
    suppression: new DynamoSuppressionList(db, tables.names.uniques),
    stepTimer: { schedule: async (timer) => void timers.push(timer) },
  };
  const at = new Date(nowMs).toISOString();
  await deps.eventTypes.put({ key: 'receipt', steps: [{ channel: 'sms', text: 'Receipt {{ order }}', delaySeconds: 0 }], createdAt: at, updatedAt: at });
});

beforeEach(() => {
  timers.length = 0;
  dieAt = undefined;
});

/** The notices on the send queue now (each received once and left to come back later). */
async function queuedNotices(): Promise<string[]> {
  const found: string[] = [];
  for (;;) {
    const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queues.send.url, MaxNumberOfMessages: 10, VisibilityTimeout: 600 }));
    if (Messages.length === 0) return found;
    found.push(...Messages.map((message) => (JSON.parse(message.Body as string) as { campaignId: string }).campaignId));
  }
}

const newClient = () => deps.clients.create({ phone: `7912400${String(phoneSeq++).padStart(4, '0')}`, timezone: 'UTC' });
/** What the start timer does with each timer the request set, when it comes due. */
const fireTimers = async () => {
  for (const timer of timers) await releaseStep(deps, timer.eventId, timer.step);
};

describe('a POST /events that dies half-way', () => {
  it("sets a step's check-back before writing the event: it finds the step released and queues its notice once more at most", async () => {
    const client = await newClient();
    const event = await fireEvent(deps, { type: 'receipt', clientId: client.id, variables: { order: 'R-1' } });
    expect(timers).toEqual([{ eventId: event.id, step: 0, dueAt: new Date(nowMs + CHECK_BACK_SECONDS * 1000).toISOString() }]);
    const messageId = event.steps[0]?.messageId;
    expect(await queuedNotices()).toEqual([`notice#${messageId}`]);
    await fireTimers();
    // The step is still queued (nothing sent it here): the check-back puts the same notice back, never a second one.
    expect(await queuedNotices()).toEqual([`notice#${messageId}`]);
    expect((await events.get(event.id))?.steps.map((step) => [step.status, step.messageId])).toEqual([['queued', messageId]]);
  });

  it("dying after the step's notice was written, before it was queued: the check-back queues it", async () => {
    const client = await newClient();
    dieAt = 'enqueue';
    await expect(fireEvent(deps, { type: 'receipt', clientId: client.id, variables: { order: 'R-2' } })).rejects.toThrow(/killed/);
    expect(await queuedNotices()).toEqual([]);
    const [timer] = timers;
    const stored = await events.get(timer!.eventId);
    expect(stored?.steps.map((step) => step.status)).toEqual(['queued']);
    dieAt = undefined;
    await fireTimers();
    expect(await queuedNotices()).toEqual([`notice#${stored?.steps[0]?.messageId}`]);
  });

  it('dying before the event was written: its timers find no event and release nothing', async () => {
    const client = await newClient();
    dieAt = 'create';
    await expect(fireEvent(deps, { type: 'receipt', clientId: client.id, variables: { order: 'R-3' } })).rejects.toThrow(/killed/);
    expect(timers).toHaveLength(1);
    dieAt = undefined;
    await fireTimers();
    expect(await events.get(timers[0]!.eventId)).toBeUndefined();
    expect(await queuedNotices()).toEqual([]);
  });

  it('a retry with the same Idempotency-Key goes on with the event the dead request wrote, firing nothing twice; another firing under it is a conflict', async () => {
    const client = await newClient();
    const key = JSON.stringify(['arn:aws:iam::1:user/ops', 'POST', '/events', 'order-R-4']);
    dieAt = 'enqueue';
    await expect(fireEvent(deps, { type: 'receipt', clientId: client.id, variables: { order: 'R-4' }, key })).rejects.toThrow(/killed/);
    dieAt = undefined;
    const retried = await fireEvent(deps, { type: 'receipt', clientId: client.id, variables: { order: 'R-4' }, key });
    expect(retried.id).toBe(timers[0]?.eventId);
    const messageId = retried.steps[0]?.messageId;
    expect(retried.steps.map((step) => step.status)).toEqual(['queued']);
    expect(await queuedNotices()).toEqual([`notice#${messageId}`]);

    const timersBefore = timers.length;
    const other = fireEvent(deps, { type: 'receipt', clientId: client.id, variables: { order: 'R-5' }, key });
    await expect(other).rejects.toBeInstanceOf(ConflictError);
    await expect(other).rejects.toMatchObject({ fields: [{ field: 'Idempotency-Key' }] });
    // Refused before any timer: none comes for the event the key names, whose steps are another firing's.
    expect(timers).toHaveLength(timersBefore);
    // Negative control: without the key the same request is another event, with its own notice.
    const unkeyed = await fireEvent(deps, { type: 'receipt', clientId: client.id, variables: { order: 'R-4' } });
    expect(unkeyed.id).not.toBe(retried.id);
    expect(unkeyed.steps[0]?.messageId).not.toBe(messageId);
    await queuedNotices();
  });
});
