/** The queues between the functions: fan-out, each channel's send queue and the start timer, and the messages they carry. */
import type { Channel } from '../domain/channels/channel.js';
import type { EventStepRef } from '../domain/events.js';

export interface ChunkRef {
  campaignId: string;
  chunk: number;
  /** The chunk's channel, whose send queue it goes on; absent for SMS (every chunk queued before channels existed). */
  channel?: Channel;
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
  /** One SQS message per chunk, sent in batches; each delayed by `delaySeconds` (at most 900) when given. */
  enqueue(chunks: ChunkRef[], delaySeconds?: number): Promise<void>;
  /** Makes a received chunk message visible again only after `delaySeconds` (the retry backoff, or a long wait for a send window, up to 12 h). */
  retryLater(receiptHandle: string, delaySeconds: number): Promise<void>;
  /**
   * Puts a chunk back as a new SQS message delayed by `delaySeconds` (at most 900): waiting
   * this way uses none of the chunk's receives, so it never moves it towards the DLQ.
   */
  hold(chunk: ChunkRef, delaySeconds: number): Promise<void>;
}

/** Where chunks go to be sent: each on its own channel's send queue (functions/definitions/channels.ts). */
export interface ChunkQueues {
  enqueue(chunks: ChunkRef[], delaySeconds?: number): Promise<void>;
}

/** A campaign start waiting for its `startAt` on a standard queue (see functions/domain/start-timing.ts). */
export interface StartTimerEvent {
  campaignId: string;
  /** ISO 8601. */
  startAt: string;
}

/** An event's step waiting for its moment on the start timer queue (functions/domain/events.ts). */
export interface StepTimerEvent extends EventStepRef {
  /** ISO 8601. */
  dueAt: string;
}

export interface StartTimerQueue {
  /** Puts the start on the start timer, delivered after `delaySeconds` (0-900, whole seconds). */
  put(event: StartTimerEvent, delaySeconds: number): Promise<void>;
}

/** The same queue as an event's steps use it. */
export interface StepTimerQueue {
  /** Puts an event's step on the start timer, delivered after `delaySeconds` (0-900, whole seconds). */
  putStep(event: StepTimerEvent, delaySeconds: number): Promise<void>;
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
