import {
  ConflictException,
  CreateScheduleCommand,
  DeleteScheduleCommand,
  ResourceNotFoundException,
  UpdateScheduleCommand,
  type CreateScheduleCommandInput,
  type SchedulerClient,
} from '@aws-sdk/client-scheduler';
import type { EventStepRef } from '../domain/events.js';
import { DEFAULT_START_TIMING, earlyFireAt, handoffAt, MAX_HOP_DELAY_SECONDS, nextStartStep, type StartTiming } from '../domain/start-timing.js';
import type { Clock, StartScheduler, StartTimerEvent, StartTimerQueue, StepTimer, StepTimerEvent, StepTimerQueue } from '../ports.js';

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
/** An event step's one-time schedule (event ids are URL-safe: letters, digits, `-` and `_`, as schedule names allow). */
export const stepScheduleName = (ref: EventStepRef) => `event-${ref.eventId}-${ref.step}`;
const STEP_SCHEDULE_NAME = /^event-([A-Za-z0-9_-]{16})-([0-4])$/;

/** The step a schedule name names, or undefined when it is a campaign's. */
export function stepOfScheduleName(name: string): EventStepRef | undefined {
  const match = STEP_SCHEDULE_NAME.exec(name);
  return match ? { eventId: match[1] as string, step: Number(match[2]) } : undefined;
}

/** `at()` takes a local date-time without zone or fraction; the zone is given as UTC. */
export function atExpression(when: Date): string {
  return `at(${when.toISOString().slice(0, 19)})`;
}

/** A schedule that fires once at `fireAt` (UTC), puts `input` on the start timer queue and deletes itself. */
function oneTimeSchedule(name: string, fireAt: Date, input: unknown, settings: ScheduleSettings): CreateScheduleCommandInput {
  return {
    Name: name,
    GroupName: settings.group,
    ScheduleExpression: atExpression(fireAt),
    ScheduleExpressionTimezone: 'UTC',
    FlexibleTimeWindow: { Mode: 'OFF' },
    ActionAfterCompletion: 'DELETE',
    Target: {
      Arn: settings.targetArn,
      RoleArn: settings.roleArn,
      Input: JSON.stringify(input),
      RetryPolicy: { MaximumEventAgeInSeconds: 3600, MaximumRetryAttempts: 20 },
      DeadLetterConfig: { Arn: settings.deadLetterArn },
    },
  };
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
    return oneTimeSchedule(scheduleName(campaignId), fireAt, start, this.settings);
  }
}

/** Where a step too far off for an SQS delay waits: a one-time schedule (EventBridge's on AWS, the local scheduler's on one machine). */
export interface FarStepSchedule {
  /** Creates the schedule that puts the step on the start timer queue at `fireAt`. */
  scheduleStep(event: StepTimerEvent, fireAt: Date): Promise<void>;
}

/**
 * An event step on its way to `dueAt`, as a campaign's start is (functions/domain/start-timing.ts):
 * due within the 15 minutes one SQS delay covers, it goes on the start timer queue at once, delayed
 * to a margin before; further off, a one-time schedule puts it there `leadMs` early and the start
 * timer hops and waits the rest. No table is polled for due steps.
 */
export class StepTimerRouter implements StepTimer {
  private readonly timing: StartTiming;

  constructor(
    private readonly far: FarStepSchedule,
    private readonly near: { startTimer: StepTimerQueue; clock: Clock; timing?: StartTiming },
  ) {
    this.timing = near.timing ?? DEFAULT_START_TIMING;
  }

  async schedule(event: StepTimerEvent): Promise<void> {
    const due = new Date(event.dueAt);
    const now = this.near.clock.now();
    if (due.getTime() - now.getTime() > MAX_HOP_DELAY_SECONDS * 1000) return this.far.scheduleStep(event, new Date(due.getTime() - this.timing.leadMs));
    const step = nextStartStep(due, now, this.timing);
    await this.near.startTimer.putStep(event, step.kind === 'hop' ? step.seconds : 0);
  }
}

/** EventBridge Scheduler's one-time schedule of a step: its Input is the step timer event the start timer takes. */
export class EventBridgeStepSchedule implements FarStepSchedule {
  constructor(
    private readonly scheduler: SchedulerClient,
    private readonly settings: ScheduleSettings,
  ) {}

  async scheduleStep(event: StepTimerEvent, fireAt: Date): Promise<void> {
    try {
      await this.scheduler.send(new CreateScheduleCommand(this.scheduleInput(event, fireAt)));
    } catch (error) {
      // The same step's schedule, made by a retried request: it is already there.
      if (!(error instanceof ConflictException)) throw error;
    }
  }

  scheduleInput(event: StepTimerEvent, fireAt: Date): CreateScheduleCommandInput {
    const body: StepTimerEvent = { eventId: event.eventId, step: event.step, dueAt: event.dueAt };
    return oneTimeSchedule(stepScheduleName(event), fireAt, body, this.settings);
  }
}
