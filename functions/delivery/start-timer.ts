import { setTimeout as sleep } from 'node:timers/promises';
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { DEFAULT_START_TIMING, handoffAt, nextStartStep, type StartTiming } from '../domain/start-timing.js';
import { logger } from '../telemetry/logger.js';
import type { Clock, FanoutQueue, StartTimerQueue, StepTimerEvent, StepTimerQueue } from '../ports.js';
import { parseTimerEvent } from './events.js';

export interface StartTimerDependencies {
  clock: Clock;
  startTimer: StartTimerQueue & StepTimerQueue;
  fanoutQueue: FanoutQueue;
  /** Sends an event's step whose moment has come (functions/services/events.ts); without it a step fails its record. */
  releaseStep?: (eventId: string, step: number) => Promise<void>;
  timing?: StartTiming;
  /** Waits `ms` (tests and the bench may swap in their own). */
  sleep?: (ms: number) => Promise<unknown>;
}

/**
 * The start timer: a start whose hand-off (`prestartMs` before `startAt`) is still far off
 * goes back on its queue with the longest delay that keeps it a margin before; one that is
 * near is waited here, to the millisecond, and then put on the fan-out queue. The wait is
 * re-checked against the clock after sleeping, so a timer that wakes early hands off nothing early.
 * An event's step rides the same queue the same way, and is released at its `dueAt`.
 */
export function createStartTimerHandler(deps: StartTimerDependencies) {
  const { clock, startTimer, fanoutQueue } = deps;
  const timing = deps.timing ?? DEFAULT_START_TIMING;
  const wait = deps.sleep ?? sleep;

  /** Hops on the queue while `due` is far (answering the hop's delay), else waits here until it is time (answering undefined). */
  async function untilDue(due: Date, hop: (seconds: number) => Promise<void>): Promise<number | undefined> {
    const step = nextStartStep(due, clock.now(), timing);
    if (step.kind === 'hop') {
      await hop(step.seconds);
      return step.seconds;
    }
    for (let remaining = step.ms; remaining > 0; remaining = due.getTime() - clock.now().getTime()) await wait(remaining);
    return undefined;
  }

  async function handleStep(event: StepTimerEvent): Promise<void> {
    const log = { eventId: event.eventId, step: event.step, dueAt: event.dueAt };
    const delaySeconds = await untilDue(new Date(event.dueAt), (seconds) => startTimer.putStep(event, seconds));
    if (delaySeconds !== undefined) return logger.debug('step timer hop', { ...log, delaySeconds });
    if (!deps.releaseStep) throw new Error(`the start timer cannot release step ${event.step} of event ${event.eventId}: no events are wired`);
    await deps.releaseStep(event.eventId, event.step);
    logger.info('step timer fired', { ...log, lateMs: clock.now().getTime() - Date.parse(event.dueAt) });
  }

  async function handle(record: SQSRecord): Promise<void> {
    const timer = parseTimerEvent(record.body);
    if ('step' in timer) return handleStep(timer.step);
    const event = timer.start;
    const startAt = new Date(event.startAt);
    const due = handoffAt(startAt, timing);
    const delaySeconds = await untilDue(due, (seconds) => startTimer.put(event, seconds));
    if (delaySeconds !== undefined) return logger.debug('start timer hop', { campaignId: event.campaignId, startAt: event.startAt, delaySeconds });
    // The timer message's id: a redelivery of this message is dropped by the FIFO queue's deduplication.
    await fanoutQueue.start(event.campaignId, `timer:${record.messageId}`);
    logger.info('start timer fired', { campaignId: event.campaignId, startAt: event.startAt, lateMs: clock.now().getTime() - startAt.getTime() });
  }

  const processor = new BatchProcessor(EventType.SQS);
  return (event: SQSEvent) => processPartialResponse(event, handle, processor);
}
