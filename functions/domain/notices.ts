/**
 * Event-triggered notices: one message to one client, posted by another service and sent at
 * once through the same sender as campaign messages (claim, retries, dead-letter queue). A
 * notice is stored as a chunk of one message in the messages table under a key of its own
 * (`notice#<id>`, chunk 0), so the send path claims and settles it like any chunk; the tally
 * (functions/delivery/tally.ts) leaves notices out of campaign counters.
 */
import type { Campaign } from './campaigns.js';
import { availableChannel, DEFAULT_CHANNEL, type Channel } from './channels/channel.js';
import { addressOf, isOptedOutOf, type Client } from './clients.js';
import { ConflictError } from './errors.js';
import { emptyCounts, type Chunk, type MessageRecord, type MessageStatus } from './messages.js';
import { noticeKey } from './notice-ids.js';
import { SMS_TEXT_LIMIT } from './render-limits.js';
import { checkTemplate, renderRefusal, renderTemplate, snapshotOf, TemplateRenderError, type TemplateVariables } from './templates.js';

export { FIRST_NOTICE_ID, isNoticeKey, MAX_NOTICE_ID, NOTICE_KEY_PREFIX, noticeIdOfKey, noticeKey } from './notice-ids.js';

/** The one chunk of a notice. */
export const NOTICE_CHUNK = 0;

/** Extra template variables a notice's caller may give, beside the client's. */
export type NoticeVariables = Record<string, string | number | boolean>;

export interface NewNotice {
  /** Default SMS. */
  channel?: Channel;
  clientId?: string;
  phone?: string;
  text: string;
  variables?: NoticeVariables;
}

export interface Notice {
  id: number;
  channel: Channel;
  clientId: string;
  status: MessageStatus;
  attempts: number;
  lastError?: string;
  createdAt: string;
  sentAt?: string;
  /** An e-mail notice: what SES reported of it. */
  delivery?: MessageRecord['delivery'];
}

/** The field that named the client: what a 404 or 409 points at. */
export function clientField(input: Pick<NewNotice, 'clientId'>): 'clientId' | 'phone' {
  return input.clientId !== undefined ? 'clientId' : 'phone';
}

/**
 * Checks a notice's text before anything is read: Liquid syntax, known filters, and only
 * Herald's client variables or the names given in `variables`. Throws a ValidationError naming `text`.
 */
export function checkNoticeText(text: string, variables: NoticeVariables | undefined): void {
  checkTemplate(text, Object.keys(variables ?? {}));
}

/** Every rule a notice's own fields must pass, checked before any read: its channel, then its text. Throws a ValidationError naming the field. */
export function checkNewNotice(input: Pick<NewNotice, 'channel' | 'text' | 'variables'>): Channel {
  const channel = availableChannel(input.channel);
  checkNoticeText(input.text, input.variables);
  return channel;
}

/** The client's variables, with the caller's added (a caller's value wins over the client's of the same name). */
export function noticeVariables(client: Client, variables: NoticeVariables | undefined): TemplateVariables {
  const all = snapshotOf(client, { scalars: ['name', 'tag', 'operatorCode', 'timezone'], attributes: Object.keys(client.attributes ?? {}) }) ?? {};
  return { ...all, phone: client.phone, ...(variables as TemplateVariables | undefined) };
}

/** A notice goes only to a client who has not opted out of its channel and has an address on it. */
export function checkRecipient(client: Client, field: 'clientId' | 'phone', channel: Channel = DEFAULT_CHANNEL): void {
  if (isOptedOutOf(client, channel)) {
    throw new ConflictError(`client ${client.id} has opted out: notices are never sent to opted-out clients`, [
      { field, message: 'names a client who has opted out' },
    ]);
  }
  if (addressOf(client, channel) === undefined) {
    throw new ConflictError(`client ${client.id} is unreachable on ${channel}: it has no address for it`, [
      { field, message: `names a client with no address for ${channel} (unreachable)` },
    ]);
  }
}

/** The text the client gets: rendered once, when the notice is posted, and refused naming `text` when it is larger than an SMS. */
export function renderNotice(text: string, client: Client, variables: NoticeVariables | undefined): string {
  try {
    return renderTemplate(text, noticeVariables(client, variables), SMS_TEXT_LIMIT);
  } catch (error) {
    if (error instanceof TemplateRenderError) throw renderRefusal(error, SMS_TEXT_LIMIT);
    throw error;
  }
}

/** The stored chunk of a new notice: one queued message carrying its rendered text. */
export function noticeChunk(id: number, client: Pick<Client, 'id' | 'phone'>, text: string, now: Date, channel: Channel = DEFAULT_CHANNEL): Chunk {
  return {
    campaignId: noticeKey(id),
    chunk: NOTICE_CHUNK,
    channel,
    createdAt: now.toISOString(),
    receives: 0,
    messages: [{ id, clientId: client.id, phone: client.phone ?? '', status: 'queued', attempts: 0, text }],
  };
}

/** A notice as the API shows it, from its chunk. */
export function noticeOf(chunk: Chunk): Notice | undefined {
  const message = chunk.messages[0];
  if (!message) return undefined;
  return {
    id: message.id,
    channel: chunk.channel,
    clientId: message.clientId,
    status: message.status,
    attempts: message.attempts,
    ...(message.lastError !== undefined ? { lastError: message.lastError } : {}),
    createdAt: chunk.createdAt,
    ...(message.sentAt !== undefined ? { sentAt: message.sentAt } : {}),
    ...(message.delivery !== undefined ? { delivery: message.delivery } : {}),
  };
}

/**
 * What the sender judges a notice's chunk by, in place of a campaign: always running, no send
 * window, no rate limit, and no end before the send queue's retries run out (a notice that
 * keeps failing goes to the dead-letter queue and fails there, as a campaign chunk does).
 */
export const NOTICE_DELIVERY: Campaign = Object.freeze({
  id: 'notices',
  text: '',
  startAt: '1970-01-01T00:00:00.000Z',
  endAt: '9999-12-31T23:59:59.999Z',
  filter: {},
  status: 'running',
  counts: emptyCounts(),
  createdAt: '1970-01-01T00:00:00.000Z',
  updatedAt: '1970-01-01T00:00:00.000Z',
}) as Campaign;
