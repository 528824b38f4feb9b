/** A client's in-app inbox as the routes and the in-app sender use it (functions/adapters/dynamo/inbox-store.ts). */
import type { InboxContent, InboxItemView, InboxStatus } from '../domain/inbox.js';
import type { PageRequest } from './common.js';

export interface InboxPage {
  items: InboxItemView[];
  nextCursor: string | null;
  /** The unread count of the same moment as the items: what `status=unread` counts over every page. */
  unreadCount: number;
}

/** A change of an inbox: the unread count it left, and whether anything changed at all. */
export interface InboxChange {
  unread: number;
  changed: boolean;
}

export interface InboxStore {
  /**
   * Puts message `messageId`'s item in the client's inbox; undefined when it is there already (a
   * retried send writes nothing twice), or was and has been archived.
   */
  deliver(clientId: string, messageId: number, content: InboxContent): Promise<(InboxChange & { item: InboxItemView }) | undefined>;
  list(clientId: string, request: PageRequest & { status: InboxStatus }): Promise<InboxPage>;
  count(clientId: string): Promise<number>;
  /** Marks an item read or unread; NotFoundError when the client has no such item. */
  mark(clientId: string, itemId: string, read: boolean): Promise<InboxChange & { item: InboxItemView }>;
  readAll(clientId: string): Promise<InboxChange>;
  /** Archives an item: it is no longer listed or counted. NotFoundError when the client has no such item. */
  archive(clientId: string, itemId: string): Promise<InboxChange>;
}
