/** The inbox's rules (functions/domain/inbox.ts): read and unread, read-all by a stamp, the unread count by expiry day. */
import { describe, expect, it } from 'vitest';
import {
  archived,
  arrival,
  EMPTY_COUNTER,
  expiryOf,
  isRead,
  itemIdOf,
  marked,
  nextStamp,
  parseItemId,
  readAll,
  unreadCount,
  viewOf,
  type InboxCounter,
  type InboxItem,
} from '../../functions/domain/inbox.js';

const t0 = new Date('2026-12-07T12:00:00.000Z');
const at = (ms: number) => new Date(t0.getTime() + ms);
const content = { title: 'Hello', text: 'World' };

/** Items arriving one after another, with the counter they leave. */
function arrive(counter: InboxCounter, n: number, now = t0, retentionDays = 90): { counter: InboxCounter; items: InboxItem[] } {
  const items: InboxItem[] = [];
  for (let i = 0; i < n; i++) {
    const step = arrival(counter, 'c1', 1000 + items.length, content, now, retentionDays);
    counter = step.counter;
    items.push(step.item);
  }
  return { counter, items };
}

describe('the inbox', () => {
  it('stamps strictly increase, also within one millisecond and on a clock behind the last stamp', () => {
    const first = nextStamp(EMPTY_COUNTER, t0);
    expect(first).toBe(t0.toISOString());
    expect(nextStamp({ stamp: first, unread: {} }, t0)).toBe(at(1).toISOString());
    expect(nextStamp({ stamp: first, unread: {} }, at(-5000))).toBe(at(1).toISOString());
    expect(nextStamp({ stamp: first, unread: {} }, at(10))).toBe(at(10).toISOString());
  });

  it('counts arrivals as unread, and items read and unread again', () => {
    const { counter, items } = arrive(EMPTY_COUNTER, 3);
    expect(unreadCount(counter, t0)).toBe(3);
    const read = marked(counter, items[1]!, true, t0)!;
    expect(unreadCount(read.counter, t0)).toBe(2);
    expect(isRead(read.item, read.counter.lastReadAllAt)).toBe(true);
    expect(viewOf(read.item, read.counter).readAt).toBe(read.item.readAt);
    // Already read: nothing to do.
    expect(marked(read.counter, read.item, true, t0)).toBeUndefined();
    const unread = marked(read.counter, read.item, false, t0)!;
    expect(unreadCount(unread.counter, t0)).toBe(3);
    expect(viewOf(unread.item, unread.counter).readAt).toBeNull();
    expect(marked(unread.counter, unread.item, false, t0)).toBeUndefined();
  });

  it('read-all touches no item: items up to its stamp are read, later ones not', () => {
    const before = arrive(EMPTY_COUNTER, 2);
    const counter = readAll(before.counter, t0);
    expect(unreadCount(counter, t0)).toBe(0);
    for (const item of before.items) {
      expect(isRead(item, counter.lastReadAllAt)).toBe(true);
      expect(viewOf(item, counter).readAt).toBe(counter.lastReadAllAt);
    }
    // Same millisecond on the clock, yet after the read-all in the inbox's order.
    const later = arrive(counter, 1);
    expect(isRead(later.items[0]!, later.counter.lastReadAllAt)).toBe(false);
    expect(unreadCount(later.counter, t0)).toBe(1);
  });

  it('an item marked unread after a read-all is unread, until the next read-all', () => {
    const before = arrive(EMPTY_COUNTER, 2);
    const counter = readAll(before.counter, t0);
    const unread = marked(counter, before.items[0]!, false, t0)!;
    expect(isRead(unread.item, unread.counter.lastReadAllAt)).toBe(false);
    expect(unreadCount(unread.counter, t0)).toBe(1);
    // The other item stays read by the read-all.
    expect(isRead(before.items[1]!, unread.counter.lastReadAllAt)).toBe(true);
    const again = readAll(unread.counter, t0);
    expect(isRead(unread.item, again.lastReadAllAt)).toBe(true);
    // Marked read explicitly after that, it keeps its own readAt.
    expect(marked(again, unread.item, true, t0)).toBeUndefined();
  });

  it('archiving an unread item takes it off the count; a read one leaves the count', () => {
    const { counter, items } = arrive(EMPTY_COUNTER, 2);
    const afterUnread = archived(counter, items[0]!, t0);
    expect(unreadCount(afterUnread, t0)).toBe(1);
    const read = marked(afterUnread, items[1]!, true, t0)!;
    expect(unreadCount(archived(read.counter, read.item, t0), t0)).toBe(0);
  });

  it('unread items leave the count at the end of the day they expire, as they leave the list', () => {
    const { counter, items } = arrive(EMPTY_COUNTER, 2, t0, 1);
    const expiresAt = items[0]!.expiresAt;
    expect(new Date(expiresAt * 1000).toISOString()).toBe('2026-12-09T00:00:00.000Z');
    expect(expiryOf(t0.toISOString(), 90)).toBe(Date.parse('2027-03-08T00:00:00.000Z') / 1000);
    expect(unreadCount(counter, new Date(expiresAt * 1000 - 1))).toBe(2);
    expect(unreadCount(counter, new Date(expiresAt * 1000))).toBe(0);
    // A later change drops the expired day from the counter, so it never grows past the retention.
    const later = arrive(counter, 1, new Date(expiresAt * 1000 + 5), 1);
    expect(Object.keys(later.counter.unread)).toEqual(['2026-12-10']);
  });

  it('item ids lead back to the item and refuse what no item could have', () => {
    const { items } = arrive(EMPTY_COUNTER, 1);
    const id = itemIdOf(items[0]!);
    expect(id).toBe(`${t0.getTime()}-1000`);
    expect(parseItemId(id)).toEqual({ createdAt: t0.toISOString(), messageId: 1000 });
    for (const bad of ['', '1-', '-1', 'a-1', '1-1-1', `${'9'.repeat(16)}-1`, `1-${'9'.repeat(17)}`]) expect(parseItemId(bad)).toBeUndefined();
  });
});
