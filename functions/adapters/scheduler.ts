import {
  ConflictException,
  CreateScheduleCommand,
  DeleteScheduleCommand,
  ResourceNotFoundException,
  UpdateScheduleCommand,
  type CreateScheduleCommandInput,
  type SchedulerClient,
} from '@aws-sdk/client-scheduler';
import type { FanoutEvent, StartScheduler } from '../ports.js';

export interface ScheduleSettings {
  group: string;
  /** The fan-out queue's ARN. */
  targetArn: string;
  /** The role Scheduler assumes to send to the fan-out queue. */
  roleArn: string;
  /** Where Scheduler puts a start it could not deliver. */
  deadLetterArn: string;
}

export const scheduleName = (campaignId: string) => `campaign-${campaignId}`;

/** `at()` takes a local date-time without zone or fraction; the zone is given as UTC. */
export function atExpression(when: Date): string {
  return `at(${when.toISOString().slice(0, 19)})`;
}

/** One-time EventBridge Scheduler schedules that put a campaign's start on the fan-out queue. */
export class EventBridgeStartScheduler implements StartScheduler {
  constructor(
    private readonly scheduler: SchedulerClient,
    private readonly settings: ScheduleSettings,
  ) {}

  async schedule(campaignId: string, startAt: Date): Promise<void> {
    const input = this.scheduleInput(campaignId, startAt);
    try {
      await this.scheduler.send(new CreateScheduleCommand(input));
    } catch (error) {
      if (!(error instanceof ConflictException)) throw error;
      await this.scheduler.send(new UpdateScheduleCommand(input));
    }
  }

  async unschedule(campaignId: string): Promise<void> {
    try {
      await this.scheduler.send(new DeleteScheduleCommand({ Name: scheduleName(campaignId), GroupName: this.settings.group }));
    } catch (error) {
      if (!(error instanceof ResourceNotFoundException)) throw error;
    }
  }

  scheduleInput(campaignId: string, startAt: Date): CreateScheduleCommandInput {
    const start: FanoutEvent = { type: 'start', campaignId };
    return {
      Name: scheduleName(campaignId),
      GroupName: this.settings.group,
      ScheduleExpression: atExpression(startAt),
      ScheduleExpressionTimezone: 'UTC',
      FlexibleTimeWindow: { Mode: 'OFF' },
      ActionAfterCompletion: 'DELETE',
      Target: {
        Arn: this.settings.targetArn,
        RoleArn: this.settings.roleArn,
        Input: JSON.stringify(start),
        SqsParameters: { MessageGroupId: campaignId },
        RetryPolicy: { MaximumEventAgeInSeconds: 3600, MaximumRetryAttempts: 20 },
        DeadLetterConfig: { Arn: this.settings.deadLetterArn },
      },
    };
  }
}
