/** Messages, their ids, and the chunks of up to ten that Herald stores and queues as one unit. */
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

export function addCounts(a: Counts, b: Counts): Counts {
  const sum = emptyCounts();
  for (const status of MESSAGE_STATUSES) sum[status] = a[status] + b[status];
  return sum;
}

/** Messages per chunk: one stored item, one SQS message, one claim and one outcome write for up to this many sends. */
export const CHUNK_SIZE = 10;
/** Chunks per fan-out page: one SendMessageBatch (at most 10 entries) per page. */
export const CHUNKS_PER_PAGE = 10;
export const PAGE_SIZE = CHUNK_SIZE * CHUNKS_PER_PAGE;

export interface MessageRecord {
  id: number;
  clientId: string;
  phone: string;
  status: MessageStatus;
  attempts: number;
  lastError?: string;
  /** ISO 8601, when the provider accepted it. */
  sentAt?: string;
  /** The client's IANA zone at fan-out: what a send window is judged by. */
  timezone?: string;
}

export interface Chunk {
  campaignId: string;
  chunk: number;
  createdAt: string;
  messages: MessageRecord[];
  /** How many times a worker has claimed it. */
  receives: number;
}

/** A message as the API shows it. */
export interface Message extends MessageRecord {
  campaignId: string;
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

export interface AudienceMember {
  id: string;
  phone: string;
  timezone?: string;
}

/** The chunks of one fan-out page: chunk numbers follow the page, so a replayed page maps onto the same items. */
export function chunksOfPage(campaignId: string, page: number, audience: AudienceMember[], now: Date): Chunk[] {
  const members: AudienceMember[][] = [];
  for (let i = 0; i < audience.length; i += CHUNK_SIZE) members.push(audience.slice(i, i + CHUNK_SIZE));
  return chunksOf(campaignId, page, members, now);
}

/**
 * The chunks of a page whose audience comes in groups (clients with the same UTC offset):
 * each group gets chunks of its own, so a chunk waits for a send window as one, as long as
 * the page's chunk numbers suffice; when they do not, groups in order share chunks.
 */
export function groupedChunksOfPage(campaignId: string, page: number, groups: AudienceMember[][], now: Date): Chunk[] {
  const needed = groups.reduce((sum, group) => sum + Math.ceil(group.length / CHUNK_SIZE), 0);
  if (needed > CHUNKS_PER_PAGE) return chunksOfPage(campaignId, page, groups.flat(), now);
  const members: AudienceMember[][] = [];
  for (const group of groups) for (let i = 0; i < group.length; i += CHUNK_SIZE) members.push(group.slice(i, i + CHUNK_SIZE));
  return chunksOf(campaignId, page, members, now);
}

function chunksOf(campaignId: string, page: number, members: AudienceMember[][], now: Date): Chunk[] {
  const seq = Number(campaignId);
  return members.map((inChunk, i) => {
    const chunk = page * CHUNKS_PER_PAGE + i;
    return {
      campaignId,
      chunk,
      createdAt: now.toISOString(),
      receives: 0,
      messages: inChunk.map((member, position) => ({
        id: messageId(seq, chunk, position),
        clientId: member.id,
        phone: member.phone,
        status: 'queued' as const,
        attempts: 0,
        ...(member.timezone ? { timezone: member.timezone } : {}),
      })),
    };
  });
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

/** The distinct zones of a chunk's open messages: what the send queue carries, so a closed window can hold a chunk before it is claimed. */
export function openZones(messages: MessageRecord[]): string[] {
  return [...new Set(messages.filter(isOpen).flatMap((message) => (message.timezone ? [message.timezone] : [])))];
}
