/**
 * Pause and resume end to end: the local runtime over HTTP, a slow fake provider, and the
 * provider's own record of when each call arrived.
 */
import { describe, expect, it } from 'vitest';
import type { Counts } from '../../functions/domain/messages.js';
import type { LocalRuntime } from '../../local/runtime.js';
import { uniqueSuffix } from '../support/aws.js';
import { callApi as call, runtimePerTest, waitFor } from '../support/e2e.js';

const start = runtimePerTest();

let phoneSeq = Math.floor(Math.random() * 1_000_000);
const nextPhone = () => `7901${String(phoneSeq++ % 10_000_000).padStart(7, '0')}`;

async function addClients(runtime: LocalRuntime, count: number, tag: string): Promise<void> {
  for (let start = 0; start < count; start += 25) {
    const batch = Array.from({ length: Math.min(25, count - start) }, () =>
      call(runtime, 'POST', '/clients', { phone: nextPhone(), timezone: 'Europe/Moscow', tag }),
    );
    for (const result of await Promise.all(batch)) expect(result.status).toBe(201);
  }
}

interface CampaignView {
  id: string;
  status: string;
  endAt: string;
  counts: Counts;
  total: number;
}

async function createCampaign(runtime: LocalRuntime, tag: string, endInMs = 180_000): Promise<CampaignView> {
  const now = Date.now();
  const created = await call<CampaignView>(runtime, 'POST', '/campaigns', {
    text: 'Pause me',
    startAt: new Date(now).toISOString(),
    endAt: new Date(now + endInMs).toISOString(),
    filter: { tags: [tag] },
  });
  expect(created.status).toBe(201);
  return created.body;
}

const campaignOf = async (runtime: LocalRuntime, id: string) => (await call<CampaignView>(runtime, 'GET', `/campaigns/${id}`)).body;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('pause and resume', () => {
  it('pauses a 300-client campaign mid-way (no call starts after pause + 1 s), resumes it, and sends each message once', async () => {
    // One send invocation, four calls at a time, 150 ms each: about 25 calls a second, so the pause lands mid-way.
    const runtime = await start({ fakeProvider: { latencyMs: 150 }, providerConcurrency: 4, queues: { send: { maxConcurrency: 1 } } });
    const tag = `pause-${uniqueSuffix()}`;
    await addClients(runtime, 300, tag);
    const campaign = await createCampaign(runtime, tag);
    await waitFor(
      'some sent',
      () => campaignOf(runtime, campaign.id),
      (c) => c.counts.sent >= 40,
    );

    const paused = await call<CampaignView>(runtime, 'POST', `/campaigns/${campaign.id}/pause`);
    const pausedAt = Date.now();
    expect(paused.status).toBe(200);
    expect(paused.body.status).toBe('paused');

    // Held well past the settle window, with the provider made fast: anything still allowed through would show.
    runtime.provider?.setFaults({ latencyMs: 5 });
    await sleep(4000);
    const late = (runtime.provider?.requests() ?? []).filter((r) => r.receivedAt > pausedAt + 1000);
    expect(late).toEqual([]);
    const whilePaused = await campaignOf(runtime, campaign.id);
    expect(whilePaused.status).toBe('paused');
    expect(whilePaused.counts.queued).toBeGreaterThan(0);
    expect(whilePaused.counts.failed + whilePaused.counts.expired + whilePaused.counts.cancelled).toBe(0);
    const sentWhilePaused = runtime.provider?.sentMsgIds().length ?? 0;
    expect(sentWhilePaused).toBeLessThan(300);
    const listed = await call<{ items: { id: string; status: string }[] }>(runtime, 'GET', '/campaigns?limit=100');
    expect(listed.body.items.find((c) => c.id === campaign.id)?.status).toBe('paused');
    const overall = await call<{ campaigns: { id: string; status: string }[] }>(runtime, 'GET', '/stats');
    expect(overall.body.campaigns.find((c) => c.id === campaign.id)?.status).toBe('paused');
    const stats = await call<{ status: string }>(runtime, 'GET', `/campaigns/${campaign.id}/stats`);
    expect(stats.body.status).toBe('paused');

    // The wrong status is 409; while paused, only endAt may change.
    expect((await call(runtime, 'POST', `/campaigns/${campaign.id}/pause`)).status).toBe(409);
    expect((await call(runtime, 'PATCH', `/campaigns/${campaign.id}`, { text: 'changed' })).status).toBe(409);
    const longer = new Date(Date.parse(campaign.endAt) + 60_000).toISOString();
    const patched = await call<CampaignView>(runtime, 'PATCH', `/campaigns/${campaign.id}`, { endAt: longer });
    expect(patched.status).toBe(200);
    expect(patched.body.status).toBe('paused');

    const resumed = await call<CampaignView>(runtime, 'POST', `/campaigns/${campaign.id}/resume`);
    expect(resumed.status).toBe(200);
    expect(resumed.body.status).toBe('running');
    expect((await call(runtime, 'POST', `/campaigns/${campaign.id}/resume`)).status).toBe(409);

    const done = await waitFor(
      'finished after resume',
      () => campaignOf(runtime, campaign.id),
      (c) => c.status === 'finished',
      90_000,
    );
    expect(done.counts).toEqual({ queued: 0, sent: 300, failed: 0, expired: 0, cancelled: 0 });
    const sent = runtime.provider?.sentMsgIds() ?? [];
    expect(sent).toHaveLength(300);
    expect(new Set(sent).size).toBe(300);
    // Nothing was tried twice: a held message kept its attempt count.
    const messages = await call<{ messages: { items: { attempts: number }[] } }>(runtime, 'GET', `/campaigns/${campaign.id}/stats?limit=100`);
    expect(messages.body.messages.items.every((m) => m.attempts === 1)).toBe(true);
  });

  it('cancels a paused campaign: its held messages are cancelled at once, none sent', async () => {
    const runtime = await start({ fakeProvider: { latencyMs: 150 }, providerConcurrency: 2, queues: { send: { maxConcurrency: 1 } } });
    const tag = `pause-cancel-${uniqueSuffix()}`;
    await addClients(runtime, 60, tag);
    const campaign = await createCampaign(runtime, tag);
    await waitFor(
      'some sent',
      () => campaignOf(runtime, campaign.id),
      (c) => c.counts.sent > 0,
    );
    expect((await call(runtime, 'POST', `/campaigns/${campaign.id}/pause`)).status).toBe(200);
    const pausedAt = Date.now();
    expect((await call(runtime, 'DELETE', `/campaigns/${campaign.id}`)).status).toBe(204);
    const done = await waitFor(
      'held messages cancelled',
      () => campaignOf(runtime, campaign.id),
      (c) => c.counts.queued === 0,
      30_000,
    );
    expect(done.status).toBe('cancelled');
    expect(done.counts.cancelled).toBeGreaterThan(0);
    expect(done.counts.sent + done.counts.cancelled).toBe(60);
    expect((runtime.provider?.requests() ?? []).filter((r) => r.receivedAt > pausedAt)).toEqual([]);
    // Cancelled is final: neither pause nor resume applies.
    expect((await call(runtime, 'POST', `/campaigns/${campaign.id}/resume`)).status).toBe(409);
    expect((await call(runtime, 'POST', `/campaigns/${campaign.id}/pause`)).status).toBe(409);
  });

  it('expires what a paused campaign still holds at its end', async () => {
    const runtime = await start({ fakeProvider: { latencyMs: 150 }, providerConcurrency: 2, queues: { send: { maxConcurrency: 1 } } });
    const tag = `pause-end-${uniqueSuffix()}`;
    await addClients(runtime, 60, tag);
    const campaign = await createCampaign(runtime, tag, 6000);
    await waitFor(
      'some sent',
      () => campaignOf(runtime, campaign.id),
      (c) => c.counts.sent > 0,
    );
    expect((await call(runtime, 'POST', `/campaigns/${campaign.id}/pause`)).status).toBe(200);
    const done = await waitFor(
      'held messages expired',
      () => campaignOf(runtime, campaign.id),
      (c) => c.counts.queued === 0,
      30_000,
    );
    expect(done.status).toBe('finished');
    expect(done.counts.expired).toBeGreaterThan(0);
    expect(done.counts.sent + done.counts.expired).toBe(60);
    const endAt = Date.parse(campaign.endAt);
    expect((runtime.provider?.requests() ?? []).every((r) => r.receivedAt < endAt)).toBe(true);
  });
});

describe('rate limit', () => {
  it('holds a 300-client campaign to maxPerSecond 20 over every 10 s window, and finishes it', async () => {
    // Ten senders at once with twenty calls each: without the limit the fast provider would take them all in about a second.
    const runtime = await start({ fakeProvider: { latencyMs: 5 }, providerConcurrency: 20, queues: { send: { maxConcurrency: 10 } } });
    const tag = `rate-${uniqueSuffix()}`;
    await addClients(runtime, 300, tag);
    const now = Date.now();
    const created = await call<CampaignView & { maxPerSecond: number }>(runtime, 'POST', '/campaigns', {
      text: 'Paced',
      startAt: new Date(now).toISOString(),
      endAt: new Date(now + 120_000).toISOString(),
      filter: { tags: [tag] },
      maxPerSecond: 20,
    });
    expect(created.status).toBe(201);
    expect(created.body.maxPerSecond).toBe(20);
    const done = await waitFor(
      'finished at its pace',
      () => campaignOf(runtime, created.body.id),
      (c) => c.status === 'finished',
      90_000,
    );
    expect(done.counts).toEqual({ queued: 0, sent: 300, failed: 0, expired: 0, cancelled: 0 });
    const starts = (runtime.provider?.requests() ?? []).map((r) => r.receivedAt).sort((a, b) => a - b);
    expect(starts).toHaveLength(300);
    const busiest = Math.max(...starts.map((from) => starts.filter((at) => at >= from && at < from + 10_000).length));
    expect(busiest).toBeLessThanOrEqual(220);
    // The pace is the limit, not something slower: 300 calls take at least 14 s and not far beyond 15.
    const spanMs = (starts.at(-1) as number) - (starts[0] as number);
    expect(spanMs).toBeGreaterThanOrEqual(13_500);
    expect(busiest).toBeGreaterThanOrEqual(150);
    const sent = runtime.provider?.sentMsgIds() ?? [];
    expect(new Set(sent).size).toBe(300);
  });
});
