/**
 * Events: one firing of an event type for one client (POST /events). Each of the type's steps
 * becomes a notice on its channel when it is due (`delaySeconds` after the event): a step due at
 * once is released by the request itself, a later one by the start timer (SQS delays, Scheduler
 * beyond 15 minutes), never by a poll. When a step is due it is judged again: an opted-out client,
 * a missing address or a read in-app item skips it with a reason. The event keeps each step's
 * status; the send path's outcome of its notice moves it on (the tally, functions/delivery/tally.ts).
 */
import type { Channel } from './channels/channel.js';
import { addressOf, isOptedOutOf, type Client } from './clients.js';
import { ValidationError } from './errors.js';
import type { EventStep, EventType } from './event-types.js';
import { FINAL_STATUSES, type MessageStatus } from './messages.js';
import { NOTICE_OPTED_OUT } from './notice-ids.js';
import { CHECK_BACK_SECONDS, type NoticeVariables } from './notices.js';
import { checkTemplate } from './templates.js';

export const STEP_STATUSES = ['scheduled', 'queued', 'sent', 'failed', 'expired', 'skipped'] as const;
export type StepStatus = (typeof STEP_STATUSES)[number];
export const SKIP_REASONS = ['opted-out', 'unreachable', 'read'] as const;
export type SkipReason = (typeof SKIP_REASONS)[number];

/** Event ids: 16 URL-safe characters (96 random bits), as client ids. */
export const EVENT_ID_PATTERN = /^[A-Za-z0-9_-]{16}$/;

export interface StepState {
  index: number;
  channel: Channel;
  status: StepStatus;
  /** ISO 8601: the event's time plus the step's delay. */
  dueAt: string;
  /** The step's notice, once it is queued. */
  messageId?: number;
  reason?: SkipReason;
}

export interface Event {
  id: string;
  type: string;
  clientId: string;
  createdAt: string;
  /** The type's steps as they were when the event was fired: a later edit of the type changes no event under way. */
  definition: EventStep[];
  variables?: NoticeVariables;
  steps: StepState[];
}

/** Which step of which event a notice is: carried by the notice's chunk, so its outcome finds the step. */
export interface EventStepRef {
  eventId: string;
  step: number;
}

/**
 * Every template of every step names only the client's variables and those given: a caller's
 * missing variable is 400 naming `variables` at POST, before anything is read or written.
 */
export function checkEventVariables(type: Pick<EventType, 'steps'>, variables: NoticeVariables | undefined): void {
  const given = Object.keys(variables ?? {});
  type.steps.forEach((step, index) => {
    for (const field of ['text', 'subject', 'html', 'title', 'url'] as const) {
      const template = step[field];
      if (template === undefined) continue;
      try {
        checkTemplate(template, [...given, ...(step.channel === 'email' ? ['unsubscribeUrl'] : [])]);
      } catch (error) {
        if (!(error instanceof ValidationError)) throw error;
        throw ValidationError.field('variables', `steps[${index}].${field}: ${error.fields[0]?.message ?? error.message}`);
      }
    }
  });
}

/** When a step's timer is to fire: at its `dueAt`, or for a step due at once the check-back after the event. */
export function timerDueAt(event: Pick<Event, 'createdAt' | 'definition'>, state: Pick<StepState, 'index' | 'dueAt'>): string {
  if ((event.definition[state.index]?.delaySeconds ?? 0) > 0) return state.dueAt;
  return new Date(Date.parse(event.createdAt) + CHECK_BACK_SECONDS * 1000).toISOString();
}

/**
 * Whether an event found under a request's Idempotency-Key (its id comes from the key) is the one
 * this request fires: the same type, client and variables. Another under the same key is a conflict.
 */
export function isSameFiring(
  event: Pick<Event, 'type' | 'clientId' | 'variables'>,
  type: string,
  clientId: string,
  variables: NoticeVariables | undefined,
): boolean {
  const stored = Object.entries(event.variables ?? {});
  const given = variables ?? {};
  // A stored map's keys come back in any order.
  return (
    event.type === type && event.clientId === clientId && stored.length === Object.keys(given).length && stored.every(([name, value]) => given[name] === value)
  );
}

/** A new event: every step scheduled for its moment. */
export function newEvent(id: string, type: EventType, client: Pick<Client, 'id'>, variables: NoticeVariables | undefined, now: Date): Event {
  return {
    id,
    type: type.key,
    clientId: client.id,
    createdAt: now.toISOString(),
    definition: type.steps,
    ...(variables && Object.keys(variables).length > 0 ? { variables } : {}),
    steps: type.steps.map((step, index) => ({
      index,
      channel: step.channel,
      status: 'scheduled' as const,
      dueAt: new Date(now.getTime() + step.delaySeconds * 1000).toISOString(),
    })),
  };
}

/**
 * Why a due step is not sent, judged when it is due: the client gone or without an address for
 * the channel (`unreachable`), opted out of it or its address suppressed (`opted-out`).
 */
export function skipReasonOf(client: Client | undefined, channel: Channel, suppressed: boolean): SkipReason | undefined {
  if (!client) return 'unreachable';
  if (isOptedOutOf(client, channel) || suppressed) return 'opted-out';
  return addressOf(client, channel) === undefined ? 'unreachable' : undefined;
}

/** The messages an `unlessRead` step looks at: those of the earlier in-app steps that were queued or sent. */
export function readSourcesOf(event: Pick<Event, 'steps'>, index: number): number[] {
  return event.steps.slice(0, index).flatMap((step) => (step.channel === 'inapp' && step.messageId !== undefined ? [step.messageId] : []));
}

/** A step's notice changed status (the messages table's stream, read by the tally). */
export interface StepNoticeChange extends EventStepRef {
  messageId: number;
  status: MessageStatus;
  lastError?: string;
}

/** What a step becomes when its notice reaches a final status: a notice cancelled because its client opted out meanwhile is a skipped step. */
export function stepOutcomeOf(status: MessageStatus, lastError?: string): Pick<StepState, 'status' | 'reason'> | undefined {
  if (!FINAL_STATUSES.has(status)) return undefined;
  if (status === 'cancelled') return lastError === NOTICE_OPTED_OUT ? { status: 'skipped', reason: 'opted-out' } : { status: 'failed' };
  return { status };
}

/** GET /events/{id}. */
export function eventView(event: Event) {
  return {
    id: event.id,
    type: event.type,
    clientId: event.clientId,
    createdAt: event.createdAt,
    steps: event.steps.map((step) => ({
      index: step.index,
      channel: step.channel,
      status: step.status,
      ...(step.messageId !== undefined ? { messageId: step.messageId } : {}),
      ...(step.reason !== undefined ? { reason: step.reason } : {}),
    })),
  };
}

/** POST /events' 202. */
export function acceptedEventView(event: Event) {
  return { id: event.id, type: event.type, steps: event.steps.map(({ index, channel, status }) => ({ index, channel, status })) };
}
