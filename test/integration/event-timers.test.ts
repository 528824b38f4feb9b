/**
 * Where an event's later steps wait: on DynamoDB Local and the SQS emulator, with EventBridge
 * Scheduler (AWS only) mocked and its requests asserted exactly. A step 30 s off goes on the start
 * timer queue with an SQS delay; a step 20 minutes off, past what one SQS delay covers, gets a
 * one-time schedule that puts it on the start timer queue two minutes early. No table is polled.
 */
import { ConflictException, CreateScheduleCommand, SchedulerClient } from '@aws-sdk/client-scheduler';
import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DynamoEventStore } from '../../functions/adapters/dynamo/event-store.js';
import { DynamoEventTypeStore } from '../../functions/adapters/dynamo/event-type-store.js';
import { DynamoNoticeStore } from '../../functions/adapters/dynamo/notice-store.js';
import { DynamoSuppressionList } from '../../functions/adapters/dynamo/suppression-list.js';
import { EventBridgeStepSchedule, StepTimerRouter } from '../../functions/adapters/scheduler.js';
import { SqsSendQueue, SqsStartTimerQueue } from '../../functions/adapters/sqs.js';
import { stores } from '../../functions/handlers/wiring.js';
import type { StepTimerEvent } from '../../functions/ports.js';
import { fireEvent, type EventDependencies } from '../../functions/services/events.js';
import { createTestQueues, createTestTables, documentClient, sqsClient, type TestQueues, type TestTables } from '../support/aws.js';

const scheduler = mockClient(SchedulerClient);
const sqs = sqsClient();
const settings = {
  group: 'herald',
  targetArn: 'arn:aws:sqs:eu-west-1:123456789012:herald-start-timer',
  roleArn: 'arn:aws:iam::123456789012:role/herald-scheduler',
  deadLetterArn: 'arn:aws:sqs:eu-west-1:123456789012:herald-schedule-dlq',
};
const nowMs = Date.parse('2030-05-01T09:00:00.250Z');
let tables: TestTables;
let queues: TestQueues;
let deps: EventDependencies;
const puts: { event: StepTimerEvent; delaySeconds: number }[] = [];

beforeAll(async () => {
  [tables, queues] = await Promise.all([createTestTables(), createTestQueues()]);
  const clock = { now: () => new Date(nowMs) };
  const db = documentClient();
  const notices = new DynamoNoticeStore(db, { messages: tables.names.messages, uniques: tables.names.uniques });
  const timerQueue = new SqsStartTimerQueue(sqs, queues.startTimer.url);
  deps = {
    ...stores(tables.env as never, clock, db),
    clock,
    eventTypes: new DynamoEventTypeStore(db, tables.names.eventTypes),
    events: new DynamoEventStore(db, { events: tables.names.events, messages: tables.names.messages }, () => notices.nextId()),
    sendQueue: new SqsSendQueue(sqs, queues.send.url),
    suppression: new DynamoSuppressionList(db, tables.names.uniques),
    stepTimer: new StepTimerRouter(new EventBridgeStepSchedule(new SchedulerClient({ region: 'eu-west-1' }), settings), {
      startTimer: {
        putStep: async (event, delaySeconds) => {
          puts.push({ event, delaySeconds });
          await timerQueue.putStep(event, delaySeconds);
        },
      },
      clock,
    }),
  };
  const at = new Date(nowMs).toISOString();
  await deps.eventTypes.put({
    key: 'reminder',
    steps: [
      { channel: 'sms', text: 'In half a minute', delaySeconds: 30 },
      { channel: 'sms', text: 'In twenty minutes', delaySeconds: 1200 },
    ],
    createdAt: at,
    updatedAt: at,
  });
});

beforeEach(() => {
  scheduler.reset();
  puts.length = 0;
});

async function delayedOnStartTimer(): Promise<Record<string, string>> {
  const { Attributes = {} } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: queues.startTimer.url, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesDelayed'] }),
  );
  return Attributes;
}

describe('event step timers', () => {
  it('puts a step 30 s off on the start timer queue with an SQS delay, and gives a step 20 minutes off a one-time Scheduler schedule', async () => {
    scheduler.on(CreateScheduleCommand).resolves({ ScheduleArn: 'arn' });
    const client = await deps.clients.create({ phone: '79123000001', timezone: 'UTC' });
    const event = await fireEvent(deps, { type: 'reminder', clientId: client.id });
    expect(event.steps.map((step) => step.status)).toEqual(['scheduled', 'scheduled']);

    // 30 s: the delay ends 2 s before the step is due, and the start timer waits the rest to the millisecond.
    expect(puts).toEqual([{ event: { eventId: event.id, step: 0, dueAt: '2030-05-01T09:00:30.250Z' }, delaySeconds: 28 }]);
    expect(await delayedOnStartTimer()).toEqual({ ApproximateNumberOfMessages: '0', ApproximateNumberOfMessagesDelayed: '1' });

    // 20 minutes: Scheduler, two minutes early (it fires up to a minute late); at() in UTC without the fraction.
    expect(scheduler.commandCalls(CreateScheduleCommand).map((call) => call.args[0].input)).toEqual([
      {
        Name: `event-${event.id}-1`,
        GroupName: 'herald',
        ScheduleExpression: 'at(2030-05-01T09:18:00)',
        ScheduleExpressionTimezone: 'UTC',
        FlexibleTimeWindow: { Mode: 'OFF' },
        ActionAfterCompletion: 'DELETE',
        Target: {
          Arn: settings.targetArn,
          RoleArn: settings.roleArn,
          Input: JSON.stringify({ eventId: event.id, step: 1, dueAt: '2030-05-01T09:20:00.250Z' }),
          RetryPolicy: { MaximumEventAgeInSeconds: 3600, MaximumRetryAttempts: 20 },
          DeadLetterConfig: { Arn: settings.deadLetterArn },
        },
      },
    ]);
    // Nothing was sent yet: no notice, no chunk on the send queue.
    expect((await deps.events.get(event.id))?.steps.map((step) => step.messageId)).toEqual([undefined, undefined]);
  });

  it("takes a schedule that already exists (a retried request's) as made", async () => {
    scheduler.on(CreateScheduleCommand).rejects(new ConflictException({ message: 'exists', Message: 'exists', $metadata: {} }));
    const client = await deps.clients.create({ phone: '79123000002', timezone: 'UTC' });
    await expect(fireEvent(deps, { type: 'reminder', clientId: client.id })).resolves.toMatchObject({ type: 'reminder' });
    expect(scheduler.commandCalls(CreateScheduleCommand)).toHaveLength(1);
  });
});
