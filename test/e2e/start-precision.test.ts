/**
 * On-time start end to end: the local scheduler fires anywhere within its jitter after the
 * schedule time, as EventBridge Scheduler does within its minute; the schedule fires the lead
 * early, the start timer waits (an SQS delay, then a precise wait in its handler) until the
 * hand-off a little before `startAt`, the fan-out writes the first page, and the senders wait
 * for `startAt` itself. Times are scaled down for the test (lead 10 s, jitter up to 4 s,
 * hand-off 4 s early, where AWS has 120 s, 60 s and 3 s), with the jitter's draws chosen so
 * one fire comes near the end of its window. The fake provider's record of when each call
 * arrived shows the first call of each campaign within 1 s after `startAt` and never before
 * it. The control runs the same jitter with no lead and no early hand-off, as a schedule at
 * `startAt` would: its first call is late by the jitter, and the check fails.
 */
import { describe, expect, it } from 'vitest';
import type { LocalRuntime } from '../../local/runtime.js';
import { uniqueSuffix } from '../support/aws.js';
import { callApi as call, runtimePerTest, waitFor } from '../support/e2e.js';

const start = runtimePerTest();
const JITTER_MS = 4_000;
const TIMING = { leadMs: 10_000, handlerWaitMs: 1_500, hopMarginMs: 1_000, prestartMs: 4_000 };

let phoneSeq = Math.floor(Math.random() * 1_000_000);
const nextPhone = () => `7902${String(phoneSeq++ % 10_000_000).padStart(7, '0')}`;

interface CampaignView {
  id: string;
  status: string;
  startAt: string;
}

/** Draws the given values in turn: the jitter of each schedule, in the order they are made. */
function draws(values: number[]): () => number {
  let next = 0;
  return () => values[next++ % values.length]!;
}

/** Creates `count` campaigns of three clients each, starting `aheadMs` from now a quarter second apart; returns them when finished. */
async function runCampaigns(runtime: LocalRuntime, count: number, aheadMs: number): Promise<CampaignView[]> {
  const campaigns: CampaignView[] = [];
  const tags = Array.from({ length: count }, () => `start-${uniqueSuffix()}`);
  for (const result of await Promise.all(
    tags.flatMap((tag) => [0, 1, 2].map(() => call(runtime, 'POST', '/clients', { phone: nextPhone(), timezone: 'UTC', tag }))),
  )) {
    expect(result.status).toBe(201);
  }
  const base = Date.now() + aheadMs;
  for (const [index, tag] of tags.entries()) {
    const startAt = new Date(base + index * 250);
    const created = await call<CampaignView>(runtime, 'POST', '/campaigns', {
      text: 'On time',
      startAt: startAt.toISOString(),
      endAt: new Date(startAt.getTime() + 60_000).toISOString(),
      filter: { tags: [tag] },
    });
    expect(created.status).toBe(201);
    expect(created.body.status).toBe('scheduled');
    campaigns.push(created.body);
  }
  // Every schedule must still be a real, jittered one: made before its early fire time.
  expect(Date.now()).toBeLessThan(base - (aheadMs > TIMING.leadMs ? TIMING.leadMs : 0));
  for (const campaign of campaigns) {
    await waitFor(
      `campaign ${campaign.id} finished`,
      async () => (await call<CampaignView>(runtime, 'GET', `/campaigns/${campaign.id}`)).body,
      (view) => view.status === 'finished',
      60_000,
    );
  }
  return campaigns;
}

/** Milliseconds from each campaign's startAt to its first provider call. */
async function firstCallDelays(runtime: LocalRuntime, campaigns: CampaignView[]): Promise<number[]> {
  const requests = runtime.provider!.requests();
  const delays: number[] = [];
  for (const campaign of campaigns) {
    const stats = await call<{ messages: { items: { id: number }[] } }>(runtime, 'GET', `/campaigns/${campaign.id}/stats`);
    const ids = new Set(stats.body.messages.items.map((message) => message.id));
    expect(ids.size).toBe(3);
    const calls = requests.filter((request) => request.msgId !== null && ids.has(request.msgId)).map((request) => request.receivedAt);
    expect(calls.length).toBeGreaterThanOrEqual(3);
    delays.push(Math.min(...calls) - Date.parse(campaign.startAt));
  }
  return delays;
}

describe('on-time start with an imprecise scheduler', () => {
  it('makes the first provider call within 1 s after startAt, never before, wherever in its window the schedule fires', async () => {
    const jitter = [0.95, 0.5, 0.02];
    const runtime = await start({ startTiming: TIMING, scheduleJitterMs: JITTER_MS, scheduleRandom: draws(jitter) });
    const campaigns = await runCampaigns(runtime, jitter.length, 13_000);
    const delays = await firstCallDelays(runtime, campaigns);
    for (const delay of delays) {
      expect(delay).toBeGreaterThanOrEqual(0);
      expect(delay).toBeLessThan(1_000);
    }
  });

  it('control: the same jitter on a schedule at startAt (no lead, nothing left to wait) is late by the jitter, and the check fails', async () => {
    const runtime = await start({ startTiming: { ...TIMING, leadMs: 0, prestartMs: 0 }, scheduleJitterMs: JITTER_MS, scheduleRandom: draws([0.95]) });
    const [delay] = await firstCallDelays(runtime, await runCampaigns(runtime, 1, 3_000));
    expect(delay).toBeGreaterThanOrEqual(0.95 * JITTER_MS - 200);
    expect(delay! < 1_000).toBe(false);
  });
});
