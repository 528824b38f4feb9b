import {
  ConflictException,
  CreateScheduleCommand,
  DeleteScheduleCommand,
  ResourceNotFoundException,
  UpdateScheduleCommand,
  type CreateScheduleCommandInput,
  type SchedulerClient,
} from '@aws-sdk/client-scheduler';
import { DEFAULT_START_TIMING, earlyFireAt, handoffAt, nextStartStep, type StartTiming } from '../domain/start-timing.js';
import type { Clock, StartScheduler, StartTimerEvent, StartTimerQueue } from '../ports.js';

export interface ScheduleSettings {
  group: string;
  /** The start timer queue's ARN (functions/delivery/start-timer.ts). */
  targetArn: string;
  /** The role Scheduler assumes to send to the start timer queue. */
  roleArn: string;
  /** Where Scheduler puts a start it could not deliver. */
  deadLetterArn: string;
}

export const scheduleName = (campaignId: string) => `campaign-${campaignId}`;

/** `at()` takes a local date-time without zone or fraction; the zone is given as UTC. */
export function atExpression(when: Date): string {
  return `at(${when.toISOString().slice(0, 19)})`;
}

/** What the adapter needs besides Scheduler: the start timer for starts within the lead, and the time. */
export interface EarlyStartSettings {
  startTimer: StartTimerQueue;
  clock: Clock;
  timing?: StartTiming;
}

/**
 * One-time EventBridge Scheduler schedules that put a campaign's start on the start timer
 * queue `timing.leadMs` before `startAt`: Scheduler fires up to a minute late, the start
 * timer then waits the rest precisely. A start within the lead skips Scheduler and goes on
 * the start timer at once, delayed as far as it safely can be.
 */
export class EventBridgeStartScheduler implements StartScheduler {
  private readonly timing: StartTiming;

  constructor(
    private readonly scheduler: SchedulerClient,
    private readonly settings: ScheduleSettings,
    private readonly early: EarlyStartSettings,
  ) {
    this.timing = early.timing ?? DEFAULT_START_TIMING;
  }

  async schedule(campaignId: string, startAt: Date): Promise<void> {
    const now = this.early.clock.now();
    const fireAt = earlyFireAt(startAt, now, this.timing);
    if (!fireAt) {
      const step = nextStartStep(handoffAt(startAt, this.timing), now, this.timing);
      await this.early.startTimer.put({ campaignId, startAt: startAt.toISOString() }, step.kind === 'hop' ? step.seconds : 0);
      // A schedule of an earlier, further start would only start it a second time.
      return this.unschedule(campaignId);
    }
    const input = this.scheduleInput(campaignId, startAt, fireAt);
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

  /** `fireAt`: the lead before `startAt` (at() drops the fraction, so it fires at most a second earlier still). */
  scheduleInput(campaignId: string, startAt: Date, fireAt: Date): CreateScheduleCommandInput {
    const start: StartTimerEvent = { campaignId, startAt: startAt.toISOString() };
    return {
      Name: scheduleName(campaignId),
      GroupName: this.settings.group,
      ScheduleExpression: atExpression(fireAt),
      ScheduleExpressionTimezone: 'UTC',
      FlexibleTimeWindow: { Mode: 'OFF' },
      ActionAfterCompletion: 'DELETE',
      Target: {
        Arn: this.settings.targetArn,
        RoleArn: this.settings.roleArn,
        Input: JSON.stringify(start),
        RetryPolicy: { MaximumEventAgeInSeconds: 3600, MaximumRetryAttempts: 20 },
        DeadLetterConfig: { Arn: this.settings.deadLetterArn },
      },
    };
  }
}
