/**
 * In-app campaigns in real time: end users connected over the local WebSocket
 * (`ws://127.0.0.1:{port}/ws?token=...`, each with a token from POST /clients/{id}/inbox-token,
 * held by ./inapp-clients-child.ts in a process of its own), an in-app campaign to all of them,
 * and the time from the campaign's start to each client's `notification` frame. The run is
 * metered as the cost section's is (./meter.ts), and priced per million in-app messages with
 * what only the WebSocket API bills: messages and connection minutes.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpus, loadavg } from 'node:os';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { tables } from '../functions/definitions/tables.js';
import { stores, systemClock } from '../functions/handlers/wiring.js';
import { startLocalRuntime } from '../local/runtime.js';
import { priceUsage, type CostBreakdown } from './cost.js';
import type { Endpoints } from './emulators.js';
import { figure, type Figure } from './figures.js';
import type { InappClientsLine, InappClientsRequest } from './inapp-clients-child.js';
import { handlerClientsMeter, type MeterSnapshot } from './meter.js';
import { createCampaign, waitForDelivery } from './pipeline.js';
import { prices } from './prices.js';
import { benchDocumentClient, seedClients } from './seed.js';

/** The targets: every frame within 2 s (p95) of the campaign's start, and none missing. */
export const INAPP_P95_TARGET_MS = 2000;
export const INAPP_MISSING_TARGET = 0;

/**
 * What the cost per million in-app messages assumes beyond what the run measures. Each message
 * is received during a session of its own: the app connects ($connect authorizer and handler),
 * stays connected `connectedMinutesPerMessage`, pinging every `pingIntervalMinutes` as
 * `<herald-inbox>` does (web/inbox/src/state.ts PING_INTERVAL_MS: 5 minutes) and disconnects.
 * A session that receives several messages costs less per message; a tab left open all day more.
 */
export const INAPP_COST_ASSUMPTIONS = { connectedMinutesPerMessage: 60, pingIntervalMinutes: 5 };
export type InappCostAssumptions = typeof INAPP_COST_ASSUMPTIONS;

/**
 * The clients ping one after another, this far apart: a thousand $default invocations in the
 * same instant would each be billed the others' wait for the runtime's one thread.
 */
const PING_GAP_MS = 10;

const TAG = 'inappbench';
const TITLE = 'Weekend sale';
const TEXT = 'Hello {{ name }}, the weekend sale starts now';

/** One frame a client received. */
export interface ReceivedFrame {
  client: number;
  type: string;
  at: number;
  itemId?: string;
}

export interface InappLatency {
  clients: number;
  /** Clients with at least one notification frame. */
  received: number;
  missing: number;
  /** Notification frames beyond each client's first. */
  duplicates: number;
  p50Ms: number;
  p95Ms: number;
  maxMs: number;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}

/** From the campaign's start to each client's first notification frame; a client without one is missing. */
export function inappLatency(startAt: number, clients: number, frames: ReceivedFrame[]): InappLatency {
  const first = new Map<number, number>();
  let notifications = 0;
  for (const frame of frames) {
    if (frame.type !== 'notification') continue;
    notifications += 1;
    first.set(frame.client, Math.min(first.get(frame.client) ?? Number.POSITIVE_INFINITY, frame.at));
  }
  const latencies = [...first.values()].map((at) => at - startAt).sort((a, b) => a - b);
  return {
    clients,
    received: first.size,
    missing: clients - first.size,
    duplicates: notifications - first.size,
    p50Ms: percentile(latencies, 50),
    p95Ms: percentile(latencies, 95),
    maxMs: latencies.at(-1) ?? NaN,
  };
}

export interface InappCost {
  messages: number;
  /** The run's metered calls and invocations: fan-out, the in-app sender, the sessions' $connect and $disconnect, one ping each. */
  metered: CostBreakdown;
  /** Frames the sender posted per message, as the clients received them (notification and unread). */
  framesPerMessage: number;
  pingsPerMessage: number;
  /** WebSocket messages billed per in-app message: the frames, and each ping in and its pong out. */
  websocketMessagesPerMessage: number;
  assumptions: InappCostAssumptions;
  dollarsPerMillion: {
    /** Lambda, SQS and DynamoDB of the run, without its one ping per session. */
    delivery: number;
    /** The pings' $default invocations, as many as the assumptions give. */
    pings: number;
    websocketMessages: number;
    connectionMinutes: number;
    total: number;
    /** Of the total, Lambda's billed duration: this machine's wall time, the part AWS would not repeat. */
    lambdaDuration: number;
  };
}

/**
 * Prices the metered run (one message and one session per client, one ping each) per million
 * in-app messages, with the pings and connection minutes the assumptions give.
 */
export function priceInapp(
  usage: MeterSnapshot,
  latency: InappLatency,
  frames: ReceivedFrame[],
  assumptions: InappCostAssumptions = INAPP_COST_ASSUMPTIONS,
): InappCost {
  const messages = latency.received;
  if (messages === 0) throw new Error('no in-app message arrived: nothing to price');
  const metered = priceUsage(usage, messages, { latencyMs: 0, concurrency: 1 });
  const perMillion = (dollars: number) => (dollars / messages) * 1_000_000;
  const ping = metered.lambda.wsDefault;
  const pingDuration = ping.gbSeconds * prices.lambda.perGbSecondArm64;
  const pingDollars = (ping.invocations / 1e6) * prices.lambda.perMillionRequests + pingDuration;
  // Each ping's $default invocation as measured (its mean), times the pings a session makes.
  const perPing = ping.invocations ? pingDollars / ping.invocations : (1 / 1e6) * prices.lambda.perMillionRequests;
  const perPingDuration = ping.invocations ? pingDuration / ping.invocations : 0;
  const pingsPerMessage = assumptions.connectedMinutesPerMessage / assumptions.pingIntervalMinutes;
  const framesPerMessage = frames.filter((frame) => frame.type === 'notification' || frame.type === 'unread').length / messages;
  const websocketMessagesPerMessage = framesPerMessage + 2 * pingsPerMessage;
  const delivery = perMillion(metered.dollars.total - pingDollars);
  const pings = pingsPerMessage * perPing * 1_000_000;
  const websocketMessages = websocketMessagesPerMessage * prices.apiGatewayWebSocket.perMillionMessages;
  const connectionMinutes = assumptions.connectedMinutesPerMessage * prices.apiGatewayWebSocket.perMillionConnectionMinutes;
  const lambdaDuration = perMillion(metered.dollars.lambdaDuration - pingDuration) + pingsPerMessage * perPingDuration * 1_000_000;
  return {
    messages,
    metered,
    framesPerMessage,
    pingsPerMessage,
    websocketMessagesPerMessage,
    assumptions,
    dollarsPerMillion: {
      delivery,
      pings,
      websocketMessages,
      connectionMinutes,
      total: delivery + pings + websocketMessages + connectionMinutes,
      lambdaDuration,
    },
  };
}

export interface InappRun {
  clients: number;
  campaignId: string;
  /** Epoch ms of the campaign's startAt (right before its POST). */
  startAt: number;
  connectMs: number;
  /** The machine's one-minute load average before the clients connected and after the campaign: the engines share its cores. */
  loadAverage: { before: number; after: number };
  latency: InappLatency;
  cost: InappCost;
  frameCounts: Record<string, number>;
}

interface ClientsProcess {
  frames: ReceivedFrame[];
  ping(): void;
  stop(): Promise<void>;
}

const childScript = fileURLToPath(new URL('./inapp-clients-child.ts', import.meta.url));

/** Connects every client (resolves once all are open) in a process of its own. */
async function startClients(request: InappClientsRequest): Promise<ClientsProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', childScript], { stdio: ['pipe', 'pipe', 'inherit'] });
  child.stdin.write(`${JSON.stringify(request)}\n`);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const frames: ReceivedFrame[] = [];
  await new Promise<void>((resolve, reject) => {
    createInterface({ input: child.stdout }).on('line', (text) => {
      const line = JSON.parse(text) as InappClientsLine;
      if ('ready' in line) resolve();
      else if ('error' in line) reject(new Error(`the WebSocket clients could not connect: ${line.error}`));
      else frames.push({ client: line.frame, type: line.type, at: line.at, ...(line.itemId ? { itemId: line.itemId } : {}) });
    });
    child.once('exit', (code) => reject(new Error(`the WebSocket clients' process exited with ${code} before they connected`)));
  });
  return {
    frames,
    ping: () => child.stdin.write('ping\n'),
    stop: async () => {
      child.stdin.end();
      const killer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(killer);
    },
  };
}

async function until(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition() && Date.now() < deadline) await new Promise((wake) => setTimeout(wake, 50));
}

export async function measureInapp(endpoints: Endpoints, options: { clients: number }): Promise<InappRun> {
  const meter = await handlerClientsMeter();
  const runtime = await startLocalRuntime({
    port: 0,
    ...endpoints,
    suffix: `inappbench${randomBytes(3).toString('hex')}`,
    instrument: meter.instrument,
  });
  const db = benchDocumentClient(endpoints.dynamoEndpoint);
  let clients: ClientsProcess | undefined;
  try {
    const ids = await seedClients(db, { table: runtime.tableNames.clients, count: options.clients, tag: TAG, name: (i) => `Client ${i}` });
    const tokens: string[] = [];
    let next = 0;
    const tokenWorker = async () => {
      while (next < ids.length) {
        const index = next++;
        const response = await fetch(`${runtime.url}/clients/${ids[index]}/inbox-token`, { method: 'POST' });
        const body = (await response.json()) as { token?: string };
        if (response.status !== 201 || !body.token) throw new Error(`POST /clients/{id}/inbox-token answered ${response.status}: ${JSON.stringify(body)}`);
        tokens[index] = body.token;
      }
    };
    await Promise.all(Array.from({ length: 8 }, tokenWorker));

    // Everything from the first connection on is metered: a session per message.
    meter.reset();
    const loadBefore = loadavg()[0] as number;
    const connectStarted = Date.now();
    clients = await startClients({ url: runtime.websocketUrl, tokens, concurrency: 20, pingGapMs: PING_GAP_MS });
    const connectMs = Date.now() - connectStarted;

    const tablesEnv = Object.fromEntries(Object.values(tables).map((table) => [table.envVar, runtime.tableNames[table.name]])) as Parameters<typeof stores>[0];
    const benchStores = stores(tablesEnv, systemClock, db);
    const startAt = Date.now();
    const campaignId = await createCampaign(runtime.url, TAG, startAt, TEXT, { channel: 'inapp', title: TITLE });
    await waitForDelivery(() => benchStores.campaigns.get(campaignId), options.clients, Math.max(120_000, options.clients * 500));
    // Frames follow the inbox item's write at once; a frame still missing 15 s after the last write is counted missing.
    const frames = clients.frames;
    const arrived = (type: string) => new Set(frames.filter((frame) => frame.type === type).map((frame) => frame.client)).size;
    await until(() => arrived('notification') === options.clients && arrived('unread') === options.clients, 15_000);
    const latency = inappLatency(startAt, options.clients, frames);
    const loadAverage = { before: loadBefore, after: loadavg()[0] as number };
    // Sessions ping (their $default invocation is priced) and then end (their $disconnect is).
    clients.ping();
    await until(() => arrived('pong') === options.clients, 60_000 + options.clients * PING_GAP_MS);
    await clients.stop();
    clients = undefined;
    const disconnects = () => meter.snapshot().invocations.filter((invocation) => invocation.fn === 'wsDisconnect').length;
    await until(() => disconnects() >= options.clients, 30_000);
    const usage = meter.snapshot();
    const frameCounts: Record<string, number> = {};
    for (const frame of frames) frameCounts[frame.type] = (frameCounts[frame.type] ?? 0) + 1;
    return { clients: options.clients, campaignId, startAt, connectMs, loadAverage, latency, cost: priceInapp(usage, latency, frames), frameCounts };
  } finally {
    await clients?.stop();
    await runtime.stop();
    db.destroy();
  }
}

export function inappFigures(run: InappRun, command: string): Figure[] {
  const { latency, cost } = run;
  const d = cost.dollarsPerMillion;
  const { connectedMinutesPerMessage, pingIntervalMinutes } = cost.assumptions;
  const share = (part: number) => `${Math.round((part / d.total) * 100)} % of the total`;
  return [
    figure({
      id: 'inapp.p95StartToFrameMs',
      section: 'inapp',
      figure: 'in-app campaign: start to notification frame, p95',
      value: latency.p95Ms,
      unit: 'ms',
      target: { op: '<=', limit: INAPP_P95_TARGET_MS },
      command,
      note: `${run.clients} WebSocket clients connected locally (${(run.connectMs / 1000).toFixed(1)} s to connect), in a process of their own; p50 ${latency.p50Ms} ms, max ${latency.maxMs} ms; load average ${run.loadAverage.before.toFixed(1)} before, ${run.loadAverage.after.toFixed(1)} after, on ${cpus().length} cores`,
    }),
    figure({
      id: 'inapp.missing',
      section: 'inapp',
      figure: 'in-app campaign: clients without their notification frame',
      value: latency.missing,
      unit: 'clients',
      target: { op: '<=', limit: INAPP_MISSING_TARGET },
      command,
      note: `${latency.received} of ${latency.clients} received it; ${latency.duplicates} duplicate notification frames; frames received: ${Object.entries(
        run.frameCounts,
      )
        .map(([type, count]) => `${type} ${count}`)
        .join(', ')}`,
    }),
    figure({
      id: 'inapp.dollarsPerMillion',
      section: 'inapp',
      figure: 'AWS cost per million in-app messages',
      value: d.total,
      unit: '$',
      command,
      note: `${prices.region} list prices of ${prices.asOf}; assumes each message is received in a session of its own (authorizer, $connect, $disconnect) connected ${connectedMinutesPerMessage} minutes with a ping every ${pingIntervalMinutes} minutes; Lambda duration is this machine's wall time ($${d.lambdaDuration.toFixed(2)} of it; without it $${(d.total - d.lambdaDuration).toFixed(2)})`,
    }),
    figure({
      id: 'inapp.deliveryPerMillion',
      section: 'inapp',
      figure: '  of which Lambda, SQS and DynamoDB',
      value: d.delivery,
      unit: '$',
      command,
      note: `${share(d.delivery)}; measured: fan-out, the in-app sender (inbox item, unread counter, message record), the session's authorizer, $connect and $disconnect; ${cost.metered.perMessage.wru.toFixed(2)} WRU, ${cost.metered.perMessage.sqsRequests.toFixed(2)} SQS requests and ${cost.metered.perMessage.invocations.toFixed(2)} invocations a message`,
    }),
    figure({
      id: 'inapp.pingsPerMillion',
      section: 'inapp',
      figure: "  of which the pings' $default invocations",
      value: d.pings,
      unit: '$',
      command,
      note: `${share(d.pings)}; ${cost.pingsPerMessage.toFixed(1)} pings a message, each priced as the run's measured $default invocation`,
    }),
    figure({
      id: 'inapp.websocketMessagesPerMillion',
      section: 'inapp',
      figure: '  of which API Gateway WebSocket messages',
      value: d.websocketMessages,
      unit: '$',
      command,
      note: `${share(d.websocketMessages)}; ${cost.websocketMessagesPerMessage.toFixed(1)} messages per in-app message at $${prices.apiGatewayWebSocket.perMillionMessages}/M (32 KB units): ${cost.framesPerMessage.toFixed(2)} frames posted (notification, unread) measured, and ${cost.pingsPerMessage.toFixed(1)} pings in and pongs out`,
    }),
    figure({
      id: 'inapp.connectionMinutesPerMillion',
      section: 'inapp',
      figure: '  of which API Gateway connection minutes',
      value: d.connectionMinutes,
      unit: '$',
      command,
      note: `${share(d.connectionMinutes)}; ${connectedMinutesPerMessage} connection minutes a message at $${prices.apiGatewayWebSocket.perMillionConnectionMinutes}/M`,
    }),
  ];
}
