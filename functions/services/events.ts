/**
 * Event types and events: PUT /event-types/{key} stores what an event does; POST /events fires
 * one for a client. Each step goes out through the notice path (a notice's chunk on the send
 * queue, sent and settled by the sender like any notice): the steps due at once from the request,
 * the later ones from the start timer when their timer comes due (StepTimer: SQS delays, then
 * Scheduler). A due step is judged again then: opted out, unreachable or (`unlessRead`) read in
 * the inbox skips it, and it never fails the event.
 */
import { addressOf } from '../domain/clients.js';
import { ConflictError, NotFoundError, ValidationError } from '../domain/errors.js';
import { checkEventType, eventTypeRecord, type EventType, type NewEventType } from '../domain/event-types.js';
import {
  checkEventVariables,
  isSameFiring,
  newEvent,
  readSourcesOf,
  skipReasonOf,
  timerDueAt,
  type Event,
  type SkipReason,
  type StepState,
} from '../domain/events.js';
import { storedChannel, type Channel } from '../domain/channels/channel.js';
import { NOTICE_CHUNK, noticeChunk, noticeKey, renderNoticeContent, type NoticeVariables, type RenderedNotice } from '../domain/notices.js';
import type { Client } from '../domain/clients.js';
import { logger } from '../telemetry/logger.js';
import type { ChunkQueues, ClientStore, Clock, EventStore, EventTypeStore, InboxReads, StepTimer, SuppressionList } from '../ports.js';
import { findRecipient } from './notices.js';

/** Throws ValidationError before any read. */
export async function putEventType(
  deps: { eventTypes: EventTypeStore; clock: Clock },
  key: string,
  input: NewEventType,
): Promise<{ type: EventType; created: boolean }> {
  const steps = checkEventType(key, input);
  const existing = await deps.eventTypes.get(key);
  const type = eventTypeRecord(key, input, steps, deps.clock.now(), existing);
  const created = (await deps.eventTypes.put(type)) === 'created';
  logger.info(created ? 'event type created' : 'event type replaced', { eventType: key, steps: steps.length });
  return { type, created };
}

/** What releasing a due step needs: the client, the stores, the send queue, and the inbox for `unlessRead`. */
export interface StepDependencies {
  clock: Clock;
  clients: Pick<ClientStore, 'get'>;
  events: EventStore;
  /** Each channel's send queue: a step's notice goes on its channel's. */
  sendQueue: ChunkQueues;
  suppression: SuppressionList;
  /** What an e-mail step renders `{{ unsubscribeUrl }}` with (as an e-mail notice does); without it an e-mail step fails. */
  unsubscribeUrl?: (clientId: string, channel: Channel) => Promise<string>;
  /** Asked only by an `unlessRead` step, which needs an in-app step before it. */
  inboxReads?: InboxReads;
}

export interface EventDependencies extends StepDependencies {
  clients: ClientStore;
  eventTypes: EventTypeStore;
  stepTimer: StepTimer;
}

export interface NewEventInput {
  type: string;
  clientId?: string;
  phone?: string;
  email?: string;
  variables?: NoticeVariables;
  /** The request's Idempotency-Key, scoped to its caller (functions/api/idempotency.ts): the event's id comes from it. */
  key?: string;
}

/**
 * POST /events: NotFoundError naming `type` or the client's field, ValidationError naming
 * `variables` (a template names one not given), both before anything is written. Steps due now
 * are released before the answer; the others get their timers.
 *
 * Every step's timer is set before the event is written, a step due now getting its check-back
 * (CHECK_BACK_SECONDS): a request that dies anywhere after leaves each step to its timer, and one
 * that dies before the write leaves timers that find no event. With an Idempotency-Key the event's
 * id comes from the key, so a retry after such a death finds the same event and goes on with it
 * rather than fire a second one; the same key on another firing is a ConflictError.
 */
export async function fireEvent(deps: EventDependencies, input: NewEventInput): Promise<Event> {
  const type = await deps.eventTypes.get(input.type);
  if (!type) throw new NotFoundError(`event type ${input.type} does not exist`, [{ field: 'type', message: 'names no event type' }]);
  checkEventVariables(type, input.variables);
  const client = await findRecipient(deps.clients, input);
  const id = deps.events.newId(input.key);
  const isThisFiring = (event: Event) => isSameFiring(event, type.key, client.id, input.variables);
  const conflict = () => new ConflictError('this Idempotency-Key fired another event', [{ field: 'Idempotency-Key', message: 'was used for another event' }]);
  // A key's event may be there already (a retry after a request that died): found before any timer,
  // so another firing under the key sets none for the event it names.
  const found = input.key === undefined ? undefined : await deps.events.get(id);
  if (found && !isThisFiring(found)) throw conflict();
  const planned = found ?? newEvent(id, type, client, input.variables, deps.clock.now());
  const open = planned.steps.filter((state) => state.status === 'scheduled' || state.status === 'queued');
  await Promise.all(open.map((state) => deps.stepTimer.schedule({ eventId: id, step: state.index, dueAt: timerDueAt(planned, state) })));
  const { event, created } = found ? { event: found, created: false } : await deps.events.create(planned);
  const log = { eventId: event.id, eventType: type.key, clientId: client.id, steps: event.steps.length };
  if (created) logger.info('event fired', log);
  else if (isThisFiring(event)) logger.info('event fired before under this Idempotency-Key: going on with it', log);
  else throw conflict();
  const steps: StepState[] = [];
  for (const state of event.steps) {
    if (event.definition[state.index]?.delaySeconds === 0) {
      // Earlier steps released here are already in `steps`: an unlessRead step reads their message ids.
      steps.push(await releaseLoaded(deps, { ...event, steps: [...steps, ...event.steps.slice(state.index)] }, state.index, client));
      continue;
    }
    logger.info('event step scheduled', { eventId: event.id, step: state.index, channel: state.channel, dueAt: state.dueAt });
    steps.push(state);
  }
  return { ...event, steps };
}

/** The start timer's part: a step whose moment has come. Nothing happens for a step already released (a timer delivered twice). */
export async function releaseStep(deps: StepDependencies, eventId: string, index: number): Promise<void> {
  const event = await deps.events.get(eventId);
  if (!event) return logger.warn('event step due for an event that no longer exists', { eventId, step: index });
  await releaseLoaded(deps, event, index);
}

async function skip(deps: StepDependencies, event: Event, state: StepState, reason: SkipReason): Promise<StepState> {
  await deps.events.closeStep(event.id, state.index, { status: 'skipped', reason });
  logger.info('event step skipped', { eventId: event.id, step: state.index, channel: state.channel, clientId: event.clientId, reason });
  return { ...state, status: 'skipped', reason };
}

/** Whether an earlier in-app step's item has been read by now. */
async function anyRead(deps: StepDependencies, event: Event, index: number): Promise<boolean> {
  const sources = readSourcesOf(event, index);
  if (sources.length === 0) return false;
  if (!deps.inboxReads) throw new Error(`step ${index} of event ${event.id} is unlessRead, and no inbox is wired to ask`);
  const reads = await Promise.all(sources.map((messageId) => (deps.inboxReads as InboxReads).isRead(event.clientId, messageId)));
  return reads.includes(true);
}

/** Judges a due step and sends it as a notice, or closes it with why not. */
async function releaseLoaded(deps: StepDependencies, event: Event, index: number, known?: Client): Promise<StepState> {
  const state = event.steps[index];
  const step = event.definition[index];
  if (!state || !step) throw new Error(`event ${event.id} has no step ${index}`);
  const log = { eventId: event.id, step: index, channel: state.channel, clientId: event.clientId };
  if (state.status === 'queued' && state.messageId !== undefined) {
    // Released before, but the answer or the enqueue may have been lost: the sender's claim makes a second copy harmless.
    await deps.sendQueue.enqueue([{ campaignId: noticeKey(state.messageId), chunk: NOTICE_CHUNK, ...storedChannel(state.channel) }]);
    logger.info('event step queued again', { ...log, messageId: state.messageId });
    return state;
  }
  if (state.status !== 'scheduled') return state;
  const client = known ?? (await deps.clients.get(event.clientId));
  const address = client && addressOf(client, state.channel);
  const suppressed = address !== undefined && state.channel !== 'inapp' && (await deps.suppression.isSuppressed(address, state.channel));
  const reason = skipReasonOf(client, state.channel, suppressed) ?? (step.unlessRead && (await anyRead(deps, event, index)) ? 'read' : undefined);
  if (reason || !client) return skip(deps, event, state, reason ?? 'unreachable');
  let content: RenderedNotice;
  try {
    if (state.channel === 'email' && !deps.unsubscribeUrl)
      throw ValidationError.field('subject', 'e-mail steps need the unsubscribe links: no key is configured');
    const unsubscribeUrl = state.channel === 'email' ? await deps.unsubscribeUrl?.(client.id, 'email') : undefined;
    // Rendered as a notice of the same content is, for the client as it is now.
    content = renderNoticeContent(state.channel, { ...step, variables: event.variables }, client, unsubscribeUrl);
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    await deps.events.closeStep(event.id, index, { status: 'failed' });
    logger.warn('event step failed: it did not render', { ...log, error: error.message });
    return { ...state, status: 'failed' };
  }
  const chunk = await deps.events.queueStep(event.id, index, (id) =>
    noticeChunk(id, client, content, deps.clock.now(), state.channel, { eventId: event.id, step: index }),
  );
  if (!chunk) {
    logger.info('event step already released', log);
    return (await deps.events.get(event.id))?.steps[index] ?? state;
  }
  const messageId = chunk.messages[0]?.id as number;
  await deps.sendQueue.enqueue([{ campaignId: chunk.campaignId, chunk: NOTICE_CHUNK, ...storedChannel(state.channel) }]);
  logger.info('event step queued', { ...log, messageId });
  return { ...state, status: 'queued', messageId };
}
