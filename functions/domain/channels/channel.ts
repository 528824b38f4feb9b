/**
 * The channels a message goes out on. Each has its own send queue, function and sender (an
 * adapter of the ChannelSender port, functions/ports/channels.ts) and its own rules (a module
 * beside this one); the claim, lease, cutoff, pause, window, rate gate, retry, dead-letter and
 * tally code is one copy that every channel's send function runs (functions/delivery/send.ts).
 */
import type { Campaign } from '../campaigns.js';
import { ValidationError } from '../errors.js';
import type { MessageRecord } from '../messages.js';

export const CHANNELS = ['sms', 'email', 'inapp'] as const;
export type Channel = (typeof CHANNELS)[number];

/** What a campaign, a notice or a chunk is on when it says nothing: everything stored before channels existed was SMS. */
export const DEFAULT_CHANNEL: Channel = 'sms';

/** The channel of a stored campaign, chunk or notice: one written before channels existed has none, and is SMS. */
export function channelOf(stored: { channel?: Channel }): Channel {
  return stored.channel ?? DEFAULT_CHANNEL;
}

/**
 * How a channel is stored on a campaign: SMS, the default, not at all, so an SMS campaign's item
 * is the same size as before channels existed (the item is rewritten by every counter update).
 */
export function storedChannel(channel: Channel): { channel?: Channel } {
  return channel === DEFAULT_CHANNEL ? {} : { channel };
}

/**
 * The channels whose senders exist: every one now. The API takes every channel's name, and a
 * channel added to CHANNELS is refused here (400 naming the field) until its sender comes: the
 * one place that changes when it does.
 */
const AVAILABLE_CHANNELS: ReadonlySet<Channel> = new Set<Channel>(['sms', 'email', 'inapp']);

/** The channel a request asks for (the default when it names none), or a ValidationError naming `field`. */
export function availableChannel(requested: Channel | undefined, field = 'channel'): Channel {
  const channel = requested ?? DEFAULT_CHANNEL;
  if (!AVAILABLE_CHANNELS.has(channel)) throw ValidationError.field(field, `${channel} is not available yet`);
  return channel;
}

/** What every channel's outgoing message has: its channel, and its id (stable across retries: the sender's idempotency key). */
export interface OutgoingMessage {
  channel: Channel;
  id: number;
}

/** What a message is rendered from: the campaign's content (a notice's message comes rendered). */
export type MessageContent = Pick<Campaign, 'text'>;

/** A channel's own rules, as the shared send code asks for them. */
export interface ChannelRules<M extends OutgoingMessage> {
  channel: Channel;
  /** The message as the channel sends it. Throws TemplateRenderError when this client's rendering fails. */
  render(content: MessageContent, message: MessageRecord): M;
  /** What a log line about the message says of its address: never the whole address. */
  logFields(message: MessageRecord): Record<string, string>;
  /** What rendering needs read first, once per container (the e-mail rules' unsubscribe key); awaited before each batch. */
  ready?(): Promise<void>;
}
