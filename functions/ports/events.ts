/** Event types and events (functions/domain/event-types.ts, events.ts), their steps' timers, and what an `unlessRead` step asks the inbox. */
import type { EventType } from '../domain/event-types.js';
import type { Event, SkipReason, StepState } from '../domain/events.js';
import type { Chunk } from '../domain/messages.js';
import type { Page, PageRequest } from './common.js';
import type { StepTimerEvent } from './queues.js';

export interface EventTypeStore {
  /** Stores the type under its key; `created` when there was none, `replaced` otherwise. */
  put(type: EventType): Promise<'created' | 'replaced'>;
  get(key: string): Promise<EventType | undefined>;
  /** False when there was none. */
  delete(key: string): Promise<boolean>;
  list(request: PageRequest): Promise<Page<EventType>>;
}

export interface EventStore {
  /** A fresh event id; with `key` (the request's Idempotency-Key), the one id that key always gives. */
  newId(key?: string): string;
  /** Stores the event, unless one is stored under its id already: answers the event stored, and whether it was this one. */
  create(event: Event): Promise<{ event: Event; created: boolean }>;
  get(id: string): Promise<Event | undefined>;
  /**
   * Releases a scheduled step as a notice: takes the next notice id, and in one transaction stores
   * the notice's chunk built for it and marks the step `queued` with that id. Undefined, and nothing
   * written, when the step is no longer scheduled (a timer delivered twice releases it once).
   */
  queueStep(eventId: string, index: number, build: (noticeId: number) => Chunk): Promise<Chunk | undefined>;
  /** Closes a scheduled step without a message (`skipped` with its reason, or `failed`); false when it was no longer scheduled. */
  closeStep(eventId: string, index: number, outcome: { status: 'skipped'; reason: SkipReason } | { status: 'failed' }): Promise<boolean>;
  /** The step's notice reached a final status: moves the step, only while it is queued with that very message. */
  settleStep(eventId: string, index: number, messageId: number, outcome: Pick<StepState, 'status' | 'reason'>): Promise<void>;
  /**
   * Every step still `scheduled` (neither released nor closed), as the timer event that releases it, a page at a
   * time. It reads the whole events table: for putting the steps' timers back after the local runtime restarts
   * (local/recover.ts), not for a request.
   */
  waitingSteps(request: PageRequest): Promise<Page<StepTimerEvent>>;
}

/** Puts a step on its way to `dueAt`: SQS delays within 15 minutes, a one-time Scheduler schedule beyond. */
export interface StepTimer {
  schedule(event: StepTimerEvent): Promise<void>;
}

/** What an `unlessRead` step needs of the in-app inbox. */
export interface InboxReads {
  /** Whether the inbox item the in-app message `messageId` wrote for the client has been read (false when there is none). */
  isRead(clientId: string, messageId: number): Promise<boolean>;
}
