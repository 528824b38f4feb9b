/**
 * Event-triggered notices end to end: POST /notices over HTTP on the local runtime, through the
 * send queue's poller and the campaign sender to the fake provider, and GET /notices/{id}.
 */
import { GetQueueUrlCommand, PurgeQueueCommand } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { queues } from '../../functions/definitions/queues.js';
import type { LocalRuntime } from '../../local/runtime.js';
import { withSuffix } from '../../local/sqs.js';
import { sqsClient, uniqueSuffix } from '../support/aws.js';
import { callApi as call, runtimePerTest, waitFor } from '../support/e2e.js';

const start = runtimePerTest();

let phoneSeq = Math.floor(Math.random() * 1_000_000);
const nextPhone = () => `7911${String(phoneSeq++ % 10_000_000).padStart(7, '0')}`;

interface NoticeView {
  id: number;
  channel: string;
  clientId: string;
  status: string;
  attempts: number;
  lastError?: string;
  createdAt: string;
  sentAt?: string;
}
interface Problem {
  status: number;
  detail: string;
  errors: { field: string; message: string }[];
}

async function addClient(runtime: LocalRuntime, fields: Record<string, unknown> = {}): Promise<{ id: string; phone: string }> {
  const created = await call<{ id: string; phone: string }>(runtime, 'POST', '/clients', { phone: nextPhone(), timezone: 'Europe/Moscow', ...fields });
  expect(created.status).toBe(201);
  return created.body;
}

const noticeOf = async (runtime: LocalRuntime, id: number) => (await call<NoticeView>(runtime, 'GET', `/notices/${id}`)).body;

describe('notices', () => {
  it('sends a notice at once, rendered with the client and the given variables, under its own msgId', async () => {
    const runtime = await start();
    const client = await addClient(runtime, { name: 'Anna', attributes: { city: 'Kazan' } });
    const posted = await call<{ id: number; status: string }>(runtime, 'POST', '/notices', {
      clientId: client.id,
      text: 'Hi {{ name }} from {{ attributes.city }}, receipt {{ receipt }}',
      variables: { receipt: 'R-1042' },
    });
    expect(posted.status).toBe(202);
    expect(posted.body).toEqual({ id: expect.any(Number), status: 'queued' });
    // Below every campaign message id (2^31 and up).
    expect(posted.body.id).toBeGreaterThan(0);
    expect(posted.body.id).toBeLessThan(2 ** 31);
    const sent = await waitFor(
      'notice sent',
      () => noticeOf(runtime, posted.body.id),
      (notice) => notice.status === 'sent',
      30_000,
      100,
    );
    expect(sent).toEqual({
      id: posted.body.id,
      channel: 'sms',
      clientId: client.id,
      status: 'sent',
      attempts: 1,
      createdAt: expect.any(String),
      sentAt: expect.any(String),
    });
    const requests = runtime.provider?.requests().filter((request) => request.msgId === posted.body.id) ?? [];
    expect(requests.map((request) => [request.outcome, request.phone, request.text])).toEqual([
      ['ok', Number(client.phone), 'Hi Anna from Kazan, receipt R-1042'],
    ]);
    // By phone too; each notice gets its own id.
    const byPhone = await call<{ id: number }>(runtime, 'POST', '/notices', {
      phone: client.phone,
      text: 'Your code is {{ code }}',
      variables: { code: 4711 },
    });
    expect(byPhone.status).toBe(202);
    expect(byPhone.body.id).not.toBe(posted.body.id);
    await waitFor(
      'second notice sent',
      () => noticeOf(runtime, byPhone.body.id),
      (notice) => notice.status === 'sent',
      30_000,
      100,
    );
    expect(runtime.provider?.requests().find((request) => request.msgId === byPhone.body.id)?.text).toBe('Your code is 4711');
    // Notices are no campaign's: the overall totals do not count them.
    const stats = await call<{ total: number }>(runtime, 'GET', '/stats');
    expect(stats.body.total).toBe(0);
  });

  it('retries a notice the provider answers with 5xx until it is sent', async () => {
    const runtime = await start({ fakeProvider: { errorRate: 1 }, maxBackoffSeconds: 1 });
    const client = await addClient(runtime);
    const posted = await call<{ id: number }>(runtime, 'POST', '/notices', { clientId: client.id, text: 'Parcel ready' });
    expect(posted.status).toBe(202);
    const failedOnce = await waitFor(
      'a failed attempt',
      () => noticeOf(runtime, posted.body.id),
      (notice) => notice.attempts >= 1,
      30_000,
      100,
    );
    expect([failedOnce.status, failedOnce.lastError]).toEqual(['queued', 'HTTP 500']);
    runtime.provider?.setFaults({ errorRate: 0 });
    const sent = await waitFor(
      'sent after the retry',
      () => noticeOf(runtime, posted.body.id),
      (notice) => notice.status === 'sent',
      30_000,
      100,
    );
    expect(sent.attempts).toBeGreaterThanOrEqual(2);
    expect(runtime.provider?.sentMsgIds().filter((id) => id === posted.body.id)).toHaveLength(1);
  });

  it('fails a notice through the DLQ once its retries are used up', async () => {
    const runtime = await start({
      fakeProvider: { errorRate: 1 },
      maxBackoffSeconds: 1,
      queues: { send: { deadLetter: { ...queues.send.deadLetter, maxReceiveCount: 3 } } },
    });
    const client = await addClient(runtime);
    const posted = await call<{ id: number }>(runtime, 'POST', '/notices', { clientId: client.id, text: 'Parcel ready' });
    const failed = await waitFor(
      'failed through the DLQ',
      () => noticeOf(runtime, posted.body.id),
      (notice) => notice.status === 'failed',
      60_000,
    );
    expect(failed).toMatchObject({ status: 'failed', attempts: 3, lastError: 'HTTP 500' });
    expect(failed.sentAt).toBeUndefined();
  });

  it('refuses an opted-out client (409), an unknown one (404) and a bad template (400), queueing nothing', async () => {
    const runtime = await start();
    const optedOut = await addClient(runtime, { optedOut: true });
    const refused = await call<Problem>(runtime, 'POST', '/notices', { clientId: optedOut.id, text: 'Sale!' });
    expect(refused.status).toBe(409);
    expect(refused.body.detail).toMatch(/opted out/);
    expect(refused.body.errors).toEqual([{ field: 'clientId', message: expect.stringMatching(/opted out/) }]);
    const byPhone = await call<Problem>(runtime, 'POST', '/notices', { phone: optedOut.phone, text: 'Sale!' });
    expect([byPhone.status, byPhone.body.errors[0]?.field]).toEqual([409, 'phone']);
    const unknown = await call<Problem>(runtime, 'POST', '/notices', { clientId: 'no-such-client', text: 'Hi' });
    expect([unknown.status, unknown.body.errors[0]?.field]).toEqual([404, 'clientId']);
    const unknownPhone = await call<Problem>(runtime, 'POST', '/notices', { phone: nextPhone(), text: 'Hi' });
    expect([unknownPhone.status, unknownPhone.body.errors[0]?.field]).toEqual([404, 'phone']);
    const client = await addClient(runtime);
    const badTemplate = await call<Problem>(runtime, 'POST', '/notices', { clientId: client.id, text: 'Hi {{ name' });
    expect([badTemplate.status, badTemplate.body.errors[0]?.field]).toEqual([400, 'text']);
    // A channel that does not exist, or an in-app notice without its title, is refused before the client is looked up.
    const unknownChannel = await call<Problem>(runtime, 'POST', '/notices', { channel: 'fax', clientId: 'no-such-client', text: 'Hi' });
    expect([unknownChannel.status, unknownChannel.body.errors.map((error) => error.field)]).toEqual([400, ['channel']]);
    const untitled = await call<Problem>(runtime, 'POST', '/notices', { channel: 'inapp', clientId: 'no-such-client', text: 'Hi' });
    expect([untitled.status, untitled.body.errors.map((error) => error.field)]).toEqual([400, ['title']]);
    expect((await call(runtime, 'GET', '/notices/1')).status).toBe(404);
    // Nothing reached the provider; a notice to a client who may get one (negative control) does.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(runtime.provider?.requests()).toEqual([]);
    const ok = await call<{ id: number }>(runtime, 'POST', '/notices', { clientId: client.id, text: 'Hi' });
    expect([ok.status, ok.body.id]).toEqual([202, 1]);
    await waitFor(
      'sent',
      () => noticeOf(runtime, ok.body.id),
      (notice) => notice.status === 'sent',
      30_000,
      100,
    );
  });

  it('refuses a notice that renders past an SMS with 400 naming text, and stores nothing', async () => {
    const runtime = await start();
    const client = await addClient(runtime, { name: 'Anna' });
    // About a megabyte: once a 500, the item too large to store.
    const flood = await call<Problem>(runtime, 'POST', '/notices', { clientId: client.id, text: '{% for i in (1..100000) %}xxxxxxxxxx{% endfor %}' });
    expect([flood.status, flood.body.errors.map((error) => error.field)]).toEqual([400, ['text']]);
    // Past the limit by the caller's values.
    const receipts = '{% for i in (1..20) %}{{ receipt }}{% endfor %}';
    const byValues = await call<Problem>(runtime, 'POST', '/notices', { clientId: client.id, text: receipts, variables: { receipt: 'R'.repeat(81) } });
    expect([byValues.status, byValues.body.errors]).toEqual([
      400,
      [{ field: 'text', message: expect.stringMatching(/renders to more than 1,600 characters/) }],
    ]);
    expect((await call(runtime, 'GET', '/notices/1')).status).toBe(404);
    // Control: 1,600 characters are sent, under the first notice id (none was used up).
    const ok = await call<{ id: number }>(runtime, 'POST', '/notices', { clientId: client.id, text: receipts, variables: { receipt: 'R'.repeat(80) } });
    expect([ok.status, ok.body.id]).toEqual([202, 1]);
    await waitFor(
      'sent',
      () => noticeOf(runtime, ok.body.id),
      (notice) => notice.status === 'sent',
      30_000,
      100,
    );
    expect(runtime.provider?.requests().map((request) => request.text?.length)).toEqual([1600]);
  });

  it('sends no notice to a client who opted out, or whose phone went on the suppression list, after it was posted', async () => {
    // The provider is down: each notice's first attempt fails, and it waits on the send queue for its retry.
    const runtime = await start({ fakeProvider: { down: true }, maxBackoffSeconds: 1 });
    const [leaving, moving, staying] = [await addClient(runtime), await addClient(runtime), await addClient(runtime)];
    const post = async (client: { id: string }) =>
      (await call<{ id: number }>(runtime, 'POST', '/notices', { clientId: client.id, text: 'Your parcel' })).body.id;
    const ids = { leaving: await post(leaving), moving: await post(moving), staying: await post(staying) };
    await waitFor(
      'a failed attempt of each',
      () => Promise.all(Object.values(ids).map((id) => noticeOf(runtime, id))),
      (notices) => notices.every((notice) => notice.attempts >= 1),
      30_000,
      100,
    );
    expect((await call(runtime, 'PATCH', `/clients/${leaving.id}`, { optedOut: true })).status).toBe(200);
    // The phone's next owner opts out of it: the notice to the phone's former owner goes nowhere either.
    expect((await call(runtime, 'PATCH', `/clients/${moving.id}`, { phone: nextPhone() })).status).toBe(200);
    await addClient(runtime, { phone: moving.phone, optedOut: true });
    runtime.provider?.setFaults({ down: false });
    const final = (notice: NoticeView) => notice.status !== 'queued';
    const ended = Object.fromEntries(
      await Promise.all(
        Object.entries(ids).map(async ([who, id]) => [who, await waitFor(`${who} final`, () => noticeOf(runtime, id), final, 30_000, 100)] as const),
      ),
    );
    expect(ended.leaving).toMatchObject({ status: 'cancelled', lastError: 'opted out before the send' });
    expect(ended.moving).toMatchObject({ status: 'cancelled', lastError: 'opted out before the send' });
    expect(ended.staying).toMatchObject({ status: 'sent' });
    expect(runtime.provider?.sentMsgIds()).toEqual([ids.staying]);
  });

  it('sends a notice that was queued when the runtime stopped, after a restart that lost the queue', async () => {
    const suffix = uniqueSuffix();
    // The provider is down: the notice's first attempt fails and its retry waits on the send queue.
    const first = await start({ suffix, fakeProvider: { down: true } });
    const client = await addClient(first);
    const posted = await call<{ id: number }>(first, 'POST', '/notices', { clientId: client.id, text: 'Your parcel has arrived' });
    expect(posted.status).toBe(202);
    await waitFor(
      'a failed attempt',
      () => noticeOf(first, posted.body.id),
      (notice) => notice.attempts >= 1,
      30_000,
      100,
    );
    await first.stop();
    // The emulator keeps its queues in memory: a restart of `npm start` finds them empty.
    const sqs = sqsClient();
    try {
      const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: withSuffix(queues.send.name, suffix) }));
      await sqs.send(new PurgeQueueCommand({ QueueUrl }));
    } finally {
      sqs.destroy();
    }

    const second = await start({ suffix });
    const sent = await waitFor(
      'sent after the restart',
      () => noticeOf(second, posted.body.id),
      (notice) => notice.status === 'sent',
      30_000,
      100,
    );
    expect(sent.attempts).toBe(2);
    expect(second.provider?.requests().filter((request) => request.msgId === posted.body.id && request.outcome === 'ok')).toHaveLength(1);
  });
});
