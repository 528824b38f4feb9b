/**
 * The measurements, each as a function from options to figures and details, so that
 * `npm run bench` (./run.ts) and the smoke test (test/e2e/bench-smoke.test.ts) run the same code.
 */
import { DEFAULT_STREAMS } from '../functions/domain/shards.js';
import { adminFigures, measureAdmin, type AdminRun } from './admin.js';
import { apiFigures, measureApi, type ApiRun } from './api.js';
import { bundleFigures, measureBundles, type BundleMeasure } from './bundles.js';
import { emailCostFigures, measureEmailEvents } from './email-events.js';
import { costFigures, deliveredMessages, fanoutCostFigures, logCostFigures, priceLogs, priceUsage, type CostBreakdown, type LogCost } from './cost.js';
import type { BenchEndpoints, Endpoints } from './emulators.js';
import { fanoutStreamsFigures, measureFanoutStreams, type FanoutStreamsResult } from './fanout-streams.js';
import { measureFanoutMemory, memoryFigures, peakSpread, type FanoutMemoryRun } from './fanout-memory.js';
import type { Figure, Section } from './figures.js';
import type { CallTally } from './meter.js';
import { commandFor, type BenchOptions } from './options.js';
import { inappFigures, measureInapp, type InappRun } from './inapp.js';
import { importFigures, measureImport, type ImportRun } from './import-rate.js';
import { measureNotices, noticeFigures, type NoticeRun } from './notices.js';
import { eventFigures, measureEvents, type EventRun } from './events.js';
import { runPipeline, type PipelineOptions, type PipelineRun } from './pipeline.js';
import { measurePace, paceFigures, type PaceRun } from './pace.js';
import { measureSoak, soakFigures, type SoakRun } from './soak.js';
import { throughputFigures, throughputOf, type Throughput } from './throughput.js';

export interface SectionResult<D> {
  figures: Figure[];
  details: D;
}

/** A pipeline run without its per-invocation list (thousands of entries), for the results file. */
export type PipelineSummary = Omit<PipelineRun, 'usage' | 'requestTimes'> & { calls: CallTally[] };

function summary(run: PipelineRun): PipelineSummary {
  // Every call's arrival is read into the figures (throughput's loss by phase), not stored.
  const { usage, requestTimes: _arrivals, ...rest } = run;
  return { ...rest, calls: usage.calls };
}

export interface CostDetails {
  run: PipelineSummary;
  cost: CostBreakdown;
  /** CloudWatch Logs ingestion for what the functions logged (./log-meter.ts). */
  logs: LogCost;
  /** The same campaign fanned out in one stream. */
  singleStream: { run: PipelineSummary; cost: CostBreakdown };
  /** SES's events of as many e-mails (./email-events.ts), at most EMAIL_EVENTS_MAX. */
  emailEvents: CostBreakdown;
}

/** SES's events are metered on this many e-mails at most: the cost a message is flat past a few pages. */
export const EMAIL_EVENTS_MAX = 2000;

/** The cost campaign is personal: each message renders the client's name, 40 characters long (the size the chunk is held to). */
export const COST_TEMPLATE = 'Hello {{ name }}, the weekend sale starts now';
export const costClientName = (index: number) => `Client ${String(index).padStart(33, '0')}`;

/**
 * How many invocations the cost run lets each queue run at once. Lambda bills an invocation's
 * wall time, and on AWS that time is its own work and waits: each invocation has its own CPU.
 * Here every invocation shares the runtime's one thread, and at the queues' own concurrency
 * (send 10, fan-out 16) that thread is saturated, so each invocation's wall time also holds the
 * others' work. Fewer invocations at once leave the thread room (how late its timers ran is a
 * figure with a target), so the duration priced is one invocation's. The calls priced do not
 * depend on it: the same pages and chunks are read, written and sent.
 */
export const COST_RUN_QUEUES = { send: { maxConcurrency: 2 }, fanout: { maxConcurrency: 2 } };

export async function costSection(endpoints: Endpoints, options: BenchOptions): Promise<SectionResult<CostDetails>> {
  const provider = { latencyMs: options.providerLatencyMs, concurrency: options.providerConcurrency };
  const costRun = async (fanoutStreams: number) => {
    const run = await runPipeline({
      ...endpoints,
      audience: options.n,
      providerLatencyMs: provider.latencyMs,
      providerConcurrency: provider.concurrency,
      text: COST_TEMPLATE,
      name: costClientName,
      runtime: { fanoutStreams },
      queues: COST_RUN_QUEUES,
      meterLogs: true,
    });
    if (!run.logs) throw new Error('the cost run counted no log lines');
    const messages = deliveredMessages(run);
    return { run, cost: priceUsage(run.usage, messages, provider), logs: priceLogs(run.logs, messages) };
  };
  // The settings' stream count, then the same campaign read in one stream: what parallel fan-out adds.
  const { run, cost, logs } = await costRun(DEFAULT_STREAMS);
  const single = await costRun(1);
  const emailEvents = await measureEmailEvents(endpoints, Math.min(options.n, EMAIL_EVENTS_MAX));
  const command = commandFor('cost', options);
  return {
    figures: [
      ...costFigures(cost, run, command),
      ...logCostFigures(logs, cost, command),
      ...fanoutCostFigures(cost, single.cost, DEFAULT_STREAMS, command),
      ...emailCostFigures(emailEvents, cost, command),
    ],
    details: { run: summary(run), cost, logs, singleStream: { run: summary(single.run), cost: single.cost }, emailEvents },
  };
}

export interface ThroughputDetails {
  /** The run at the cost campaign's provider latency (50 ms): here the machine is the bound. */
  run: PipelineSummary;
  throughput: Throughput;
  /** The run with a slow provider (500 ms), where the provider is the bound and the pipeline must keep it busy. */
  atBound: { run: PipelineSummary; throughput: Throughput };
  /** The same 500 ms run with the fan-out held to CONTROL_FANOUT_CONCURRENCY pages at once: how much of the loss is the fan-out's share of the runtime's one thread. */
  contentionControl: { run: PipelineSummary; throughput: Throughput };
}

/** The slow provider of the throughput target: 0.9 of the provider-bound limit at this latency. */
export const BOUND_LATENCY_MS = 500;
export const BOUND_RATIO_TARGET = 0.9;

/**
 * The control run's fan-out concurrency. Locally every function shares one thread: at S = 8
 * the fan-out's eight pages at once kept it 91-99 % busy in the first five seconds of the 500 ms
 * run, and each provider answer waited its turn behind them (calls of 550-590 ms instead of
 * 506, claims of 120-170 ms instead of 22: docs/decisions/014-local-throughput-bound.md). On
 * Lambda each environment has a CPU of its own. Two pages at once still fan out far faster than the 400 msg/s sent.
 */
export const CONTROL_FANOUT_CONCURRENCY = 2;

export async function throughputSection(endpoints: BenchEndpoints, options: BenchOptions): Promise<SectionResult<ThroughputDetails>> {
  const runAt = (providerLatencyMs: number, queues?: PipelineOptions['queues']) =>
    runPipeline({
      ...endpoints,
      audience: options.n,
      providerLatencyMs,
      providerConcurrency: options.providerConcurrency,
      keepRequestTimes: true,
      ...(queues ? { queues } : {}),
    });
  const command = commandFor('throughput', options);
  const slow = await runAt(BOUND_LATENCY_MS);
  const slowThroughput = throughputOf(slow);
  const run = await runAt(options.providerLatencyMs);
  const throughput = throughputOf(run);
  // On a DynamoDB Local of its own, as the first run had: a second campaign on the same one runs slower (emulators.ts).
  if (!options.quick) await endpoints.freshDynamo?.();
  const control = await runAt(BOUND_LATENCY_MS, { fanout: { maxConcurrency: CONTROL_FANOUT_CONCURRENCY } });
  const controlThroughput = throughputOf(control);
  return {
    figures: [
      ...throughputFigures(slowThroughput, slow, command, {
        idPrefix: `throughput.latency${BOUND_LATENCY_MS}`,
        label: `provider at ${BOUND_LATENCY_MS} ms`,
        ratioTarget: BOUND_RATIO_TARGET,
      }),
      ...throughputFigures(throughput, run, command, { label: `provider at ${options.providerLatencyMs} ms` }),
      ...throughputFigures(controlThroughput, control, command, {
        idPrefix: `throughput.latency${BOUND_LATENCY_MS}.fanout${CONTROL_FANOUT_CONCURRENCY}`,
        label: `provider at ${BOUND_LATENCY_MS} ms, control: fan-out ${CONTROL_FANOUT_CONCURRENCY} pages at once`,
      }),
    ],
    details: {
      run: summary(run),
      throughput,
      atBound: { run: summary(slow), throughput: slowThroughput },
      contentionControl: { run: summary(control), throughput: controlThroughput },
    },
  };
}

export interface BundleDetails {
  bundles: BundleMeasure[];
}

export async function bundlesSection(options: BenchOptions): Promise<SectionResult<BundleDetails>> {
  const bundles = await measureBundles({ runs: options.loadRuns });
  return { figures: bundleFigures(bundles, commandFor('bundles', options), options.loadRuns), details: { bundles } };
}

export interface MemoryDetails {
  runs: FanoutMemoryRun[];
  peakRssSpread: number | null;
}

export async function memorySection(endpoints: Endpoints, options: BenchOptions): Promise<SectionResult<MemoryDetails>> {
  const runs = await measureFanoutMemory(endpoints, options.memoryAudiences);
  return { figures: memoryFigures(runs, commandFor('memory', options)), details: { runs, peakRssSpread: runs.length > 1 ? peakSpread(runs) : null } };
}

export interface ApiDetails {
  api: ApiRun;
}

export async function apiSection(endpoints: Endpoints, options: BenchOptions): Promise<SectionResult<ApiDetails>> {
  const api = await measureApi(endpoints, {
    seconds: options.apiSeconds,
    connections: options.apiConnections,
    statsAudience: options.statsAudience,
    statsCampaigns: options.statsCampaigns,
  });
  return { figures: apiFigures(api, commandFor('api', options)), details: { api } };
}

export interface PaceDetails {
  pace: PaceRun;
}

export async function paceSection(endpoints: Endpoints, options: BenchOptions): Promise<SectionResult<PaceDetails>> {
  const pace = await measurePace({
    ...endpoints,
    ...options.pace,
    providerLatencyMs: options.providerLatencyMs,
    providerConcurrency: options.providerConcurrency,
  });
  return { figures: paceFigures(pace, commandFor('pace', options)), details: { pace } };
}

export interface SoakDetails {
  soak: SoakRun;
}

export async function soakSection(endpoints: BenchEndpoints, options: BenchOptions): Promise<SectionResult<SoakDetails>> {
  const soak = await measureSoak(endpoints, {
    audience: options.soakAudience,
    providerLatencyMs: options.providerLatencyMs,
    providerConcurrency: options.providerConcurrency,
  });
  return { figures: soakFigures(soak, commandFor('soak', options)), details: { soak } };
}

export async function noticesSection(endpoints: Endpoints, options: BenchOptions): Promise<SectionResult<{ notices: NoticeRun }>> {
  const notices = await measureNotices(endpoints, { notices: options.quick ? 20 : 200, concurrency: 4 });
  return { figures: noticeFigures(notices, commandFor('notices', options)), details: { notices } };
}

export async function eventsSection(endpoints: Endpoints, options: BenchOptions): Promise<SectionResult<{ events: EventRun }>> {
  const events = await measureEvents(endpoints, { events: options.quick ? 20 : 100, concurrency: 4 });
  return { figures: eventFigures(events, commandFor('events', options)), details: { events } };
}

export async function importSection(endpoints: Endpoints, options: BenchOptions): Promise<SectionResult<{ import: ImportRun }>> {
  const run = await measureImport(endpoints, { rows: options.importRows });
  return { figures: importFigures(run, commandFor('import', options)), details: { import: run } };
}

export interface AdminDetails {
  admin: AdminRun;
}

export async function adminSection(endpoints: Endpoints, options: BenchOptions): Promise<SectionResult<AdminDetails>> {
  const admin = await measureAdmin(endpoints, options.quick ? { loads: 1, campaigns: 3 } : {});
  return { figures: adminFigures(admin, commandFor('admin', options)), details: { admin } };
}

export interface FanoutDetails {
  fanout: FanoutStreamsResult;
}

/** Parallel fan-out: the same audience fanned out with each stream count, under AWS-like call latency. */
export async function fanoutSection(endpoints: Endpoints, options: BenchOptions): Promise<SectionResult<FanoutDetails>> {
  const fanout = await measureFanoutStreams(endpoints, {
    audience: options.fanoutAudience,
    streams: options.fanoutStreams,
    dynamoLatencyMs: 8,
    sqsLatencyMs: 15,
  });
  return { figures: fanoutStreamsFigures(fanout, commandFor('fanout', options)), details: { fanout } };
}

export interface InappDetails {
  inapp: InappRun;
}

/** An in-app campaign to WebSocket clients connected to the local runtime: latency to each frame, none missing, and its cost per million. */
export async function inappSection(endpoints: Endpoints, options: BenchOptions): Promise<SectionResult<InappDetails>> {
  const inapp = await measureInapp(endpoints, { clients: options.inappClients });
  return { figures: inappFigures(inapp, commandFor('inapp', options)), details: { inapp } };
}

export function runSection(section: Section, endpoints: BenchEndpoints, options: BenchOptions): Promise<SectionResult<unknown>> {
  switch (section) {
    case 'cost':
      return costSection(endpoints, options);
    case 'bundles':
      return bundlesSection(options);
    case 'memory':
      return memorySection(endpoints, options);
    case 'throughput':
      return throughputSection(endpoints, options);
    case 'api':
      return apiSection(endpoints, options);
    case 'pace':
      return paceSection(endpoints, options);
    case 'soak':
      return soakSection(endpoints, options);
    case 'notices':
      return noticesSection(endpoints, options);
    case 'events':
      return eventsSection(endpoints, options);
    case 'import':
      return importSection(endpoints, options);
    case 'admin':
      return adminSection(endpoints, options);
    case 'fanout':
      return fanoutSection(endpoints, options);
    case 'inapp':
      return inappSection(endpoints, options);
  }
}
