/**
 * Event types and events end to end on the local runtime: PUT /event-types over HTTP, POST
 * /events, its steps through the notice path (the send queue's poller, the sender, the fake
 * provider), a later step through the start timer, each step's status in GET /events/{id} as the
 * tally follows its notice, and an Idempotency-Key replay that sends nothing twice.
 */
import { describe, expect, it } from 'vitest';
import type { LocalRuntime } from '../../local/runtime.js';
import { callApi as call, runtimePerTest, waitFor } from '../support/e2e.js';

const start = runtimePerTest();

let phoneSeq = Math.floor(Math.random() * 1_000_000);
const nextPhone = () => `7912${String(phoneSeq++ % 10_000_000).padStart(7, '0')}`;

interface EventView {
  id: string;
  type: string;
  clientId: string;
  createdAt: string;
  steps: { index: number; channel: string; status: string; messageId?: number; reason?: string }[];
}

async function addClient(runtime: LocalRuntime, fields: Record<string, unknown> = {}): Promise<{ id: string; phone: string }> {
  const created = await call<{ id: string; phone: string }>(runtime, 'POST', '/clients', { phone: nextPhone(), timezone: 'UTC', ...fields });
  expect(created.status).toBe(201);
  return created.body;
}

async function fire(runtime: LocalRuntime, body: unknown, key?: string) {
  const response = await fetch(`${runtime.url}/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(key ? { 'idempotency-key': key } : {}) },
    body: JSON.stringify(body),
  });
  return { status: response.status, replayed: response.headers.get('idempotent-replayed'), body: (await response.json()) as EventView };
}

const eventOf = async (runtime: LocalRuntime, id: string) => (await call<EventView>(runtime, 'GET', `/events/${id}`)).body;
const settled = (event: EventView) => event.steps.every((step) => !['scheduled', 'queued'].includes(step.status));

describe('events', () => {
  it('sends an SMS step now and one 3 s later, each once however often the POST is replayed, and shows each step sent', async () => {
    const runtime = await start();
    const type = {
      name: 'Payment receipt',
      steps: [
        { channel: 'sms', text: 'Receipt {{ receipt }} for {{ name }}' },
        { channel: 'sms', text: 'Did you get receipt {{ receipt }}?', delaySeconds: 3 },
      ],
    };
    const created = await call<{ key: string; createdAt: string }>(runtime, 'PUT', '/event-types/payment.receipt', type);
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ key: 'payment.receipt', name: 'Payment receipt', steps: [{ delaySeconds: 0 }, { delaySeconds: 3 }] });
    const replaced = await call<{ createdAt: string }>(runtime, 'PUT', '/event-types/payment.receipt', type);
    expect(replaced.status).toBe(200);
    expect(replaced.body.createdAt).toBe(created.body.createdAt);
    expect((await call<{ items: { key: string }[] }>(runtime, 'GET', '/event-types')).body.items.map((item) => item.key)).toEqual(['payment.receipt']);

    const client = await addClient(runtime, { name: 'Anna' });
    const body = { type: 'payment.receipt', clientId: client.id, variables: { receipt: 'R-7' } };
    const first = await fire(runtime, body, 'receipt-R-7');
    expect(first.status).toBe(202);
    expect(first.body).toEqual({
      id: expect.any(String),
      type: 'payment.receipt',
      steps: [
        { index: 0, channel: 'sms', status: 'queued' },
        { index: 1, channel: 'sms', status: 'scheduled' },
      ],
    });
    const again = await fire(runtime, body, 'receipt-R-7');
    expect(again.replayed).toBe('true');
    expect(again.body).toEqual(first.body);

    const done = await waitFor('both steps sent', () => eventOf(runtime, first.body.id), settled, 60_000, 200);
    expect(done).toEqual({
      id: first.body.id,
      type: 'payment.receipt',
      clientId: client.id,
      createdAt: expect.any(String),
      steps: [
        { index: 0, channel: 'sms', status: 'sent', messageId: expect.any(Number) },
        { index: 1, channel: 'sms', status: 'sent', messageId: expect.any(Number) },
      ],
    });
    const [now, later] = done.steps.map((step) => step.messageId);
    // One provider call per step, whatever the replay: the client got two messages in all.
    const calls = runtime.provider?.requests().filter((request) => request.phone === Number(client.phone)) ?? [];
    expect(calls.map((request) => [request.msgId, request.outcome, request.text])).toEqual([
      [now, 'ok', 'Receipt R-7 for Anna'],
      [later, 'ok', 'Did you get receipt R-7?'],
    ]);
    // Each step's message is a notice like any other.
    expect((await call<{ status: string }>(runtime, 'GET', `/notices/${later}`)).body.status).toBe('sent');

    // Negative control: another key is another event, and the client gets its steps again.
    const other = await fire(runtime, body, 'receipt-R-7-again');
    expect(other.body.id).not.toBe(first.body.id);
    await waitFor('the second event sent', () => eventOf(runtime, other.body.id), settled, 60_000, 200);
    expect(runtime.provider?.requests().filter((request) => request.phone === Number(client.phone))).toHaveLength(4);
  });

  it('skips the steps of an opted-out client with a reason, making no provider call, and refuses an unknown type or client', async () => {
    const runtime = await start();
    expect((await call(runtime, 'PUT', '/event-types/welcome', { steps: [{ channel: 'sms', text: 'Welcome' }] })).status).toBe(201);
    // A step by e-mail to a client without an e-mail address is skipped (unreachable); the event goes on.
    // The e-mail step comes later, through the start timer, which signs its unsubscribe link as the api does.
    const both = await call(runtime, 'PUT', '/event-types/both', {
      steps: [
        { channel: 'sms', text: 'Welcome' },
        { channel: 'email', subject: 'Welcome', text: 'Welcome. Unsubscribe: {{ unsubscribeUrl }}', delaySeconds: 1 },
      ],
    });
    expect(both.status).toBe(201);
    const phoneOnly = await addClient(runtime);
    const address = `events.${phoneSeq}@example.com`;
    const withEmail = await addClient(runtime, { email: address });
    const [mixed, mailed] = await Promise.all([phoneOnly, withEmail].map((client) => fire(runtime, { type: 'both', clientId: client.id })));
    const [mixedDone, mailedDone] = await Promise.all(
      [mixed!, mailed!].map(({ body }) => waitFor('both steps settled', () => eventOf(runtime, body.id), settled, 60_000, 200)),
    );
    expect(mixedDone!.steps.map(({ channel, status, reason }) => ({ channel, status, reason }))).toEqual([
      { channel: 'sms', status: 'sent', reason: undefined },
      { channel: 'email', status: 'skipped', reason: 'unreachable' },
    ]);
    expect(mailedDone!.steps.map(({ status }) => status)).toEqual(['sent', 'sent']);
    const link = runtime.unsubscribeUrl(withEmail.id, 'email');
    const mails = (await runtime.ses.emails()).filter((mail) => mail.destination.to.includes(address));
    expect(mails.map((mail) => [mail.subject, mail.body.text])).toEqual([['Welcome', `Welcome. Unsubscribe: ${link}`]]);
    const client = await addClient(runtime, { optedOut: true });
    const fired = await fire(runtime, { type: 'welcome', phone: client.phone });
    expect(fired.status).toBe(202);
    expect(fired.body.steps).toEqual([{ index: 0, channel: 'sms', status: 'skipped' }]);
    expect((await eventOf(runtime, fired.body.id)).steps).toEqual([{ index: 0, channel: 'sms', status: 'skipped', reason: 'opted-out' }]);
    expect(runtime.provider?.requests().filter((request) => request.phone === Number(client.phone))).toEqual([]);

    const unknownType = await call<{ errors: { field: string }[] }>(runtime, 'POST', '/events', { type: 'nothing', clientId: client.id });
    expect([unknownType.status, unknownType.body.errors.map((error) => error.field)]).toEqual([404, ['type']]);
    const unknownClient = await call<{ errors: { field: string }[] }>(runtime, 'POST', '/events', { type: 'welcome', clientId: 'nobody' });
    expect([unknownClient.status, unknownClient.body.errors.map((error) => error.field)]).toEqual([404, ['clientId']]);
    const badStep = await call<{ errors: { field: string }[] }>(runtime, 'PUT', '/event-types/welcome', {
      steps: [
        { channel: 'sms', text: 'ok' },
        { channel: 'sms', text: 'Hi', subject: 'x' },
      ],
    });
    expect([badStep.status, badStep.body.errors.map((error) => error.field)]).toEqual([400, ['steps[1].subject']]);
    // Deleted: fired no more; the event already fired is still there.
    expect((await call(runtime, 'DELETE', '/event-types/welcome')).status).toBe(204);
    expect((await call(runtime, 'POST', '/events', { type: 'welcome', clientId: client.id })).status).toBe(404);
    expect((await eventOf(runtime, fired.body.id)).id).toBe(fired.body.id);
  });

  it('skips an unlessRead SMS step with reason read when the client read the in-app item first, sends it to one who did not, and sends a later in-app step', async () => {
    const runtime = await start();
    const type = {
      steps: [
        { channel: 'inapp', title: 'Your order', text: 'Order {{ order }} is on its way' },
        // 15 s, not the 5 s of the pattern: the read below must come first even on a loaded machine.
        { channel: 'sms', text: 'Order {{ order }} is on its way', delaySeconds: 15, unlessRead: true },
        // A later in-app step goes through the start timer onto the in-app send queue.
        { channel: 'inapp', title: 'Delivered?', text: 'Did order {{ order }} arrive?', delaySeconds: 16 },
      ],
    };
    expect((await call(runtime, 'PUT', '/event-types/order.shipped', type)).status).toBe(201);
    const asUser = async <T>(token: string, method: string, path: string) => {
      const response = await fetch(`${runtime.url}${path}`, { method, headers: { authorization: `Bearer ${token}` } });
      const text = await response.text();
      return { status: response.status, body: (text ? JSON.parse(text) : undefined) as T };
    };
    const tokenOf = async (clientId: string) => (await call<{ token: string }>(runtime, 'POST', `/clients/${clientId}/inbox-token`)).body.token;
    const reader = await addClient(runtime);
    const other = await addClient(runtime);
    const readerEvent = await fire(runtime, { type: 'order.shipped', clientId: reader.id, variables: { order: 'A-1' } });
    const otherEvent = await fire(runtime, { type: 'order.shipped', clientId: other.id, variables: { order: 'B-1' } });
    expect([readerEvent.status, otherEvent.status]).toEqual([202, 202]);

    // The reader opens the in-app item as soon as it is there, well within the SMS step's 15 s.
    const token = await tokenOf(reader.id);
    const inbox = await waitFor(
      'the in-app item',
      () => asUser<{ items: { id: string; title: string }[] }>(token, 'GET', '/inbox'),
      (page) => page.body.items.some((item) => item.title === 'Your order'),
      30_000,
      100,
    );
    const item = inbox.body.items.find((each) => each.title === 'Your order');
    expect((await asUser(token, 'POST', `/inbox/${item!.id}/read`)).status).toBe(200);

    const [read, unread] = await Promise.all(
      [readerEvent, otherEvent].map(({ body }) => waitFor('both steps settled', () => eventOf(runtime, body.id), settled, 60_000, 200)),
    );
    expect(read!.steps.map(({ status, reason }) => ({ status, reason }))).toEqual([
      { status: 'sent', reason: undefined },
      { status: 'skipped', reason: 'read' },
      { status: 'sent', reason: undefined },
    ]);
    expect(unread!.steps.map(({ status }) => status)).toEqual(['sent', 'sent', 'sent']);
    expect((await asUser<{ items: { title: string }[] }>(token, 'GET', '/inbox')).body.items.map(({ title }) => title).sort()).toEqual([
      'Delivered?',
      'Your order',
    ]);
    // No SMS to the reader; one to the other client.
    const smsTo = (phone: string) => runtime.provider?.requests().filter((request) => request.phone === Number(phone)) ?? [];
    expect(smsTo(reader.phone)).toEqual([]);
    expect(smsTo(other.phone)).toHaveLength(1);
  });
});
