/**
 * Recurring campaigns end to end: the local runtime over HTTP, `rate: "1 minute"`, the local
 * recurring scheduler firing the second occurrence, and the fake provider's record of every
 * call (msgId, phone, text) to prove each client gets one message per run.
 */
import { describe, expect, it } from 'vitest';
import type { Counts } from '../../functions/domain/messages.js';
import type { LocalRuntime } from '../../local/runtime.js';
import { uniqueSuffix } from '../support/aws.js';
import { callApi as call, runtimePerTest, waitFor } from '../support/e2e.js';

const start = runtimePerTest();

let phoneSeq = Math.floor(Math.random() * 1_000_000);
const nextPhone = () => `7902${String(phoneSeq++ % 10_000_000).padStart(7, '0')}`;

interface CampaignView {
  id: string;
  status: string;
  text: string;
  startAt: string;
  endAt: string;
  counts: Counts;
  total: number;
  recurrence?: { rate?: string; cron?: string; timezone: string; runMinutes: number };
  recurringId?: string;
  occurrence?: string;
}
interface Page<T> {
  items: T[];
  nextCursor: string | null;
}
interface StatsView {
  messages: { items: { id: number; clientId: string; status: string }[] };
}

async function addClients(runtime: LocalRuntime, count: number, tag: string): Promise<Map<string, string>> {
  const phones = new Map<string, string>();
  for (let index = 0; index < count; index++) {
    const phone = nextPhone();
    const created = await call<{ id: string }>(runtime, 'POST', '/clients', { phone, timezone: 'Europe/Moscow', tag });
    expect(created.status).toBe(201);
    phones.set(phone, created.body.id);
  }
  return phones;
}

const runsOf = async (runtime: LocalRuntime, id: string) => (await call<Page<CampaignView>>(runtime, 'GET', `/campaigns/${id}/runs?limit=10`)).body.items;
const campaignOf = async (runtime: LocalRuntime, id: string) => (await call<CampaignView>(runtime, 'GET', `/campaigns/${id}`)).body;

describe('recurring campaigns', () => {
  it('runs every minute: two runs with their own counts, each client once per run; pause stops runs, DELETE ends them', async () => {
    const runtime = await start();
    const tag = `recurring-${uniqueSuffix()}`;
    const pausedTag = `${tag}-paused`;
    const clients = await addClients(runtime, 5, tag);
    await addClients(runtime, 2, pausedTag);
    const now = Date.now();
    const body = (text: string, filterTag: string) => ({
      text,
      startAt: new Date(now).toISOString(),
      // Occurrences at +0 s and +60 s; the next (+120 s) is past the end.
      endAt: new Date(now + 100_000).toISOString(),
      filter: { tags: [filterTag] },
      recurrence: { rate: '1 minute', timezone: 'Europe/Moscow', runMinutes: 1 },
    });
    const created = await call<CampaignView>(runtime, 'POST', '/campaigns', body('Run {{ tag }}', tag));
    expect(created.status).toBe(201);
    expect(created.body.recurrence).toEqual({ rate: '1 minute', timezone: 'Europe/Moscow', runMinutes: 1 });
    const recurring = created.body;
    const paused = (await call<CampaignView>(runtime, 'POST', '/campaigns', body('Paused', pausedTag))).body;

    // The first occurrence is the start itself: its run starts at once.
    const [first] = await waitFor(
      'the first run sent',
      () => runsOf(runtime, recurring.id),
      (runs) => runs.length === 1 && runs[0]!.counts.sent === 5,
      30_000,
    );
    await waitFor(
      'the paused campaign first run sent',
      () => runsOf(runtime, paused.id),
      (runs) => runs.length === 1 && runs[0]!.counts.sent === 2,
      30_000,
    );
    expect((await call(runtime, 'POST', `/campaigns/${paused.id}/pause`)).status).toBe(200);
    // A change acts on the runs to come.
    expect((await call(runtime, 'PATCH', `/campaigns/${recurring.id}`, { text: 'Second {{ tag }}' })).status).toBe(200);

    const runs = await waitFor(
      'the second run sent',
      () => runsOf(runtime, recurring.id),
      (found) => found.length === 2 && found[1]!.counts.sent === 5 && found[1]!.status === 'finished',
      100_000,
      500,
    );
    const second = runs[1]!;
    expect(runs[0]!.id).toBe(first!.id);
    expect(second.id).not.toBe(first!.id);
    for (const run of runs) {
      expect(run.recurringId).toBe(recurring.id);
      expect(run.counts).toEqual({ queued: 0, sent: 5, failed: 0, expired: 0, cancelled: 0 });
    }
    expect(Date.parse(second.occurrence!) - Date.parse(first!.occurrence!)).toBe(60_000);
    expect(first!.occurrence).toBe(new Date(recurring.startAt).toISOString());
    // A run lasts runMinutes, capped at the recurring campaign's end.
    expect(Date.parse(first!.endAt) - Date.parse(first!.startAt)).toBe(60_000);
    expect(second.endAt).toBe(new Date(recurring.endAt).toISOString());
    expect(second.text).toBe('Second {{ tag }}');

    // Each client exactly once per run, as the provider saw it.
    const requests = runtime.provider!.requests().filter((request) => request.outcome === 'ok');
    for (const run of runs) {
      const stats = (await call<StatsView>(runtime, 'GET', `/campaigns/${run.id}/stats?limit=100`)).body;
      const msgIds = new Set(stats.messages.items.map((message) => message.id));
      const calls = requests.filter((request) => msgIds.has(request.msgId!));
      expect(calls).toHaveLength(5);
      expect(new Set(calls.map((request) => String(request.phone)))).toEqual(new Set(clients.keys()));
      expect(new Set(stats.messages.items.map((message) => message.clientId))).toEqual(new Set(clients.values()));
      expect(calls.every((request) => request.text === (run.id === first!.id ? `Run ${tag}` : `Second ${tag}`))).toBe(true);
    }

    // The recurring campaign sent nothing itself; the paused one started no second run.
    const parent = await campaignOf(runtime, recurring.id);
    expect(parent.status).toBe('running');
    expect(parent.total).toBe(0);
    expect(await runsOf(runtime, paused.id)).toHaveLength(1);
    expect((await campaignOf(runtime, paused.id)).status).toBe('paused');

    expect((await call(runtime, 'DELETE', `/campaigns/${recurring.id}`)).status).toBe(204);
    expect((await campaignOf(runtime, recurring.id)).status).toBe('cancelled');
    expect((await call(runtime, 'DELETE', `/campaigns/${recurring.id}`)).status).toBe(409);
    // A one-off campaign has no runs; an unknown one is 404.
    expect((await call<Page<CampaignView>>(runtime, 'GET', `/campaigns/${first!.id}/runs`)).body.items).toEqual([]);
    expect((await call(runtime, 'GET', '/campaigns/999999999/runs')).status).toBe(404);
  }, 150_000);
});
