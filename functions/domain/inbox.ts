/**
 * A client's in-app inbox: its items, what is read, and the unread count.
 *
 * Every change of an inbox (an arrival, read, unread, read-all, archive) is one step from the
 * state it read to the next, and the store writes it only if the inbox is still in the state
 * the step was computed from (functions/adapters/dynamo/inbox-store.ts): the inbox's counter
 * carries a `stamp`, strictly increasing, that every step replaces. So the steps of one client
 * happen one after another, whatever runs at once, and the unread count each step stores is
 * exactly what the items it leaves behind count as unread.
 *
 * The stamp is also the inbox's own clock: an item's `createdAt`, a read-all's `lastReadAllAt`
 * and an explicit unread's `unreadAt` are stamps, so "before the read-all" means before it in
 * that order, never by two machines' clocks. Read-all is constant work: it moves
 * `lastReadAllAt` and touches no item. An item is read when it has `readAt`, or was created at
 * or before the last read-all and not marked unread since.
 *
 * Items expire (DynamoDB's TTL) at the end of a UTC day, the retention after they arrived. The
 * counter keeps its unread items by that day, so an expired day's unread items leave the count
 * the moment they leave the list, although TTL deletes them later.
 */
/** How long an item is kept unless the stack says otherwise. */
export const DEFAULT_INBOX_RETENTION_DAYS = 90;
export const INBOX_STATUSES = ['all', 'unread'] as const;
export type InboxStatus = (typeof INBOX_STATUSES)[number];

/** An inbox item as `GET /inbox` shows it, and as the `notification` frame carries it. */
export interface InboxItemView {
  id: string;
  title: string;
  text: string;
  url?: string;
  createdAt: string;
  /** null while unread. */
  readAt: string | null;
  campaignId?: string;
  noticeId?: string;
}

/** What a message puts in the inbox (functions/domain/channels/inapp.ts renders it). */
export interface InboxContent {
  title: string;
  text: string;
  url?: string;
  campaignId?: string;
  noticeId?: string;
}

export interface InboxItem extends InboxContent {
  clientId: string;
  /** The message the item is: its inbox holds it once, however often the message is sent. */
  messageId: number;
  /** A stamp of the inbox (see above). */
  createdAt: string;
  /** When it was marked read, a stamp; absent while unread or when read by a read-all. */
  readAt?: string;
  /** When it was marked unread, a stamp: unread then, whatever read-all came before. */
  unreadAt?: string;
  /** Epoch seconds: when DynamoDB's TTL may delete it, and from when it is no longer listed. */
  expiresAt: number;
}

/** The counter of one client's inbox. A client whose inbox never changed has the empty one. */
export interface InboxCounter {
  /** The last step's stamp; absent before the first. */
  stamp?: string;
  lastReadAllAt?: string;
  /** Unread items by the UTC day they expire at the end of (`YYYY-MM-DD`). */
  unread: Record<string, number>;
}

export const EMPTY_COUNTER: InboxCounter = Object.freeze({ unread: Object.freeze({}) }) as InboxCounter;

const DAY_MS = 24 * 60 * 60 * 1000;

/** The epoch second an item created at `createdAt` expires at: the end of the UTC day `retentionDays` later. */
export function expiryOf(createdAt: string, retentionDays: number): number {
  const day = Math.floor(Date.parse(createdAt) / DAY_MS) + retentionDays;
  return ((day + 1) * DAY_MS) / 1000;
}

/** The counter's day an expiry belongs to. */
const dayOf = (expiresAt: number) => new Date(expiresAt * 1000 - 1).toISOString().slice(0, 10);
const dayExpired = (day: string, now: Date) => Date.parse(day) + DAY_MS <= now.getTime();

export function isExpired(item: Pick<InboxItem, 'expiresAt'>, now: Date): boolean {
  return item.expiresAt * 1000 <= now.getTime();
}

/** How many unread items the inbox lists at `now`. */
export function unreadCount(counter: InboxCounter, now: Date): number {
  let count = 0;
  for (const [day, n] of Object.entries(counter.unread)) if (!dayExpired(day, now)) count += n;
  return count;
}

export function isRead(item: Pick<InboxItem, 'createdAt' | 'readAt' | 'unreadAt'>, lastReadAllAt: string | undefined): boolean {
  if (item.readAt !== undefined) return true;
  if (lastReadAllAt === undefined || item.createdAt > lastReadAllAt) return false;
  return item.unreadAt === undefined || item.unreadAt <= lastReadAllAt;
}

export function viewOf(item: InboxItem, counter: InboxCounter): InboxItemView {
  const readAt = item.readAt ?? (isRead(item, counter.lastReadAllAt) ? (counter.lastReadAllAt as string) : null);
  return {
    id: itemIdOf(item),
    title: item.title,
    text: item.text,
    ...(item.url !== undefined ? { url: item.url } : {}),
    createdAt: item.createdAt,
    readAt,
    ...(item.campaignId !== undefined ? { campaignId: item.campaignId } : {}),
    ...(item.noticeId !== undefined ? { noticeId: item.noticeId } : {}),
  };
}

/**
 * The stamp of the next step: now, unless the last stamp is not before it (a step within the same
 * millisecond, or a machine whose clock is behind the last one's), then a millisecond after it.
 */
export function nextStamp(counter: InboxCounter, now: Date): string {
  const last = counter.stamp === undefined ? -Infinity : Date.parse(counter.stamp);
  return new Date(Math.max(now.getTime(), last + 1)).toISOString();
}

/** The counter's days with what was expired at `now` dropped: the map never grows past the retention. */
function liveDays(unread: Record<string, number>, now: Date, change?: { day: string; by: number }): Record<string, number> {
  const days: Record<string, number> = {};
  for (const [day, n] of Object.entries(unread)) if (!dayExpired(day, now) && n > 0) days[day] = n;
  if (change && !dayExpired(change.day, now)) {
    const n = (days[change.day] ?? 0) + change.by;
    if (n > 0) days[change.day] = n;
    else delete days[change.day];
  }
  return days;
}

/** One step: what the inbox's counter becomes, and the item it writes (absent for read-all). */
export interface InboxStep {
  counter: InboxCounter;
  item?: InboxItem;
}

export function arrival(
  counter: InboxCounter,
  clientId: string,
  messageId: number,
  content: InboxContent,
  now: Date,
  retentionDays: number,
): Required<InboxStep> {
  const stamp = nextStamp(counter, now);
  const item: InboxItem = { ...content, clientId, messageId, createdAt: stamp, expiresAt: expiryOf(stamp, retentionDays) };
  return {
    item,
    counter: { ...counter, stamp, unread: liveDays(counter.unread, now, { day: dayOf(item.expiresAt), by: 1 }) },
  };
}

/** Marks the item read or unread; undefined when it already is (nothing to write). */
export function marked(counter: InboxCounter, item: InboxItem, read: boolean, now: Date): Required<InboxStep> | undefined {
  if (isRead(item, counter.lastReadAllAt) === read) return undefined;
  const stamp = nextStamp(counter, now);
  const { readAt: _readAt, unreadAt: _unreadAt, ...rest } = item;
  return {
    item: read ? { ...rest, readAt: stamp } : { ...rest, unreadAt: stamp },
    counter: { ...counter, stamp, unread: liveDays(counter.unread, now, { day: dayOf(item.expiresAt), by: read ? -1 : 1 }) },
  };
}

/** Every item there is becomes read: the counter alone changes. */
export function readAll(counter: InboxCounter, now: Date): InboxCounter {
  const stamp = nextStamp(counter, now);
  return { stamp, lastReadAllAt: stamp, unread: {} };
}

/** The counter once `item` is archived (no longer listed). */
export function archived(counter: InboxCounter, item: InboxItem, now: Date): InboxCounter {
  const stamp = nextStamp(counter, now);
  const change = isRead(item, counter.lastReadAllAt) ? undefined : { day: dayOf(item.expiresAt), by: -1 };
  return { ...counter, stamp, unread: liveDays(counter.unread, now, change) };
}

/**
 * An item's id: its creation stamp in epoch ms and its message id, `<ms>-<messageId>`. The stamp is
 * unique within a client's inbox and leads to the stored item without an index; the message id is
 * checked against it, so an id is only taken back as it was given.
 */
export function itemIdOf(item: Pick<InboxItem, 'createdAt' | 'messageId'>): string {
  return `${Date.parse(item.createdAt)}-${item.messageId}`;
}

export const ITEM_ID_PATTERN = /^(\d{1,15})-(\d{1,16})$/;

/** What an item id names, or undefined when no item could have it. */
export function parseItemId(id: string): { createdAt: string; messageId: number } | undefined {
  const match = ITEM_ID_PATTERN.exec(id);
  if (!match) return undefined;
  const ms = Number(match[1]);
  const messageId = Number(match[2]);
  if (!Number.isSafeInteger(messageId) || ms > 8.64e15) return undefined;
  return { createdAt: new Date(ms).toISOString(), messageId };
}
