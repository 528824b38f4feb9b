import { describe, expect, it } from 'vitest';
import { newCampaignRecord, effectiveStatus, type Campaign } from '../../functions/domain/campaigns.js';
import { ConflictError, ValidationError } from '../../functions/domain/errors.js';
import {
  dueOccurrence,
  intervalMs,
  nextOccurrence,
  normalizeRecurrence,
  occurrenceAtOrBefore,
  rateMs,
  recurrenceProblems,
  runWindow,
  type Recurrence,
} from '../../functions/domain/recurrence.js';
import { acceptsRuns, checkPatchKind, patchedRecurring, runRecord } from '../../functions/domain/recurring.js';

const at = (iso: string) => new Date(iso);
const fieldsOf = (problems: { field: string }[]) => problems.map((problem) => problem.field);
const from = at('2026-01-01T00:00:00Z');

describe('rate', () => {
  it.each([
    ['1 minute', 60_000],
    ['5 minutes', 300_000],
    ['1 hour', 3_600_000],
    ['2 days', 172_800_000],
  ])('reads %s', (rate, ms) => expect(rateMs(rate)).toBe(ms));

  it.each(['1 minutes', '2 minute', '0 minutes', 'minute', '1  hour', '1 week', 'rate(1 hour)', '-1 hour', '1.5 hours', ''])('refuses %j', (rate) => {
    expect(rateMs(rate)).toBeUndefined();
    expect(fieldsOf(recurrenceProblems({ rate }, from))).toEqual(['recurrence.rate']);
  });
});

describe('cron and the other fields', () => {
  it('accepts a weekly cron in a zone', () => {
    expect(recurrenceProblems({ cron: '0 10 * * 1', timezone: 'Europe/Moscow', runMinutes: 120 }, from)).toEqual([]);
  });

  it.each(['61 * * * *', '0 10 * *', '0 0 10 * * 1', 'every monday', '0 10 1 * 1', '0 10 L * *', '0 10 * * 1#2'])(
    'refuses cron %j naming recurrence.cron',
    (cron) => {
      expect(fieldsOf(recurrenceProblems({ cron }, from))).toEqual(['recurrence.cron']);
    },
  );

  it('needs exactly one of cron and rate', () => {
    expect(fieldsOf(recurrenceProblems({}, from))).toEqual(['recurrence']);
    expect(fieldsOf(recurrenceProblems({ cron: '* * * * *', rate: '1 hour' }, from))).toEqual(['recurrence']);
  });

  it('refuses an unknown zone and a runMinutes that is not a positive integer', () => {
    expect(fieldsOf(recurrenceProblems({ rate: '1 hour', timezone: 'Mars/Olympus' }, from))).toEqual(['recurrence.timezone']);
    expect(fieldsOf(recurrenceProblems({ rate: '1 hour', runMinutes: 0 }, from))).toEqual(['recurrence.runMinutes']);
    expect(fieldsOf(recurrenceProblems({ rate: '1 hour', runMinutes: 1.5 }, from))).toEqual(['recurrence.runMinutes']);
  });

  it('refuses a run longer than the interval, and takes one exactly as long', () => {
    expect(fieldsOf(recurrenceProblems({ rate: '1 hour', runMinutes: 61 }, from))).toEqual(['recurrence.runMinutes']);
    expect(recurrenceProblems({ rate: '1 hour', runMinutes: 60 }, from)).toEqual([]);
    expect(fieldsOf(recurrenceProblems({ cron: '0 10 * * 1', runMinutes: 7 * 24 * 60 + 1 }, from))).toEqual(['recurrence.runMinutes']);
    // Twice a day at 10:00 and 14:00: the shortest gap (4 h) bounds it, not the average.
    expect(fieldsOf(recurrenceProblems({ cron: '0 10,14 * * *', runMinutes: 241 }, from))).toEqual(['recurrence.runMinutes']);
    expect(recurrenceProblems({ cron: '0 10,14 * * *', runMinutes: 240 }, from)).toEqual([]);
  });

  it('sees the 23-hour day of a daylight-saving change in the interval', () => {
    expect(intervalMs({ cron: '0 10 * * *', timezone: 'Europe/Berlin' }, from)).toBe(23 * 3_600_000);
    expect(intervalMs({ cron: '0 10 * * *', timezone: 'UTC' }, from)).toBe(24 * 3_600_000);
  });

  it('defaults the zone to UTC and runMinutes to the interval; throws ValidationError naming the fields', () => {
    expect(normalizeRecurrence({ rate: '5 minutes' }, from)).toEqual({ rate: '5 minutes', timezone: 'UTC', runMinutes: 5 });
    expect(() => normalizeRecurrence({ cron: 'nope' }, from)).toThrow(ValidationError);
    try {
      normalizeRecurrence({ cron: 'nope' }, from);
    } catch (error) {
      expect((error as ValidationError).fields.map((field) => field.field)).toEqual(['recurrence.cron']);
    }
  });
});

describe('occurrences', () => {
  const weekly: Recurrence = { cron: '0 10 * * 1', timezone: 'Europe/Moscow', runMinutes: 120 };
  const daily: Recurrence = { cron: '0 10 * * *', timezone: 'Europe/Berlin', runMinutes: 60 };

  it('reads a cron in its zone: Monday 10:00 in Moscow is 07:00 UTC', () => {
    const startAt = at('2026-11-01T00:00:00Z');
    expect(nextOccurrence(weekly, startAt, at('2026-11-22T00:00:00Z'))).toEqual(at('2026-11-23T07:00:00Z'));
    expect(occurrenceAtOrBefore(weekly, startAt, at('2026-11-23T07:00:00Z'))).toEqual(at('2026-11-23T07:00:00Z'));
    expect(occurrenceAtOrBefore(weekly, startAt, at('2026-11-23T06:59:59Z'))).toEqual(at('2026-11-16T07:00:00Z'));
  });

  it('follows daylight saving: 10:00 in Berlin is 09:00 UTC before 29 March 2026 and 08:00 after', () => {
    const startAt = at('2026-03-01T00:00:00Z');
    expect(nextOccurrence(daily, startAt, at('2026-03-28T00:00:00Z'))).toEqual(at('2026-03-28T09:00:00Z'));
    expect(nextOccurrence(daily, startAt, at('2026-03-28T09:00:00Z'))).toEqual(at('2026-03-29T08:00:00Z'));
    expect(occurrenceAtOrBefore(daily, startAt, at('2026-03-29T08:30:00Z'))).toEqual(at('2026-03-29T08:00:00Z'));
  });

  it('gives no occurrence before startAt', () => {
    expect(occurrenceAtOrBefore(weekly, at('2026-11-24T00:00:00Z'), at('2026-11-23T08:00:00Z'))).toBeUndefined();
    expect(occurrenceAtOrBefore(weekly, at('2026-11-24T00:00:00Z'), at('2026-11-30T06:00:00Z'))).toBeUndefined();
    expect(nextOccurrence(weekly, at('2026-11-24T00:00:00Z'), at('2026-11-01T00:00:00Z'))).toEqual(at('2026-11-30T07:00:00Z'));
  });

  it('counts a rate from startAt, whatever the zone', () => {
    const rate: Recurrence = { rate: '1 hour', timezone: 'Asia/Tokyo', runMinutes: 30 };
    const startAt = at('2026-05-01T10:17:00Z');
    expect(nextOccurrence(rate, startAt, at('2026-05-01T00:00:00Z'))).toEqual(startAt);
    expect(occurrenceAtOrBefore(rate, startAt, at('2026-05-01T12:16:59Z'))).toEqual(at('2026-05-01T11:17:00Z'));
    expect(occurrenceAtOrBefore(rate, startAt, at('2026-05-01T12:17:00Z'))).toEqual(at('2026-05-01T12:17:00Z'));
    expect(nextOccurrence(rate, startAt, at('2026-05-01T12:17:00Z'))).toEqual(at('2026-05-01T13:17:00Z'));
  });

  it('caps a run window at the end, and a due occurrence is the latest with an open window', () => {
    const rate: Recurrence = { rate: '1 hour', timezone: 'UTC', runMinutes: 30 };
    const startAt = at('2026-05-01T10:00:00Z');
    const endAt = at('2026-05-01T13:10:00Z');
    expect(runWindow(at('2026-05-01T13:00:00Z'), rate, endAt)).toEqual({ startAt: at('2026-05-01T13:00:00Z'), endAt });
    // Three missed occurrences (10, 11, 12): only the latest, while its window is open.
    expect(dueOccurrence(rate, startAt, endAt, at('2026-05-01T12:29:00Z'))).toEqual(at('2026-05-01T12:00:00Z'));
    expect(dueOccurrence(rate, startAt, endAt, at('2026-05-01T12:30:00Z'))).toBeUndefined();
    expect(dueOccurrence(rate, startAt, endAt, at('2026-05-01T13:05:00Z'))).toEqual(at('2026-05-01T13:00:00Z'));
    expect(dueOccurrence(rate, startAt, endAt, at('2026-05-01T13:10:00Z'))).toBeUndefined();
  });
});

describe('recurring campaigns and runs', () => {
  const now = at('2030-01-01T10:00:00Z');
  const recurring = newCampaignRecord(
    {
      text: 'Top-10 of the week',
      startAt: '2030-01-01T09:00:00Z',
      endAt: '2030-03-01T00:00:00Z',
      filter: { tags: ['vip'] },
      maxPerSecond: 5,
      recurrence: { cron: '0 12 * * 1', timezone: 'Europe/Moscow', runMinutes: 120 },
    },
    '7',
    now,
  );

  it('is stored scheduled with its normalized recurrence, and runs from its start on', () => {
    expect(recurring.status).toBe('scheduled');
    expect(recurring.recurrence).toEqual({ cron: '0 12 * * 1', timezone: 'Europe/Moscow', runMinutes: 120 });
    expect(effectiveStatus(recurring, at('2030-01-01T08:59:59Z'))).toBe('scheduled');
    expect(effectiveStatus(recurring, now)).toBe('running');
    expect(effectiveStatus(recurring, at('2030-03-01T00:00:00Z'))).toBe('finished');
    expect(acceptsRuns(recurring, now)).toBe(true);
    expect(acceptsRuns({ ...recurring, status: 'paused' }, now)).toBe(false);
    // A one-off campaign takes no occurrence.
    expect(acceptsRuns({ ...recurring, recurrence: undefined } as Campaign, now)).toBe(false);
  });

  it('makes a run: its own id, the window of the occurrence, the settings of now', () => {
    const run = runRecord(recurring, at('2030-01-07T09:00:00Z'), '8', at('2030-01-07T09:00:30Z'));
    expect(run).toMatchObject({
      id: '8',
      recurringId: '7',
      occurrence: '2030-01-07T09:00:00.000Z',
      startAt: '2030-01-07T09:00:00.000Z',
      endAt: '2030-01-07T11:00:00.000Z',
      status: 'running',
      text: 'Top-10 of the week',
      filter: { tags: ['vip'] },
      maxPerSecond: 5,
    });
    expect(run.recurrence).toBeUndefined();
  });

  it('takes any change until finished, but startAt only before the start', () => {
    const changed = patchedRecurring(recurring, { text: 'New', recurrence: { rate: '1 day' } }, now);
    expect(changed.text).toBe('New');
    expect(changed.recurrence).toEqual({ rate: '1 day', timezone: 'UTC', runMinutes: 1440 });
    expect(() => patchedRecurring(recurring, { startAt: '2030-02-01T00:00:00Z' }, now)).toThrow(ConflictError);
    expect(() => patchedRecurring(recurring, { text: 'x' }, at('2030-03-02T00:00:00Z'))).toThrow(ConflictError);
    expect(() => patchedRecurring({ ...recurring, status: 'cancelled' }, { text: 'x' }, now)).toThrow(ConflictError);
    expect(() => checkPatchKind({ ...recurring, recurrence: undefined } as Campaign, { recurrence: { rate: '1 hour' } })).toThrow(ValidationError);
  });

  it('refuses a new text that renders past an SMS, naming text', () => {
    expect(() => patchedRecurring(recurring, { text: '{% for i in (1..1000) %}xxxxxxxxxx{% endfor %}' }, now)).toThrow(/text: renders to more than 1,600/);
  });
});
