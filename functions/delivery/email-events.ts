import { emailEventEffect, type SesEmailEvent } from '../domain/channels/email-events.js';
import { maskEmail } from '../domain/channels/email.js';
import { logger } from '../telemetry/logger.js';
import { NotFoundError } from '../domain/errors.js';
import type { AddressSuppression, DeliveryMarks, EmailOptOuts } from '../ports.js';

export interface EmailEventsDependencies {
  marks: DeliveryMarks;
  suppression: AddressSuppression;
  clients: EmailOptOuts;
}

/** What EventBridge hands over that cannot be an SES event record: retrying it would not make it one. */
function isSesEvent(event: unknown): event is SesEmailEvent {
  const detail = (event as Partial<SesEmailEvent> | undefined)?.detail;
  return typeof detail?.eventType === 'string' && Array.isArray(detail.mail?.destination);
}

/**
 * SES's events of Herald's configuration set, one per invocation, as an EventBridge rule
 * delivers them (locally, the mailbox simulator's: local/email-events.ts). A permanent bounce
 * puts the address on the suppression list; a complaint does the same and opts its client out
 * of e-mail; each marks the message (`delivery`) and counts it in its campaign's emailEvents.
 * Every step may be made again: EventBridge delivers at least once, and a failed invocation is
 * retried, so the address is suppressed before the message is marked, and a retry after a
 * failure in between finds the mark still to make.
 */
export function createEmailEventsHandler(deps: EmailEventsDependencies) {
  const { marks, suppression, clients } = deps;

  /** The client holding the address, if any (one may be deleted, or have changed its address, since the e-mail went). */
  async function optOutOfEmail(address: string): Promise<void> {
    const client = await clients.findByEmail(address);
    if (!client) return;
    await clients.optOut(client.id, 'email').catch((error: unknown) => {
      if (!(error instanceof NotFoundError)) throw error;
    });
  }

  return async (event: SesEmailEvent): Promise<void> => {
    if (!isSesEvent(event)) {
      // EventBridge's id, not a Herald event's: `eventId` on a line names a Herald event (npm run logs -- --event).
      logger.error('dropping an event that is no SES event record', { eventBridgeId: (event as { id?: unknown } | undefined)?.id });
      return;
    }
    const effect = emailEventEffect(event.detail);
    if (!effect) return;
    for (const address of effect.suppress) await suppression.suppress(address, 'email');
    for (const address of effect.optOutOfEmail) await optOutOfEmail(address);
    const moved = effect.message ? await marks.mark(effect.message, effect.message.delivery) : undefined;
    const addresses = [...new Set([...effect.suppress, ...event.detail.mail.destination])].map(maskEmail);
    logger.info('ses event', {
      eventType: event.detail.eventType,
      eventBridgeId: event.id,
      ...(effect.message?.campaignId !== undefined ? { campaignId: effect.message.campaignId } : {}),
      ...(effect.message?.eventId !== undefined ? { eventId: effect.message.eventId } : {}),
      ...(effect.message ? { messageId: effect.message.messageId } : {}),
      addresses,
      suppressed: effect.suppress.length,
      ...(moved ? { delivery: moved.after } : { unchanged: true }),
    });
  };
}
