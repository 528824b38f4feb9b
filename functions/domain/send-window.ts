/**
 * Send windows in the client's local time: `{from, to}` as HH:MM, `from` after `to` for a
 * window across midnight. Local time comes from the client's IANA zone through Intl, so
 * daylight saving and odd offsets (Asia/Kathmandu, +05:45) are the platform's, not ours.
 */

export interface SendWindow {
  from: string;
  to: string;
}

export const HH_MM = /^([01]\d|2[0-3]):[0-5]\d$/;

const MINUTE_MS = 60_000;
const DAY_MINUTES = 24 * 60;

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatterOf(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

function minutesOf(hhmm: string): number {
  return Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));
}

function localParts(timeZone: string, at: Date): Record<string, number> {
  const parts: Record<string, number> = {};
  for (const part of formatterOf(timeZone).formatToParts(at)) if (part.type !== 'literal') parts[part.type] = Number(part.value);
  return parts;
}

/** The zone's offset from UTC at `at`, in minutes (+345 for Kathmandu, -240 for New York in summer). */
export function utcOffsetMinutes(timeZone: string, at: Date): number {
  const p = localParts(timeZone, at);
  const asUtc = Date.UTC(p.year ?? 1970, (p.month ?? 1) - 1, p.day ?? 1, p.hour ?? 0, p.minute ?? 0, p.second ?? 0);
  return Math.round((asUtc - Math.floor(at.getTime() / 1000) * 1000) / MINUTE_MS);
}

/** Minute of the local day (0-1439) at `at` in the zone. */
export function localMinuteOfDay(timeZone: string, at: Date): number {
  const p = localParts(timeZone, at);
  return (p.hour ?? 0) * 60 + (p.minute ?? 0);
}

export function isInsideWindow(window: SendWindow, timeZone: string, at: Date): boolean {
  const minute = localMinuteOfDay(timeZone, at);
  const from = minutesOf(window.from);
  const to = minutesOf(window.to);
  return from < to ? minute >= from && minute < to : minute >= from || minute < to;
}

/**
 * The first instant at or after `at` when the zone's local time is inside the window: `at`
 * itself when it already is. The guess from today's offset is checked, and where daylight
 * saving moved the clock in between (a gap or a repeated hour), the answer is found by
 * walking minute by minute, which any zone's rules reach within two days.
 */
export function nextOpening(window: SendWindow, timeZone: string, at: Date): Date {
  if (isInsideWindow(window, timeZone, at)) return at;
  const nextMinute = Math.ceil((at.getTime() + 1) / MINUTE_MS) * MINUTE_MS;
  const ahead = (minutesOf(window.from) - localMinuteOfDay(timeZone, new Date(nextMinute)) + DAY_MINUTES) % DAY_MINUTES;
  const guess = new Date(nextMinute + ahead * MINUTE_MS);
  const opensAt = (candidate: Date) =>
    isInsideWindow(window, timeZone, candidate) && !isInsideWindow(window, timeZone, new Date(candidate.getTime() - MINUTE_MS));
  if (guess.getTime() > at.getTime() && opensAt(guess) && !opensBetween(window, timeZone, nextMinute, guess.getTime())) return guess;
  for (let t = nextMinute; t <= nextMinute + 2 * DAY_MINUTES * MINUTE_MS; t += MINUTE_MS) {
    if (isInsideWindow(window, timeZone, new Date(t))) return new Date(t);
  }
  return guess;
}

/** Whether the window is open anywhere in [start, end), checked at the hour marks and where DST could move it. */
function opensBetween(window: SendWindow, timeZone: string, startMs: number, endMs: number): boolean {
  // The guess came from one offset; if the offset is the same at both ends, nothing moved in between.
  if (utcOffsetMinutes(timeZone, new Date(startMs)) === utcOffsetMinutes(timeZone, new Date(endMs))) return false;
  for (let t = startMs; t < endMs; t += MINUTE_MS) if (isInsideWindow(window, timeZone, new Date(t))) return true;
  return false;
}

/** The longest delay SQS gives a new message, and (with a margin for the time since receipt) the longest it keeps a received one invisible. */
export const MAX_DELAY_SECONDS = 900;
export const MAX_INVISIBLE_SECONDS = 43_000;

/**
 * How a chunk that must wait until `untilMs` (never past just after `endAt`, where its open
 * messages expire) goes back on the queue. Up to 15 minutes: as a new message with that
 * delay, which uses none of the chunk's receives. Longer: the received message stays
 * invisible until about 15 minutes before, up to 12 h at a time, and is then re-sent with
 * the exact delay; so a wait costs a few requests per window opening, and the chunk starts
 * sending with a fresh receive count, far from the DLQ.
 */
export type HoldPlan = { kind: 'delay'; seconds: number } | { kind: 'invisible'; seconds: number };

export function holdPlan(untilMs: number, endAt: string, now: Date): HoldPlan {
  const target = Math.min(untilMs, Date.parse(endAt) + 1000);
  const seconds = Math.max(1, Math.ceil((target - now.getTime()) / 1000));
  if (seconds <= MAX_DELAY_SECONDS) return { kind: 'delay', seconds };
  return { kind: 'invisible', seconds: Math.min(MAX_INVISIBLE_SECONDS, seconds - MAX_DELAY_SECONDS + 10) };
}

/** When the earliest of these zones' windows opens (`at` when one is open now). */
export function earliestOpening(window: SendWindow, zones: string[], at: Date): number {
  return Math.min(...zones.map((zone) => nextOpening(window, zone, at).getTime()));
}
