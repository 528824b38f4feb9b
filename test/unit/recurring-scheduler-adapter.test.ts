import {
  ConflictException,
  CreateScheduleCommand,
  DeleteScheduleCommand,
  ResourceNotFoundException,
  SchedulerClient,
  UpdateScheduleCommand,
} from '@aws-sdk/client-scheduler';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { eventBridgeCron, EventBridgeRecurringScheduler } from '../../functions/adapters/recurring-scheduler.js';
import { EventBridgeStartScheduler } from '../../functions/adapters/scheduler.js';

const scheduler = mockClient(SchedulerClient);
const settings = {
  group: 'herald',
  targetArn: 'arn:aws:sqs:eu-west-1:123456789012:herald-fanout.fifo',
  roleArn: 'arn:aws:iam::123456789012:role/herald-scheduler',
  deadLetterArn: 'arn:aws:sqs:eu-west-1:123456789012:herald-schedule-dlq',
};
const now = new Date('2030-04-01T00:00:00Z');
const adapter = new EventBridgeRecurringScheduler(new SchedulerClient({ region: 'eu-west-1' }), settings, { now: () => now });

const weekly = {
  recurrence: { cron: '0 10 * * 1', timezone: 'Europe/Moscow', runMinutes: 120 },
  startAt: new Date('2030-05-01T09:30:00Z'),
  endAt: new Date('2030-08-01T00:00:00Z'),
};

const expectedInput = {
  Name: 'campaign-42-recurring',
  GroupName: 'herald',
  ScheduleExpression: 'cron(0 10 ? * MON *)',
  ScheduleExpressionTimezone: 'Europe/Moscow',
  StartDate: new Date('2030-05-01T09:30:00Z'),
  EndDate: new Date('2030-08-01T00:00:00Z'),
  FlexibleTimeWindow: { Mode: 'OFF' },
  ActionAfterCompletion: 'DELETE',
  Target: {
    Arn: settings.targetArn,
    RoleArn: settings.roleArn,
    Input: '{"type":"occurrence","campaignId":"42","scheduledAt":"<aws.scheduler.scheduled-time>"}',
    SqsParameters: { MessageGroupId: '42' },
    RetryPolicy: { MaximumEventAgeInSeconds: 3600, MaximumRetryAttempts: 20 },
    DeadLetterConfig: { Arn: settings.deadLetterArn },
  },
};

beforeEach(() => scheduler.reset());

describe('EventBridge recurring scheduler', () => {
  it.each([
    ['0 10 * * 1', 'cron(0 10 ? * MON *)'],
    ['*/15 * * * *', 'cron(0/15 * * * ? *)'],
    ['30 9 1 * *', 'cron(30 9 1 * ? *)'],
    ['0 8 * * 1-5', 'cron(0 8 ? * MON,TUE,WED,THU,FRI *)'],
    ['0 8 * * 0,7', 'cron(0 8 ? * SUN *)'],
    ['0 8 * * 5-7', 'cron(0 8 ? * SUN,FRI,SAT *)'],
    ['0 8 * * */2', 'cron(0 8 ? * SUN,TUE,THU,SAT *)'],
    ['0 8 * * sat', 'cron(0 8 ? * SAT *)'],
    ['0 0 */2 1,7 *', 'cron(0 0 1/2 1,7 ? *)'],
  ])('writes Unix cron %s as EventBridge %s', (cron, expected) => {
    expect(eventBridgeCron(cron)).toBe(expected);
  });

  it('creates one recurring schedule with the zone, start and end, and the same role, retries and DLQ as a one-time start', async () => {
    scheduler.on(CreateScheduleCommand).resolves({ ScheduleArn: 'arn' });
    await adapter.scheduleRecurring('42', weekly);
    expect(scheduler.commandCalls(CreateScheduleCommand).map((call) => call.args[0].input)).toEqual([expectedInput]);
    expect(scheduler.commandCalls(UpdateScheduleCommand)).toHaveLength(0);
    // A one-time start goes to the start timer queue (it waits the last stretch precisely); an
    // occurrence goes straight to the fan-out queue. Role, retries and DLQ are the same.
    const startTimer = { put: async () => undefined };
    const oneTime = new EventBridgeStartScheduler(
      new SchedulerClient({ region: 'eu-west-1' }),
      { ...settings, targetArn: 'arn:aws:sqs:eu-west-1:123456789012:herald-start-timer' },
      { startTimer, clock: { now: () => now } },
    ).scheduleInput('42', new Date('2030-05-01T09:30:00Z'), new Date('2030-05-01T09:28:00Z'));
    const { RoleArn, RetryPolicy, DeadLetterConfig } = oneTime.Target!;
    expect({ RoleArn, RetryPolicy, DeadLetterConfig }).toEqual({
      RoleArn: expectedInput.Target.RoleArn,
      RetryPolicy: expectedInput.Target.RetryPolicy,
      DeadLetterConfig: expectedInput.Target.DeadLetterConfig,
    });
  });

  it('writes a rate as rate(), and starts a campaign already started from now (Scheduler refuses a past StartDate)', async () => {
    scheduler.on(CreateScheduleCommand).resolves({ ScheduleArn: 'arn' });
    await adapter.scheduleRecurring('42', {
      recurrence: { rate: '1 hour', timezone: 'UTC', runMinutes: 30 },
      startAt: new Date('2030-03-01T00:00:00Z'),
      endAt: new Date('2030-08-01T00:00:00Z'),
    });
    expect(scheduler.commandCalls(CreateScheduleCommand).map((call) => call.args[0].input)).toEqual([
      { ...expectedInput, ScheduleExpression: 'rate(1 hour)', ScheduleExpressionTimezone: 'UTC', StartDate: now },
    ]);
  });

  it('replaces an existing schedule with the same full input (a PATCH)', async () => {
    scheduler.on(CreateScheduleCommand).rejects(new ConflictException({ message: 'exists', Message: 'exists', $metadata: {} }));
    scheduler.on(UpdateScheduleCommand).resolves({ ScheduleArn: 'arn' });
    await adapter.scheduleRecurring('42', weekly);
    expect(scheduler.commandCalls(UpdateScheduleCommand).map((call) => call.args[0].input)).toEqual([expectedInput]);
  });

  it('deletes the schedule, quiet when there is none, and passes other failures on', async () => {
    scheduler
      .on(DeleteScheduleCommand)
      .resolvesOnce({})
      .rejectsOnce(new ResourceNotFoundException({ message: 'gone', Message: 'gone', $metadata: {} }))
      .rejectsOnce(new Error('throttled'));
    await adapter.unscheduleRecurring('42');
    await adapter.unscheduleRecurring('42');
    await expect(adapter.unscheduleRecurring('42')).rejects.toThrow('throttled');
    expect(scheduler.commandCalls(DeleteScheduleCommand).map((call) => call.args[0].input)).toEqual(
      Array(3).fill({ Name: 'campaign-42-recurring', GroupName: 'herald' }),
    );
  });
});
