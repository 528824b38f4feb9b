/**
 * Notices still queued when `npm start` stops, by Ctrl-C or by a crash (SIGKILL of the whole
 * process group), are sent after it starts again on the same data directory, each exactly
 * once; so is an event's step whose timer was waiting on the start timer queue. The SQS
 * emulator runs inside `npm start` and keeps its queues in memory, so the restart finds them
 * empty: only what DynamoDB Local kept brings the notices and the step back.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeProvider, type FakeProvider } from '../../local/fake-provider.js';
import { freePort } from '../../local/ports.js';
import { callApi, waitFor } from '../support/e2e.js';
import { npmStart, type NpmStart } from '../support/npm-start.js';

const TOKEN = 'restart-test-jwt';
const NOTICES = 5;

let provider: FakeProvider;
let dataDir: string;
let port: number;
let herald: NpmStart | undefined;

const start = async () => (herald = await npmStart({ port, dataDir, providerUrl: provider.url, token: TOKEN }));

beforeAll(async () => {
  provider = await startFakeProvider({ token: TOKEN, latencyMs: 0 });
  dataDir = mkdtempSync(join(tmpdir(), 'herald-restart-'));
  port = await freePort();
  await start();
}, 180_000);

afterAll(async () => {
  await herald?.stop('SIGKILL').catch(() => undefined);
  await provider?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

interface NoticeView {
  id: number;
  status: string;
  attempts: number;
}

describe('queued notices across a restart of npm start', () => {
  it.each([
    ['Ctrl-C', 'SIGINT'],
    ['a crash', 'SIGKILL'],
  ] as const)(
    'after %s, every notice still queued is sent once the runtime is back, and only once',
    async (_how, signal) => {
      const running = herald as NpmStart;
      // The provider is down: each notice's first attempt fails, and its retry waits on the send queue.
      provider.setFaults({ down: true });
      const suffix = String(Date.now()).slice(-6);
      const ids: number[] = [];
      for (let i = 0; i < NOTICES; i++) {
        const client = await callApi<{ id: string }>(running, 'POST', '/clients', { phone: `7915${suffix}${i}`, timezone: 'UTC' });
        expect(client.status).toBe(201);
        const notice = await callApi<{ id: number }>(running, 'POST', '/notices', { clientId: client.body.id, text: `Parcel ${i} is ready` });
        expect(notice.status).toBe(202);
        ids.push(notice.body.id);
      }
      const noticesOf = (target: { url: string }) => Promise.all(ids.map(async (id) => (await callApi<NoticeView>(target, 'GET', `/notices/${id}`)).body));
      await waitFor(
        'a failed attempt of each notice',
        () => noticesOf(running),
        (notices) => notices.every((notice) => notice.status === 'queued' && notice.attempts >= 1),
        60_000,
      );
      await running.stop(signal);
      // DynamoDB Local goes with it (pdeathsig on a crash), before a second one opens the same data.
      await waitFor(
        'no process left on the data directory',
        async () => running.processesOnDataDir(),
        (pids) => pids.length === 0,
        30_000,
      );
      expect(provider.sentMsgIds().filter((id) => ids.includes(id))).toEqual([]);

      provider.setFaults({ down: false });
      const restarted = await start();
      // A notice whose attempt the crash cut off waits for its lease to end (functions/definitions/functions.ts, CHUNK_LEASE_MS).
      const sent = await waitFor(
        'every notice sent',
        () => noticesOf(restarted),
        (notices) => notices.every((notice) => notice.status === 'sent'),
        150_000,
      );
      expect(sent.map((notice) => notice.id)).toEqual(ids);
      const accepted = provider.sentMsgIds().filter((id) => ids.includes(id));
      expect([...accepted].sort((a, b) => a - b)).toEqual(ids);
    },
    300_000,
  );
});

describe('an event step waiting on the start timer across a crash of npm start', () => {
  it('is released once the runtime is back, already overdue by then, and sent once', async () => {
    const running = herald as NpmStart;
    const type = await callApi(running, 'PUT', '/event-types/restart.reminder', { steps: [{ channel: 'sms', text: 'Your parcel waits', delaySeconds: 5 }] });
    expect(type.status).toBe(201);
    const client = await callApi<{ id: string }>(running, 'POST', '/clients', { phone: `7916${String(Date.now()).slice(-7)}`, timezone: 'UTC' });
    const fired = await callApi<{ id: string; steps: { status: string }[] }>(running, 'POST', '/events', {
      type: 'restart.reminder',
      clientId: client.body.id,
    });
    expect(fired.body.steps.map((step) => step.status)).toEqual(['scheduled']);
    // Its 5 s SQS delay is in the emulator's memory, which the crash takes with it.
    await running.stop('SIGKILL');
    await waitFor(
      'no process left on the data directory',
      async () => running.processesOnDataDir(),
      (pids) => pids.length === 0,
      30_000,
    );

    const restarted = await start();
    const step = await waitFor(
      'the step sent',
      async () => (await callApi<{ steps: { status: string; messageId?: number }[] }>(restarted, 'GET', `/events/${fired.body.id}`)).body.steps[0],
      (state) => state?.status === 'sent',
      90_000,
    );
    expect(provider.sentMsgIds().filter((id) => id === step?.messageId)).toEqual([step?.messageId]);
  }, 240_000);
});
