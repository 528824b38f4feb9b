/**
 * Send windows end to end: the runtime's clock is moved to just before a minute boundary,
 * so a window that opens there for one zone is already open for another and stays shut
 * for a third, and the fake provider's clock shows who got what when.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Counts } from '../../functions/domain/messages.js';
import { isInsideWindow } from '../../functions/domain/send-window.js';
import { startLocalRuntime, type LocalRuntime } from '../../local/runtime.js';
import { dynamoEndpoint, sqsEndpoint, uniqueSuffix } from '../support/aws.js';
import { callApi as call } from '../support/e2e.js';

const running: LocalRuntime[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((runtime) => runtime.stop()));
});

let phoneSeq = Math.floor(Math.random() * 1_000_000);
const nextPhone = () => `7902${String(phoneSeq++ % 10_000_000).padStart(7, '0')}`;

const hhmm = (timeZone: string, at: Date) => new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(at);

interface CampaignView {
  id: string;
  status: string;
  counts: Counts;
}

describe('send window', () => {
  it('sends to each zone only inside its local window: one at once, one when its window opens, one never', async () => {
    let shiftMs = 0;
    const runtime = await startLocalRuntime({
      port: 0,
      dynamoEndpoint: dynamoEndpoint(),
      sqsEndpoint: sqsEndpoint(),
      suffix: uniqueSuffix(),
      schedulerIntervalMs: 200,
      clock: { now: () => new Date(Date.now() + shiftMs) },
    });
    running.push(runtime);
    const tag = `window-${uniqueSuffix()}`;
    const zones = { open: 'Asia/Kathmandu', opening: 'Europe/Moscow', shut: 'America/New_York' } as const;
    const clientZone = new Map<string, string>();
    for (const zone of Object.values(zones)) {
      for (const result of await Promise.all(
        Array.from({ length: 12 }, () => call<{ id: string }>(runtime, 'POST', '/clients', { phone: nextPhone(), timezone: zone, tag })),
      )) {
        expect(result.status).toBe(201);
        clientZone.set(result.body.id, zone);
      }
    }

    // Runtime time is now 8 s before a minute boundary: the window opens there in Moscow (and is
    // then already open in Kathmandu, +2:45 from Moscow, and shut in New York, 7-8 h behind it).
    const realNow = Date.now();
    const opensAt = Math.ceil(realNow / 60_000) * 60_000 + 60_000;
    shiftMs = opensAt - 8000 - realNow;
    const openingReal = opensAt - shiftMs;
    const from = hhmm(zones.opening, new Date(opensAt));
    const to = hhmm(zones.opening, new Date(opensAt + 3 * 3_600_000));
    const window = { from, to };
    const fakeNow = new Date(Date.now() + shiftMs);
    // The premise, checked with the rule itself: a wrong premise fails here, not later.
    expect(isInsideWindow(window, zones.open, fakeNow)).toBe(true);
    expect(isInsideWindow(window, zones.opening, fakeNow)).toBe(false);
    expect(isInsideWindow(window, zones.opening, new Date(opensAt))).toBe(true);
    expect(isInsideWindow(window, zones.shut, new Date(opensAt + 20_000))).toBe(false);

    const created = await call<CampaignView>(runtime, 'POST', '/campaigns', {
      text: 'Good morning',
      startAt: fakeNow.toISOString(),
      endAt: new Date(opensAt + 12_000).toISOString(),
      filter: { tags: [tag] },
      sendWindow: window,
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ status: 'running', sendWindow: window });

    const deadline = Date.now() + 60_000;
    let campaign = created.body;
    while (!(campaign.counts.queued === 0 && campaign.status === 'finished')) {
      if (Date.now() > deadline) throw new Error(`not settled: ${JSON.stringify(campaign)}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
      campaign = (await call<CampaignView>(runtime, 'GET', `/campaigns/${created.body.id}`)).body;
    }
    expect(campaign.counts).toEqual({ queued: 0, sent: 24, failed: 0, expired: 12, cancelled: 0 });

    const stats = await call<{ messages: { items: { id: number; clientId: string; status: string; attempts: number }[] } }>(
      runtime,
      'GET',
      `/campaigns/${created.body.id}/stats?limit=100`,
    );
    const zoneOf = new Map(stats.body.messages.items.map((m) => [m.id, clientZone.get(m.clientId)]));
    const requests = runtime.provider?.requests() ?? [];
    const at = (zone: string) => requests.filter((r) => zoneOf.get(r.msgId as number) === zone).map((r) => r.receivedAt);
    expect(at(zones.open)).toHaveLength(12);
    expect(at(zones.opening)).toHaveLength(12);
    expect(at(zones.shut)).toEqual([]);
    // Kathmandu went out before Moscow's window opened; Moscow not a moment before it.
    expect(Math.max(...at(zones.open))).toBeLessThan(openingReal);
    expect(Math.min(...at(zones.opening))).toBeGreaterThanOrEqual(openingReal);
    // Held is not failed: every message sent was tried exactly once, the shut zone's never.
    for (const message of stats.body.messages.items) {
      if (clientZone.get(message.clientId) === zones.shut) expect(message).toMatchObject({ status: 'expired', attempts: 0 });
      else expect(message).toMatchObject({ status: 'sent', attempts: 1 });
    }
  });
});
