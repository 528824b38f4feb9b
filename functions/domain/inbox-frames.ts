/**
 * The JSON frames Herald pushes over a client's WebSocket connections (DESIGN.md, In-app inbox and
 * real time): an arriving item, the unread count after every change of it, and the answer to a ping.
 * Frames are best effort; an app that missed one catches up with `GET /inbox`.
 */

import type { InboxItemView } from './inbox.js';

export type { InboxItemView } from './inbox.js';

export type InboxFrame = { type: 'notification'; item: InboxItemView } | { type: 'unread'; count: number } | { type: 'pong' };

/** What a connected app may send: only a ping has an answer; anything else is ignored. */
export type InboxRequest = { action: 'ping' };

export const notificationFrame = (item: InboxItemView): InboxFrame => ({ type: 'notification', item });
export const unreadFrame = (count: number): InboxFrame => ({ type: 'unread', count });
export const PONG: InboxFrame = Object.freeze({ type: 'pong' });

/**
 * The frame that answers a message a connected app sent, or undefined when it calls for none.
 * A body that is not JSON, or JSON of any other shape, is no request: it is ignored, never an error.
 */
export function answerTo(body: string | null | undefined): InboxFrame | undefined {
  if (typeof body !== 'string' || body.length > 1024) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return undefined;
  }
  const isPing = typeof parsed === 'object' && parsed !== null && (parsed as { action?: unknown }).action === 'ping';
  return isPing ? PONG : undefined;
}
