/** The `<herald-inbox>` element's rules without a browser (web/inbox/src/state.ts); the element itself is tested in Chromium (test/browser/inbox.test.ts). */
import { describe, expect, it } from 'vitest';
import {
  badgeText,
  joinFirstPage,
  mergeItems,
  parseFrame,
  PING_INTERVAL_MS,
  reconnectDelay,
  RECONNECT_MAX_MS,
  safeHref,
  type InboxItem,
} from '../../web/inbox/src/state.js';

const item = (id: string, createdAt: string, readAt: string | null = null): InboxItem => ({ id, title: `t${id}`, text: '', createdAt, readAt });

describe('the inbox element rules', () => {
  it('shows the count on the badge, and 99+ past 99', () => {
    expect([0, 1, 99, 100, 12_345].map(badgeText)).toEqual(['0', '1', '99', '99+', '99+']);
  });

  it('waits exponentially longer between reconnects, capped, with the upper half jittered', () => {
    expect([0, 1, 2, 3].map((attempt) => reconnectDelay(attempt, () => 0))).toEqual([500, 1000, 2000, 4000]);
    expect([0, 1, 2, 3].map((attempt) => reconnectDelay(attempt, () => 1))).toEqual([1000, 2000, 4000, 8000]);
    expect(reconnectDelay(40, () => 1)).toBe(RECONNECT_MAX_MS);
    expect(reconnectDelay(40, () => 0)).toBe(RECONNECT_MAX_MS / 2);
  });

  it('pings well before API Gateway closes an idle WebSocket (10 minutes)', () => {
    expect(PING_INTERVAL_MS).toBeLessThanOrEqual(5 * 60_000);
  });

  it('understands the three frames of the contract and ignores anything else', () => {
    const sent = item('1', '2026-01-01T00:00:00.000Z');
    expect(parseFrame(JSON.stringify({ type: 'notification', item: sent }))).toEqual({ type: 'notification', item: sent });
    expect(parseFrame('{"type":"unread","count":3}')).toEqual({ type: 'unread', count: 3 });
    expect(parseFrame('{"type":"pong"}')).toEqual({ type: 'pong' });
    for (const bad of [
      'nope',
      '{"type":"unread","count":-1}',
      '{"type":"unread","count":"3"}',
      '{"type":"notification","item":{"id":1}}',
      'null',
      '{"type":"x"}',
    ])
      expect(parseFrame(bad), bad).toBeUndefined();
    expect(parseFrame(new ArrayBuffer(2))).toBeUndefined();
  });

  it('keeps one copy of each item, the newer word winning, newest first', () => {
    const older = item('a', '2026-01-01T00:00:00.000Z');
    const newer = item('b', '2026-01-02T00:00:00.000Z');
    const readOlder = { ...older, readAt: '2026-01-03T00:00:00.000Z' };
    expect(mergeItems([older], [newer, readOlder])).toEqual([newer, readOlder]);
  });

  it('joins a fetched first page to what is shown, replacing it when a gap would open between them', () => {
    const shown = [item('c', '2026-01-03T00:00:00.000Z'), item('b', '2026-01-02T00:00:00.000Z')];
    const overlapping = { items: [item('d', '2026-01-04T00:00:00.000Z'), shown[0] as InboxItem], nextCursor: 'next', unreadCount: 3 };
    expect(joinFirstPage(shown, overlapping, 'older').items.map((entry) => entry.id)).toEqual(['d', 'c', 'b']);
    expect(joinFirstPage(shown, overlapping, 'older').nextCursor).toBe('older');
    const gap = { items: [item('f', '2026-01-06T00:00:00.000Z'), item('e', '2026-01-05T00:00:00.000Z')], nextCursor: 'after-e', unreadCount: 9 };
    expect(joinFirstPage(shown, gap, 'older')).toEqual({ items: gap.items, nextCursor: 'after-e' });
    // Negative control: the same page without more to follow leaves no gap, so it joins.
    expect(joinFirstPage(shown, { ...gap, nextCursor: null }, 'older').items.map((entry) => entry.id)).toEqual(['f', 'e', 'c', 'b']);
  });

  it('follows only http(s) links, relative ones against the page', () => {
    expect(safeHref('/orders/1', 'https://shop.example/app')).toBe('https://shop.example/orders/1');
    expect(safeHref('https://x.example/', 'https://shop.example/')).toBe('https://x.example/');
    expect(safeHref('javascript:alert(1)', 'https://shop.example/')).toBeUndefined();
    expect(safeHref('data:text/html,x', 'https://shop.example/')).toBeUndefined();
    expect(safeHref(undefined, 'https://shop.example/')).toBeUndefined();
  });
});
