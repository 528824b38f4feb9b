/** The interfaces the domain and the handlers need; adapters/ implements them for AWS and local/ for one machine. */
import type { Campaign, CampaignFilter, CampaignStatus, FanoutProgress, StreamProgress } from './domain/campaigns.js';
import type { Client, ClientPatch, NewClient } from './domain/clients.js';
import type { SendOutcome } from './domain/delivery.js';
import type { ConflictError } from './domain/errors.js';
import type { Notice } from './domain/notices.js';
import type { AudienceMember, Chunk, Counts, Message, MessageRecord, MessageStatus, Tally } from './domain/messages.js';
import type { Recurrence } from './domain/recurrence.js';

export interface Page<T> {
  items: T[];
  /** Opaque; null on the last page. */
  nextCursor: string | null;
}

export interface PageRequest {
  limit: number;
  cursor?: string;
}

export interface Clock {
  now(): Date;
}

export interface ClientStore {
  /** Throws ConflictError when another client has the phone. */
  create(input: NewClient): Promise<Client>;
  /**
   * Up to 50 new clients at once, each as `create` would make it: the result at each position
   * is the client, or the ConflictError `create` would have thrown (phone taken).
   */
  createMany(inputs: NewClient[]): Promise<(Client | ConflictError)[]>;
  get(id: string): Promise<Client | undefined>;
  /** The client that has this phone (phones are unique), through the phone's reservation. */
  findByPhone(phone: string): Promise<Client | undefined>;
  /** Throws NotFoundError, or ConflictError when the new phone belongs to another client. */
  update(id: string, patch: ClientPatch): Promise<Client>;
  /** Throws NotFoundError. */
  delete(id: string): Promise<void>;
  list(request: PageRequest & { tag?: string; operatorCode?: string }): Promise<Page<Client>>;
  /**
   * One page of the clients a filter matches: a Query on an index, a Scan only without a filter.
   * Opted-out clients are included, marked `optedOut`; an opt-out stored before the page was
   * read is reflected even when the index has not caught up yet.
   */
  audience(filter: CampaignFilter, request: PageRequest, part?: AudienceStream): Promise<Page<AudienceMember>>;
  /** True once every stored client carries its shard (the sharded indexes hold the whole directory). */
  shardsReady(): Promise<boolean>;
  /** How many clients a filter matches, counted on its index (Select COUNT: no item is returned). */
  countAudience(filter: CampaignFilter): Promise<number>;
}

/** One of a campaign's parallel fan-out streams (functions/domain/shards.ts): which, of how many, and on which indexes. */
export interface AudienceStream {
  stream: number;
  streams: number;
  /** Read the unsharded indexes and keep the clients whose id hashes to this stream. */
  unsharded?: boolean;
}

export interface CampaignStore {
  /** Gives the campaign a new numeric id and stores it. */
  create(build: (id: string) => Campaign): Promise<Campaign>;
  get(id: string): Promise<Campaign | undefined>;
  /** Replaces the editable fields; fails with ConflictError when the stored status is no longer `expectedStatus`. */
  replace(campaign: Campaign, expectedStatus: Campaign['status']): Promise<Campaign>;
  /** Removes a campaign that is still `scheduled`; ConflictError otherwise. */
  remove(id: string): Promise<void>;
  /** Marks a scheduled, running or paused campaign cancelled; ConflictError otherwise. */
  cancel(id: string): Promise<Campaign>;
  /** Running -> paused, in one conditional write; ConflictError when it is not running. */
  pause(id: string, now: Date): Promise<Campaign>;
  /** Paused -> running (finished at once when nothing is left to send); ConflictError when it is not paused. */
  resume(id: string, now: Date): Promise<Campaign>;
  list(request: PageRequest): Promise<Page<Campaign>>;
  /** Campaigns that may still have delivery work: running and paused ones (a paused one's held chunks are held again), and cancelled ones that had started (a restart's recovery reads these). */
  inDelivery(request: PageRequest): Promise<Page<Campaign>>;
  /**
   * Starts the fan-out once: false when it had already started and moved on, or the campaign is
   * gone or cancelled; true again while the started fan-out has not moved (a start whose answer
   * was lost asks for its first pages again). With `plan`, the fan-out runs in `plan.streams`
   * parallel streams, each with its own progress.
   */
  start(id: string, plan?: { streams: number; unsharded?: boolean }): Promise<boolean>;
  /**
   * Moves the fan-out from `page` to `next` and adds the page's messages to `fannedOut`, its
   * opted-out clients to `suppressed` and both to `audience`, in one conditional write: false
   * when the progress is elsewhere; true, adding nothing, when it already stands at `next` (this
   * write's answer was lost, or a replay of the page got there first), so the page is still handed off.
   */
  advanceFanout(id: string, page: number, next: FanoutProgress, written: number, suppressed?: number): Promise<boolean>;
  /** `advanceFanout` for one stream of a campaign started with streams: moves only that stream's progress. */
  advanceStream(id: string, stream: number, page: number, next: StreamProgress, written: number, suppressed?: number): Promise<boolean>;
  /**
   * Adds a tally to the campaign's counters and to the overall totals, in one transaction that
   * holds only while the campaign's `tallied` mark is still `applied` (ConflictError when another
   * worker moved it: read again and recount); then finishes the campaign when it is drained.
   */
  applyTally(id: string, tally: Tally, applied: string | undefined): Promise<void>;
  /** The counts over every campaign, kept by `applyTally`. */
  totals(): Promise<Counts>;
  /** Moves the stored status from one of `from` to `to` in one conditional write; ConflictError otherwise (a recurring campaign's pause and resume). */
  transition(id: string, from: CampaignStatus[], to: CampaignStatus, now: Date): Promise<Campaign>;
  /**
   * The run of one occurrence of a recurring campaign, created once: its identity is
   * (recurringId, occurrence), so a second call for the same occurrence gets the stored run
   * back (`created` false) and spends no message on anyone. Created only while the recurring
   * campaign is stored scheduled or running (ConflictError when paused, cancelled or gone).
   */
  createRun(recurringId: string, occurrence: string, build: (id: string) => Campaign): Promise<{ run: Campaign; created: boolean }>;
  /** A recurring campaign's runs, oldest occurrence first. */
  runs(recurringId: string, request: PageRequest): Promise<Page<Campaign>>;
}

export type ClaimResult =
  | { kind: 'claimed'; chunk: Chunk }
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
   * Stores a claimed chunk's messages and releases the lease. With `leaseUntil` (what the claim
   * wrote: its `now` + `leaseMs`) only while that lease is still the chunk's: LeaseLostError otherwise.
   * With `retryForMs`, a write the store throttled or lost on the way is made again after a
   * pause, as long as the pause ends within that many ms of the call. A span, not a deadline:
   * the caller's clock (injected) and the pauses' (the machine's) need not agree.
   */
  saveOutcome(campaignId: string, chunk: number, messages: MessageRecord[], leaseUntil?: number, retryForMs?: number): Promise<void>;
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

/** Phones whose clients opted out (kept when a client is deleted). */
export interface SuppressionList {
  isSuppressed(phone: string): Promise<boolean>;
}

export interface NoticeStore {
  /** Takes the next notice id (ConflictError when they are exhausted) and stores the notice's chunk built for it. */
  create(build: (id: number) => Chunk): Promise<Chunk>;
  get(id: number): Promise<Notice | undefined>;
  /**
   * The ids of notices whose message is still queued, a page at a time. It reads the whole
   * messages table: for putting them back on the send queue after the local runtime restarts
   * (local/recover.ts), not for a request.
   */
  queued(request: PageRequest): Promise<Page<number>>;
}

export interface ChunkRef {
  campaignId: string;
  chunk: number;
  /** The zones of the chunk's open messages, when its campaign has a send window: lets a sender hold it without claiming it. */
  zones?: string[];
}

export interface FanoutQueue {
  /**
   * Asks for a campaign's fan-out to start. `deduplicationKey` tells this request from an
   * earlier one within the FIFO queue's five-minute deduplication (the start timer's starts).
   */
  start(campaignId: string, deduplicationKey?: string): Promise<void>;
  /**
   * Asks for the next page of a campaign's fan-out, or of one of its streams: each stream is a
   * FIFO group of its own, so the streams run in parallel and each stays in order. `request`
   * tells a deliberate second ask for the same page (a resume) from a duplicate.
   */
  page(campaignId: string, page: number, stream?: number, request?: string): Promise<void>;
  /**
   * Asks for a resumed (or cancelled while paused) campaign's held chunks to go back on the
   * send queue, a page of them per message (`walk` says where the previous one stopped), and
   * a resumed campaign's fan-out to go on. `resumedAt` tells one such request from the next.
   */
  resume(campaignId: string, resumedAt: string, walk?: ResumeWalk): Promise<void>;
  /** Asks a recurring campaign to start the run of its latest occurrence (what its recurring schedule sends); `firedAt` tells one request from the next. */
  occurrence(campaignId: string, firedAt: string): Promise<void>;
}

export interface SendQueue {
  /** One SQS message per chunk, sent in batches. */
  enqueue(chunks: ChunkRef[]): Promise<void>;
  /** Makes a received chunk message visible again only after `delaySeconds` (the retry backoff, or a long wait for a send window, up to 12 h). */
  retryLater(receiptHandle: string, delaySeconds: number): Promise<void>;
  /**
   * Puts a chunk back as a new SQS message delayed by `delaySeconds` (at most 900): waiting
   * this way uses none of the chunk's receives, so it never moves it towards the DLQ.
   */
  hold(chunk: ChunkRef, delaySeconds: number): Promise<void>;
}

/** A campaign start waiting for its `startAt` on a standard queue (see functions/domain/start-timing.ts). */
export interface StartTimerEvent {
  campaignId: string;
  /** ISO 8601. */
  startAt: string;
}

export interface StartTimerQueue {
  /** Puts the start on the start timer, delivered after `delaySeconds` (0-900, whole seconds). */
  put(event: StartTimerEvent, delaySeconds: number): Promise<void>;
}

export interface StartScheduler {
  /** Creates or moves the one-time schedule that starts the campaign at `startAt`. */
  schedule(campaignId: string, startAt: Date): Promise<void>;
  /** Removes it; no error when there is none. */
  unschedule(campaignId: string): Promise<void>;
}

/** When a recurring campaign's runs start: its recurrence between its start and end. */
export interface RecurringSchedule {
  recurrence: Recurrence;
  startAt: Date;
  endAt: Date;
}

export interface RecurringScheduler {
  /** Creates or replaces the recurring schedule that asks for the campaign's occurrences. */
  scheduleRecurring(campaignId: string, schedule: RecurringSchedule): Promise<void>;
  /** Removes it; no error when there is none. */
  unscheduleRecurring(campaignId: string): Promise<void>;
}

export interface TakenSlots {
  /** Index of the first slot taken within its second. */
  first: number;
  /** How many were taken: 0 when the second is full. */
  count: number;
}

export interface RateSlots {
  /** Takes up to `count` of the `maxPerSecond` slots of one campaign's epoch second, for every sender at once. */
  take(campaignId: string, second: number, count: number, maxPerSecond: number): Promise<TakenSlots>;
}

export interface SendRequest {
  id: number;
  phone: string;
  text: string;
}

export interface Provider {
  send(request: SendRequest, timeoutMs: number): Promise<SendOutcome>;
}

/** How far a resume's walk over the open chunks has come: the number of the step and the store's cursor. */
export interface ResumeWalk {
  step: number;
  cursor: string;
}

/** Messages of the fan-out queue. */
export type FanoutEvent =
  | { type: 'start'; campaignId: string }
  | { type: 'page'; campaignId: string; page: number; stream?: number }
  | { type: 'resume'; campaignId: string; resumedAt: string; walk?: ResumeWalk }
  /** From a recurring schedule: `scheduledAt` (when it fired for) only makes each body unique for the FIFO queue's content deduplication. */
  | { type: 'occurrence'; campaignId: string; scheduledAt?: string };

/** The three stores every handler reads from. */
export interface Stores {
  clients: ClientStore;
  campaigns: CampaignStore;
  messages: MessageStore;
}
