/**
 * Recurring EventBridge Scheduler schedules: one per recurring campaign, in the same group,
 * with the same target (the fan-out queue), retry policy and dead-letter queue as the
 * one-time starts (functions/adapters/scheduler.ts). Each firing puts an occurrence on the
 * queue; the fan-out reads which occurrence it is from the recurrence itself, since a firing
 * may come up to a minute late.
 */
import {
  ConflictException,
  CreateScheduleCommand,
  DeleteScheduleCommand,
  ResourceNotFoundException,
  UpdateScheduleCommand,
  type CreateScheduleCommandInput,
  type SchedulerClient,
} from '@aws-sdk/client-scheduler';
import type { Recurrence } from '../domain/recurrence.js';
import type { Clock, RecurringSchedule, RecurringScheduler } from '../ports.js';
import type { ScheduleSettings } from './scheduler.js';

export const recurringScheduleName = (campaignId: string) => `campaign-${campaignId}-recurring`;

const WEEKDAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

function weekdayNumber(token: string): number {
  const named = WEEKDAYS.indexOf(token.toUpperCase());
  return named >= 0 ? named : Number(token) % 7;
}

/** A Unix day-of-week field (0 or 7 Sunday, names, lists, ranges, steps) as the days it names, in EventBridge's names. */
function weekdays(field: string): string {
  const days = new Set<number>();
  for (const item of field.split(',')) {
    const [range = '*', stepText] = item.split('/');
    const step = stepText ? Number(stepText) : 1;
    let from = 0;
    let to = 6;
    if (range !== '*') {
      const [first = '0', last] = range.split('-');
      from = weekdayNumber(first);
      // "5-7" runs to Sunday: 7 is kept as the end of the range, then folded to 0.
      to = last === undefined ? (stepText ? 6 : from) : last === '7' ? 7 : weekdayNumber(last);
    }
    for (let day = from; day <= to; day += step) days.add(day % 7);
  }
  return [...days]
    .sort((a, b) => a - b)
    .map((day) => WEEKDAYS[day])
    .join(',');
}

/** `*\/n` is Unix cron's "every n"; EventBridge documents `start/n`. */
const stepFrom = (field: string, start: number) => field.replace(/^\*\//, `${start}/`);

/**
 * EventBridge's six-field cron (minutes hours day-of-month month day-of-week year) from a
 * five-field Unix one: one of the day fields must be `?`, and weekdays count from 1 (SUN), so
 * they are written as names. The domain refuses a cron restricting both day fields.
 */
export function eventBridgeCron(cron: string): string {
  const [minute = '*', hour = '*', dayOfMonth = '*', month = '*', dayOfWeek = '*'] = cron.trim().split(/\s+/);
  const dayFields = dayOfWeek === '*' ? `${stepFrom(dayOfMonth, 1)} ${stepFrom(month, 1)} ?` : `? ${stepFrom(month, 1)} ${weekdays(dayOfWeek)}`;
  return `cron(${stepFrom(minute, 0)} ${stepFrom(hour, 0)} ${dayFields} *)`;
}

export function recurringExpression(recurrence: Pick<Recurrence, 'cron' | 'rate'>): string {
  return recurrence.rate !== undefined ? `rate(${recurrence.rate})` : eventBridgeCron(recurrence.cron as string);
}

export class EventBridgeRecurringScheduler implements RecurringScheduler {
  constructor(
    private readonly scheduler: SchedulerClient,
    private readonly settings: ScheduleSettings,
    private readonly clock: Clock = { now: () => new Date() },
  ) {}

  async scheduleRecurring(campaignId: string, schedule: RecurringSchedule): Promise<void> {
    const input = this.scheduleInput(campaignId, schedule);
    try {
      await this.scheduler.send(new CreateScheduleCommand(input));
    } catch (error) {
      if (!(error instanceof ConflictException)) throw error;
      await this.scheduler.send(new UpdateScheduleCommand(input));
    }
  }

  async unscheduleRecurring(campaignId: string): Promise<void> {
    try {
      await this.scheduler.send(new DeleteScheduleCommand({ Name: recurringScheduleName(campaignId), GroupName: this.settings.group }));
    } catch (error) {
      if (!(error instanceof ResourceNotFoundException)) throw error;
    }
  }

  scheduleInput(campaignId: string, schedule: RecurringSchedule): CreateScheduleCommandInput {
    // Scheduler refuses a StartDate more than a few minutes past: a campaign already started starts its schedule now.
    const startDate = new Date(Math.max(schedule.startAt.getTime(), this.clock.now().getTime()));
    return {
      Name: recurringScheduleName(campaignId),
      GroupName: this.settings.group,
      ScheduleExpression: recurringExpression(schedule.recurrence),
      ScheduleExpressionTimezone: schedule.recurrence.timezone,
      StartDate: startDate,
      EndDate: schedule.endAt,
      FlexibleTimeWindow: { Mode: 'OFF' },
      // Gone once EndDate has passed, like a one-time start after it fired.
      ActionAfterCompletion: 'DELETE',
      Target: {
        Arn: this.settings.targetArn,
        RoleArn: this.settings.roleArn,
        // The fan-out queue deduplicates by content: the scheduled time makes each firing's body its own.
        Input: JSON.stringify({ type: 'occurrence', campaignId, scheduledAt: '<aws.scheduler.scheduled-time>' }),
        SqsParameters: { MessageGroupId: campaignId },
        RetryPolicy: { MaximumEventAgeInSeconds: 3600, MaximumRetryAttempts: 20 },
        DeadLetterConfig: { Arn: this.settings.deadLetterArn },
      },
    };
  }
}
