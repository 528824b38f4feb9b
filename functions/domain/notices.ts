/**
 * Event-triggered notices: one message to one client, posted by another service and sent at
 * once through the same sender as campaign messages (claim, retries, dead-letter queue). A
 * notice is stored as a chunk of one message in the messages table under a key of its own
 * (`notice#<id>`, chunk 0), so the send path claims and settles it like any chunk; the tally
 * (functions/delivery/tally.ts) leaves notices out of campaign counters.
 */
import type { Campaign } from './campaigns.js';
import { availableChannel, DEFAULT_CHANNEL, type Channel } from './channels/channel.js';
import { checkEmailContent, renderEmailNotice } from './channels/email.js';
import { checkChannelFields, type ChannelContent } from './channels/fields.js';
import { checkInappContent, renderInappNotice } from './channels/inapp.js';
import { addressOf, isOptedOutOf, type Client } from './clients.js';
import { ConflictError } from './errors.js';
import type { EventStepRef } from './events.js';
import { addressField, emptyCounts, type Chunk, type MessageRecord, type MessageStatus } from './messages.js';
import { noticeKey } from './notice-ids.js';
import { SMS_TEXT_LIMIT } from './render-limits.js';
import { checkTemplate, renderRefusal, renderTemplate, snapshotOf, TemplateRenderError, type TemplateVariables } from './templates.js';

export { FIRST_NOTICE_ID, isNoticeKey, MAX_NOTICE_ID, NOTICE_KEY_PREFIX, noticeIdOfKey, noticeKey } from './notice-ids.js';

/** The one chunk of a notice. */
export const NOTICE_CHUNK = 0;

/** Extra template variables a notice's caller may give, beside the client's. */
export type NoticeVariables = Record<string, string | number | boolean>;

export interface NewNotice extends ChannelContent {
  /** Default SMS. */
  channel?: Channel;
  clientId?: string;
  phone?: string;
  email?: string;
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
export function clientField(input: Pick<NewNotice, 'clientId' | 'phone'>): 'clientId' | 'phone' | 'email' {
  return input.clientId !== undefined ? 'clientId' : input.phone !== undefined ? 'phone' : 'email';
}

/**
 * Checks a notice's text before anything is read: Liquid syntax, known filters, and only
 * Herald's client variables or the names given in `variables`. Throws a ValidationError naming `text`.
 */
export function checkNoticeText(text: string, variables: NoticeVariables | undefined): void {
  checkTemplate(text, Object.keys(variables ?? {}));
}

/**
 * Every rule a notice's own fields must pass, checked before any read: its channel, the fields
 * its channel takes, then its templates. Throws a ValidationError naming the field.
 */
export function checkNewNotice(input: Omit<NewNotice, 'clientId' | 'phone' | 'email'>): Channel {
  const channel = availableChannel(input.channel);
  checkChannelFields(channel, input);
  const extra = Object.keys(input.variables ?? {});
  if (channel === 'sms') checkNoticeText(input.text as string, input.variables);
  else if (channel === 'email') checkEmailContent(input, extra);
  else checkInappContent(input, extra);
  return channel;
}

/** The client's variables, with the caller's added (a caller's value wins over the client's of the same name). */
export function noticeVariables(client: Client, variables: NoticeVariables | undefined): TemplateVariables {
  const all = snapshotOf(client, { scalars: ['name', 'tag', 'operatorCode', 'timezone'], attributes: Object.keys(client.attributes ?? {}) }) ?? {};
  return { ...all, phone: client.phone, ...(variables as TemplateVariables | undefined) };
}

/**
 * A notice goes only to a client who has not opted out of its channel, and who has an address on
 * it; `suppressed` says the address is on the suppression list (a bounce, say). Throws ConflictError.
 */
export function checkRecipient(client: Client, field: 'clientId' | 'phone' | 'email', channel: Channel = DEFAULT_CHANNEL, suppressed = false): void {
  if (isOptedOutOf(client, channel)) {
    throw new ConflictError(`client ${client.id} has opted out${client.optedOut ? '' : ` of ${channel}`}: notices are never sent to opted-out clients`, [
      { field, message: 'names a client who has opted out' },
    ]);
  }
  if (addressOf(client, channel) === undefined) {
    throw new ConflictError(`client ${client.id} is unreachable on ${channel}: it has no ${channel === 'sms' ? 'phone' : 'e-mail address'}`, [
      { field, message: `names a client unreachable on ${channel}` },
    ]);
  }
  if (suppressed) {
    throw new ConflictError(`client ${client.id}'s address for ${channel} is on the suppression list: notices are never sent to it`, [
      { field, message: 'names a client whose address is suppressed' },
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

/** What a notice's message carries rendered: its text, an e-mail's subject and html, an in-app item's title and url. */
export type RenderedNotice = Pick<MessageRecord, 'text' | 'subject' | 'html' | 'title' | 'url'>;

/**
 * A notice's content rendered for its client on its channel, once, when it is posted; what does
 * not render, or renders larger than its channel allows, is a ValidationError naming the field.
 * `unsubscribeUrl`: the client's link on an e-mail.
 */
export function renderNoticeContent(channel: Channel, input: NewNotice, client: Client, unsubscribeUrl = ''): RenderedNotice {
  if (channel === 'sms') return { text: renderNotice(input.text as string, client, input.variables) };
  const vars = noticeVariables(client, input.variables);
  if (channel === 'email') {
    const { subject, text, html } = input;
    return renderEmailNotice({ subject: subject as string, text: text ?? '', ...(html !== undefined ? { html } : {}) }, vars, unsubscribeUrl);
  }
  const { title, text, url } = input;
  return renderInappNotice({ title: title as string, text: text ?? '', ...(url !== undefined ? { url } : {}) }, vars);
}

/**
 * How long after a notice is posted, or an event fired, its check-back comes: set before the write
 * (a notice's second, delayed message for its chunk; the timer of an event step due at once), it
 * finds the notice sent or the step released, and the sender's claim drops the second message; or,
 * when the request died between the write and the enqueue, it sends it. Nothing is left waiting.
 */
export const CHECK_BACK_SECONDS = 60;

/** The stored chunk of a new notice: one queued message carrying its address on the channel and its rendered content (an SMS's text). */

export function noticeChunk(
  id: number,
  client: Pick<Client, 'id' | 'phone' | 'email'>,
  content: string | RenderedNotice,
  now: Date,
  channel: Channel = DEFAULT_CHANNEL,
  /** A notice sent as an event's step (events.ts). */
  event?: EventStepRef,
): Chunk {
  const rendered = typeof content === 'string' ? { text: content } : content;
  return {
    campaignId: noticeKey(id),
    chunk: NOTICE_CHUNK,
    channel,
    createdAt: now.toISOString(),
    receives: 0,
    messages: [{ id, clientId: client.id, ...addressField(client, channel), status: 'queued', attempts: 0, ...rendered }],
    ...(event ? { event } : {}),
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
