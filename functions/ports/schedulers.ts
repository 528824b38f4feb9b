/** EventBridge Scheduler's part: a campaign's one-time start, and a recurring campaign's occurrences. */
import type { Recurrence } from '../domain/recurrence.js';

export interface StartScheduler {
  /** Creates or moves the one-time schedule that starts the campaign at `startAt`. */
  schedule(campaignId: string, startAt: Date): Promise<void>;
  /** Removes it; no error when there is none. */
  unschedule(campaignId: string): Promise<void>;
}

/** When a recurring campaign's runs start: its recurrence between its start and end. */
export interface RecurringSchedule {
  recurrence: Recurrence;
  startAt: Date;
  endAt: Date;
}

export interface RecurringScheduler {
  /** Creates or replaces the recurring schedule that asks for the campaign's occurrences. */
  scheduleRecurring(campaignId: string, schedule: RecurringSchedule): Promise<void>;
  /** Removes it; no error when there is none. */
  unscheduleRecurring(campaignId: string): Promise<void>;
}
