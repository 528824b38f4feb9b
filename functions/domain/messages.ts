/** Messages, their ids, and the chunks of up to ten that Herald stores and queues as one unit. */
import { DEFAULT_CHANNEL, type Channel } from './channels/channel.js';
import { addressOf as clientAddressOf, isOptedOutOf, type Client, type SuppressibleChannel } from './clients.js';
import type { EmailDelivery, EmailEvents } from './channels/email-events.js';
import type { EventStepRef } from './events.js';
import { snapshotOf, type TemplateUse, type TemplateVariables } from './template-variables.js';

export const MESSAGE_STATUSES = ['queued', 'sent', 'failed', 'expired', 'cancelled'] as const;
export type MessageStatus = (typeof MESSAGE_STATUSES)[number];
export const FINAL_STATUSES: ReadonlySet<MessageStatus> = new Set(['sent', 'failed', 'expired', 'cancelled']);

export type Counts = Record<MessageStatus, number>;

export function emptyCounts(): Counts {
  return { queued: 0, sent: 0, failed: 0, expired: 0, cancelled: 0 };
}

export function totalOf(counts: Counts): number {
  return MESSAGE_STATUSES.reduce((sum, status) => sum + counts[status], 0);
}

/** Messages per chunk: one stored item, one SQS message, one claim and one outcome write for up to this many sends. */
export const CHUNK_SIZE = 10;
/** Chunks per fan-out page: one SendMessageBatch (at most 10 entries) per page. */
export const CHUNKS_PER_PAGE = 10;
export const PAGE_SIZE = CHUNK_SIZE * CHUNKS_PER_PAGE;

export interface MessageRecord {
  id: number;
  clientId: string;
  /** Where an SMS goes. */
  phone?: string;
  /** Where an e-mail goes (lower-cased). */
  email?: string;
  status: MessageStatus;
  attempts: number;
  lastError?: string;
  /** ISO 8601, when the provider accepted it. */
  sentAt?: string;
  /**
   * The template variables this message renders with, copied from the client at fan-out
   * (just those the campaign's text uses): a later change to the client does not reach a
   * message already written, and the sender reads no client.
   */
  vars?: TemplateVariables;
  /** The client's IANA zone at fan-out: what a send window is judged by. */
  timezone?: string;
  /** A notice's text, rendered when it was posted (notices.ts); a campaign's messages render the campaign's text at send time. */
  text?: string;
  /** An e-mail notice's subject and html part, rendered when it was posted, like its text. */
  subject?: string;
  html?: string;
  /** An e-mail's fate as SES reported it (functions/domain/channels/email-events.ts); absent until SES says. */
  delivery?: EmailDelivery;
  /** An in-app notice's title and link, rendered with its text (channels/inapp.ts). */
  title?: string;
  url?: string;
}

export interface Chunk {
  campaignId: string;
  chunk: number;
  /** Every message of a chunk goes out on one channel, through that channel's queue and sender. */
  channel: Channel;
  createdAt: string;
  messages: MessageRecord[];
  /** How many times a worker has claimed it. */
  receives: number;
  /** A notice sent as a step of an event (events.ts): its outcome moves that step. */
  event?: EventStepRef;
}

/** What every log line about a chunk's messages names beside them: the event a notice is a step of (npm run logs -- --event). */
export type LogTags = { eventId?: string };
export const logTagsOf = (chunk: Pick<Chunk, 'event'>): LogTags => (chunk.event ? { eventId: chunk.event.eventId } : {});

/** A message as the API shows it. */
export interface Message extends MessageRecord {
  campaignId: string;
  channel: Channel;
  createdAt: string;
}

/**
 * A message id is derived from where the message lives, so it is stable across every
 * retry and redelivery and leads straight to its chunk without an index:
 * `campaignSeq * 2^31 + chunk * 16 + position`. It stays below 2^53 for campaign
 * numbers up to 2^22 and 134 million chunks (1.3 billion messages) per campaign.
 */
const CAMPAIGN_SHIFT = 2 ** 31;
const CHUNK_SLOTS = 16;
export const MAX_CAMPAIGN_SEQ = Math.floor(Number.MAX_SAFE_INTEGER / CAMPAIGN_SHIFT);

export function messageId(campaignSeq: number, chunk: number, position: number): number {
  return campaignSeq * CAMPAIGN_SHIFT + chunk * CHUNK_SLOTS + position;
}

export interface MessageAddress {
  campaignId: string;
  chunk: number;
  position: number;
}

/** Where a message id points, or undefined when no message could have that id. */
export function addressOf(id: number): MessageAddress | undefined {
  if (!Number.isSafeInteger(id) || id < CAMPAIGN_SHIFT) return undefined;
  const seq = Math.floor(id / CAMPAIGN_SHIFT);
  const rest = id - seq * CAMPAIGN_SHIFT;
  const position = rest % CHUNK_SLOTS;
  if (position >= CHUNK_SIZE) return undefined;
  return { campaignId: String(seq), chunk: (rest - position) / CHUNK_SLOTS, position };
}

/** A client the fan-out reached: what a message to it needs, and whether it opted out. */
export type AudienceMember = Pick<Client, 'id'> &
  Partial<Pick<Client, 'phone' | 'email' | 'name' | 'tag' | 'operatorCode' | 'timezone' | 'attributes' | 'optedOut' | 'optOuts'>>;

/** The members a page delivers to on a channel, and how many it only counts. */
export interface AudienceSplit {
  deliver: AudienceMember[];
  /** Opted out of the channel (or of every channel), or their address for it is on the suppression list. */
  suppressed: number;
  /** No address for the channel (no phone for SMS, no e-mail for e-mail). */
  unreachable: number;
}

/**
 * Who of a page gets a message on `channel`, whatever the filter: a client with no address for
 * it is unreachable (there is no address to suppress), one who opted out of it or whose address
 * is in `suppressedAddresses` is suppressed; the fan-out only counts those.
 */
export function splitAudience(
  audience: AudienceMember[],
  channel: Channel = DEFAULT_CHANNEL,
  suppressedAddresses: ReadonlySet<string> = new Set(),
): AudienceSplit {
  const split: AudienceSplit = { deliver: [], suppressed: 0, unreachable: 0 };
  for (const member of audience) {
    const address = clientAddressOf(member, channel);
    if (address === undefined) split.unreachable += 1;
    else if (isOptedOutOf({ optedOut: Boolean(member.optedOut), optOuts: member.optOuts }, channel) || suppressedAddresses.has(address)) split.suppressed += 1;
    else split.deliver.push(member);
  }
  return split;
}

/**
 * The chunk whose item marks a page as written: the page's first, stored last of them (the
 * message store's writePage). Until it exists the page's other chunks may still be written
 * again, so none of them may be sent yet.
 */
export function pageMarkOf(chunk: number): number {
  return chunk - (chunk % CHUNKS_PER_PAGE);
}

/** The chunks of one fan-out page: chunk numbers follow the page, so a replayed page maps onto the same items. */
export function chunksOfPage(
  campaignId: string,
  page: number,
  audience: AudienceMember[],
  now: Date,
  use?: TemplateUse,
  channel: Channel = DEFAULT_CHANNEL,
): Chunk[] {
  const members: AudienceMember[][] = [];
  for (let i = 0; i < audience.length; i += CHUNK_SIZE) members.push(audience.slice(i, i + CHUNK_SIZE));
  return chunksOf(campaignId, page, members, now, use, channel);
}

/**
 * The chunks of a page whose audience comes in groups (clients with the same UTC offset):
 * each group gets chunks of its own, so a chunk waits for a send window as one, as long as
 * the page's chunk numbers suffice; when they do not, groups in order share chunks.
 */
export function groupedChunksOfPage(
  campaignId: string,
  page: number,
  groups: AudienceMember[][],
  now: Date,
  use?: TemplateUse,
  channel: Channel = DEFAULT_CHANNEL,
): Chunk[] {
  const needed = groups.reduce((sum, group) => sum + Math.ceil(group.length / CHUNK_SIZE), 0);
  if (needed > CHUNKS_PER_PAGE) return chunksOfPage(campaignId, page, groups.flat(), now, use, channel);
  const members: AudienceMember[][] = [];
  for (const group of groups) for (let i = 0; i < group.length; i += CHUNK_SIZE) members.push(group.slice(i, i + CHUNK_SIZE));
  return chunksOf(campaignId, page, members, now, use, channel);
}

/** Each message carries the values of the variables `use` names, and the client's zone (what a send window is judged by). */
function chunksOf(campaignId: string, page: number, members: AudienceMember[][], now: Date, use: TemplateUse | undefined, channel: Channel): Chunk[] {
  const seq = Number(campaignId);
  return members.map((inChunk, i) => {
    const chunk = page * CHUNKS_PER_PAGE + i;
    return {
      campaignId,
      chunk,
      channel,
      createdAt: now.toISOString(),
      receives: 0,
      messages: inChunk.map((member, position) => {
        const vars = use ? snapshotOf(member, use) : undefined;
        return {
          id: messageId(seq, chunk, position),
          clientId: member.id,
          ...addressField(member, channel),
          status: 'queued' as const,
          attempts: 0,
          ...(vars ? { vars } : {}),
          ...(member.timezone ? { timezone: member.timezone } : {}),
        };
      }),
    };
  });
}

/** A message's address on its channel, under the field that channel reads; an in-app message has none beyond its client. */
export function addressField(client: Partial<Pick<Client, 'phone' | 'email'>>, channel: Channel): Pick<MessageRecord, 'phone' | 'email'> {
  if (channel === 'sms') return client.phone !== undefined ? { phone: client.phone } : {};
  if (channel === 'email') return client.email !== undefined ? { email: client.email } : {};
  return {};
}

/** The address of a message the suppression list may hold, with its channel: its phone or its e-mail; an in-app message has none. */
export function suppressibleAddress(
  message: Pick<MessageRecord, 'phone' | 'email'>,
  channel: Channel,
): { address: string; channel: SuppressibleChannel } | undefined {
  const { phone, email } = addressField(message, channel);
  if (phone !== undefined) return { address: phone, channel: 'sms' };
  return email !== undefined ? { address: email, channel: 'email' } : undefined;
}

export function countsOf(messages: Pick<MessageRecord, 'status'>[]): Counts {
  const counts = emptyCounts();
  for (const message of messages) counts[message.status] += 1;
  return counts;
}

/** How the counters move when a chunk goes from `before` to `after`. */
export function countsDelta(before: MessageRecord[], after: MessageRecord[]): Counts {
  const delta = countsOf(after);
  const was = countsOf(before);
  for (const status of MESSAGE_STATUSES) delta[status] -= was[status];
  return delta;
}

export function isOpen(message: MessageRecord): boolean {
  return message.status === 'queued';
}

/** A chunk write as the messages table's stream reports it: the statuses before and after, in stream order. */
export interface ChunkChange {
  campaignId: string;
  /** The stream's sequence number: a decimal string, increasing along one campaign's writes. */
  sequence: string;
  before: MessageStatus[];
  after: MessageStatus[];
  /** How the write moved its campaign's emailEvents: an SES event marking a message's delivery (absent when it marked none). */
  emailEvents?: EmailEvents;
}

/** True when stream position `a` comes after `b` (no `b`: nothing applied yet). */
export function isLaterSequence(a: string, b: string | undefined): boolean {
  return b === undefined || BigInt(a) > BigInt(b);
}

export interface Tally {
  delta: Counts;
  /** What the changes add to the campaign's emailEvents, when any of them marked a delivery. */
  emailEvents?: EmailEvents;
  /** The last stream position the delta covers. */
  through: string;
}

/**
 * What a run of one campaign's chunk changes adds to its counters, leaving out what the
 * counters already hold (changes at or before `applied`); undefined when nothing moves.
 * Counters derived this way cannot drift: they are the sum of every chunk's own writes.
 */
export function tallyOf(changes: readonly ChunkChange[], applied: string | undefined): Tally | undefined {
  const delta = emptyCounts();
  let emailEvents: EmailEvents | undefined;
  let through: string | undefined;
  for (const change of changes) {
    if (!isLaterSequence(change.sequence, applied)) continue;
    for (const status of change.before) delta[status] -= 1;
    for (const status of change.after) delta[status] += 1;
    if (change.emailEvents) {
      emailEvents ??= { delivered: 0, bounced: 0, complained: 0 };
      for (const key of Object.keys(emailEvents) as (keyof EmailEvents)[]) emailEvents[key] += change.emailEvents[key];
    }
    if (through === undefined || isLaterSequence(change.sequence, through)) through = change.sequence;
  }
  const movesEmailEvents = emailEvents !== undefined && Object.values(emailEvents).some((value) => value !== 0);
  // Claims and rewrites that move no status and no delivery need no write: the mark may stay behind them.
  if (through === undefined || (MESSAGE_STATUSES.every((status) => delta[status] === 0) && !movesEmailEvents)) return undefined;
  return { delta, through, ...(movesEmailEvents ? { emailEvents } : {}) };
}

/** Messages in a final status. */
export function settledOf(counts: Counts): number {
  return totalOf(counts) - counts.queued;
}

/** The distinct zones of a chunk's open messages: what the send queue carries, so a closed window can hold a chunk before it is claimed. */
export function openZones(messages: MessageRecord[]): string[] {
  return [...new Set(messages.filter(isOpen).flatMap((message) => (message.timezone ? [message.timezone] : [])))];
}
