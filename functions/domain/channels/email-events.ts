/**
 * What SES reports about sent e-mail, and what Herald does about it. SES publishes each event of
 * the configuration set to EventBridge's default bus (source `aws.ses`, detail-type `Email
 * Bounced`, `Email Complaint Received`, `Email Delivered`, ...), the detail being the event record
 * of SES's event publishing (`eventType`, `mail` with the e-mail's tags, and `bounce`, `complaint`
 * or `delivery`). Locally nothing is delivered: SES's mailbox simulator addresses decide the
 * event, as they do on AWS, and simulatedEvent builds the same shape.
 */
import { messageOfTags, normalizeEmail } from './email.js';

/** The message's `delivery` once SES has said what became of it. */
export const EMAIL_DELIVERIES = ['delivered', 'bounced', 'complained'] as const;
export type EmailDelivery = (typeof EMAIL_DELIVERIES)[number];

/** What an e-mail campaign shows of its SES events. */
export type EmailEvents = Record<EmailDelivery, number>;

export function emptyEmailEvents(): EmailEvents {
  return { delivered: 0, bounced: 0, complained: 0 };
}

/** `a` moved by `b`, each counter on its own. */
export function addEmailEvents(a: EmailEvents, b: EmailEvents): EmailEvents {
  return { delivered: a.delivered + b.delivered, bounced: a.bounced + b.bounced, complained: a.complained + b.complained };
}

export type SesEventType = 'Bounce' | 'Complaint' | 'Delivery';

const DETAIL_TYPES: Record<SesEventType, string> = {
  Bounce: 'Email Bounced',
  Complaint: 'Email Complaint Received',
  Delivery: 'Email Delivered',
};

/** The part of SES's event record Herald reads (the record has more: headers, timestamps, the reporting MTA). */
export interface SesEventDetail {
  eventType: string;
  mail: {
    messageId: string;
    timestamp?: string;
    source?: string;
    destination: string[];
    /** The e-mail's tags, each with its values; SES adds its own (`ses:configuration-set`, ...). */
    tags?: Record<string, string[]>;
  };
  bounce?: { bounceType: string; bounceSubType?: string; bouncedRecipients: { emailAddress: string }[]; timestamp?: string };
  complaint?: { complainedRecipients: { emailAddress: string }[]; complaintFeedbackType?: string; timestamp?: string };
  delivery?: { recipients: string[]; timestamp?: string };
}

/** An SES e-mail event as EventBridge hands it to a Lambda target. */
export interface SesEmailEvent {
  version: string;
  id: string;
  'detail-type': string;
  source: 'aws.ses';
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: SesEventDetail;
}

/** What Herald does about one event. */
export interface EmailEventEffect {
  /** What the message shows; undefined for an event about no message of Herald's (its tags are not Herald's). */
  message?: NonNullable<ReturnType<typeof messageOfTags>> & { delivery: EmailDelivery };
  /** Addresses that go on the suppression list: a permanent bounce's and a complaint's. */
  suppress: string[];
  /** Addresses whose client's `optOuts` gains `email`: a complaint's. */
  optOutOfEmail: string[];
}

const recipients = (addresses: string[]): string[] => [...new Set(addresses.flatMap((address) => normalizeEmail(address) ?? []))];

/**
 * A permanent Bounce suppresses the address; a Complaint suppresses it and opts its client out of
 * e-mail; a Delivery marks the message. Anything else (a transient bounce, an open, a send) changes
 * nothing: undefined.
 */
export function emailEventEffect(detail: SesEventDetail): EmailEventEffect | undefined {
  const message = messageOfTags(detail.mail.tags ?? {});
  const marked = (delivery: EmailDelivery) => (message ? { message: { ...message, delivery } } : {});
  switch (detail.eventType) {
    case 'Bounce': {
      if (detail.bounce?.bounceType !== 'Permanent') return undefined;
      return { ...marked('bounced'), suppress: recipients(detail.bounce.bouncedRecipients.map((r) => r.emailAddress)), optOutOfEmail: [] };
    }
    case 'Complaint': {
      const addresses = recipients((detail.complaint?.complainedRecipients ?? []).map((r) => r.emailAddress));
      return { ...marked('complained'), suppress: addresses, optOutOfEmail: addresses };
    }
    case 'Delivery':
      return { ...marked('delivered'), suppress: [], optOutOfEmail: [] };
    default:
      return undefined;
  }
}

/** SES's mailbox simulator: mail to its addresses is not delivered, and yields the event the address names. */
export const SIMULATOR_DOMAIN = 'simulator.amazonses.com';

/**
 * The event an address yields, on AWS and locally: `bounce@simulator.amazonses.com` (any `+label`
 * before the `@`) a permanent Bounce, `complaint@...` a Complaint, any other address a Delivery.
 */
export function simulatorEvent(address: string): SesEventType {
  const normalized = address.toLowerCase();
  const at = normalized.lastIndexOf('@');
  if (at < 0 || normalized.slice(at + 1) !== SIMULATOR_DOMAIN) return 'Delivery';
  const mailbox = normalized.slice(0, at).split('+', 1)[0];
  if (mailbox === 'bounce') return 'Bounce';
  if (mailbox === 'complaint') return 'Complaint';
  return 'Delivery';
}

export interface SimulatedMail {
  /** The event's own id (EventBridge's), and SES's id of the message. */
  eventId: string;
  sesMessageId: string;
  from: string;
  to: string;
  tags: { Name: string; Value: string }[];
  configurationSetName: string;
}

/** The event SES would publish for a mail, as the simulator address decides: what the local runtime feeds the SES event handler. */
export function simulatedEvent(mail: SimulatedMail, now: Date): SesEmailEvent {
  const eventType = simulatorEvent(mail.to);
  const time = now.toISOString();
  const tags: Record<string, string[]> = { 'ses:configuration-set': [mail.configurationSetName] };
  for (const tag of mail.tags) (tags[tag.Name] ??= []).push(tag.Value);
  const detail: SesEventDetail = {
    eventType,
    mail: { messageId: mail.sesMessageId, timestamp: time, source: mail.from, destination: [mail.to], tags },
    ...(eventType === 'Bounce'
      ? { bounce: { bounceType: 'Permanent', bounceSubType: 'General', bouncedRecipients: [{ emailAddress: mail.to }], timestamp: time } }
      : eventType === 'Complaint'
        ? { complaint: { complainedRecipients: [{ emailAddress: mail.to }], complaintFeedbackType: 'abuse', timestamp: time } }
        : { delivery: { recipients: [mail.to], timestamp: time } }),
  };
  return {
    version: '0',
    id: mail.eventId,
    'detail-type': DETAIL_TYPES[eventType],
    source: 'aws.ses',
    account: '000000000000',
    time,
    region: 'us-east-1',
    resources: [`arn:aws:ses:us-east-1:000000000000:configuration-set/${mail.configurationSetName}`],
    detail,
  };
}

/** A complaint comes after the delivery it complains of; a bounce is final. The later state never gives way to an earlier one. */
const DELIVERY_RANK: Record<EmailDelivery, number> = { delivered: 1, bounced: 2, complained: 3 };

/**
 * A message's `delivery` after an event: EventBridge delivers SES's events at least once and
 * in any order, so a Delivery that arrives after the Complaint, or an event seen twice, changes
 * nothing. Undefined when the message stays as it is.
 */
export function deliveryAfter(current: EmailDelivery | undefined, event: EmailDelivery): EmailDelivery | undefined {
  if (current !== undefined && DELIVERY_RANK[current] >= DELIVERY_RANK[event]) return undefined;
  return event;
}

/**
 * How a campaign's `emailEvents` move when one message's `delivery` goes from `before` to
 * `after`: each message counts once, under its latest state, so the three add up to the
 * messages SES has reported on.
 */
export function emailEventsDelta(before: EmailDelivery | undefined, after: EmailDelivery): EmailEvents {
  const delta = emptyEmailEvents();
  delta[after] += 1;
  if (before !== undefined) delta[before] -= 1;
  return delta;
}
