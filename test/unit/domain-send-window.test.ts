import { describe, expect, it } from 'vitest';
import { isInsideWindow, nextOpening, utcOffsetMinutes, type SendWindow } from '../../functions/domain/send-window.js';

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
});
