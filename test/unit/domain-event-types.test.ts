/** The step rules of event types and the state rules of events: pure, no I/O. */
import { describe, expect, it } from 'vitest';
import type { Client } from '../../functions/domain/clients.js';
import { previewContent } from '../../functions/domain/channels/content.js';
import { UNSUBSCRIBE_PLACEHOLDER } from '../../functions/domain/channels/email.js';
import { checkChannelFields } from '../../functions/domain/channels/fields.js';
import { ValidationError } from '../../functions/domain/errors.js';
import { checkEventType, checkStepContent, eventTypeRecord, type EventType, type NewEventStep } from '../../functions/domain/event-types.js';
import { checkEventVariables, isSameFiring, newEvent, readSourcesOf, skipReasonOf, stepOutcomeOf, timerDueAt } from '../../functions/domain/events.js';
import { NOTICE_OPTED_OUT } from '../../functions/domain/notice-ids.js';
import { CHECK_BACK_SECONDS } from '../../functions/domain/notices.js';
import { checkTemplate } from '../../functions/domain/templates.js';

/** The fields a ValidationError names. */
function refusal(check: () => unknown): string[] {
  try {
    check();
  } catch (error) {
    if (error instanceof ValidationError) return error.fields.map((problem) => problem.field);
    throw error;
  }
  return [];
}

const sms = (fields: Partial<NewEventStep> = {}): NewEventStep => ({ channel: 'sms', text: 'Hello {{ name }}', ...fields });
const inapp = (fields: Partial<NewEventStep> = {}): NewEventStep => ({ channel: 'inapp', title: 'New episode', text: 'Watch it', ...fields });
const email = (fields: Partial<NewEventStep> = {}): NewEventStep => ({ channel: 'email', subject: 'Receipt', text: 'Thanks', ...fields });

const client: Client = {
  id: 'c1',
  phone: '79001234567',
  operatorCode: '900',
  timezone: 'UTC',
  optedOut: false,
  createdAt: '2030-01-01T00:00:00.000Z',
  updatedAt: '2030-01-01T00:00:00.000Z',
};

describe('event type keys and steps', () => {
  it('takes keys of lower-case letters, digits, dot, dash and underscore, starting with a letter or digit, at most 64', () => {
    for (const key of ['payment.receipt', 'new-episode', 'a', '9_x', 'a'.repeat(64)])
      expect(refusal(() => checkEventType(key, { steps: [sms()] }))).toEqual([]);
    for (const key of ['', '.hidden', 'Upper', 'a b', 'a/b', 'a'.repeat(65)]) expect(refusal(() => checkEventType(key, { steps: [sms()] }))).toEqual(['key']);
  });

  it('takes 1 to 5 steps', () => {
    expect(refusal(() => checkEventType('k', { steps: [] }))).toEqual(['steps']);
    expect(refusal(() => checkEventType('k', { steps: Array.from({ length: 5 }, () => sms()) }))).toEqual([]);
    expect(refusal(() => checkEventType('k', { steps: Array.from({ length: 6 }, () => sms()) }))).toEqual(['steps']);
  });

  it('resolves delaySeconds to 0 when absent and keeps unlessRead only when true', () => {
    expect(checkStepContent(sms(), 0, [])).toEqual({ channel: 'sms', text: 'Hello {{ name }}', delaySeconds: 0 });
    expect(checkStepContent(sms({ delaySeconds: 600, unlessRead: false }), 0, [])).toEqual({ channel: 'sms', text: 'Hello {{ name }}', delaySeconds: 600 });
  });

  it('refuses a delay outside 0 to 86,400 whole seconds, naming steps[i].delaySeconds', () => {
    for (const delaySeconds of [0, 1, 86_400]) expect(refusal(() => checkStepContent(sms({ delaySeconds }), 2, []))).toEqual([]);
    for (const delaySeconds of [-1, 86_401, 1.5]) expect(refusal(() => checkStepContent(sms({ delaySeconds }), 2, []))).toEqual(['steps[2].delaySeconds']);
  });

  it("names each channel's wrong or missing field under steps[i]", () => {
    expect(refusal(() => checkStepContent(sms({ subject: 'Hi' }), 1, []))).toEqual(['steps[1].subject']);
    expect(refusal(() => checkStepContent(sms({ title: 'Hi' }), 1, []))).toEqual(['steps[1].title']);
    expect(refusal(() => checkStepContent(email({ subject: undefined }), 0, []))).toEqual(['steps[0].subject']);
    expect(refusal(() => checkStepContent(email({ url: '/x' }), 0, []))).toEqual(['steps[0].url']);
    expect(refusal(() => checkStepContent(inapp({ title: ' ' }), 3, []))).toEqual(['steps[3].title']);
    expect(refusal(() => checkStepContent(inapp({ html: '<b>x</b>' }), 3, []))).toEqual(['steps[3].html']);
    expect(refusal(() => checkStepContent(inapp({ url: 'http://example.com' }), 0, []))).toEqual(['steps[0].url']);
    expect(refusal(() => checkStepContent(inapp({ url: '//evil.example' }), 0, []))).toEqual(['steps[0].url']);
    // Controls: each channel's own fields pass.
    expect(refusal(() => checkStepContent(email({ html: '<p>{{ name }}</p>' }), 0, []))).toEqual([]);
    expect(refusal(() => checkStepContent(inapp({ url: 'https://app.example/episodes/{{ episode }}' }), 0, []))).toEqual([]);
    expect(refusal(() => checkStepContent(inapp({ url: '/episodes/1' }), 0, []))).toEqual([]);
  });

  it('checks templates as Liquid, allowing the caller variables given when an event is fired but not a bad attribute', () => {
    expect(refusal(() => checkStepContent(sms({ text: 'Receipt {{ receipt }} for {{ name }}' }), 0, []))).toEqual([]);
    expect(refusal(() => checkStepContent(sms({ text: 'Hi {{ name ' }), 0, []))).toEqual(['steps[0].text']);
    expect(refusal(() => checkStepContent(sms({ text: '{{ attributes }}' }), 0, []))).toEqual(['steps[0].text']);
    expect(refusal(() => checkStepContent(email({ subject: '{% if %}' }), 4, []))).toEqual(['steps[4].subject']);
    expect(refusal(() => checkStepContent(inapp({ title: '{{ a | nosuchfilter }}' }), 1, []))).toEqual(['steps[1].title']);
  });

  it('refuses an SMS text that renders past 1,600 characters even with placeholders', () => {
    expect(refusal(() => checkStepContent(sms({ text: 'x'.repeat(1000) + '{% for i in (1..10) %}xxxxxxxxxx{% endfor %}' }), 0, []))).toEqual([]);
    expect(refusal(() => checkStepContent(sms({ text: '{% for i in (1..200) %}xxxxxxxxxx{% endfor %}' }), 0, []))).toEqual(['steps[0].text']);
  });

  it('takes unlessRead only after an in-app step sent no later', () => {
    const earlier = [inapp()];
    expect(refusal(() => checkStepContent(sms({ unlessRead: true, delaySeconds: 5 }), 1, earlier))).toEqual([]);
    expect(refusal(() => checkStepContent(sms({ unlessRead: true }), 1, [sms()]))).toEqual(['steps[1].unlessRead']);
    expect(refusal(() => checkStepContent(sms({ unlessRead: true }), 0, []))).toEqual(['steps[0].unlessRead']);
    // An in-app step that goes out after this one could not have been read by then.
    expect(refusal(() => checkStepContent(sms({ unlessRead: true, delaySeconds: 5 }), 1, [inapp({ delaySeconds: 10 })]))).toEqual(['steps[1].unlessRead']);
  });

  it('takes an in-app step, and refuses one without its title naming steps[i].title', () => {
    expect(refusal(() => checkEventType('k', { steps: [sms(), inapp()] }))).toEqual([]);
    expect(refusal(() => checkEventType('k', { steps: [sms(), inapp({ title: undefined })] }))).toEqual(['steps[1].title']);
  });

  it('keeps the first createdAt when a type is replaced', () => {
    const first = eventTypeRecord('k', { steps: [sms()] }, [{ channel: 'sms', text: 'a', delaySeconds: 0 }], new Date('2030-01-01T00:00:00Z'));
    const second = eventTypeRecord('k', { name: 'K', steps: [] }, first.steps, new Date('2030-01-02T00:00:00Z'), first);
    expect(second).toMatchObject({ name: 'K', createdAt: '2030-01-01T00:00:00.000Z', updatedAt: '2030-01-02T00:00:00.000Z' });
  });
});

describe("an event step's preview (POST /campaigns/preview with eventStep: the templates judged as PUT /event-types judges them)", () => {
  const steps = [
    sms({ text: 'Order {{ orderId }} for {{ name }}' }),
    email({ subject: 'Order {{ orderId }}', text: '{{ name }}: {{ orderId }}', html: '<p>{{ orderId }}</p><a href="{{ unsubscribeUrl }}">x</a>' }),
    inapp({ title: 'Order {{ orderId }}', text: 'Hi {{ name }}', url: '/orders/{{ orderId }}' }),
  ];
  const contentOf = ({ channel: _c, delaySeconds: _d, unlessRead: _u, ...content }: NewEventStep) => content;

  it("names the caller's variables a template reads, beside the client's, only where any name is allowed", () => {
    expect(checkTemplate('{{ orderId }} {{ name }} {{ attributes.city }} {{ total.amount }}', 'any')).toEqual({
      scalars: ['name'],
      attributes: ['city'],
      callerVariables: ['orderId', 'total'],
    });
    expect(checkTemplate('{{ receipt }} {{ name }}', ['receipt'])).toEqual({ scalars: ['name'], attributes: [] });
  });

  it("shows each of the event's variables as a placeholder on every channel, where a campaign's preview refuses them", () => {
    const [onSms, onEmail, onInapp] = steps as [NewEventStep, NewEventStep, NewEventStep];
    expect(previewContent('sms', contentOf(onSms), undefined, 'any')).toMatchObject({ text: 'Order <orderId> for <name>', segments: 1 });
    expect(previewContent('email', contentOf(onEmail), undefined, 'any')).toEqual({
      subject: 'Order <orderId>',
      text: '<name>: <orderId>',
      html: `<p>&lt;orderId&gt;</p><a href="${UNSUBSCRIBE_PLACEHOLDER}">x</a>`,
    });
    expect(previewContent('inapp', contentOf(onInapp), undefined, 'any')).toEqual({ title: 'Order <orderId>', text: 'Hi <name>', url: '/orders/<orderId>' });
    expect(refusal(() => previewContent('sms', contentOf(onSms)))).toEqual(['text']);
    expect(refusal(() => previewContent('email', contentOf(onEmail)))).toEqual(['subject']);
    expect(refusal(() => previewContent('inapp', contentOf(onInapp)))).toEqual(['title']);
  });

  it("renders for a client with the client's values, the event's variables still placeholders", () => {
    const anna = { ...client, name: 'Anna' };
    expect(previewContent('email', contentOf(steps[1] as NewEventStep), anna, 'any')).toMatchObject({ subject: 'Order <orderId>', text: 'Anna: <orderId>' });
    expect(previewContent('inapp', contentOf(steps[2] as NewEventStep), anna, 'any')).toMatchObject({ text: 'Hi Anna', url: '/orders/<orderId>' });
  });

  it('takes what PUT /event-types takes, and refuses what it refuses naming the same field without the step prefix', () => {
    for (const step of [sms({ text: '{{ attributes }}' }), email({ subject: 'Order {{ orderId ' }), inapp({ title: '{{ a | nosuchfilter }}' })]) {
      const [field] = refusal(() => checkStepContent(step, 0, []));
      expect(refusal(() => previewContent(step.channel, contentOf(step), undefined, 'any'))).toEqual([field?.slice('steps[0].'.length)]);
    }
    for (const step of steps) {
      expect(refusal(() => checkStepContent(step, 0, []))).toEqual([]);
      expect(refusal(() => previewContent(step.channel, contentOf(step), undefined, 'any'))).toEqual([]);
    }
  });
});

describe('channel fields', () => {
  it('is the same table for every caller, with its prefix', () => {
    expect(refusal(() => checkChannelFields('sms', { text: 'x', html: '<p>' }))).toEqual(['html']);
    expect(refusal(() => checkChannelFields('email', { text: 'x' }, 'steps[0].'))).toEqual(['steps[0].subject']);
    expect(refusal(() => checkChannelFields('sms', { text: '' }))).toEqual(['text']);
  });
});

describe('events', () => {
  const type: EventType = {
    key: 'receipt',
    steps: [
      { channel: 'inapp', title: 'Receipt', text: 'Receipt {{ receipt }}', delaySeconds: 0 },
      { channel: 'sms', text: 'Receipt {{ receipt }}', delaySeconds: 600, unlessRead: true },
    ],
    createdAt: '2030-01-01T00:00:00.000Z',
    updatedAt: '2030-01-01T00:00:00.000Z',
  };

  it('schedules each step at the event time plus its delay', () => {
    const event = newEvent('aB3dE5fG7hJ9kL1m', type, client, { receipt: 'R-1' }, new Date('2030-05-01T10:00:00Z'));
    expect(event.steps).toEqual([
      { index: 0, channel: 'inapp', status: 'scheduled', dueAt: '2030-05-01T10:00:00.000Z' },
      { index: 1, channel: 'sms', status: 'scheduled', dueAt: '2030-05-01T10:10:00.000Z' },
    ]);
    expect(event.definition).toBe(type.steps);
  });

  it("refuses a caller variable a step uses but the event does not give, naming variables and the step's field", () => {
    expect(refusal(() => checkEventVariables(type, { receipt: 'R-1' }))).toEqual([]);
    expect(refusal(() => checkEventVariables(type, {}))).toEqual(['variables']);
    expect(() => checkEventVariables(type, undefined)).toThrow(/steps\[0\]\.text/);
  });

  it('skips a due step for a gone client, a missing address, an opt-out of its channel or of everything, or a suppressed address', () => {
    expect(skipReasonOf(undefined, 'sms', false)).toBe('unreachable');
    expect(skipReasonOf(client, 'email', false)).toBe('unreachable');
    expect(skipReasonOf({ ...client, optOuts: ['sms'] }, 'sms', false)).toBe('opted-out');
    expect(skipReasonOf({ ...client, optedOut: true }, 'inapp', false)).toBe('opted-out');
    expect(skipReasonOf(client, 'sms', true)).toBe('opted-out');
    // Controls: the same client on a channel it can get.
    expect(skipReasonOf(client, 'sms', false)).toBeUndefined();
    expect(skipReasonOf({ ...client, optOuts: ['sms'] }, 'inapp', false)).toBeUndefined();
    expect(skipReasonOf({ ...client, email: 'a@example.com' }, 'email', false)).toBeUndefined();
  });

  it("reads the earlier in-app steps' messages for unlessRead", () => {
    const steps = [
      { index: 0, channel: 'inapp' as const, status: 'sent' as const, dueAt: '', messageId: 7 },
      { index: 1, channel: 'sms' as const, status: 'sent' as const, dueAt: '', messageId: 8 },
      { index: 2, channel: 'inapp' as const, status: 'skipped' as const, dueAt: '', reason: 'opted-out' as const },
      { index: 3, channel: 'sms' as const, status: 'scheduled' as const, dueAt: '' },
    ];
    expect(readSourcesOf({ steps }, 3)).toEqual([7]);
    expect(readSourcesOf({ steps }, 0)).toEqual([]);
  });

  it("follows its notice's final status; a notice cancelled by an opt-out is a skipped step", () => {
    expect(stepOutcomeOf('queued')).toBeUndefined();
    expect(stepOutcomeOf('sent')).toEqual({ status: 'sent' });
    expect(stepOutcomeOf('failed')).toEqual({ status: 'failed' });
    expect(stepOutcomeOf('expired')).toEqual({ status: 'expired' });
    expect(stepOutcomeOf('cancelled', NOTICE_OPTED_OUT)).toEqual({ status: 'skipped', reason: 'opted-out' });
  });
});

describe("a step's timer and a key's event", () => {
  const at = '2030-01-01T00:00:00.000Z';
  const type: EventType = {
    key: 'receipt',
    steps: [
      { channel: 'sms', text: 'now', delaySeconds: 0 },
      { channel: 'sms', text: 'later', delaySeconds: 600 },
    ],
    createdAt: at,
    updatedAt: at,
  };
  const event = newEvent('aB3dE5fG7hJ9kL1m', type, { id: 'c1' }, { order: 'A-1', total: 3 }, new Date(at));

  it('fires a later step at its dueAt, and checks back on a step due at once CHECK_BACK_SECONDS after the event', () => {
    expect(event.steps.map((state) => timerDueAt(event, state))).toEqual([
      new Date(Date.parse(at) + CHECK_BACK_SECONDS * 1000).toISOString(),
      '2030-01-01T00:10:00.000Z',
    ]);
  });

  it('takes an event found under a key as this firing only with the same type, client and variables, in any key order', () => {
    expect(isSameFiring(event, 'receipt', 'c1', { total: 3, order: 'A-1' })).toBe(true);
    // Negative controls: each difference is another firing.
    expect(isSameFiring(event, 'other', 'c1', { order: 'A-1', total: 3 })).toBe(false);
    expect(isSameFiring(event, 'receipt', 'c2', { order: 'A-1', total: 3 })).toBe(false);
    expect(isSameFiring(event, 'receipt', 'c1', { order: 'A-2', total: 3 })).toBe(false);
    expect(isSameFiring(event, 'receipt', 'c1', { order: 'A-1' })).toBe(false);
    expect(isSameFiring(event, 'receipt', 'c1', { order: 'A-1', total: '3' })).toBe(false);
    const bare = newEvent('aB3dE5fG7hJ9kL1n', type, { id: 'c1' }, undefined, new Date(at));
    expect(isSameFiring(bare, 'receipt', 'c1', {})).toBe(true);
    expect(isSameFiring(bare, 'receipt', 'c1', undefined)).toBe(true);
    expect(isSameFiring(bare, 'receipt', 'c1', { order: 'A-1' })).toBe(false);
  });
});
