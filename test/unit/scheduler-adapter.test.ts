import {
  ConflictException,
  CreateScheduleCommand,
  DeleteScheduleCommand,
  ResourceNotFoundException,
  SchedulerClient,
  UpdateScheduleCommand,
} from '@aws-sdk/client-scheduler';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { atExpression, EventBridgeStartScheduler } from '../../functions/adapters/scheduler.js';
import { SqsStartTimerQueue } from '../../functions/adapters/sqs.js';

const scheduler = mockClient(SchedulerClient);
const sqs = mockClient(SQSClient);
const startTimerUrl = 'https://sqs.eu-west-1.amazonaws.com/123456789012/herald-start-timer';
const settings = {
  group: 'herald',
  targetArn: 'arn:aws:sqs:eu-west-1:123456789012:herald-start-timer',
  roleArn: 'arn:aws:iam::123456789012:role/herald-scheduler',
  deadLetterArn: 'arn:aws:sqs:eu-west-1:123456789012:herald-schedule-dlq',
};
let nowMs = Date.parse('2030-05-01T09:00:00Z');
const adapter = new EventBridgeStartScheduler(new SchedulerClient({ region: 'eu-west-1' }), settings, {
  startTimer: new SqsStartTimerQueue(new SQSClient({ region: 'eu-west-1' }), startTimerUrl),
  clock: { now: () => new Date(nowMs) },
});

const expectedInput = {
  Name: 'campaign-42',
  GroupName: 'herald',
  // Two minutes before the start: Scheduler fires within a minute after, the start timer waits the rest.
  ScheduleExpression: 'at(2030-05-01T09:28:00)',
  ScheduleExpressionTimezone: 'UTC',
  FlexibleTimeWindow: { Mode: 'OFF' },
  ActionAfterCompletion: 'DELETE',
  Target: {
    Arn: settings.targetArn,
    RoleArn: settings.roleArn,
    Input: '{"campaignId":"42","startAt":"2030-05-01T09:30:00.000Z"}',
    RetryPolicy: { MaximumEventAgeInSeconds: 3600, MaximumRetryAttempts: 20 },
    DeadLetterConfig: { Arn: settings.deadLetterArn },
  },
};

beforeEach(() => {
  scheduler.reset();
  sqs.reset();
  nowMs = Date.parse('2030-05-01T09:00:00Z');
});

describe('EventBridge start scheduler', () => {
  it('writes at() in UTC without zone or fraction', () => {
    expect(atExpression(new Date('2030-05-01T12:30:00.999+03:00'))).toBe('at(2030-05-01T09:30:00)');
  });

  it('creates a one-time schedule, two minutes early, that puts the start on the start timer queue and deletes itself', async () => {
    scheduler.on(CreateScheduleCommand).resolves({ ScheduleArn: 'arn' });
    await adapter.schedule('42', new Date('2030-05-01T09:30:00Z'));
    expect(scheduler.commandCalls(CreateScheduleCommand).map((call) => call.args[0].input)).toEqual([expectedInput]);
    expect(scheduler.commandCalls(UpdateScheduleCommand)).toHaveLength(0);
    expect(sqs.commandCalls(SendMessageCommand)).toHaveLength(0);
  });

  it('keeps the fraction of a second out of the early at(), firing at most a second earlier still', async () => {
    scheduler.on(CreateScheduleCommand).resolves({ ScheduleArn: 'arn' });
    await adapter.schedule('42', new Date('2030-05-01T09:30:00.750Z'));
    const [input] = scheduler.commandCalls(CreateScheduleCommand).map((call) => call.args[0].input);
    expect(input).toMatchObject({
      ScheduleExpression: 'at(2030-05-01T09:28:00)',
      Target: { Input: '{"campaignId":"42","startAt":"2030-05-01T09:30:00.750Z"}' },
    });
  });

  it('puts a start within the lead straight on the start timer, delayed to a margin before it, and removes any older schedule', async () => {
    scheduler.on(DeleteScheduleCommand).rejects(new ResourceNotFoundException({ message: 'gone', Message: 'gone', $metadata: {} }));
    sqs.on(SendMessageCommand).resolves({ MessageId: 'm' });
    nowMs = Date.parse('2030-05-01T09:29:00Z');
    await adapter.schedule('42', new Date('2030-05-01T09:30:00Z'));
    expect(scheduler.commandCalls(CreateScheduleCommand)).toHaveLength(0);
    // 60 s away: the hand-off to the fan-out is 3 s before, so a 55 s delay, then the start timer waits the last 2 s itself.
    expect(sqs.commandCalls(SendMessageCommand).map((call) => call.args[0].input)).toEqual([
      { QueueUrl: startTimerUrl, MessageBody: '{"campaignId":"42","startAt":"2030-05-01T09:30:00.000Z"}', DelaySeconds: 55 },
    ]);
    expect(scheduler.commandCalls(DeleteScheduleCommand).map((call) => call.args[0].input)).toEqual([{ Name: 'campaign-42', GroupName: 'herald' }]);
  });

  it('puts a start a few seconds from its hand-off on the start timer without delay: the timer waits it in the handler', async () => {
    scheduler.on(DeleteScheduleCommand).resolves({});
    sqs.on(SendMessageCommand).resolves({ MessageId: 'm' });
    nowMs = Date.parse('2030-05-01T09:29:53Z');
    await adapter.schedule('42', new Date('2030-05-01T09:30:00Z'));
    expect(sqs.commandCalls(SendMessageCommand).map((call) => call.args[0].input.DelaySeconds)).toEqual([0]);
  });

  it('schedules a start just over the lead away with Scheduler, not the start timer', async () => {
    scheduler.on(CreateScheduleCommand).resolves({ ScheduleArn: 'arn' });
    nowMs = Date.parse('2030-05-01T09:27:59Z');
    await adapter.schedule('42', new Date('2030-05-01T09:30:00Z'));
    expect(scheduler.commandCalls(CreateScheduleCommand).map((call) => call.args[0].input.ScheduleExpression)).toEqual(['at(2030-05-01T09:28:00)']);
    expect(sqs.commandCalls(SendMessageCommand)).toHaveLength(0);
  });

  it('moves an existing schedule with the same full input', async () => {
    scheduler.on(CreateScheduleCommand).rejects(new ConflictException({ message: 'exists', Message: 'exists', $metadata: {} }));
    scheduler.on(UpdateScheduleCommand).resolves({ ScheduleArn: 'arn' });
    await adapter.schedule('42', new Date('2030-05-01T09:30:00Z'));
    expect(scheduler.commandCalls(UpdateScheduleCommand).map((call) => call.args[0].input)).toEqual([expectedInput]);
  });

  it('deletes the schedule, and is quiet when there is none', async () => {
    scheduler
      .on(DeleteScheduleCommand)
      .resolvesOnce({})
      .rejectsOnce(new ResourceNotFoundException({ message: 'gone', Message: 'gone', $metadata: {} }));
    await adapter.unschedule('42');
    await adapter.unschedule('42');
    expect(scheduler.commandCalls(DeleteScheduleCommand).map((call) => call.args[0].input)).toEqual([
      { Name: 'campaign-42', GroupName: 'herald' },
      { Name: 'campaign-42', GroupName: 'herald' },
    ]);
  });

  it('passes other failures on', async () => {
    scheduler.on(DeleteScheduleCommand).rejects(new Error('throttled'));
    await expect(adapter.unschedule('42')).rejects.toThrow('throttled');
  });
});
