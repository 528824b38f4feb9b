import { describe, expect, it } from 'vitest';
import { inappFigures, inappLatency, priceInapp, type InappRun, type ReceivedFrame } from '../../bench/inapp.js';
import type { CallTally, Invocation, MeterSnapshot } from '../../bench/meter.js';
import { prices } from '../../bench/prices.js';

const START = 1_000_000;
// Client 0 at 100 ms, client 1 at 300, client 2 at 200 and once more at 250; client 3 never.
const frames: ReceivedFrame[] = [
  { client: 0, type: 'notification', at: START + 100, itemId: 'a' },
  { client: 0, type: 'unread', at: START + 101 },
  { client: 2, type: 'notification', at: START + 200, itemId: 'c' },
  { client: 2, type: 'notification', at: START + 250, itemId: 'c' },
  { client: 2, type: 'unread', at: START + 201 },
  { client: 1, type: 'notification', at: START + 300, itemId: 'b' },
  { client: 1, type: 'unread', at: START + 301 },
  { client: 1, type: 'pong', at: START + 900 },
];

const invocation = (fn: Invocation['fn']): Invocation => ({ fn, startedAt: START, durationMs: 10, records: 0, failed: false });
const put: CallTally = {
  service: 'dynamodb',
  caller: 'wsConnect',
  operation: 'PutItem',
  resource: 'herald-connections',
  calls: 3,
  failed: 0,
  wru: 3,
  rru: 0,
  estimatedWru: 0,
  received: 0,
  ms: 3,
};
// Three sessions' $connect (1 WRU each) and two pings, every invocation 10 ms at 256 MB.
const usage: MeterSnapshot = { calls: [put], invocations: [...Array(3).fill(invocation('wsConnect')), ...Array(2).fill(invocation('wsDefault'))] };

describe('bench in-app: latency to each notification frame', () => {
  it("takes each client's first notification from the campaign's start, and counts the missing and the duplicates", () => {
    expect(inappLatency(START, 4, frames)).toEqual({ clients: 4, received: 3, missing: 1, duplicates: 1, p50Ms: 200, p95Ms: 300, maxMs: 300 });
    // unread and pong frames are not notifications: a client with only those is missing.
    expect(inappLatency(START, 1, [{ client: 0, type: 'unread', at: START + 5 }]).missing).toBe(1);
  });
});

describe('bench in-app: cost per million in-app messages', () => {
  it('prices the metered run per message received, with pings and connection minutes from the assumptions', () => {
    const latency = inappLatency(START, 4, frames);
    const cost = priceInapp(usage, latency, frames, { connectedMinutesPerMessage: 60, pingIntervalMinutes: 5 });
    expect(cost.messages).toBe(3);
    const gbSeconds = (invocations: number) => invocations * 0.01 * 0.25;
    const lambda = (invocations: number) => invocations * prices.lambda.perMillionRequests * 1e-6 + gbSeconds(invocations) * prices.lambda.perGbSecondArm64;
    // Delivery: the three WRU and the three $connect invocations, not the pings.
    expect(cost.dollarsPerMillion.delivery).toBeCloseTo(((3 * prices.dynamodb.perMillionWriteRequestUnits * 1e-6 + lambda(3)) / 3) * 1e6, 9);
    // Twelve pings a message (60 minutes, one each 5), each as dear as a measured $default invocation.
    expect(cost.pingsPerMessage).toBe(12);
    expect(cost.dollarsPerMillion.pings).toBeCloseTo(12 * lambda(1) * 1e6, 9);
    // Seven frames posted (a duplicate is billed too) over three messages, and each ping in and its pong out.
    expect(cost.framesPerMessage).toBeCloseTo(7 / 3, 12);
    expect(cost.websocketMessagesPerMessage).toBeCloseTo(7 / 3 + 24, 12);
    expect(cost.dollarsPerMillion.websocketMessages).toBeCloseTo((7 / 3 + 24) * 1.0, 12);
    expect(cost.dollarsPerMillion.connectionMinutes).toBe(60 * 0.25);
    const { delivery, pings, websocketMessages, connectionMinutes, total } = cost.dollarsPerMillion;
    expect(total).toBeCloseTo(delivery + pings + websocketMessages + connectionMinutes, 12);
    // Of which Lambda's duration: the $connect invocations' and twelve pings' at the measured mean.
    expect(cost.dollarsPerMillion.lambdaDuration).toBeCloseTo(
      ((gbSeconds(3) * prices.lambda.perGbSecondArm64) / 3 + 12 * gbSeconds(1) * prices.lambda.perGbSecondArm64) * 1e6,
      9,
    );
  });

  it('refuses to price a run in which no message arrived', () => {
    expect(() => priceInapp(usage, inappLatency(START, 2, []), [])).toThrow(/no in-app message arrived/);
  });
});

describe('bench in-app: figures', () => {
  const runOf = (latencyFrames: ReceivedFrame[], clients: number): InappRun => {
    const latency = inappLatency(START, clients, latencyFrames);
    return {
      clients,
      campaignId: '1',
      startAt: START,
      connectMs: 500,
      loadAverage: { before: 1, after: 1 },
      latency,
      cost: priceInapp(usage, latency, latencyFrames),
      frameCounts: { notification: 1 },
    };
  };
  const byId = (figures: ReturnType<typeof inappFigures>, id: string) => figures.find((figure) => figure.id === id);

  it('passes when every client got its frame within 2 s (p95), and fails on one missing or a late p95', () => {
    const all = inappFigures(runOf(frames, 3), 'npm run bench -- --only inapp');
    expect(byId(all, 'inapp.p95StartToFrameMs')).toMatchObject({ value: 300, target: { op: '<=', limit: 2000 }, pass: true });
    expect(byId(all, 'inapp.missing')).toMatchObject({ value: 0, target: { op: '<=', limit: 0 }, pass: true });
    expect(byId(all, 'inapp.dollarsPerMillion')?.note).toMatch(/connected 60 minutes with a ping every 5 minutes/);
    // The negative controls: a fourth client without its frame, a p95 past 2 s.
    expect(byId(inappFigures(runOf(frames, 4), 'c'), 'inapp.missing')).toMatchObject({ value: 1, pass: false });
    const late = frames.map((frame) => ({ ...frame, at: frame.at + 2_000 }));
    expect(byId(inappFigures(runOf(late, 3), 'c'), 'inapp.p95StartToFrameMs')).toMatchObject({ value: 2300, pass: false });
  });
});
