/**
 * On-time start: EventBridge Scheduler fires a one-time schedule anywhere within about a
 * minute after its time, so a campaign's schedule fires `leadMs` before `startAt` onto a
 * standard queue (the start timer), whose messages can carry a `DelaySeconds`. Each hop
 * waits as long as SQS may delay a message, until the hand-off is a few seconds away; the
 * handler then waits the rest itself and asks for the fan-out `prestartMs` before `startAt`,
 * so the first page is written and its chunks are with the senders when the start comes.
 * The senders wait for `startAt` itself before their first call (functions/delivery/send.ts),
 * so no call is early, and the first is late only by the sender's own wake-up.
 */

export interface StartTiming {
  /** How long before `startAt` the schedule fires: more than the Scheduler's imprecision (60 s). */
  leadMs: number;
  /** A start at most this far ahead is waited in the handler; further ahead, it hops with a delay. */
  handlerWaitMs: number;
  /** A delayed hop aims this much before the hand-off, so the delay's own lateness (poller, receive) is still waited precisely. */
  hopMarginMs: number;
  /**
   * The fan-out is asked for this long before `startAt`: time for its first page and the
   * senders' receive (a campaign is `running` from then; its calls still wait for `startAt`).
   */
  prestartMs: number;
}

export const DEFAULT_START_TIMING: StartTiming = { leadMs: 120_000, handlerWaitMs: 4_000, hopMarginMs: 2_000, prestartMs: 3_000 };

/** A sender waits in its handler for a start at most this far ahead; a chunk further ahead is held on the queue instead. */
export const SENDER_START_WAIT_MS = 10_000;

/** When the start timer hands a start at `startAt` to the fan-out. */
export function handoffAt(startAt: Date, timing: StartTiming = DEFAULT_START_TIMING): Date {
  return new Date(startAt.getTime() - timing.prestartMs);
}

/** The most SQS delays one message. */
export const MAX_HOP_DELAY_SECONDS = 900;

export type StartStep =
  /** Sleep `ms` (0: now), then ask for the fan-out. */
  | { kind: 'wait'; ms: number }
  /** Put the start back on the start timer, delayed by whole `seconds` (1-900). */
  | { kind: 'hop'; seconds: number };

/** What the start timer does at `now` with a start it must hand off at `due` (see handoffAt). */
export function nextStartStep(due: Date, now: Date, timing: StartTiming = DEFAULT_START_TIMING): StartStep {
  const remaining = due.getTime() - now.getTime();
  if (remaining <= timing.handlerWaitMs) return { kind: 'wait', ms: Math.max(0, remaining) };
  const seconds = Math.floor((remaining - timing.hopMarginMs) / 1000);
  return { kind: 'hop', seconds: Math.min(MAX_HOP_DELAY_SECONDS, Math.max(1, seconds)) };
}

/**
 * When the schedule of a start at `startAt` should fire, or null when the start is within
 * the lead already and goes straight onto the start timer (an `at()` in the past would not fire on time).
 */
export function earlyFireAt(startAt: Date, now: Date, timing: StartTiming = DEFAULT_START_TIMING): Date | null {
  const fireAt = startAt.getTime() - timing.leadMs;
  return fireAt > now.getTime() ? new Date(fireAt) : null;
}

/**
 * A start the fan-out received before its hand-off time: hand it back to the start timer when
 * it is due within the lead (plus the Scheduler's own minute), or drop it when it is further ahead,
 * where a campaign's own schedule still exists and fires its own start (a start left over
 * after `startAt` was moved later).
 */
export function earlyStartAction(startAt: Date, now: Date, timing: StartTiming = DEFAULT_START_TIMING): 'proceed' | 'delay' | 'drop' {
  const remaining = startAt.getTime() - now.getTime();
  if (remaining <= timing.prestartMs) return 'proceed';
  return remaining <= timing.leadMs + 60_000 ? 'delay' : 'drop';
}
