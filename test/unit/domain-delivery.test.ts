import { describe, expect, it } from 'vitest';
import { classifyResponse } from '../../functions/domain/channels/sms.js';
import {
  afterOutcome,
  closed,
  DEFAULT_BACKOFF,
  planRetry,
  retryAfterMsOf,
  retryDelayMs,
  shortError,
  TOKEN_REFUSED_ATTEMPTS,
  TOKEN_REFUSED_ERROR,
} from '../../functions/domain/delivery.js';
import type { MessageRecord } from '../../functions/domain/messages.js';

const now = new Date('2030-06-01T12:00:00.000Z');
const queued: MessageRecord = { id: 2 ** 31, clientId: 'c1', phone: '79001234567', status: 'queued', attempts: 0 };
const policy = { baseMs: 1000, maxMs: 10_000 };

describe('shortError', () => {
  it('keeps short errors and cuts long ones to 60 characters', () => {
    expect(shortError('HTTP 500')).toBe('HTTP 500');
    const cut = shortError('e'.repeat(100));
    expect(cut).toHaveLength(60);
    expect(cut.endsWith('…')).toBe(true);
  });
});

describe('retryDelayMs', () => {
  it('doubles the window with each attempt, jittered within its upper half', () => {
    expect(retryDelayMs(1, policy, 0, () => 0)).toBe(500);
    expect(retryDelayMs(1, policy, 0, () => 1)).toBe(1000);
    expect(retryDelayMs(2, policy, 0, () => 0)).toBe(1000);
    expect(retryDelayMs(3, policy, 0, () => 1)).toBe(4000);
  });
  it('stays in [window/2, window] for any random draw', () => {
    for (const draw of [0, 0.1, 0.5, 0.9, 0.999]) {
      const delay = retryDelayMs(3, policy, 0, () => draw);
      expect(delay).toBeGreaterThanOrEqual(2000);
      expect(delay).toBeLessThanOrEqual(4000);
    }
  });
  it('never grows past the cap', () => {
    expect(retryDelayMs(30, policy, 0, () => 1)).toBe(10_000);
    expect(retryDelayMs(30, DEFAULT_BACKOFF, 0, () => 1)).toBe(DEFAULT_BACKOFF.maxMs);
  });
  it('is never shorter than Retry-After', () => {
    expect(retryDelayMs(1, policy, 30_000, () => 0)).toBe(30_000);
  });
  it('treats attempt 0 as the first', () => {
    expect(retryDelayMs(0, policy, 0, () => 1)).toBe(1000);
  });
});

describe('retryAfterMsOf', () => {
  it('is the wait a retryable or auth-failed answer asked for, and none otherwise', () => {
    expect(retryAfterMsOf({ kind: 'retryable', error: 'HTTP 429', retryAfterMs: 3000 })).toBe(3000);
    expect(retryAfterMsOf({ kind: 'auth-failed', error: 'HTTP 401', retryAfterMs: 2000 })).toBe(2000);
    expect(retryAfterMsOf({ kind: 'retryable', error: 'timeout' })).toBe(0);
    expect(retryAfterMsOf({ kind: 'sent' })).toBe(0);
    expect(retryAfterMsOf({ kind: 'rejected', error: 'HTTP 400' })).toBe(0);
  });
});

describe('afterOutcome', () => {
  it('marks a sent message sent, counts the attempt and drops the last error', () => {
    const next = afterOutcome({ ...queued, attempts: 2, lastError: 'HTTP 503' }, { kind: 'sent' }, now);
    expect(next).toEqual({ ...queued, status: 'sent', attempts: 3, sentAt: now.toISOString() });
    expect('lastError' in next).toBe(false);
  });
  it('fails a rejected message with its error', () => {
    expect(afterOutcome(queued, { kind: 'rejected', error: 'HTTP 400' }, now)).toEqual({ ...queued, status: 'failed', attempts: 1, lastError: 'HTTP 400' });
  });
  it('keeps a retryable message queued with its error', () => {
    expect(afterOutcome(queued, { kind: 'retryable', error: 'HTTP 429', retryAfterMs: 1000 }, now)).toEqual({
      ...queued,
      status: 'queued',
      attempts: 1,
      lastError: 'HTTP 429',
    });
  });
  it(`keeps a message refused with 401 queued for ${TOKEN_REFUSED_ATTEMPTS - 1} attempts, then fails it naming the refused token`, () => {
    const refused = classifyResponse(401, {});
    const first = afterOutcome(queued, refused, now);
    const second = afterOutcome(first, refused, now);
    const third = afterOutcome(second, refused, now);
    expect([first, second, third].map((message) => [message.status, message.attempts, message.lastError])).toEqual([
      ['queued', 1, 'HTTP 401'],
      ['queued', 2, 'HTTP 401'],
      ['failed', 3, 'HTTP 401 on 3 attempts: the provider refused the token'],
    ]);
    expect(TOKEN_REFUSED_ERROR.length).toBeLessThanOrEqual(60);
  });
  it('counts earlier attempts that failed otherwise: a 401 on a third attempt fails the message', () => {
    expect(afterOutcome({ ...queued, attempts: 2, lastError: 'HTTP 503' }, classifyResponse(401, {}), now)).toMatchObject({ status: 'failed', attempts: 3 });
  });
  it('control: other retryable answers keep the message queued past that many attempts', () => {
    for (const status of [429, 500, 503]) {
      expect(afterOutcome({ ...queued, attempts: 9 }, classifyResponse(status, {}), now)).toMatchObject({ status: 'queued', attempts: 10 });
    }
  });
  it('does not change the message it was given', () => {
    const before = { ...queued };
    afterOutcome(queued, { kind: 'sent' }, now);
    expect(queued).toEqual(before);
  });
});

describe('closed', () => {
  it('closes a message without counting an attempt', () => {
    expect(closed(queued, 'expired')).toEqual({ ...queued, status: 'expired' });
    expect(closed(queued, 'cancelled')).toEqual({ ...queued, status: 'cancelled' });
    expect(closed({ ...queued, attempts: 5 }, 'failed', 'HTTP 503')).toEqual({ ...queued, attempts: 5, status: 'failed', lastError: 'HTTP 503' });
  });
});

describe('planRetry', () => {
  const endAt = (msFromNow: number) => new Date(now.getTime() + msFromNow).toISOString();
  it('is done when nothing is open', () => {
    expect(planRetry([], 0, 1, endAt(60_000), now, policy, () => 0)).toEqual({ kind: 'done' });
  });
  it('retries after the backoff when that lands before the end', () => {
    expect(planRetry([queued], 0, 2, endAt(60_000), now, policy, () => 1)).toEqual({ kind: 'retry', delayMs: 2000 });
  });
  it('expires instead when the retry would land at or after the end', () => {
    expect(planRetry([queued], 0, 2, endAt(2000), now, policy, () => 1)).toEqual({ kind: 'expire' });
    expect(planRetry([queued], 0, 2, endAt(1999), now, policy, () => 1)).toEqual({ kind: 'expire' });
  });
  it('lets Retry-After push the retry past the end', () => {
    expect(planRetry([queued], 50_000, 1, endAt(40_000), now, policy, () => 0)).toEqual({ kind: 'expire' });
    expect(planRetry([queued], 30_000, 1, endAt(40_000), now, policy, () => 0)).toEqual({ kind: 'retry', delayMs: 30_000 });
  });
});
