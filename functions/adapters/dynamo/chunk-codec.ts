/** The chunk item codec: a chunk as the messages table stores it (one item under 1 KB) and back. */
import { channelOf, DEFAULT_CHANNEL, type Channel } from '../../domain/channels/channel.js';
import { addEmailEvents, emailEventsDelta, emptyEmailEvents, type EmailDelivery, type EmailEvents } from '../../domain/channels/email-events.js';
import { CHUNK_SIZE, isOpen, messageId, type Chunk, type MessageRecord, type MessageStatus } from '../../domain/messages.js';
import type { EventStepRef } from '../../domain/events.js';
import { noticeIdOfKey } from '../../domain/notice-ids.js';
import type { TemplateVariables } from '../../domain/templates.js';

/**
 * A chunk is stored as one item under 1 KB (one WRU per write), so its messages use
 * one-letter attribute names: c clientId, p phone (a number, on SMS), l e-mail address (on
 * e-mail), s status, a attempts, e last error, t sentAt (epoch ms), and the template variables
 * copied at fan-out: n name, g tag, o operatorCode, z timezone, x attributes (a map of the used
 * keys), kept while the message is open, and b a notice's rendered text, u and h an e-mail
 * notice's rendered subject and html, r and k an in-app notice's title and link (also kept
 * only while open). The message id is not
 * stored: it follows from the campaign, the chunk and the position (messageId). `open`
 * counts the queued ones.
 */
interface StoredMessage {
  c: string;
  p?: number;
  l?: string;
  s: MessageStatus;
  a: number;
  e?: string;
  t?: number;
  /** Index into the chunk's `z` list of zones. */
  z?: number;
  n?: string;
  g?: string;
  o?: string;
  w?: string;
  x?: Record<string, string>;
  b?: string;
  u?: string;
  h?: string;
  r?: string;
  k?: string;
}

export interface StoredChunk {
  campaignId: string;
  chunk: number;
  /** Absent on an SMS chunk (the default, and every chunk stored before channels existed): the item stays as small as before. */
  channel?: Channel;
  createdAt: string;
  receives: number;
  open: number;
  leaseUntil?: number;
  m: StoredMessage[];
  /** The distinct time zones of the chunk's clients, each stored once. */
  z?: string[];
  /** On a page's first chunk: the cursor of the next page, '' after the last one. */
  next?: string;
  /** A notice sent as an event's step: `<eventId>#<step>`. */
  ev?: string;
  /**
   * An e-mail's delivery as SES reported it, one attribute per position (`d0` to `d9`), beside
   * `m` rather than in it: the sender rewrites `m` whole with its outcome, and SES may report
   * before that write lands. Absent on every chunk SES has said nothing about.
   */
  [delivery: `d${number}`]: EmailDelivery | undefined;
}

/** The chunk item's attribute holding the delivery of the message at `position`. */
export const deliveryAttribute = (position: number): `d${number}` => `d${position}`;

/**
 * How one write of a chunk moved its campaign's emailEvents (the tally adds them up, exactly once,
 * as it does the counts): each message whose delivery changed leaves its old state and counts
 * under its new one. Undefined when no delivery changed.
 */
export function emailEventsMoved(before: Partial<StoredChunk> | undefined, after: Partial<StoredChunk> | undefined): EmailEvents | undefined {
  let moved: EmailEvents | undefined;
  for (let position = 0; position < CHUNK_SIZE; position++) {
    const was = before?.[deliveryAttribute(position)];
    const now = after?.[deliveryAttribute(position)];
    if (now === undefined || now === was) continue;
    moved = addEmailEvents(moved ?? emptyEmailEvents(), emailEventsDelta(was, now));
  }
  return moved;
}

/** An event step's reference as a chunk stores it, and back (undefined when it is not one). */
export const storedEventRef = (ref: EventStepRef): string => `${ref.eventId}#${ref.step}`;
export function eventRefOf(stored: string | undefined): EventStepRef | undefined {
  const match = stored === undefined ? null : /^([A-Za-z0-9_-]{16})#([0-4])$/.exec(stored);
  return match ? { eventId: match[1] as string, step: Number(match[2]) } : undefined;
}

/** Template variables by their one-letter stored names (`x` holds the attributes used). */
const VARIABLE_FIELDS = { name: 'n', tag: 'g', operatorCode: 'o', timezone: 'w' } as const;

function toStored(message: MessageRecord, zones: string[]): StoredMessage {
  const zone = message.timezone === undefined ? -1 : zones.indexOf(message.timezone);
  const stored: StoredMessage = {
    c: message.clientId,
    ...(message.phone !== undefined ? { p: Number(message.phone) } : {}),
    ...(message.email !== undefined ? { l: message.email } : {}),
    s: message.status,
    a: message.attempts,
    ...(message.lastError !== undefined ? { e: message.lastError } : {}),
    ...(message.sentAt !== undefined ? { t: Date.parse(message.sentAt) } : {}),
    ...(zone >= 0 ? { z: zone } : {}),
  };
  // A final message renders no more: its variables are dropped, which keeps the outcome write of a chunk full of long names under 1 KB.
  const vars = isOpen(message) ? message.vars : undefined;
  if (isOpen(message) && message.text !== undefined) stored.b = message.text;
  if (isOpen(message) && message.subject !== undefined) stored.u = message.subject;
  if (isOpen(message) && message.html !== undefined) stored.h = message.html;
  if (isOpen(message) && message.title !== undefined) stored.r = message.title;
  if (isOpen(message) && message.url !== undefined) stored.k = message.url;
  if (vars) {
    for (const [field, short] of Object.entries(VARIABLE_FIELDS)) {
      const value = vars[field as keyof typeof VARIABLE_FIELDS];
      if (value !== undefined) stored[short] = value;
    }
    if (vars.attributes && Object.keys(vars.attributes).length > 0) stored.x = vars.attributes;
  }
  return stored;
}

function zonesOf(messages: MessageRecord[]): string[] {
  return [...new Set(messages.flatMap((message) => (message.timezone ? [message.timezone] : [])))];
}

/** The messages as stored, with the zone list they point into (written only when there is one). */
export function storedMessages(messages: MessageRecord[]): { m: StoredMessage[]; z?: string[] } {
  const zones = zonesOf(messages);
  return { m: messages.map((message) => toStored(message, zones)), ...(zones.length ? { z: zones } : {}) };
}

function fromStored(stored: StoredMessage, id: number, zones: string[] = []): MessageRecord {
  const vars: TemplateVariables = {};
  for (const [field, short] of Object.entries(VARIABLE_FIELDS)) {
    const value = stored[short];
    if (value !== undefined) vars[field as keyof typeof VARIABLE_FIELDS] = value;
  }
  if (stored.x) vars.attributes = stored.x;
  return {
    id,
    clientId: stored.c,
    ...(stored.p !== undefined ? { phone: String(stored.p) } : {}),
    ...(stored.l !== undefined ? { email: stored.l } : {}),
    status: stored.s,
    attempts: stored.a,
    ...(stored.e !== undefined ? { lastError: stored.e } : {}),
    ...(stored.t !== undefined ? { sentAt: new Date(stored.t).toISOString() } : {}),
    ...(stored.z !== undefined && zones[stored.z] !== undefined ? { timezone: zones[stored.z] } : {}),
    ...(Object.keys(vars).length > 0 ? { vars } : {}),
    ...(stored.b !== undefined ? { text: stored.b } : {}),
    ...(stored.u !== undefined ? { subject: stored.u } : {}),
    ...(stored.h !== undefined ? { html: stored.h } : {}),
    ...(stored.r !== undefined ? { title: stored.r } : {}),
    ...(stored.k !== undefined ? { url: stored.k } : {}),
  };
}

export function toStoredChunk(chunk: Chunk): StoredChunk {
  return {
    campaignId: chunk.campaignId,
    chunk: chunk.chunk,
    ...(chunk.channel !== DEFAULT_CHANNEL ? { channel: chunk.channel } : {}),
    createdAt: chunk.createdAt,
    receives: chunk.receives,
    open: chunk.messages.filter(isOpen).length,
    ...storedMessages(chunk.messages),
    ...(chunk.event ? { ev: storedEventRef(chunk.event) } : {}),
  };
}

export function chunkOf(item: StoredChunk): Chunk {
  const seq = Number(item.campaignId);
  // A notice's chunk holds one message whose id is the notice's (functions/domain/notices.ts).
  const noticeId = noticeIdOfKey(item.campaignId);
  return {
    campaignId: item.campaignId,
    chunk: item.chunk,
    channel: channelOf(item),
    createdAt: item.createdAt,
    receives: item.receives,
    messages: item.m.map((stored, position) => {
      const message = fromStored(stored, noticeId ?? messageId(seq, item.chunk, position), item.z);
      const delivery = item[deliveryAttribute(position)];
      return delivery ? { ...message, delivery } : message;
    }),
    ...(item.ev !== undefined ? { event: eventRefOf(item.ev) } : {}),
  };
}
