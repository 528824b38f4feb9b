/**
 * SES's events on one machine: what EventBridge does on AWS between SES and the emailEvents
 * function. The mailbox simulator (local/ses.ts, simulateMailbox) publishes an event after each
 * e-mail sent; each is handed to the same handler Lambda runs (functions/delivery/email-events.ts),
 * asynchronously, as EventBridge invokes its target, and tried again after a failure, as Lambda
 * retries an asynchronous invocation (twice), before it is given up and logged, as the target's
 * dead-letter queue would keep it.
 *
 * `startEmailEvents({ handler, logger, retryDelaysMs? })` -> `{ publish(event), settled(), stop() }`
 *   - `publish`: returns at once; the handler runs in the background.
 *   - `settled()`: resolves once every published event has been handled or given up (tests wait on it).
 *   - `stop()`: stops taking events, then waits for those under way.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { SesEmailEvent } from '../functions/domain/channels/email-events.js';
import type { LocalLogger } from './ports.js';

/** Lambda's asynchronous invocation tries an event three times in all; its pauses are minutes, these are short. */
export const LOCAL_EVENT_RETRY_DELAYS_MS = [1_000, 2_000];

export interface LocalEmailEvents {
  publish(event: SesEmailEvent): void;
  settled(): Promise<void>;
  stop(): Promise<void>;
}

export function startEmailEvents(options: {
  handler: (event: SesEmailEvent) => Promise<unknown>;
  logger: LocalLogger;
  retryDelaysMs?: number[];
}): LocalEmailEvents {
  const { handler, logger, retryDelaysMs = LOCAL_EVENT_RETRY_DELAYS_MS } = options;
  const inFlight = new Set<Promise<void>>();
  let stopped = false;

  async function deliver(event: SesEmailEvent): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        await handler(event);
        return;
      } catch (error) {
        const delay = retryDelaysMs[attempt];
        if (delay === undefined || stopped) {
          logger.error('an SES event was given up after its retries', { eventId: event.id, eventType: event.detail.eventType, error: String(error) });
          return;
        }
        logger.warn('an SES event failed; trying it again', { eventId: event.id, eventType: event.detail.eventType, error: String(error) });
        await sleep(delay);
      }
    }
  }

  async function settled(): Promise<void> {
    while (inFlight.size > 0) await Promise.all([...inFlight]);
  }

  return {
    publish(event) {
      if (stopped) return logger.warn('an SES event came after the runtime stopped; dropped', { eventId: event.id });
      const delivery = deliver(event).finally(() => inFlight.delete(delivery));
      inFlight.add(delivery);
    },
    settled,
    async stop() {
      stopped = true;
      await settled();
    },
  };
}
