import { describe, expect, it } from 'vitest';
import { DEFAULT_START_TIMING, earlyFireAt, earlyStartAction, handoffAt, MAX_HOP_DELAY_SECONDS, nextStartStep } from '../../functions/domain/start-timing.js';

const startAt = new Date('2030-05-01T09:30:00.000Z');
const before = (ms: number) => new Date(startAt.getTime() - ms);

describe('start timing', () => {
  it('fires the schedule the lead early, or not at all when the start is within the lead', () => {
    expect(earlyFireAt(startAt, before(3_600_000))).toEqual(before(DEFAULT_START_TIMING.leadMs));
    expect(earlyFireAt(startAt, before(DEFAULT_START_TIMING.leadMs + 1))).toEqual(before(DEFAULT_START_TIMING.leadMs));
    expect(earlyFireAt(startAt, before(DEFAULT_START_TIMING.leadMs))).toBeNull();
    expect(earlyFireAt(startAt, before(10_000))).toBeNull();
  });

  it('hops with the longest whole-second delay that lands a margin before the start', () => {
    // Scheduler fired on time (120 s early) and at the end of its minute (60 s early).
    expect(nextStartStep(startAt, before(120_000))).toEqual({ kind: 'hop', seconds: 118 });
    expect(nextStartStep(startAt, before(60_000))).toEqual({ kind: 'hop', seconds: 58 });
    // Never a delay that would reach past startAt: the fraction is rounded down.
    expect(nextStartStep(startAt, before(5_999))).toEqual({ kind: 'hop', seconds: 3 });
    expect(nextStartStep(startAt, before(4_001))).toEqual({ kind: 'hop', seconds: 2 });
  });

  it('caps a hop at the 900 s SQS allows', () => {
    expect(nextStartStep(startAt, before(3_600_000))).toEqual({ kind: 'hop', seconds: MAX_HOP_DELAY_SECONDS });
  });

  it('waits the last few seconds in the handler, to the millisecond, and nothing once the start is reached', () => {
    expect(nextStartStep(startAt, before(4_000))).toEqual({ kind: 'wait', ms: 4_000 });
    expect(nextStartStep(startAt, before(1))).toEqual({ kind: 'wait', ms: 1 });
    expect(nextStartStep(startAt, startAt)).toEqual({ kind: 'wait', ms: 0 });
    expect(nextStartStep(startAt, new Date(startAt.getTime() + 5_000))).toEqual({ kind: 'wait', ms: 0 });
  });

  it('follows a shrunken timing (tests and the bench shrink it)', () => {
    const timing = { leadMs: 6_000, handlerWaitMs: 1_500, hopMarginMs: 1_000, prestartMs: 500 };
    expect(handoffAt(startAt, timing)).toEqual(before(500));
    expect(earlyFireAt(startAt, before(7_000), timing)).toEqual(before(6_000));
    expect(nextStartStep(startAt, before(4_200), timing)).toEqual({ kind: 'hop', seconds: 3 });
    expect(nextStartStep(startAt, before(1_400), timing)).toEqual({ kind: 'wait', ms: 1_400 });
  });

  it('hands the start to the fan-out the prestart before startAt', () => {
    expect(handoffAt(startAt)).toEqual(before(DEFAULT_START_TIMING.prestartMs));
  });

  it('lets a start through from its hand-off on, sends an earlier one back to the timer, and drops one far ahead', () => {
    expect(earlyStartAction(startAt, startAt)).toBe('proceed');
    expect(earlyStartAction(startAt, new Date(startAt.getTime() + 1))).toBe('proceed');
    expect(earlyStartAction(startAt, before(DEFAULT_START_TIMING.prestartMs))).toBe('proceed');
    expect(earlyStartAction(startAt, before(DEFAULT_START_TIMING.prestartMs + 1))).toBe('delay');
    expect(earlyStartAction(startAt, before(180_000))).toBe('delay');
    // Further ahead than the lead plus Scheduler's minute: the campaign's own schedule still exists and fires.
    expect(earlyStartAction(startAt, before(180_001))).toBe('drop');
  });
});
