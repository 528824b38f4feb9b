/** The messages table: campaign chunks (written by the fan-out, claimed and settled by the sender) and notices. */
import type { Chunk, Counts, Message, MessageRecord, MessageStatus } from '../domain/messages.js';
import type { Notice } from '../domain/notices.js';
import type { Page, PageRequest } from './common.js';
import type { ChunkRef } from './queues.js';

/**
 * A chunk's lease as its claim wrote it: when it ends (epoch ms, by the claimer's clock) and the
 * chunk's receive count after the claim. Every claim adds one to that count, so no later claim
 * holds the same lease, whatever its clock says.
 */
export interface ChunkLease {
  until: number;
  receives: number;
}

export type ClaimResult =
  | { kind: 'claimed'; chunk: Chunk; lease: ChunkLease }
  /** Every message of the chunk is final. */
  | { kind: 'done' }
  /** Another worker holds it until `until` (epoch ms). */
  | { kind: 'leased'; until: number }
  | { kind: 'missing' };

export interface WrittenPage {
  chunks: Chunk[];
  /** Null after the last page. */
  nextCursor: string | null;
}

export interface MessageStore {
  /**
   * Writes one fan-out page's chunks and the cursor of the page after it, once: a replay of
   * a page that was fully written gets back what was stored then, so however often a page is
   * replayed, a client gets one message and the walk goes on from the same place.
   */
  writePage(campaignId: string, page: number, chunks: Chunk[], nextCursor: string | null): Promise<WrittenPage>;
  chunksOfPage(campaignId: string, page: number): Promise<Chunk[]>;
  /** Takes a lease on a chunk that has open messages, counting the receive. */
  claim(campaignId: string, chunk: number, leaseMs: number, now: Date): Promise<ClaimResult>;
  /**
   * Stores a claimed chunk's messages and releases the lease, only while `lease` (what the claim
   * answered) is still the chunk's: LeaseLostError otherwise, and nothing is written. An outcome is
   * never stored without the lease it was worked under. With `retryForMs`, a write the store
   * throttled or lost on the way is made again after a pause, as long as the pause ends within that
   * many ms of the call. A span, not a deadline: the caller's clock (injected) and the pauses' (the
   * machine's) need not agree.
   */
  saveOutcome(campaignId: string, chunk: number, messages: MessageRecord[], lease: ChunkLease, retryForMs?: number): Promise<void>;
  get(id: number): Promise<Message | undefined>;
  /** The campaign's messages counted by status from the chunks themselves (the reconciliation path; reads every chunk). */
  recount(campaignId: string): Promise<Counts>;
  /**
   * The numbers of a campaign's chunks that still hold a queued message, in pages whose write
   * completed (pageMarkOf, functions/domain/messages.ts): a page cut off by a crash is queued by its replay.
   */
  openChunks(campaignId: string, request: PageRequest): Promise<Page<number>>;
  list(campaignId: string, request: PageRequest & { status?: MessageStatus }): Promise<Page<Message>>;
}

export interface NoticeStore {
  /**
   * Takes the next notice id (ConflictError when they are exhausted) and stores the notice's chunk
   * built for it; `beforeWrite`, when given, runs with the id between the two.
   */
  create(build: (id: number) => Chunk, beforeWrite?: (id: number) => Promise<void>): Promise<Chunk>;
  get(id: number): Promise<Notice | undefined>;
  /**
   * The chunks of notices whose message is still queued, a page at a time, each naming its channel. It reads the whole
   * messages table: for putting them back on the send queue after the local runtime restarts
   * (local/recover.ts), not for a request.
   */
  queued(request: PageRequest): Promise<Page<ChunkRef>>;
}
