/**
 * One campaign through the local runtime, as a user runs it: N clients in the directory, a
 * campaign created over HTTP that starts at once, then the fan-out and send functions driven
 * by the runtime's pollers against DynamoDB Local, the SQS emulator and the fake provider.
 * The meter is reset right before the campaign is created, so what it holds afterwards is
 * the delivery pipeline's work alone (seeding the directory is not part of a message's cost).
 */
import { randomBytes } from 'node:crypto';
import { queues as queueDefinitions, type QueueDefinition, type QueueName } from '../functions/definitions/queues.js';
import { tables } from '../functions/definitions/tables.js';
import { stores, systemClock } from '../functions/handlers/wiring.js';
import type { Campaign } from '../functions/domain/campaigns.js';
import { totalOf, type Counts } from '../functions/domain/messages.js';
import { startLocalRuntime, type LocalRuntimeOptions } from '../local/runtime.js';
import type { Endpoints } from './emulators.js';
import { handlerClientsMeter, type MeterSnapshot } from './meter.js';
import { watchHost, type HostUsage } from './host.js';
import { meterLogs, type LogUsage } from './log-meter.js';
import { startProviderProcess, type ProviderProcess } from './service-process.js';
import { benchDocumentClient, seedClients } from './seed.js';

export interface PipelineOptions extends Endpoints {
  audience: number;
  providerLatencyMs: number;
  providerConcurrency: number;
  /** Queue settings the runtime should use instead of the definitions (e.g. one send invocation at a time). */
  queues?: Partial<Record<QueueName, Partial<QueueDefinition>>>;
  timeoutMs?: number;
  /** The campaign's text (a template); the clients get names when it reads them. */
  text?: string;
  name?: (index: number) => string;
  /** Each client's zone. */
  timezone?: (index: number) => string;
  /** More campaign fields (sendWindow, maxPerSecond). */
  campaign?: Record<string, unknown>;
  /** The campaign starts this long after its creation (scheduled) instead of at once. */
  startInMs?: number;
  /** More runtime settings (start timing, the scheduler's jitter). */
  runtime?: Partial<LocalRuntimeOptions>;
  /** Keep the arrival time of every provider call in the run (`requestTimes`). */
  keepRequestTimes?: boolean;
  /** DynamoDB Local's and the SQS emulator's processes, when the bench started them: their CPU use is reported in `host`. */
  dynamoPid?: number | undefined;
  sqsPid?: number | undefined;
  /** A fake provider already running in its own process (the soak samples its memory); one is started otherwise. */
  provider?: ProviderProcess;
  /** Count the log lines the functions would write on AWS (`logs`; ./log-meter.ts). */
  meterLogs?: boolean;
}

export interface PipelineRun {
  audience: number;
  campaignId: string;
  counts: Counts;
  /** Epoch ms right before POST /campaigns. */
  createdAt: number;
  /** Epoch ms when the first provider call arrived. */
  firstRequestAt: number;
  /** Epoch ms of the campaign's startAt. */
  startAt: number;
  /** Arrival of each provider call, epoch ms, in order (with `keepRequestTimes`). */
  requestTimes?: number[];
  /** Epoch ms when the provider answered the last message it accepted (its arrival + the fixed latency). */
  lastSentAt: number;
  providerRequests: number;
  providerAccepted: number;
  /** Distinct msgIds among the accepted calls, and how many msgIds were accepted more than once. */
  distinctAccepted: number;
  duplicateAcceptedMsgIds: number;
  /** What the machine gave the run from the campaign's creation to its delivery (./host.ts). */
  host: HostUsage;
  /** The most provider calls in flight at once, as the fake provider saw them. */
  providerMaxInFlight: number;
  providerLatencyMs: number;
  providerConcurrency: number;
  send: { maxConcurrency: number; batchSize: number };
  fanout: { maxConcurrency: number };
  seedMs: number;
  /** AWS calls and invocations from the campaign's creation to the runtime's stop. */
  usage: MeterSnapshot;
  /** What the functions logged over the same span (with `meterLogs`). */
  logs?: LogUsage;
}

const BENCH_TAG = 'bench';

/** Reads the campaign until every one of its `audience` messages is final and the campaign finished. */
export async function waitForDelivery(read: () => Promise<Campaign | undefined>, audience: number, timeoutMs: number): Promise<Campaign> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const campaign = await read();
    if (campaign && campaign.status === 'finished' && campaign.counts.queued === 0 && totalOf(campaign.counts) === audience) return campaign;
    if (Date.now() > deadline) throw new Error(`campaign not delivered within ${timeoutMs} ms: ${JSON.stringify(campaign?.counts)} status ${campaign?.status}`);
    await new Promise((wake) => setTimeout(wake, 200));
  }
}

/** POST /campaigns for the clients with `tag`, starting at `now`; returns the campaign's id. */
export const BENCH_TEXT = 'Herald bench: the weekend sale starts now';

export async function createCampaign(apiUrl: string, tag: string, now = Date.now(), text = BENCH_TEXT, extra: Record<string, unknown> = {}): Promise<string> {
  const response = await fetch(`${apiUrl}/campaigns`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      text,
      startAt: new Date(now).toISOString(),
      endAt: new Date(now + 3_600_000).toISOString(),
      filter: { tags: [tag] },
      ...extra,
    }),
  });
  const created = (await response.json()) as { id?: string };
  if (response.status !== 201 || !created.id) throw new Error(`POST /campaigns answered ${response.status}: ${JSON.stringify(created)}`);
  return created.id;
}

export async function runPipeline(options: PipelineOptions): Promise<PipelineRun> {
  const meter = await handlerClientsMeter();
  // In a process of its own, as the real provider is remote: in the runtime's process its
  // timers and HTTP parsing would share the senders' event loop and stretch every call.
  const provider = options.provider ?? (await startProviderProcess({ latencyMs: options.providerLatencyMs }));
  const runtime = await startLocalRuntime({
    port: 0,
    dynamoEndpoint: options.dynamoEndpoint,
    sqsEndpoint: options.sqsEndpoint,
    suffix: `bench${randomBytes(3).toString('hex')}`,
    provider: { url: provider.url, token: provider.token },
    providerConcurrency: options.providerConcurrency,
    ...(options.queues ? { queues: options.queues } : {}),
    instrument: meter.instrument,
    ...options.runtime,
  });
  const db = benchDocumentClient(options.dynamoEndpoint);
  let logMeter: ReturnType<typeof meterLogs> | undefined;
  try {
    const seedStarted = Date.now();
    await seedClients(db, {
      table: runtime.tableNames.clients,
      count: options.audience,
      tag: BENCH_TAG,
      ...(options.name ? { name: options.name } : {}),
      ...(options.timezone ? { timezone: options.timezone } : {}),
    });
    const seedMs = Date.now() - seedStarted;
    const tablesEnv = Object.fromEntries(Object.values(tables).map((table) => [table.envVar, runtime.tableNames[table.name]])) as Parameters<typeof stores>[0];
    const benchStores = stores(tablesEnv, systemClock, db);

    await provider.reset();
    meter.reset();
    logMeter = options.meterLogs ? meterLogs() : undefined;
    const host = watchHost({ dynamo: options.dynamoPid, provider: provider.pid, sqs: options.sqsPid });
    const createdAt = Date.now();
    const startAt = createdAt + (options.startInMs ?? 0);
    const campaignId = await createCampaign(runtime.url, BENCH_TAG, startAt, options.text, options.campaign);
    const timeoutMs = (options.timeoutMs ?? Math.max(120_000, options.audience * 20)) + (options.startInMs ?? 0);
    const delivered = await waitForDelivery(() => benchStores.campaigns.get(campaignId), options.audience, timeoutMs);
    const hostUsage = host.stop();

    const requests = await provider.requests();
    const accepted = requests.filter((request) => request.outcome === 'ok');
    const lastArrival = accepted.reduce((latest, request) => Math.max(latest, request.receivedAt), 0);
    const firstRequestAt = requests.reduce((first, request) => Math.min(first, request.receivedAt), Number.POSITIVE_INFINITY);
    const acceptances = new Map<number, number>();
    for (const request of accepted) acceptances.set(request.msgId as number, (acceptances.get(request.msgId as number) ?? 0) + 1);
    const providerMaxInFlight = await provider.maxInFlight();
    // A graceful stop: the pollers delete what they processed before it resolves, so those calls are counted.
    await runtime.stop();
    const usage = meter.snapshot();
    const logs = logMeter?.stop(usage.invocations.length);
    const sendQueue = { ...queueDefinitions.send, ...options.queues?.send };
    const fanoutQueue = { ...queueDefinitions.fanout, ...options.queues?.fanout };
    return {
      audience: options.audience,
      campaignId,
      counts: delivered.counts,
      createdAt,
      firstRequestAt,
      startAt,
      ...(options.keepRequestTimes ? { requestTimes: requests.map((request) => request.receivedAt).sort((a, b) => a - b) } : {}),
      lastSentAt: lastArrival + options.providerLatencyMs,
      providerRequests: requests.length,
      providerAccepted: accepted.length,
      distinctAccepted: acceptances.size,
      duplicateAcceptedMsgIds: [...acceptances.values()].filter((count) => count > 1).length,
      providerMaxInFlight,
      host: hostUsage,
      providerLatencyMs: options.providerLatencyMs,
      providerConcurrency: options.providerConcurrency,
      send: { maxConcurrency: sendQueue.maxConcurrency, batchSize: sendQueue.batchSize },
      fanout: { maxConcurrency: fanoutQueue.maxConcurrency },
      seedMs,
      usage,
      ...(logs ? { logs } : {}),
    };
  } finally {
    logMeter?.stop(0);
    await runtime.stop();
    if (!options.provider) await provider.stop();
    db.destroy();
  }
}
