import { describe, expect, it } from 'vitest';
import { groupedChunksOfPage } from '../../functions/domain/messages.js';
import { earliestOpening, holdPlan, isInsideWindow, nextOpening, utcOffsetMinutes, type SendWindow } from '../../functions/domain/send-window.js';

const day: SendWindow = { from: '09:00', to: '17:00' };
const night: SendWindow = { from: '22:00', to: '06:00' };
const utc = (iso: string) => new Date(iso);

describe('send window', () => {
  it('opens at 09:00 local in New York across the March switch to daylight saving (EST -> EDT)', () => {
    // 2026-03-08 02:00 EST jumps to 03:00 EDT: 09:00 that morning is 13:00Z, not 14:00Z.
    expect(nextOpening(day, 'America/New_York', utc('2026-03-07T23:00:00Z')).toISOString()).toBe('2026-03-08T13:00:00.000Z');
    expect(isInsideWindow(day, 'America/New_York', utc('2026-03-08T12:59:00Z'))).toBe(false);
    expect(isInsideWindow(day, 'America/New_York', utc('2026-03-08T13:00:00Z'))).toBe(true);
    expect(utcOffsetMinutes('America/New_York', utc('2026-03-08T06:00:00Z'))).toBe(-300);
    expect(utcOffsetMinutes('America/New_York', utc('2026-03-08T08:00:00Z'))).toBe(-240);
  });

  it('opens at 09:00 local in New York across the November return to standard time (EDT -> EST)', () => {
    // 2026-11-01 02:00 EDT falls back to 01:00 EST: 09:00 that morning is 14:00Z.
    expect(nextOpening(day, 'America/New_York', utc('2026-10-31T22:00:00Z')).toISOString()).toBe('2026-11-01T14:00:00.000Z');
    expect(isInsideWindow(day, 'America/New_York', utc('2026-11-01T13:30:00Z'))).toBe(false);
    // The window closes at 17:00 EST = 22:00Z.
    expect(isInsideWindow(day, 'America/New_York', utc('2026-11-01T21:59:00Z'))).toBe(true);
    expect(isInsideWindow(day, 'America/New_York', utc('2026-11-01T22:00:00Z'))).toBe(false);
  });

  it('opens a window that starts inside the spring-forward gap at the first local time after it', () => {
    // 02:30 does not exist on 2026-03-08 in New York; the clock reads 03:00 EDT at 07:00Z.
    expect(nextOpening({ from: '02:30', to: '04:00' }, 'America/New_York', utc('2026-03-08T05:00:00Z')).toISOString()).toBe('2026-03-08T07:00:00.000Z');
  });

  it('handles a window across midnight', () => {
    const zone = 'Europe/Moscow'; // +03:00 all year
    expect(isInsideWindow(night, zone, utc('2026-06-01T20:30:00Z'))).toBe(true); // 23:30
    expect(isInsideWindow(night, zone, utc('2026-06-01T02:59:00Z'))).toBe(true); // 05:59
    expect(isInsideWindow(night, zone, utc('2026-06-01T03:00:00Z'))).toBe(false); // 06:00
    expect(isInsideWindow(night, zone, utc('2026-06-01T18:59:00Z'))).toBe(false); // 21:59
    expect(nextOpening(night, zone, utc('2026-06-01T09:00:00Z')).toISOString()).toBe('2026-06-01T19:00:00.000Z');
    const inside = utc('2026-06-01T21:00:00Z');
    expect(nextOpening(night, zone, inside)).toBe(inside);
  });

  it('knows Asia/Kathmandu at +05:45', () => {
    expect(utcOffsetMinutes('Asia/Kathmandu', utc('2026-06-01T00:00:00Z'))).toBe(345);
    expect(isInsideWindow(day, 'Asia/Kathmandu', utc('2026-06-01T03:14:00Z'))).toBe(false); // 08:59
    expect(isInsideWindow(day, 'Asia/Kathmandu', utc('2026-06-01T03:15:00Z'))).toBe(true); // 09:00
    expect(nextOpening(day, 'Asia/Kathmandu', utc('2026-06-01T03:10:30Z')).toISOString()).toBe('2026-06-01T03:15:00.000Z');
    // After the window closes (17:00 = 11:15Z), the next opening is tomorrow's 09:00.
    expect(nextOpening(day, 'Asia/Kathmandu', utc('2026-06-01T11:15:00Z')).toISOString()).toBe('2026-06-02T03:15:00.000Z');
  });

  it("takes the earliest opening of a chunk's zones", () => {
    const at = utc('2026-06-01T02:00:00Z'); // 07:45 in Kathmandu, 05:00 in Moscow
    expect(new Date(earliestOpening(day, ['Europe/Moscow', 'Asia/Kathmandu'], at)).toISOString()).toBe('2026-06-01T03:15:00.000Z');
  });
});

describe('holding a chunk on the queue', () => {
  const now = utc('2026-06-01T00:00:00Z');
  const endAt = '2026-06-03T00:00:00.000Z';
  it('delays a new message for waits up to 15 minutes', () => {
    expect(holdPlan(now.getTime() + 60_000, endAt, now)).toEqual({ kind: 'delay', seconds: 60 });
    expect(holdPlan(now.getTime() + 900_000, endAt, now)).toEqual({ kind: 'delay', seconds: 900 });
  });
  it('keeps the received message invisible for longer waits, to come back about 15 minutes early, at most 12 h at a time', () => {
    expect(holdPlan(now.getTime() + 3_600_000, endAt, now)).toEqual({ kind: 'invisible', seconds: 3600 - 900 + 10 });
    expect(holdPlan(now.getTime() + 30 * 3_600_000, endAt, now)).toEqual({ kind: 'invisible', seconds: 43_000 });
  });
  it('never waits past just after the end, where the open messages expire', () => {
    expect(holdPlan(now.getTime() + 3_600_000, '2026-06-01T00:05:00.000Z', now)).toEqual({ kind: 'delay', seconds: 301 });
    expect(holdPlan(now.getTime() + 60_000, '2026-05-31T00:00:00.000Z', now)).toEqual({ kind: 'delay', seconds: 1 });
  });
});

describe('chunks grouped by UTC offset', () => {
  const member = (zone: string, i: number) => ({ id: `${zone}-${i}`, phone: '79000000000', timezone: zone });
  const group = (zone: string, n: number) => Array.from({ length: n }, (_, i) => member(zone, i));
  const zonesPerChunk = (chunks: ReturnType<typeof groupedChunksOfPage>) => chunks.map((c) => [...new Set(c.messages.map((m) => m.timezone))]);
  const now = utc('2026-06-01T00:00:00Z');

  it('gives each offset chunks of its own when the page has chunk numbers enough', () => {
    const chunks = groupedChunksOfPage('3', 2, [group('America/New_York', 12), group('Europe/Moscow', 12), group('Asia/Kathmandu', 12)], now);
    expect(zonesPerChunk(chunks)).toEqual([
      ['America/New_York'],
      ['America/New_York'],
      ['Europe/Moscow'],
      ['Europe/Moscow'],
      ['Asia/Kathmandu'],
      ['Asia/Kathmandu'],
    ]);
    expect(chunks.map((c) => c.chunk)).toEqual([20, 21, 22, 23, 24, 25]);
    expect(chunks.flatMap((c) => c.messages).map((m) => m.timezone)).toHaveLength(36);
  });

  it("lets groups share chunks rather than use another page's chunk numbers", () => {
    const groups = Array.from({ length: 11 }, (_, i) => group(`Zone/${i}`, 9));
    const chunks = groupedChunksOfPage('3', 0, groups, now);
    expect(chunks).toHaveLength(10);
    expect(Math.max(...chunks.map((c) => c.chunk))).toBe(9);
    expect(chunks.flatMap((c) => c.messages)).toHaveLength(99);
  });
});
