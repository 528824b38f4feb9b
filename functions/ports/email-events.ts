/** What SES's events change: a message's delivery with its campaign's emailEvents, the suppression list, a client's opt-outs. */
import type { EmailDelivery } from '../domain/channels/email-events.js';
import type { ClientDirectory, SuppressionStore } from './clients.js';

/** The message an SES event is about, as the e-mail's tags name it (functions/domain/channels/email.ts, messageOfTags). */
export interface TaggedMessage {
  messageId: number;
  campaignId?: string;
  noticeId?: number;
  /** The event a notice is a step of. */
  eventId?: string;
}

export interface DeliveryMarks {
  /**
   * Moves the message's `delivery` forward to `delivery` (deliveryAfter) in one write, after
   * which its campaign's emailEvents follow (through the tally): a message counts once, however
   * often and in whatever order its events come. What it moved from and to, or undefined when
   * nothing moved (the message is already there or further, or Herald has no such message).
   */
  mark(message: TaggedMessage, delivery: EmailDelivery): Promise<{ before?: EmailDelivery; after: EmailDelivery } | undefined>;
}

/** The suppression list's write a bounce or a complaint makes, whether or not a client holds the address. */
export type AddressSuppression = Pick<SuppressionStore, 'suppress'>;

/** How a complaint opts its client out of e-mail: through the directory, as an unsubscribe link does. */
export type EmailOptOuts = Pick<ClientDirectory, 'findByEmail' | 'optOut'>;
