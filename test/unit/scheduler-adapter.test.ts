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
import { atExpression, EventBridgeStartScheduler } from '../../functions/adapters/scheduler.js';

const scheduler = mockClient(SchedulerClient);
const settings = {
  group: 'herald',
  targetArn: 'arn:aws:sqs:eu-west-1:123456789012:herald-fanout.fifo',
  roleArn: 'arn:aws:iam::123456789012:role/herald-scheduler',
  deadLetterArn: 'arn:aws:sqs:eu-west-1:123456789012:herald-schedule-dlq',
};
const adapter = new EventBridgeStartScheduler(new SchedulerClient({ region: 'eu-west-1' }), settings);

const expectedInput = {
  Name: 'campaign-42',
  GroupName: 'herald',
  ScheduleExpression: 'at(2030-05-01T09:30:00)',
  ScheduleExpressionTimezone: 'UTC',
  FlexibleTimeWindow: { Mode: 'OFF' },
  ActionAfterCompletion: 'DELETE',
  Target: {
    Arn: settings.targetArn,
    RoleArn: settings.roleArn,
    Input: '{"type":"start","campaignId":"42"}',
    SqsParameters: { MessageGroupId: '42' },
    RetryPolicy: { MaximumEventAgeInSeconds: 3600, MaximumRetryAttempts: 20 },
    DeadLetterConfig: { Arn: settings.deadLetterArn },
  },
};

beforeEach(() => scheduler.reset());

describe('EventBridge start scheduler', () => {
  it('writes at() in UTC without zone or fraction', () => {
    expect(atExpression(new Date('2030-05-01T12:30:00.999+03:00'))).toBe('at(2030-05-01T09:30:00)');
  });

  it('creates a one-time schedule that puts the start on the fan-out queue and deletes itself', async () => {
    scheduler.on(CreateScheduleCommand).resolves({ ScheduleArn: 'arn' });
    await adapter.schedule('42', new Date('2030-05-01T09:30:00Z'));
    expect(scheduler.commandCalls(CreateScheduleCommand).map((call) => call.args[0].input)).toEqual([expectedInput]);
    expect(scheduler.commandCalls(UpdateScheduleCommand)).toHaveLength(0);
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
