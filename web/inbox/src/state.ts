/**
 * The inbox element's rules that need no DOM: what the badge says, how long to wait before
 * reconnecting, which frames are understood, how a fetched page joins what is shown, and which
 * links may be followed. The element (element.ts) only draws what these decide.
 */

/** An item as GET /inbox lists it and a `notification` frame carries it. */
export interface InboxItem {
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

export type InboxFrame = { type: 'notification'; item: InboxItem } | { type: 'unread'; count: number } | { type: 'pong' };

/** GET /inbox's answer. */
export interface InboxPage {
  items: InboxItem[];
  nextCursor: string | null;
  unreadCount: number;
}

/** The badge: the count, or 99+ past 99. */
export function badgeText(count: number): string {
  return count > 99 ? '99+' : String(count);
}

export const RECONNECT_BASE_MS = 1_000;
export const RECONNECT_MAX_MS = 30_000;
/** API Gateway closes a WebSocket idle for 10 minutes: a ping every 5 keeps it open with room to spare. */
export const PING_INTERVAL_MS = 5 * 60_000;

/**
 * The wait before reconnect attempt `attempt` (0 first): exponential up to a cap, with the upper
 * half jittered so that many pages dropped at once (a deploy, a network blip) do not all return
 * in the same instant.
 */
export function reconnectDelay(attempt: number, random: () => number = Math.random): number {
  const ceiling = Math.min(RECONNECT_MAX_MS, RECONNECT_BASE_MS * 2 ** Math.max(0, attempt));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

function isItem(value: unknown): value is InboxItem {
  if (typeof value !== 'object' || value === null) return false;
  const item = value as Record<string, unknown>;
  return (
    typeof item.id === 'string' &&
    typeof item.title === 'string' &&
    typeof item.createdAt === 'string' &&
    (item.readAt === null || typeof item.readAt === 'string') &&
    (item.text === undefined || typeof item.text === 'string') &&
    (item.url === undefined || typeof item.url === 'string')
  );
}

/** A frame from the socket, or undefined for anything this element does not understand (ignored, never thrown). */
export function parseFrame(data: unknown): InboxFrame | undefined {
  if (typeof data !== 'string') return undefined;
  let frame: unknown;
  try {
    frame = JSON.parse(data);
  } catch {
    return undefined;
  }
  if (typeof frame !== 'object' || frame === null) return undefined;
  const { type, item, count } = frame as Record<string, unknown>;
  if (type === 'notification' && isItem(item)) return { type, item: { ...item, text: item.text ?? '' } };
  if (type === 'unread' && typeof count === 'number' && Number.isInteger(count) && count >= 0) return { type, count };
  if (type === 'pong') return { type };
  return undefined;
}

/** Newest first, as GET /inbox lists them; equal times by id, so the order is the same in every tab. */
function newestFirst(a: InboxItem, b: InboxItem): number {
  if (a.createdAt !== b.createdAt) return a.createdAt < b.createdAt ? 1 : -1;
  return a.id < b.id ? 1 : a.id > b.id ? -1 : 0;
}

/**
 * What is shown after `incoming` arrives (a fetched page or one frame's item): one entry per id,
 * the incoming copy winning (it is the newer word on its read state), newest first.
 */
export function mergeItems(current: InboxItem[], incoming: InboxItem[]): InboxItem[] {
  const byId = new Map(current.map((item) => [item.id, item]));
  for (const item of incoming) byId.set(item.id, item);
  return [...byId.values()].sort(newestFirst);
}

/**
 * Joins a freshly fetched first page to what is shown. When the page shares no item with it and
 * more pages follow, what is shown is older than the page's end: a gap nobody could scroll
 * across, so the page replaces it (and its cursor continues from there).
 */
export function joinFirstPage(current: InboxItem[], page: InboxPage, currentCursor: string | null): { items: InboxItem[]; nextCursor: string | null } {
  const shown = new Set(current.map((item) => item.id));
  const overlaps = page.items.some((item) => shown.has(item.id));
  if (current.length === 0 || (!overlaps && page.nextCursor !== null)) return { items: [...page.items].sort(newestFirst), nextCursor: page.nextCursor };
  return { items: mergeItems(current, page.items), nextCursor: currentCursor };
}

/** How many of `items` are unread. */
export function unreadAmong(items: InboxItem[]): number {
  return items.filter((item) => item.readAt === null).length;
}

/** The link to follow for an item's url: https or http (a relative path resolves against the page), never javascript: or data:. */
export function safeHref(url: string | undefined, base: string): string | undefined {
  if (!url) return undefined;
  try {
    const resolved = new URL(url, base);
    return resolved.protocol === 'https:' || resolved.protocol === 'http:' ? resolved.href : undefined;
  } catch {
    return undefined;
  }
}
