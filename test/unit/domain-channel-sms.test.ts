/** The SMS channel's own rules (functions/domain/channels/sms.ts): the provider's answer classes and Retry-After, and the phone masked in logs. */
import { describe, expect, it } from 'vitest';
import { classifyResponse, maskPhone, parseRetryAfter } from '../../functions/domain/channels/sms.js';

const now = new Date('2030-06-01T12:00:00.000Z');

describe('classifyResponse', () => {
  it('counts only 200 with code 0 as sent', () => {
    expect(classifyResponse(200, { code: 0 })).toEqual({ kind: 'sent' });
  });
  it.each([
    ['another code', { code: 1 }],
    ['code as a string', { code: '0' }],
    ['no code', {}],
    ['null', null],
    ['a string', 'OK'],
    ['nothing', undefined],
    ['an array', [0]],
  ])('retries a 200 with %s as a malformed body', (_name, body) => {
    const outcome = classifyResponse(200, body);
    expect(outcome.kind).toBe('retryable');
    expect(outcome.kind === 'retryable' && outcome.error).toMatch(/^malformed 200 body/);
  });
  it.each([429, 408, 500, 502, 503, 504])('retries HTTP %i', (status) => {
    expect(classifyResponse(status, {})).toEqual({ kind: 'retryable', error: `HTTP ${status}` });
  });
  it('tells a refused token (HTTP 401) apart as auth-failed, whatever Retry-After says: the credentials are at fault, not the message', () => {
    expect(classifyResponse(401, {})).toEqual({ kind: 'auth-failed', error: 'HTTP 401' });
    expect(classifyResponse(401, {}, '30', now)).toEqual({ kind: 'auth-failed', error: 'HTTP 401' });
  });
  it.each([400, 403, 404, 409, 422])('does not retry HTTP %i: the provider refused the message', (status) => {
    expect(classifyResponse(status, {})).toEqual({ kind: 'rejected', error: `HTTP ${status}` });
  });
  it('honours Retry-After in seconds and as a date', () => {
    expect(classifyResponse(429, {}, '3', now)).toEqual({ kind: 'retryable', error: 'HTTP 429', retryAfterMs: 3000 });
    expect(classifyResponse(503, {}, new Date(now.getTime() + 7000).toUTCString(), now)).toEqual({ kind: 'retryable', error: 'HTTP 503', retryAfterMs: 7000 });
  });
  it('keeps a malformed body short enough for the chunk item', () => {
    const outcome = classifyResponse(200, { junk: 'x'.repeat(500) });
    expect(outcome.kind === 'retryable' && outcome.error.length).toBeLessThanOrEqual(60);
  });
});

describe('parseRetryAfter', () => {
  it('reads delay-seconds', () => {
    expect(parseRetryAfter('0', now)).toBe(0);
    expect(parseRetryAfter('120', now)).toBe(120_000);
  });
  it('reads an HTTP date, a past one as no wait', () => {
    expect(parseRetryAfter(new Date(now.getTime() + 2000).toUTCString(), now)).toBe(2000);
    expect(parseRetryAfter(new Date(now.getTime() - 2000).toUTCString(), now)).toBe(0);
  });
  it('ignores what is absent or unreadable', () => {
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
    expect(parseRetryAfter(null, now)).toBeUndefined();
    expect(parseRetryAfter('', now)).toBeUndefined();
    expect(parseRetryAfter('soon', now)).toBeUndefined();
  });
});

describe('maskPhone', () => {
  it('keeps the first four and last two digits', () => {
    expect(maskPhone('79001234567')).toBe('7900*****67');
  });
  it('masks numbers too', () => {
    expect(maskPhone(79001234567)).toBe('7900*****67');
  });
  it('masks short values entirely', () => {
    expect(maskPhone('123456')).toBe('******');
    expect(maskPhone('')).toBe('');
  });
  it('never contains the whole number', () => {
    expect(maskPhone('79001234567')).not.toContain('1234');
  });
});
