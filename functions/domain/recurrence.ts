/**
 * When a recurring campaign's runs happen: a five-field cron in an IANA time zone, or a
 * fixed rate counted from the campaign's start. Pure: every function takes the instants it
 * needs (the clock's now included) and croner does the calendar arithmetic, daylight saving
 * included.
 */
import type { Cron } from 'croner';
import { isTimeZone } from './clients.js';
import { ValidationError, type FieldProblem } from './errors.js';
import { cronerPackage } from './lazy-packages.js';

export interface Recurrence {
  /** Five fields (minute hour day-of-month month day-of-week), read in `timezone`. Exactly one of cron and rate. */
  cron?: string;
  /** EventBridge's rate: `1 minute`, `5 minutes`, `1 hour`, `2 days` (singular for 1, plural otherwise). */
  rate?: string;
  timezone: string;
  /** How long each run sends: [occurrence, occurrence + runMinutes], capped at the campaign's end. */
  runMinutes: number;
}

/** As a request gives it: the zone defaults to UTC, runMinutes to the interval between occurrences. */
export interface RecurrenceInput {
  cron?: string;
  rate?: string;
  timezone?: string;
  runMinutes?: number;
}

const RATE_PATTERN = /^([1-9]\d{0,5}) (minute|minutes|hour|hours|day|days)$/;
const UNIT_MS: Record<string, number> = { minute: 60_000, hour: 3_600_000, day: 86_400_000 };
const MINUTE_MS = 60_000;
/** Occurrences read to find the shortest gap of a cron: over a year of a daily one, so a daylight-saving change is seen. */
const GAP_SAMPLE = 400;

/** The interval of a rate, or undefined when it is not EventBridge's `value unit` form. */
export function rateMs(rate: string): number | undefined {
  const match = RATE_PATTERN.exec(rate);
  if (!match) return undefined;
  const value = Number(match[1]);
  const unit = match[2] as string;
  // EventBridge refuses `1 minutes` and `2 minute`.
  if ((value === 1) !== !unit.endsWith('s')) return undefined;
  return value * (UNIT_MS[unit.replace(/s$/, '')] as number);
}

const CRON_FIELDS = ['minute', 'hour', 'day-of-month', 'month', 'day-of-week'];

/** Why a cron is refused, or undefined when it is fine. */
export function cronProblem(cron: string, timezone = 'UTC'): string | undefined {
  const fields = cron.trim().split(/\s+/);
  if (fields.length !== 5) return `must have 5 fields (${CRON_FIELDS.join(' ')}), has ${fields.length}`;
  // EventBridge cannot say "this day of the month or this weekday" (Unix cron's reading when both are given).
  if (fields[2] !== '*' && fields[4] !== '*') return 'cannot restrict both day-of-month and day-of-week';
  if (fields.some((field) => /[LW#?]/i.test(field))) return 'L, W, # and ? are not supported';
  try {
    const schedule = cronOf(cron, isTimeZone(timezone) ? timezone : 'UTC');
    if (!schedule.nextRun(new Date(0))) return 'never occurs';
  } catch (error) {
    return error instanceof Error ? error.message.replace(/^CronPattern: /, '') : 'is not a cron expression';
  }
  return undefined;
}

function cronOf(cron: string, timezone: string): Cron {
  // Loaded on first use (lazy-packages.ts): most calls of a handler never read a cron.
  return new (cronerPackage().Cron)(cron.trim(), { timezone, mode: '5-part' });
}

/** The shortest time between two occurrences from `from` on (daylight saving included); undefined for an invalid recurrence. */
export function intervalMs(recurrence: Pick<Recurrence, 'cron' | 'rate' | 'timezone'>, from: Date): number | undefined {
  if (recurrence.rate !== undefined) return rateMs(recurrence.rate);
  if (recurrence.cron === undefined) return undefined;
  const runs = cronOf(recurrence.cron, recurrence.timezone).nextRuns(GAP_SAMPLE, from);
  let shortest: number | undefined;
  for (let i = 1; i < runs.length; i++) {
    const gap = (runs[i] as Date).getTime() - (runs[i - 1] as Date).getTime();
    if (shortest === undefined || gap < shortest) shortest = gap;
  }
  return shortest;
}

/** Every problem of a recurrence, each naming its field under `recurrence`; the API's schema and the domain share it. */
export function recurrenceProblems(input: RecurrenceInput, from: Date): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const timezone = input.timezone ?? 'UTC';
  if ((input.cron === undefined) === (input.rate === undefined)) {
    problems.push({ field: 'recurrence', message: 'must have exactly one of cron and rate' });
    return problems;
  }
  if (!isTimeZone(timezone)) problems.push({ field: 'recurrence.timezone', message: 'must be an IANA time zone name, e.g. Europe/Moscow' });
  if (input.cron !== undefined) {
    const problem = cronProblem(input.cron, timezone);
    if (problem) problems.push({ field: 'recurrence.cron', message: problem });
  }
  if (input.rate !== undefined && rateMs(input.rate) === undefined) {
    problems.push({ field: 'recurrence.rate', message: 'must be "<value> <unit>" with unit minute(s), hour(s) or day(s), e.g. "1 hour" or "5 minutes"' });
  }
  if (input.runMinutes !== undefined && !(Number.isInteger(input.runMinutes) && input.runMinutes > 0)) {
    problems.push({ field: 'recurrence.runMinutes', message: 'must be a positive integer' });
  }
  if (problems.length > 0) return problems;
  const interval = intervalMs({ ...input, timezone }, from) as number;
  if (input.runMinutes !== undefined && input.runMinutes * MINUTE_MS > interval) {
    problems.push({
      field: 'recurrence.runMinutes',
      message: `must not be longer than the interval between occurrences (${Math.floor(interval / MINUTE_MS)} minutes): runs would overlap`,
    });
  }
  return problems;
}

/** The recurrence with its defaults, or a ValidationError naming each bad field. `from` is the campaign's start. */
export function normalizeRecurrence(input: RecurrenceInput, from: Date): Recurrence {
  const problems = recurrenceProblems(input, from);
  if (problems.length > 0) throw new ValidationError(problems.map((problem) => `${problem.field}: ${problem.message}`).join('; '), problems);
  const timezone = input.timezone ?? 'UTC';
  const runMinutes = input.runMinutes ?? Math.max(1, Math.floor((intervalMs({ ...input, timezone }, from) as number) / MINUTE_MS));
  return { ...(input.cron !== undefined ? { cron: input.cron.trim() } : { rate: input.rate as string }), timezone, runMinutes };
}

/**
 * The latest occurrence at or before `now` that is not before `startAt`; undefined before the
 * first. A schedule fires late (EventBridge within a minute, the local scheduler after a
 * restart), so a run's occurrence is read from the schedule, never taken from the clock.
 */
export function occurrenceAtOrBefore(recurrence: Recurrence, startAt: Date, now: Date): Date | undefined {
  if (now.getTime() < startAt.getTime()) return undefined;
  if (recurrence.rate !== undefined) {
    const interval = rateMs(recurrence.rate) as number;
    return new Date(startAt.getTime() + Math.floor((now.getTime() - startAt.getTime()) / interval) * interval);
  }
  // croner leaves out a run at exactly the reference: a millisecond later includes it.
  const [previous] = cronOf(recurrence.cron as string, recurrence.timezone).previousRuns(1, new Date(now.getTime() + 1));
  return previous && previous.getTime() >= startAt.getTime() ? previous : undefined;
}

/** The first occurrence after `after` (and at or after `startAt`). */
export function nextOccurrence(recurrence: Recurrence, startAt: Date, after: Date): Date {
  if (after.getTime() < startAt.getTime()) {
    const first = occurrenceAtOrBefore(recurrence, startAt, startAt);
    if (first && first.getTime() === startAt.getTime()) return first;
    return nextOccurrence(recurrence, startAt, startAt);
  }
  if (recurrence.rate !== undefined) {
    const interval = rateMs(recurrence.rate) as number;
    return new Date(startAt.getTime() + (Math.floor((after.getTime() - startAt.getTime()) / interval) + 1) * interval);
  }
  return cronOf(recurrence.cron as string, recurrence.timezone).nextRun(after) as Date;
}

/** A run's window: [occurrence, occurrence + runMinutes], capped at the recurring campaign's end. */
export function runWindow(occurrence: Date, recurrence: Pick<Recurrence, 'runMinutes'>, endAt: Date): { startAt: Date; endAt: Date } {
  return { startAt: occurrence, endAt: new Date(Math.min(occurrence.getTime() + recurrence.runMinutes * MINUTE_MS, endAt.getTime())) };
}

/**
 * The occurrence whose run should start now: the latest one at or before `now`, when it is
 * before the campaign's end and its window is still open. Several missed occurrences give
 * one run, the latest.
 */
export function dueOccurrence(recurrence: Recurrence, startAt: Date, endAt: Date, now: Date): Date | undefined {
  const occurrence = occurrenceAtOrBefore(recurrence, startAt, now);
  if (!occurrence || occurrence.getTime() >= endAt.getTime()) return undefined;
  return runWindow(occurrence, recurrence, endAt).endAt.getTime() > now.getTime() ? occurrence : undefined;
}
