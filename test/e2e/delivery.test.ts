/**
 * Campaigns delivered end to end: the local runtime over HTTP, DynamoDB Local, the SQS
 * emulator with its pollers, the local scheduler and the fake provider with faults.
 */
import { describe, expect, it } from 'vitest';
import { queues } from '../../functions/definitions/queues.js';
import type { Counts } from '../../functions/domain/messages.js';
import type { LocalRuntime } from '../../local/runtime.js';
import { uniqueSuffix } from '../support/aws.js';
import { callApi as call, runtimePerTest, waitFor } from '../support/e2e.js';

const start = runtimePerTest();

let phoneSeq = Math.floor(Math.random() * 1_000_000);
const nextPhone = (operator = '900') => `7${operator}${String(phoneSeq++ % 10_000_000).padStart(7, '0')}`;

async function addClients(runtime: LocalRuntime, count: number, fields: { tag?: string; operatorCode?: string; operator?: string } = {}): Promise<string[]> {
  const ids: string[] = [];
  for (let start = 0; start < count; start += 25) {
    const batch = Array.from({ length: Math.min(25, count - start) }, () =>
      call<{ id: string }>(runtime, 'POST', '/clients', {
        phone: nextPhone(fields.operator),
        timezone: 'Europe/Moscow',
        ...(fields.tag ? { tag: fields.tag } : {}),
        ...(fields.operatorCode ? { operatorCode: fields.operatorCode } : {}),
      }),
    );
    for (const result of await Promise.all(batch)) {
      expect(result.status).toBe(201);
      ids.push(result.body.id);
    }
  }
  return ids;
}

interface CampaignView {
  id: string;
  status: string;
  counts: Counts;
  total: number;
}

async function createCampaign(runtime: LocalRuntime, fields: { startInMs?: number; endInMs?: number; filter?: unknown; text?: string }): Promise<CampaignView> {
  const now = Date.now();
  const created = await call<CampaignView>(runtime, 'POST', '/campaigns', {
    text: fields.text ?? 'Friday top-10 is out',
    startAt: new Date(now + (fields.startInMs ?? 0)).toISOString(),
    endAt: new Date(now + (fields.endInMs ?? 120_000)).toISOString(),
    ...(fields.filter ? { filter: fields.filter } : {}),
  });
  expect(created.status).toBe(201);
  return created.body;
}

const campaignOf = async (runtime: LocalRuntime, id: string) => (await call<CampaignView>(runtime, 'GET', `/campaigns/${id}`)).body;
const settled = (campaign: CampaignView) =>
  campaign.total > 0 && campaign.counts.queued === 0 && campaign.status !== 'running' && campaign.status !== 'scheduled';

function expectEachOnce(ids: number[]): void {
  expect(new Set(ids).size).toBe(ids.length);
}

describe('delivery', () => {
  it('starts at once when the start has come, and sends each matching client one message', async () => {
    const runtime = await start();
    const tag = `now-${uniqueSuffix()}`;
    const clients = await addClients(runtime, 30, { tag });
    await addClients(runtime, 5, { tag: `other-${tag}` });
    const campaign = await createCampaign(runtime, { filter: { tags: [tag] } });
    expect(campaign.status).toBe('running');
    const done = await waitFor('all sent', () => campaignOf(runtime, campaign.id), settled);
    expect(done.status).toBe('finished');
    expect(done.counts).toEqual({ queued: 0, sent: 30, failed: 0, expired: 0, cancelled: 0 });
    expect(done.total).toBe(30);
    const sent = runtime.provider?.sentMsgIds() ?? [];
    expect(sent).toHaveLength(30);
    expectEachOnce(sent);
    const stats = await call<{ messages: { items: { clientId: string; status: string; attempts: number }[] } }>(
      runtime,
      'GET',
      `/campaigns/${campaign.id}/stats?limit=100`,
    );
    expect(stats.body.messages.items.map((m) => m.clientId).sort()).toEqual([...clients].sort());
    expect(stats.body.messages.items.every((m) => m.status === 'sent' && m.attempts === 1)).toBe(true);
  });

  it('starts a future campaign at its start, through the local scheduler, and not before', async () => {
    const runtime = await start();
    const tag = `later-${uniqueSuffix()}`;
    await addClients(runtime, 5, { tag });
    const startsAt = Date.now() + 2500;
    const campaign = await createCampaign(runtime, { startInMs: 2500, filter: { tags: [tag] } });
    expect(campaign.status).toBe('scheduled');
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(runtime.provider?.requests()).toHaveLength(0);
    const done = await waitFor('sent after the start', () => campaignOf(runtime, campaign.id), settled);
    expect(done.counts.sent).toBe(5);
    expect(Math.min(...(runtime.provider?.requests() ?? []).map((r) => r.receivedAt))).toBeGreaterThanOrEqual(startsAt);
  });

  it('reaches only the clients a filter by operator code and tag matches', async () => {
    const runtime = await start();
    const tag = `filter-${uniqueSuffix()}`;
    const code = String(100 + Math.floor(Math.random() * 800));
    const matching = await addClients(runtime, 7, { tag, operatorCode: code });
    await addClients(runtime, 4, { tag, operatorCode: '099' });
    await addClients(runtime, 3, { tag: `x-${tag}`, operatorCode: code });
    const byCode = await createCampaign(runtime, { filter: { operatorCodes: [code] } });
    const both = await createCampaign(runtime, { filter: { operatorCodes: [code], tags: [tag] } });
    const doneByCode = await waitFor('by code', () => campaignOf(runtime, byCode.id), settled);
    const doneBoth = await waitFor('by both', () => campaignOf(runtime, both.id), settled);
    expect(doneByCode.counts.sent).toBe(10);
    expect(doneBoth.counts.sent).toBe(7);
    const stats = await call<{ messages: { items: { clientId: string }[] } }>(runtime, 'GET', `/campaigns/${both.id}/stats?limit=100`);
    expect(stats.body.messages.items.map((m) => m.clientId).sort()).toEqual([...matching].sort());
  });

  it('sends a 1,000-client campaign in full: each client one message, a msgId again only after its answer was lost', async () => {
    const runtime = await start({ fakeProvider: { latencyMs: 5 } });
    const tag = `big-${uniqueSuffix()}`;
    await addClients(runtime, 1000, { tag });
    const campaign = await createCampaign(runtime, { filter: { tags: [tag] } });
    const done = await waitFor('1,000 sent', () => campaignOf(runtime, campaign.id), settled, 90_000);
    expect(done.counts).toEqual({ queued: 0, sent: 1000, failed: 0, expired: 0, cancelled: 0 });
    const sent = runtime.provider?.sentMsgIds() ?? [];
    expect(new Set(sent).size).toBe(1000);
    // A provider answer lost on the way back (a timeout or reset after the provider took the call)
    // is retried with the same msgId: the message then shows the second attempt. Never a second worker.
    const seen = new Set<number>();
    const again = sent.filter((id) => seen.has(id) || !seen.add(id));
    for (const id of again) {
      const message = (await call<{ attempts: number; status: string }>(runtime, 'GET', `/messages/${id}`)).body;
      expect([message.status, message.attempts > 1]).toEqual(['sent', true]);
    }
    expect(again.length).toBeLessThan(50);
  });

  it('sends everything once a provider that was down comes back', async () => {
    const runtime = await start();
    const tag = `down-${uniqueSuffix()}`;
    await addClients(runtime, 20, { tag });
    runtime.provider?.setFaults({ down: true });
    const campaign = await createCampaign(runtime, { filter: { tags: [tag] } });
    await waitFor(
      'failed attempts',
      async () => (await call<{ messages: { items: { attempts: number }[] } }>(runtime, 'GET', `/campaigns/${campaign.id}/stats`)).body.messages.items,
      (items) => items.some((m) => m.attempts > 0),
    );
    runtime.provider?.setFaults({ down: false });
    const done = await waitFor('sent after recovery', () => campaignOf(runtime, campaign.id), settled);
    expect(done.counts).toEqual({ queued: 0, sent: 20, failed: 0, expired: 0, cancelled: 0 });
    expectEachOnce(runtime.provider?.sentMsgIds() ?? []);
  });

  it('retries 429s, 5xx and malformed answers until each message is sent once', async () => {
    const runtime = await start();
    const tag = `flaky-${uniqueSuffix()}`;
    await addClients(runtime, 40, { tag });
    // 30% of answers fail; a message failing all eight receives (0.3^8) is too rare to matter here.
    runtime.provider?.setFaults({ errorRate: 0.1, rateLimit429: 0.1, malformedRate: 0.1, retryAfterSeconds: 1 });
    const campaign = await createCampaign(runtime, { filter: { tags: [tag] } });
    const done = await waitFor('all sent through faults', () => campaignOf(runtime, campaign.id), settled, 90_000);
    expect(done.counts.sent).toBe(40);
    const sent = runtime.provider?.sentMsgIds() ?? [];
    expect(sent).toHaveLength(40);
    expectEachOnce(sent);
  });

  it('fails every message through the DLQ when the provider always fails', async () => {
    const runtime = await start({
      fakeProvider: { errorRate: 1 },
      maxBackoffSeconds: 1,
      queues: { send: { deadLetter: { ...queues.send.deadLetter, maxReceiveCount: 3 } } },
    });
    const tag = `dlq-${uniqueSuffix()}`;
    await addClients(runtime, 12, { tag });
    const campaign = await createCampaign(runtime, { filter: { tags: [tag] } });
    const done = await waitFor('failed through the DLQ', () => campaignOf(runtime, campaign.id), settled, 60_000);
    expect(done.counts).toEqual({ queued: 0, sent: 0, failed: 12, expired: 0, cancelled: 0 });
    const stats = await call<{ messages: { items: { attempts: number; lastError: string }[] } }>(
      runtime,
      'GET',
      `/campaigns/${campaign.id}/stats?status=failed&limit=100`,
    );
    expect(stats.body.messages.items).toHaveLength(12);
    expect(stats.body.messages.items.every((m) => m.attempts === 3 && m.lastError === 'HTTP 500')).toBe(true);
  });

  it('stops at the end with a slow provider: sent plus expired is the audience, no call after the end', async () => {
    // One send invocation at a time, two calls each: the provider, not Herald, sets the pace.
    const runtime = await start({ fakeProvider: { latencyMs: 400 }, providerConcurrency: 2, queues: { send: { maxConcurrency: 1 } } });
    const tag = `slow-${uniqueSuffix()}`;
    await addClients(runtime, 60, { tag });
    const campaign = await createCampaign(runtime, { endInMs: 3000, filter: { tags: [tag] } });
    const endAt = Date.parse((await call<{ endAt: string }>(runtime, 'GET', `/campaigns/${campaign.id}`)).body.endAt);
    const done = await waitFor('settled after the end', () => campaignOf(runtime, campaign.id), settled, 60_000);
    expect(done.counts.sent + done.counts.expired).toBe(60);
    expect(done.counts.expired).toBeGreaterThan(0);
    expect(done.counts.sent).toBeGreaterThan(0);
    const requests = runtime.provider?.requests() ?? [];
    expect(requests.every((r) => r.receivedAt < endAt)).toBe(true);
    expectEachOnce(runtime.provider?.sentMsgIds() ?? []);
  });

  it('makes no provider call for a campaign after its DELETE returned', async () => {
    const runtime = await start({ fakeProvider: { latencyMs: 200 }, providerConcurrency: 2, queues: { send: { maxConcurrency: 1 } } });
    const tag = `stop-${uniqueSuffix()}`;
    await addClients(runtime, 60, { tag });
    const campaign = await createCampaign(runtime, { filter: { tags: [tag] } });
    await waitFor(
      'some sent',
      () => campaignOf(runtime, campaign.id),
      (c) => c.counts.sent > 0,
    );
    const deleted = await call(runtime, 'DELETE', `/campaigns/${campaign.id}`);
    expect(deleted.status).toBe(204);
    const returnedAt = Date.now();
    const done = await waitFor(
      'cancelled',
      () => campaignOf(runtime, campaign.id),
      (c) => c.counts.queued === 0,
    );
    expect(done.status).toBe('cancelled');
    expect(done.counts.cancelled).toBeGreaterThan(0);
    expect(done.counts.sent + done.counts.cancelled).toBe(60);
    expect((runtime.provider?.requests() ?? []).filter((r) => r.receivedAt > returnedAt)).toEqual([]);
  });

  it('finishes a campaign across a restart of the runtime, with no message sent twice', async () => {
    const suffix = uniqueSuffix();
    // One chunk in flight at a time, so the stop lands with most of the campaign still queued.
    const first = await start({ suffix, fakeProvider: { latencyMs: 100 }, providerConcurrency: 4, queues: { send: { batchSize: 1, maxConcurrency: 1 } } });
    const tag = `restart-${suffix}`;
    await addClients(first, 200, { tag });
    const campaign = await createCampaign(first, { filter: { tags: [tag] } });
    await waitFor(
      'some sent',
      () => campaignOf(first, campaign.id),
      (c) => c.counts.sent >= 20,
    );
    await first.stop(); // graceful: the chunks in flight finish first
    const sentBefore = first.provider?.sentMsgIds() ?? [];
    expect(sentBefore.length).toBeLessThan(200);

    const second = await start({ suffix, fakeProvider: { latencyMs: 5 } });
    const done = await waitFor('finished after restart', () => campaignOf(second, campaign.id), settled, 90_000);
    expect(done.counts).toEqual({ queued: 0, sent: 200, failed: 0, expired: 0, cancelled: 0 });
    expect(first.provider?.sentMsgIds()).toHaveLength(sentBefore.length); // nothing after the stop
    const all = [...sentBefore, ...(second.provider?.sentMsgIds() ?? [])];
    expect(all).toHaveLength(200);
    expectEachOnce(all);
  });
});
