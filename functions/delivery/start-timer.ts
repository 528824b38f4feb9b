import { setTimeout as sleep } from 'node:timers/promises';
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { DEFAULT_START_TIMING, handoffAt, nextStartStep, type StartTiming } from '../domain/start-timing.js';
import { logger } from '../telemetry/logger.js';
import type { Clock, FanoutQueue, StartTimerQueue } from '../ports.js';
import { parseStartTimerEvent } from './events.js';

export interface StartTimerDependencies {
  clock: Clock;
  startTimer: StartTimerQueue;
  fanoutQueue: FanoutQueue;
  timing?: StartTiming;
  /** Waits `ms` (tests and the bench may swap in their own). */
  sleep?: (ms: number) => Promise<unknown>;
}

/**
 * The start timer: a start whose hand-off (`prestartMs` before `startAt`) is still far off
 * goes back on its queue with the longest delay that keeps it a margin before; one that is
 * near is waited here, to the millisecond, and then put on the fan-out queue. The wait is
 * re-checked against the clock after sleeping, so a timer that wakes early hands off nothing early.
 */
export function createStartTimerHandler(deps: StartTimerDependencies) {
  const { clock, startTimer, fanoutQueue } = deps;
  const timing = deps.timing ?? DEFAULT_START_TIMING;
  const wait = deps.sleep ?? sleep;

  async function handle(record: SQSRecord): Promise<void> {
    const event = parseStartTimerEvent(record.body);
    const startAt = new Date(event.startAt);
    const due = handoffAt(startAt, timing);
    const step = nextStartStep(due, clock.now(), timing);
    if (step.kind === 'hop') {
      await startTimer.put(event, step.seconds);
      return logger.debug('start timer hop', { campaignId: event.campaignId, startAt: event.startAt, delaySeconds: step.seconds });
    }
    for (let remaining = step.ms; remaining > 0; remaining = due.getTime() - clock.now().getTime()) await wait(remaining);
    // The timer message's id: a redelivery of this message is dropped by the FIFO queue's deduplication.
    await fanoutQueue.start(event.campaignId, `timer:${record.messageId}`);
    logger.info('start timer fired', { campaignId: event.campaignId, startAt: event.startAt, lateMs: clock.now().getTime() - startAt.getTime() });
  }

  const processor = new BatchProcessor(EventType.SQS);
  return (event: SQSEvent) => processPartialResponse(event, handle, processor);
}
