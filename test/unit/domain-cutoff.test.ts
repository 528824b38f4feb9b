import { describe, expect, it } from 'vitest';
import {
  callBudgetMs,
  callTimeoutMs,
  callTimeoutWithin,
  isPastCutoff,
  LEASE_OUTCOME_MARGIN_MS,
  MIN_CALL_MS,
  waitBudgetMs,
} from '../../functions/domain/cutoff.js';

const endAt = '2030-06-01T12:00:00.000Z';
const before = (ms: number) => new Date(Date.parse(endAt) - ms);

describe('isPastCutoff', () => {
  it('is false before the end', () => {
    expect(isPastCutoff(endAt, before(1))).toBe(false);
  });
  it('is true at the end itself and after', () => {
    expect(isPastCutoff(endAt, before(0))).toBe(true);
    expect(isPastCutoff(endAt, before(-1))).toBe(true);
  });
  it('reads offsets', () => {
    expect(isPastCutoff('2030-06-01T15:00:00+03:00', new Date('2030-06-01T12:00:00.000Z'))).toBe(true);
    expect(isPastCutoff('2030-06-01T15:00:01+03:00', new Date('2030-06-01T12:00:00.000Z'))).toBe(false);
  });
});

describe('callTimeoutMs', () => {
  it('is the configured timeout when the end is further away', () => {
    expect(callTimeoutMs(endAt, before(60_000), 5000)).toBe(5000);
  });
  it('is cut to the time left before the end', () => {
    expect(callTimeoutMs(endAt, before(1200), 5000)).toBe(1200);
  });
  it('is zero at or past the end, never negative', () => {
    expect(callTimeoutMs(endAt, before(0), 5000)).toBe(0);
    expect(callTimeoutMs(endAt, before(-10_000), 5000)).toBe(0);
  });
});

describe('callBudgetMs', () => {
  const claimedAt = Date.parse('2026-11-22T10:00:00Z');
  const leaseUntil = claimedAt + 60_000;
  it('is the lease left less the margin for the outcome write', () => {
    expect(callBudgetMs(leaseUntil, new Date(claimedAt))).toBe(60_000 - LEASE_OUTCOME_MARGIN_MS);
    expect(callBudgetMs(leaseUntil, new Date(claimedAt + 50_000))).toBe(10_000 - LEASE_OUTCOME_MARGIN_MS);
  });
  it('falls under the shortest call worth starting before the lease ends, and below zero after', () => {
    expect(callBudgetMs(leaseUntil, new Date(leaseUntil - LEASE_OUTCOME_MARGIN_MS - MIN_CALL_MS + 1))).toBeLessThan(MIN_CALL_MS);
    expect(callBudgetMs(leaseUntil, new Date(leaseUntil - LEASE_OUTCOME_MARGIN_MS - MIN_CALL_MS))).toBe(MIN_CALL_MS);
    expect(callBudgetMs(leaseUntil, new Date(leaseUntil + 1))).toBeLessThan(0);
  });
});

describe('callTimeoutWithin', () => {
  const claimedAt = Date.parse('2026-11-22T10:00:00Z');
  const leaseUntil = claimedAt + 60_000;
  const farEnd = '2026-11-22T12:00:00Z';

  it('starts no call in the last seconds of a lease: the margin for the outcome write and the shortest call worth making', () => {
    const lastStart = leaseUntil - LEASE_OUTCOME_MARGIN_MS - MIN_CALL_MS;
    expect(callTimeoutWithin(leaseUntil, farEnd, new Date(lastStart), 5000)).toBe(MIN_CALL_MS);
    for (let at = lastStart + 1; at <= leaseUntil + 1000; at += 250) expect(callTimeoutWithin(leaseUntil, farEnd, new Date(at), 5000)).toBeUndefined();
  });

  it('times every call it lets start out the margin before the lease ends, and by the campaign end', () => {
    for (let at = claimedAt; at < leaseUntil; at += 500) {
      const now = new Date(at);
      const timeoutMs = callTimeoutWithin(leaseUntil, farEnd, now, 5000);
      if (timeoutMs === undefined) continue;
      expect(timeoutMs).toBeLessThanOrEqual(5000);
      expect(at + timeoutMs + LEASE_OUTCOME_MARGIN_MS).toBeLessThanOrEqual(leaseUntil);
    }
    const endAt = new Date(claimedAt + 1200).toISOString();
    expect(callTimeoutWithin(leaseUntil, endAt, new Date(claimedAt), 5000)).toBe(1200);
  });
});

describe('waitBudgetMs', () => {
  const until = Date.parse('2026-11-22T10:00:30Z');
  it('is the longest wait after which a call of MIN_CALL_MS still fits before `until` less the margin, capped', () => {
    expect(waitBudgetMs(until, new Date(until - 30_000), 10_000)).toBe(10_000);
    expect(waitBudgetMs(until, new Date(until - 9_000), 10_000)).toBe(9_000 - LEASE_OUTCOME_MARGIN_MS - MIN_CALL_MS);
    expect(waitBudgetMs(until, new Date(until - LEASE_OUTCOME_MARGIN_MS - MIN_CALL_MS), 10_000)).toBe(0);
    expect(waitBudgetMs(until, new Date(until), 10_000)).toBeLessThan(0);
  });
});
