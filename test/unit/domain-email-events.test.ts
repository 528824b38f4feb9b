/** SES's mailbox simulator and what Herald does about SES's events (functions/domain/channels/email-events.ts). */
import { describe, expect, it } from 'vitest';
import { emailEventsMoved } from '../../functions/adapters/dynamo/chunk-codec.js';
import {
  deliveryAfter,
  EMAIL_DELIVERIES,
  emailEventEffect,
  emailEventsDelta,
  emptyEmailEvents,
  simulatedEvent,
  simulatorEvent,
  type EmailDelivery,
  type SesEventDetail,
} from '../../functions/domain/channels/email-events.js';
import { messageId } from '../../functions/domain/messages.js';

const now = new Date('2030-06-01T12:00:00.000Z');
const id = messageId(12, 4, 1);
const tags = [
  { Name: 'campaignId', Value: '12' },
  { Name: 'messageId', Value: String(id) },
];
const mail = (to: string) => ({ eventId: 'ev-1', sesMessageId: 'ses-1', from: 'herald@example.com', to, tags, configurationSetName: 'herald' });

describe('simulatorEvent', () => {
  it.each([
    ['bounce@simulator.amazonses.com', 'Bounce'],
    ['bounce+campaign-12@simulator.amazonses.com', 'Bounce'],
    ['bounce+@simulator.amazonses.com', 'Bounce'],
    ['BOUNCE+x@Simulator.AmazonSES.com', 'Bounce'],
    ['complaint@simulator.amazonses.com', 'Complaint'],
    ['complaint+a+b@simulator.amazonses.com', 'Complaint'],
    ['success@simulator.amazonses.com', 'Delivery'],
    ['bouncer@simulator.amazonses.com', 'Delivery'],
    ['x+bounce@simulator.amazonses.com', 'Delivery'],
    ['bounce@example.com', 'Delivery'],
    ['bounce@simulator.amazonses.com.example.com', 'Delivery'],
    ['jane@example.com', 'Delivery'],
  ])('%s yields %s', (address, event) => {
    expect(simulatorEvent(address)).toBe(event);
  });
});

describe('simulatedEvent', () => {
  it('has the EventBridge shape SES publishes, with the mail tags and the configuration set', () => {
    expect(simulatedEvent(mail('bounce+1@simulator.amazonses.com'), now)).toEqual({
      version: '0',
      id: 'ev-1',
      'detail-type': 'Email Bounced',
      source: 'aws.ses',
      account: '000000000000',
      time: '2030-06-01T12:00:00.000Z',
      region: 'us-east-1',
      resources: ['arn:aws:ses:us-east-1:000000000000:configuration-set/herald'],
      detail: {
        eventType: 'Bounce',
        mail: {
          messageId: 'ses-1',
          timestamp: '2030-06-01T12:00:00.000Z',
          source: 'herald@example.com',
          destination: ['bounce+1@simulator.amazonses.com'],
          tags: { 'ses:configuration-set': ['herald'], campaignId: ['12'], messageId: [String(id)] },
        },
        bounce: {
          bounceType: 'Permanent',
          bounceSubType: 'General',
          bouncedRecipients: [{ emailAddress: 'bounce+1@simulator.amazonses.com' }],
          timestamp: '2030-06-01T12:00:00.000Z',
        },
      },
    });
  });
  it('names a complaint and a delivery as SES does', () => {
    expect(simulatedEvent(mail('complaint@simulator.amazonses.com'), now)).toMatchObject({
      'detail-type': 'Email Complaint Received',
      detail: { eventType: 'Complaint', complaint: { complainedRecipients: [{ emailAddress: 'complaint@simulator.amazonses.com' }] } },
    });
    expect(simulatedEvent(mail('jane@example.com'), now)).toMatchObject({
      'detail-type': 'Email Delivered',
      detail: { eventType: 'Delivery', delivery: { recipients: ['jane@example.com'] } },
    });
  });
});

describe('emailEventEffect', () => {
  const message = { messageId: id, campaignId: '12' };

  it('suppresses a permanently bounced address and marks the message bounced', () => {
    expect(emailEventEffect(simulatedEvent(mail('bounce@simulator.amazonses.com'), now).detail)).toEqual({
      message: { ...message, delivery: 'bounced' },
      suppress: ['bounce@simulator.amazonses.com'],
      optOutOfEmail: [],
    });
  });

  it('suppresses a complaining address, opts its client out of e-mail and marks the message complained', () => {
    expect(emailEventEffect(simulatedEvent(mail('complaint@simulator.amazonses.com'), now).detail)).toEqual({
      message: { ...message, delivery: 'complained' },
      suppress: ['complaint@simulator.amazonses.com'],
      optOutOfEmail: ['complaint@simulator.amazonses.com'],
    });
  });

  it('marks a delivered message, and changes nothing else', () => {
    expect(emailEventEffect(simulatedEvent(mail('jane@example.com'), now).detail)).toEqual({
      message: { ...message, delivery: 'delivered' },
      suppress: [],
      optOutOfEmail: [],
    });
  });

  it('leaves a transient bounce alone: the address may work tomorrow', () => {
    const detail = simulatedEvent(mail('bounce@simulator.amazonses.com'), now).detail;
    expect(emailEventEffect({ ...detail, bounce: { ...detail.bounce!, bounceType: 'Transient' } })).toBeUndefined();
    expect(emailEventEffect({ ...detail, bounce: { ...detail.bounce!, bounceType: 'Undetermined' } })).toBeUndefined();
  });

  it.each(['Send', 'Open', 'Click', 'Reject', 'DeliveryDelay', 'Rendering Failure'])('ignores a %s event', (eventType) => {
    expect(emailEventEffect({ eventType, mail: { messageId: 'm', destination: ['a@example.com'], tags: {} } })).toBeUndefined();
  });

  it('suppresses the addresses lower-cased, once each, and skips what is not an address', () => {
    const detail: SesEventDetail = {
      eventType: 'Bounce',
      mail: { messageId: 'm', destination: [] },
      bounce: {
        bounceType: 'Permanent',
        bouncedRecipients: [{ emailAddress: 'Jane@Example.com' }, { emailAddress: 'jane@example.com' }, { emailAddress: 'junk' }],
      },
    };
    expect(emailEventEffect(detail)).toEqual({ suppress: ['jane@example.com'], optOutOfEmail: [] });
  });

  it('still suppresses when the tags lead to no message of Herald', () => {
    const detail = simulatedEvent({ ...mail('complaint@simulator.amazonses.com'), tags: [] }, now).detail;
    expect(emailEventEffect(detail)).toEqual({ suppress: ['complaint@simulator.amazonses.com'], optOutOfEmail: ['complaint@simulator.amazonses.com'] });
  });
});

describe('deliveryAfter and emailEventsDelta', () => {
  it('moves a message forward: delivered, then complained', () => {
    expect(deliveryAfter(undefined, 'delivered')).toBe('delivered');
    expect(deliveryAfter('delivered', 'complained')).toBe('complained');
    expect(deliveryAfter('delivered', 'bounced')).toBe('bounced');
    expect(deliveryAfter('bounced', 'complained')).toBe('complained');
  });

  it('never moves it back, and ignores an event seen twice (EventBridge delivers at least once, in any order)', () => {
    expect(deliveryAfter('complained', 'delivered')).toBeUndefined();
    expect(deliveryAfter('bounced', 'delivered')).toBeUndefined();
    expect(deliveryAfter('complained', 'bounced')).toBeUndefined();
    for (const state of EMAIL_DELIVERIES) expect(deliveryAfter(state, state)).toBeUndefined();
  });

  it('counts each message once, under its latest state, whatever order the events came in', () => {
    const orders: EmailDelivery[][] = [
      ['delivered', 'complained'],
      ['complained', 'delivered'],
      ['delivered', 'delivered', 'complained', 'complained'],
    ];
    for (const events of orders) {
      const totals = emptyEmailEvents();
      let state: EmailDelivery | undefined;
      for (const event of events) {
        const next = deliveryAfter(state, event);
        if (next === undefined) continue;
        const delta = emailEventsDelta(state, next);
        for (const kind of EMAIL_DELIVERIES) totals[kind] += delta[kind];
        state = next;
      }
      expect(totals).toEqual({ delivered: 0, bounced: 0, complained: 1 });
    }
  });
});

describe('emailEventsMoved: what one chunk write does to its campaign’s emailEvents', () => {
  it('counts each message whose delivery changed under its new state, leaving its old one', () => {
    expect(emailEventsMoved({ d0: 'delivered' }, { d0: 'complained', d1: 'bounced', d2: 'delivered' })).toEqual({ delivered: 0, bounced: 1, complained: 1 });
  });
  it('is undefined for a write that changed no delivery (a claim, an outcome), or removed the chunk', () => {
    expect(emailEventsMoved({ d0: 'delivered' }, { d0: 'delivered' })).toBeUndefined();
    expect(emailEventsMoved(undefined, {})).toBeUndefined();
    expect(emailEventsMoved({ d0: 'delivered' }, undefined)).toBeUndefined();
  });
});
