/**
 * The JSON frames Herald pushes over a client's WebSocket connections (DESIGN.md, In-app inbox and
 * real time): an arriving item, the unread count after every change of it, and the answer to a ping.
 * Frames are best effort; an app that missed one catches up with `GET /inbox`.
 */
import type { InboxItemView } from './inbox.js';

export type { InboxItemView } from './inbox.js';

export type InboxFrame = { type: 'notification'; item: InboxItemView } | { type: 'unread'; count: number } | { type: 'pong' };

export const notificationFrame = (item: InboxItemView): InboxFrame => ({ type: 'notification', item });
export const unreadFrame = (count: number): InboxFrame => ({ type: 'unread', count });
