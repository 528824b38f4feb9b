/**
 * The bench at its smallest (`npm run bench -- --quick` sizes: 50 messages, fan-outs of 50
 * and 200 clients, one-second autocannon runs, a 2,000-client parallel fan-out at S = 1 and 2,
 * a 200-client soak), every section of it, so `npm run bench` cannot rot unnoticed.
 * These tests check that the figures are well formed and computed from what was counted,
 * not that they meet their targets: speed and cost belong to the bench itself.
 */
import { functionSettings } from '../../functions/definitions/functions.js';
import { tmpdir } from 'node:os';
import { beforeAll, describe, expect, it } from 'vitest';
import { queues } from '../../functions/definitions/queues.js';
import { LAZY_PACKAGES } from '../../functions/domain/lazy-packages.js';
import { dynamoEndpoint, sqsEndpoint } from '../support/aws.js';
import type { Endpoints } from '../../bench/emulators.js';
import type { Figure } from '../../bench/figures.js';
import type { BenchOptions } from '../../bench/options.js';
import type * as Sections from '../../bench/sections.js';

let sections: typeof Sections;
let endpoints: Endpoints;
let options: BenchOptions;

beforeAll(async () => {
  // Before any handler module loads: no log lines, no metrics (as `npm run bench` does).
  await import('../../bench/env.js');
  sections = await import('../../bench/sections.js');
  const { queueUrlOrigin } = await import('../../bench/emulators.js');
  const { parseOptions } = await import('../../bench/options.js');
  endpoints = { dynamoEndpoint: dynamoEndpoint(), sqsEndpoint: queueUrlOrigin(sqsEndpoint()) };
  options = { ...parseOptions(['--quick'], {}), loadRuns: 1 };
});

function expectWellFormed(figures: Figure[], section: string): void {
  expect(figures.length).toBeGreaterThan(0);
  for (const figure of figures) {
    expect(figure.section).toBe(section);
    expect(Number.isFinite(figure.value), figure.id).toBe(true);
    expect(figure.value, figure.id).toBeGreaterThan(0);
    expect(figure.command).toMatch(new RegExp(`^npm run bench -- --only ${section}\\b`));
    if (figure.target) expect(typeof figure.pass, figure.id).toBe('boolean');
  }
}

const valueOf = (figures: Figure[], id: string) => figures.find((figure) => figure.id === id)?.value;

describe('bench smoke', () => {
  it('prices a delivered campaign from the calls and invocations it counted', { timeout: 120_000 }, async () => {
    const { figures, details } = await sections.costSection(endpoints, options);
    expectWellFormed(figures, 'cost');
    const { run, cost } = details;
    expect(run.counts.sent).toBe(options.n);
    expect(run.providerAccepted).toBe(options.n);
    expect(cost.messages).toBe(options.n);

    const priced = run.calls.filter((call) => call.caller !== 'localOnly');
    const wru = priced.filter((call) => call.service === 'dynamodb').reduce((sum, call) => sum + call.wru, 0);
    expect(wru).toBeGreaterThan(0);
    expect(cost.dynamodb.wru).toBe(wru);
    expect(valueOf(figures, 'cost.wruPerMessage')).toBeCloseTo(wru / options.n, 12);
    // Every chunk is written at least at creation, claim and outcome: three writes per ten messages at the least.
    expect(cost.perMessage.wru).toBeGreaterThanOrEqual(0.3);

    // The chunks were claimed by the send function and deleted by the event source mapping.
    expect(priced.some((call) => call.caller === 'send' && call.operation === 'UpdateItem' && call.wru > 0)).toBe(true);
    expect(priced.some((call) => call.caller === 'eventSourceMapping' && call.operation === 'DeleteMessageBatch')).toBe(true);
    expect(cost.sqs.fifoRequests).toBeGreaterThan(0);
    expect(cost.sqs.standardRequests).toBeGreaterThan(0);
    expect(cost.lambda.api.invocations).toBe(1);
    expect(cost.lambda.fanout.invocations).toBeGreaterThan(0);
    expect(cost.lambda.send.invocations).toBeGreaterThan(0);
    expect(cost.lambda.send.gbSeconds).toBeCloseTo((cost.lambda.send.billedMs / 1000) * (256 / 1024), 12);

    const { prices } = cost;
    const d = cost.dollarsPerMillion;
    expect(d.dynamodbWrites).toBeCloseTo((wru * prices.dynamodb.perMillionWriteRequestUnits) / options.n, 12);
    const sqsDollars = cost.sqs.standardRequests * prices.sqs.standardPerMillionRequests + cost.sqs.fifoRequests * prices.sqs.fifoPerMillionRequests;
    expect(d.sqs).toBeCloseTo(sqsDollars / options.n, 12);
    expect(d.total).toBeCloseTo(d.dynamodbWrites + d.dynamodbReads + d.sqs + d.lambdaRequests + d.lambdaDuration + d.scheduler, 12);
    expect(valueOf(figures, 'cost.dollarsPerMillion')).toBe(d.total);
    // SES's events: one emailEvents invocation and one chunk write an e-mail, on top of the send pipeline.
    const events = details.emailEvents;
    expect(events.messages).toBe(Math.min(options.n, sections.EMAIL_EVENTS_MAX));
    expect(events.lambda.emailEvents.invocations).toBe(events.messages);
    expect(events.dynamodb.calls['emailEvents:UpdateItem']).toBe(events.messages);
    expect(valueOf(figures, 'cost.emailDollarsPerMillion')).toBeCloseTo(d.total + events.dollarsPerMillion.total, 12);
    // The duration priced comes from a run held under the thread's saturation, and how late its timers ran is the figure beside it.
    expect(run.send.maxConcurrency).toBe(sections.COST_RUN_QUEUES.send.maxConcurrency);
    expect(run.fanout.maxConcurrency).toBe(sections.COST_RUN_QUEUES.fanout.maxConcurrency);
    expect(valueOf(figures, 'cost.runtimeLoopDelayMs')).toBe(run.host.eventLoopDelayMeanMs);

    // The logs beside it: one "message sent" line per message sent, the platform's three lines per invocation, priced by the GB.
    const invocations = Object.values(cost.lambda).reduce((sum, fn) => sum + fn.invocations, 0);
    expect(run.logs?.byMessage['INFO message sent']?.lines).toBe(options.n);
    expect(run.logs?.platform.lines).toBe(3 * invocations);
    expect(run.logs?.emf.lines).toBe(cost.lambda.send.invocations);
    const logDollars = (((run.logs?.bytes ?? 0) / 1e9) * prices.cloudwatchLogs.ingestionPerGb * 1e6) / options.n;
    expect(details.logs.dollarsPerMillion).toBeCloseTo(logDollars, 12);
    expect(valueOf(figures, 'cost.logsPerMillion')).toBe(details.logs.dollarsPerMillion);
    expect(valueOf(figures, 'cost.withLogsDollarsPerMillion')).toBeCloseTo(d.total + logDollars, 12);

    // The same campaign in one fan-out stream: its own run, priced the same way, compared on the counted calls.
    const single = details.singleStream;
    expect(single.run.counts.sent).toBe(options.n);
    expect(single.cost.lambda.fanout.invocations).toBeGreaterThan(0);
    const counted = (dollars: typeof d) => dollars.total - dollars.lambdaDuration;
    expect(valueOf(figures, 'cost.parallelFanoutRatio')).toBeCloseTo(counted(d) / counted(single.cost.dollarsPerMillion), 12);
    expect(valueOf(figures, 'cost.singleStreamDollarsPerMillion')).toBe(single.cost.dollarsPerMillion.total);
  });

  it('measures throughput against the provider-bound limit it derives', { timeout: 120_000 }, async () => {
    const { figures, details } = await sections.throughputSection(endpoints, options);
    expectWellFormed(figures, 'throughput');
    const { throughput, run } = details;
    expect(throughput.messages).toBe(options.n);
    const perInvocation = Math.min(options.providerConcurrency, run.send.batchSize * 10);
    expect(throughput.effectiveConcurrency).toBe(run.send.maxConcurrency * perInvocation);
    expect(throughput.providerBoundPerSecond).toBe(throughput.effectiveConcurrency / (options.providerLatencyMs / 1000));
    // The limit's premise: the runtime never lets more calls than the effective concurrency reach the provider.
    expect(run.providerMaxInFlight).toBeGreaterThan(0);
    expect(run.providerMaxInFlight).toBeLessThanOrEqual(throughput.effectiveConcurrency);
    expect(throughput.ratio).toBeCloseTo(throughput.messagesPerSecond / throughput.providerBoundPerSecond, 12);
    expect(throughput.startDelayMs).toBeGreaterThanOrEqual(0);
    expect(throughput.sendingMessagesPerSecond).toBeGreaterThanOrEqual(throughput.messagesPerSecond);
    // What the machine gave the run: this process did the runtime's work; the shared DynamoDB Local's pid is unknown here.
    expect(run.host.runtimeCores).toBeGreaterThan(0);
    expect(run.host.eventLoopDelayP99Ms).toBeGreaterThanOrEqual(run.host.eventLoopDelayMeanMs * 0.5);
    expect(run.host.eventLoopUtilization).toBeGreaterThan(0);
    expect(run.host.eventLoopUtilization).toBeLessThanOrEqual(1);
    expect(run.host.saturatedSecondsShare).toBeGreaterThanOrEqual(0);
    expect(run.host.saturatedSecondsShare).toBeLessThanOrEqual(1);
    // The critical-path writes are timed from the meter's calls: every chunk was claimed and its outcome written.
    expect(throughput.factors.meanSendWriteMs).toBeGreaterThan(0);
    expect(throughput.factors.meanFanoutPutMs).toBeGreaterThan(0);
    // Each call keeps a slot busy for the latency, so the phases' losses add up to the time beyond the calls' own.
    const { loss } = throughput;
    const callsAlone = (run.providerRequests * options.providerLatencyMs) / throughput.effectiveConcurrency;
    expect(loss.beforeFirstCallMs + loss.duringFanoutMs + loss.afterFanoutMs).toBeCloseTo(throughput.elapsedMs - callsAlone, 3);
    expect(run.calls.filter((call) => call.service === 'dynamodb').every((call) => call.ms > 0)).toBe(true);
    expect(run.host.dynamoCores).toBeUndefined();
    // The fake provider runs in its own process (bench/service-process.ts), whose CPU is read.
    expect(run.host.providerCores).toBeGreaterThan(0);
    expect(figures.find((figure) => figure.id === 'throughput.ratioToProviderBound')?.note).toMatch(
      /chunk claims and outcomes \d+ ms each.*lost against the bound: [\d.]+ s before the first call.*one thread busy \d+ % of the run.*timers late by [\d.]+ ms.*fake provider [\d.]+ of/,
    );
    // The control is the 500 ms campaign again with only the fan-out's concurrency changed, delivered in full and once.
    const { contentionControl, atBound } = details;
    expect(contentionControl.run.fanout.maxConcurrency).toBe(sections.CONTROL_FANOUT_CONCURRENCY);
    expect(atBound.run.fanout.maxConcurrency).toBe(queues.fanout.maxConcurrency);
    expect(atBound.run.fanout.maxConcurrency).not.toBe(sections.CONTROL_FANOUT_CONCURRENCY);
    expect({ ...contentionControl.run.send, latency: contentionControl.run.providerLatencyMs }).toEqual({
      ...atBound.run.send,
      latency: atBound.run.providerLatencyMs,
    });
    expect(contentionControl.throughput.messages).toBe(options.n);
    expect(contentionControl.run.distinctAccepted).toBe(options.n);
    expect(contentionControl.run.duplicateAcceptedMsgIds).toBe(0);
    expect(
      figures.find((figure) => figure.id === `throughput.latency${sections.BOUND_LATENCY_MS}.fanout${sections.CONTROL_FANOUT_CONCURRENCY}.ratioToProviderBound`)
        ?.target,
    ).toBeUndefined();
  });

  it('bundles every function as the stack does and loads each in a fresh process', { timeout: 180_000 }, async () => {
    const { figures, details } = await sections.bundlesSection(options);
    expectWellFormed(figures, 'bundles');
    // Every function the stack deploys, each channel's sender and the WebSocket API's among them.
    expect(details.bundles.map((bundle) => bundle.fn).sort()).toEqual(Object.keys(functionSettings).sort());
    for (const bundle of details.bundles) {
      expect(bundle.file).toMatch(/index\.m?js$/);
      expect(bundle.mapBytes).toBeGreaterThan(0);
      expect(bundle.loadMs).toHaveLength(options.loadRuns);
      expect(bundle.composition.reduce((sum, part) => sum + part.bytes, 0)).toBeGreaterThan(0);
      expect(valueOf(figures, `bundles.${bundle.fn}.kb`)).toBe(bundle.bytes / 1024);
      // Loaded on first use: shipped beside the bundle, loadable there, and not inside it.
      expect(bundle.lazy.map((part) => part.name)).toEqual([...LAZY_PACKAGES]);
      for (const part of bundle.lazy) {
        expect(part.bytes).toBeGreaterThan(10_000);
        expect(part.medianLoadMs).toBeGreaterThan(0);
        expect(bundle.composition.map((piece) => piece.name)).not.toContain(part.name);
      }
    }
    // The api's first request after each load is timed too (what its route groups build on first use), and only the api has one.
    expect(details.bundles.filter((bundle) => bundle.firstInvocation).map((bundle) => bundle.fn)).toEqual(['api']);
    expect(details.bundles.find((bundle) => bundle.fn === 'api')?.firstInvocation?.medianMs).toBeGreaterThan(0);
    expect(figures.find((figure) => figure.id === 'bundles.api.firstInvocationMs')?.target).toBeUndefined();
    // The negative control: a bundle directory without them is refused, not measured.
    const { lazyFiles } = await import('../../bench/bundles.js');
    expect(() => lazyFiles(tmpdir())).toThrow(/liquidjs is loaded on first use but not shipped/);
  });

  it('measures the fan-out memory of two audiences in processes of their own', { timeout: 180_000 }, async () => {
    const { figures, details } = await sections.memorySection(endpoints, options);
    expectWellFormed(
      figures.filter((figure) => figure.id !== 'memory.peakRssSpread'),
      'memory',
    );
    expect(details.runs.map((run) => run.audience)).toEqual(options.memoryAudiences);
    for (const run of details.runs) {
      expect(run.queued).toBe(run.audience);
      expect(run.pages).toBeGreaterThanOrEqual(Math.ceil(run.audience / 100));
      expect(run.peakRssBytes).toBeGreaterThanOrEqual(run.baselineRssBytes);
      expect(run.peakHeapUsedBytes).toBeGreaterThanOrEqual(run.baselineHeapUsedBytes);
      // Started as Lambda starts a 512 MB function, so the retained heap is measured after a real full GC.
      expect(run.nodeFlags).toEqual(['--expose-gc', '--max-semi-space-size=25', '--max-old-space-size=461']);
      expect(run.retainedHeapUsedBytes).toBeGreaterThan(0);
      expect(run.retainedHeapUsedBytes).toBeLessThanOrEqual(run.peakHeapUsedBytes);
    }
    expect(details.peakRssSpread).not.toBeNull();
    expect(valueOf(figures, 'memory.peakRssSpread')).toBeCloseTo((details.peakRssSpread ?? NaN) * 100, 12);
  });

  it(
    'loads POST /clients, GET /campaigns/{id}/stats and GET /stats over seeded campaigns with autocannon, every answer a 2xx',
    { timeout: 120_000 },
    async () => {
      const { figures, details } = await sections.apiSection(endpoints, options);
      expectWellFormed(figures, 'api');
      expect(details.api.overallStats.campaigns).toBe(options.statsCampaigns + 1);
      for (const result of [details.api.createClient, details.api.campaignStats, details.api.overallStats]) {
        expect(result.requests).toBeGreaterThan(0);
        expect(result.non2xx).toBe(0);
        expect(result.errors).toBe(0);
        expect(result.p99Ms).toBeGreaterThanOrEqual(result.p50Ms);
      }
    },
  );
  it('times notices from POST to the provider call, each matched by its msgId', { timeout: 120_000 }, async () => {
    const { figures, details } = await sections.noticesSection(endpoints, options);
    expectWellFormed(figures, 'notices');
    expect(details.notices.notices).toBe(20);
    expect(details.notices.p95Ms).toBeGreaterThanOrEqual(details.notices.p50Ms);
    expect(figures[0]?.target).toEqual({ op: '<', limit: 2000 });
  });

  it('imports a generated file and its rerun, every row created once then found present', { timeout: 120_000 }, async () => {
    const { figures, details } = await sections.importSection(endpoints, options);
    expectWellFormed(figures, 'import');
    expect(details.import.import.created).toBe(options.importRows);
    expect(details.import.rerun.alreadyPresent).toBe(options.importRows);
    expect(valueOf(figures, 'import.rowsPerMinute')).toBe(details.import.import.rowsPerMinute);
    expect(figures[0]?.target).toEqual({ op: '>=', limit: 100_000 });
  });

  it('fans one audience out with each stream count under injected call latency, every client once', { timeout: 180_000 }, async () => {
    const { figures, details } = await sections.fanoutSection(endpoints, { ...options, fanoutStreams: [1, 2] });
    expectWellFormed(figures, 'fanout');
    const { runs } = details.fanout;
    expect(runs.map((run) => run.streams)).toEqual([1, 2]);
    for (const run of runs) {
      expect(run.fannedOut).toBe(options.fanoutAudience);
      expect(run.pages).toBeGreaterThanOrEqual(Math.ceil(options.fanoutAudience / 100));
      // Every call went through the latency middleware, so the time has the calls' floor.
      expect(run.durationMs).toBeGreaterThanOrEqual(((run.pages / run.streams) * 8) / 2);
      expect(run.dynamoCalls).toBeGreaterThan(run.pages);
      expect(run.sqsCalls).toBeGreaterThan(0);
    }
    // The S = 8 speed-up needs both ends measured; the modeled million uses the widest S run.
    expect(valueOf(figures, 'fanout.speedup.s8')).toBeUndefined();
    expect(details.fanout.modeledStreams).toBe(2);
    const { modeledMillionSeconds } = details.fanout;
    expect(modeledMillionSeconds).toBeCloseTo((1_000_000 / 100 / 2) * ((runs[1]?.msPerStreamPage ?? NaN) / 1000), 9);
    // The figure is that time in minutes, to the hundredth.
    expect(valueOf(figures, 'fanout.modeledMillion.s2')).toBe(Math.round((modeledMillionSeconds / 60) * 100) / 100);
  });

  it('reaches WebSocket clients with an in-app campaign, each frame timed from its start, and prices it', { timeout: 180_000 }, async () => {
    const { figures, details } = await sections.inappSection(endpoints, options);
    // None missing is a well-formed 0.
    expectWellFormed(
      figures.filter((figure) => figure.id !== 'inapp.missing'),
      'inapp',
    );
    const { inapp } = details;
    expect(inapp.clients).toBe(options.inappClients);
    expect(inapp.latency).toMatchObject({ clients: options.inappClients, received: options.inappClients, missing: 0, duplicates: 0 });
    expect(valueOf(figures, 'inapp.missing')).toBe(0);
    expect(inapp.latency.p95Ms).toBeGreaterThanOrEqual(inapp.latency.p50Ms);
    // Each client got its notification, an unread count and, after its ping, a pong: and nothing else.
    expect(inapp.frameCounts).toEqual({ notification: options.inappClients, unread: options.inappClients, pong: options.inappClients });
    // Every session was metered: its authorizer, $connect, one $default (the ping), $disconnect, and the sender wrote for each message.
    const { lambda, dynamodb } = inapp.cost.metered;
    for (const fn of ['wsAuthorizer', 'wsConnect', 'wsDefault', 'wsDisconnect'] as const) expect(lambda[fn].invocations, fn).toBe(options.inappClients);
    expect(Object.keys(dynamodb.calls).some((call) => call.startsWith('sendInapp:'))).toBe(true);
    expect(inapp.cost.framesPerMessage).toBe(2);
    expect(valueOf(figures, 'inapp.dollarsPerMillion')).toBeCloseTo(inapp.cost.dollarsPerMillion.total, 12);
  });

  it('soaks a campaign end to end, counting distinct msgIds and sampling every process', { timeout: 180_000 }, async () => {
    const { figures, details } = await sections.soakSection(endpoints, options);
    expectWellFormed(
      figures.filter((figure) => figure.id !== 'soak.duplicates'),
      'soak',
    );
    const { soak } = details;
    expect(soak.distinctSent).toBe(options.soakAudience);
    expect(soak.duplicateMsgIds).toBe(0);
    expect(valueOf(figures, 'soak.duplicates')).toBe(0);
    expect(soak.providerRequests).toBeGreaterThanOrEqual(soak.distinctSent);
    // This process is sampled; the shared DynamoDB Local, started by the test setup, has no pid here and no figure.
    expect(soak.rss[0]?.samples).toBeGreaterThan(1);
    expect(valueOf(figures, 'soak.rss.0.peak')).toBe((soak.rss[0]?.peakBytes ?? NaN) / 1024 / 1024);
    expect(figures.some((figure) => figure.id.startsWith('soak.rss.1.'))).toBe(soak.rss[1]?.pid !== undefined);
    // The fake provider runs in a process of its own, started by the soak: always sampled.
    const provider = soak.rss.findIndex((series) => series.process === 'fake provider');
    expect(soak.rss[provider]?.samples).toBeGreaterThan(1);
    expect(figures.some((figure) => figure.id === `soak.rss.${provider}.peak`)).toBe(true);
  });

  it('measures the admin app it built and its first paint in Chromium', { timeout: 180_000 }, async () => {
    const { figures, details } = await sections.adminSection(endpoints, options);
    expectWellFormed(figures, 'admin');
    const { admin } = details;
    expect(admin.firstPaintMs).toHaveLength(1);
    expect(admin.jsGzipBytes).toBe(admin.files.filter((file) => file.name.endsWith('.js')).reduce((sum, file) => sum + file.gzipBytes, 0));
    expect(admin.jsGzipBytes).toBeLessThan(admin.files.filter((file) => file.name.endsWith('.js')).reduce((sum, file) => sum + file.bytes, 0));
  });

  it('paces a send window over three offsets, a rate-limited campaign and scheduled starts', { timeout: 180_000 }, async () => {
    const { figures, details } = await sections.paceSection(endpoints, options);
    // A start may meet its first provider call in the same millisecond: 0 is a well-formed delay.
    expectWellFormed(
      figures.filter((figure) => figure.id !== 'pace.startDelayMinMs'),
      'pace',
    );
    const { pace } = details;
    expect(pace.window.messages).toBe(options.pace.windowAudience);
    expect(pace.window.zones).toHaveLength(3);
    expect(pace.rate.messages).toBe(options.pace.rateAudience);
    expect(pace.rate.maxPerSecond).toBe(options.pace.maxPerSecond);
    expect(valueOf(figures, 'pace.rateAchievedRatio')).toBeCloseTo(pace.rate.achievedPerSecond / pace.rate.maxPerSecond, 12);
    expect(pace.start.delaysMs).toHaveLength(options.pace.startRuns);
    expect(valueOf(figures, 'pace.startDelayMinMs')).toBe(Math.min(...pace.start.delaysMs));
  });
});
