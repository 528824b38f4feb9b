/**
 * Cost per million delivered messages: the calls the pipeline made, priced at list prices.
 *
 * Priced: every DynamoDB and SQS call a function made, the event source mapping's receives
 * that returned messages and its deletes, every Lambda invocation and its billed duration
 * (each rounded up to 1 ms, times the function's memory from functionSettings). Not priced:
 * the local runtime's own calls (local scheduler, recovery), and receives that came back
 * empty, which Lambda's pollers make whether or not anything is sent (a fixed cost per
 * queue, reported apart). The campaign starts at once, so EventBridge Scheduler is not
 * invoked; a campaign that starts later adds one invocation per campaign, not per message.
 */
import { functionSettings, type FunctionName } from '../functions/definitions/functions.js';
import { CHUNK_SIZE } from '../functions/domain/messages.js';
import { figure, type Figure } from './figures.js';
import { hostNote } from './host.js';
import type { Invocation, MeterSnapshot } from './meter.js';
import type { LogUsage } from './log-meter.js';
import type { PipelineRun } from './pipeline.js';
import { prices, type Prices } from './prices.js';

/**
 * The mean timer delay under which the cost run's invocations barely wait for the runtime's one
 * thread: under half the provider's 50 ms per call. At the queues' own concurrency it is near 180 ms.
 */
export const LOOP_DELAY_LIMIT_MS = 20;

const FUNCTIONS = Object.keys(functionSettings) as FunctionName[];
const perMillion = (dollars: number, messages: number) => (dollars / messages) * 1_000_000;

export interface Dollars {
  dynamodbWrites: number;
  dynamodbReads: number;
  sqs: number;
  lambdaRequests: number;
  lambdaDuration: number;
  scheduler: number;
  total: number;
}

export interface FunctionUsage {
  invocations: number;
  billedMs: number;
  meanMs: number;
  memoryMb: number;
  gbSeconds: number;
}

export interface CostBreakdown {
  messages: number;
  dynamodb: { wru: number; rru: number; estimatedWru: number; calls: Record<string, number> };
  sqs: { standardRequests: number; fifoRequests: number; calls: Record<string, number>; emptyReceives: number };
  lambda: Record<FunctionName, FunctionUsage>;
  schedulerInvocations: number;
  /** Calls the local runtime made for itself (not priced). */
  localOnlyCalls: number;
  perMessage: { wru: number; rru: number; sqsRequests: number; invocations: number };
  dollars: Dollars;
  dollarsPerMillion: Dollars;
  /** The send function's time, and how much of it the provider's latency alone accounts for. */
  send: { meanMs: number; providerFloorMeanMs: number; waitShare: number };
  prices: Prices;
}

function functionUsage(invocations: Invocation[], fn: FunctionName): FunctionUsage {
  const mine = invocations.filter((invocation) => invocation.fn === fn);
  const billedMs = mine.reduce((sum, invocation) => sum + Math.max(1, Math.ceil(invocation.durationMs)), 0);
  const memoryMb = functionSettings[fn].memoryMb;
  return {
    invocations: mine.length,
    billedMs,
    meanMs: mine.length ? mine.reduce((sum, invocation) => sum + invocation.durationMs, 0) / mine.length : 0,
    memoryMb,
    gbSeconds: (billedMs / 1000) * (memoryMb / 1024),
  };
}

function add(record: Record<string, number>, key: string, value: number): void {
  record[key] = (record[key] ?? 0) + value;
}

/** Prices one run's metered usage; `messages` is the number delivered. */
export function priceUsage(usage: MeterSnapshot, messages: number, provider: { latencyMs: number; concurrency: number }): CostBreakdown {
  const priced = usage.calls.filter((call) => call.caller !== 'localOnly');
  const dynamo = { wru: 0, rru: 0, estimatedWru: 0, calls: {} as Record<string, number> };
  const sqs = { standardRequests: 0, fifoRequests: 0, calls: {} as Record<string, number>, emptyReceives: 0 };
  for (const call of priced) {
    if (call.service === 'dynamodb') {
      dynamo.wru += call.wru;
      dynamo.rru += call.rru;
      dynamo.estimatedWru += call.estimatedWru;
      add(dynamo.calls, `${call.caller}:${call.operation}`, call.calls);
    } else if (call.operation === 'ReceiveMessage:empty') {
      sqs.emptyReceives += call.calls;
    } else {
      if (call.resource.endsWith('.fifo')) sqs.fifoRequests += call.calls;
      else sqs.standardRequests += call.calls;
      add(sqs.calls, `${call.caller}:${call.operation}:${call.resource.endsWith('.fifo') ? 'fifo' : 'standard'}`, call.calls);
    }
  }
  const lambda = Object.fromEntries(FUNCTIONS.map((fn) => [fn, functionUsage(usage.invocations, fn)])) as Record<FunctionName, FunctionUsage>;
  const invocations = FUNCTIONS.reduce((sum, fn) => sum + lambda[fn].invocations, 0);
  const gbSeconds = FUNCTIONS.reduce((sum, fn) => sum + lambda[fn].gbSeconds, 0);
  const schedulerInvocations = 0;

  const dollars: Dollars = {
    dynamodbWrites: (dynamo.wru / 1e6) * prices.dynamodb.perMillionWriteRequestUnits,
    dynamodbReads: (dynamo.rru / 1e6) * prices.dynamodb.perMillionReadRequestUnits,
    sqs: (sqs.standardRequests / 1e6) * prices.sqs.standardPerMillionRequests + (sqs.fifoRequests / 1e6) * prices.sqs.fifoPerMillionRequests,
    lambdaRequests: (invocations / 1e6) * prices.lambda.perMillionRequests,
    lambdaDuration: gbSeconds * prices.lambda.perGbSecondArm64,
    scheduler: (schedulerInvocations / 1e6) * prices.scheduler.perMillionInvocations,
    total: 0,
  };
  dollars.total = dollars.dynamodbWrites + dollars.dynamodbReads + dollars.sqs + dollars.lambdaRequests + dollars.lambdaDuration + dollars.scheduler;
  const dollarsPerMillion = Object.fromEntries(Object.entries(dollars).map(([key, value]) => [key, perMillion(value, messages)])) as unknown as Dollars;

  // The least time a send invocation can take: its messages in rounds of `concurrency`, each round one provider latency.
  const sends = usage.invocations.filter((invocation) => invocation.fn === 'send');
  const floorMs = sends.reduce((sum, invocation) => sum + Math.ceil((invocation.records * CHUNK_SIZE) / provider.concurrency) * provider.latencyMs, 0);
  const sendMs = sends.reduce((sum, invocation) => sum + invocation.durationMs, 0);

  return {
    messages,
    dynamodb: dynamo,
    sqs,
    lambda,
    schedulerInvocations,
    localOnlyCalls: usage.calls.filter((call) => call.caller === 'localOnly').reduce((sum, call) => sum + call.calls, 0),
    perMessage: {
      wru: dynamo.wru / messages,
      rru: dynamo.rru / messages,
      sqsRequests: (sqs.standardRequests + sqs.fifoRequests) / messages,
      invocations: invocations / messages,
    },
    dollars,
    dollarsPerMillion,
    send: {
      meanMs: sends.length ? sendMs / sends.length : 0,
      providerFloorMeanMs: sends.length ? floorMs / sends.length : 0,
      waitShare: sendMs > 0 ? floorMs / sendMs : 0,
    },
    prices,
  };
}

export function deliveredMessages(run: PipelineRun): number {
  return run.counts.sent;
}

export function costFigures(cost: CostBreakdown, run: PipelineRun, command: string): Figure[] {
  const { dollarsPerMillion: d, perMessage } = cost;
  const share = (part: number) => `${Math.round((part / d.total) * 100)} % of the total`;
  const n = cost.messages;
  return [
    figure({
      id: 'cost.dollarsPerMillion',
      section: 'cost',
      figure: 'AWS cost per million delivered messages',
      value: d.total,
      unit: '$',
      // With every feature landed, at most $0.30 a million.
      target: { op: '<=', limit: 0.3 },
      command,
      note: `${n} messages, fake provider ${run.providerLatencyMs} ms; ${prices.region} list prices of ${prices.asOf}; seeding not counted; Lambda duration is this machine's wall time with ${run.send.maxConcurrency} send and ${run.fanout.maxConcurrency} fan-out invocations at once (without it $${countedDollars(d).toFixed(3)})`,
    }),
    figure({
      id: 'cost.runtimeLoopDelayMs',
      section: 'cost',
      figure: "  how late the runtime's timers ran during the cost run",
      value: run.host.eventLoopDelayMeanMs,
      unit: 'ms',
      // Every await of an invocation is this late: above the limit, invocations wait on each other for the one thread (bench/sections.ts).
      target: { op: '<=', limit: LOOP_DELAY_LIMIT_MS },
      command,
      note: `the duration priced is one invocation's own only while the thread has room; ${hostNote(run.host)}`,
    }),
    figure({
      id: 'cost.dynamodbWritesPerMillion',
      section: 'cost',
      figure: '  of which DynamoDB writes',
      value: d.dynamodbWrites,
      unit: '$',
      command,
      note: share(d.dynamodbWrites),
    }),
    figure({
      id: 'cost.dynamodbReadsPerMillion',
      section: 'cost',
      figure: '  of which DynamoDB reads',
      value: d.dynamodbReads,
      unit: '$',
      command,
      note: share(d.dynamodbReads),
    }),
    figure({
      id: 'cost.sqsPerMillion',
      section: 'cost',
      figure: '  of which SQS requests',
      value: d.sqs,
      unit: '$',
      command,
      note: `${share(d.sqs)}; fan-out queue FIFO at $${prices.sqs.fifoPerMillionRequests}/M`,
    }),
    figure({
      id: 'cost.lambdaRequestsPerMillion',
      section: 'cost',
      figure: '  of which Lambda requests',
      value: d.lambdaRequests,
      unit: '$',
      command,
      note: share(d.lambdaRequests),
    }),
    figure({
      id: 'cost.lambdaDurationPerMillion',
      section: 'cost',
      figure: '  of which Lambda duration (arm64)',
      value: d.lambdaDuration,
      unit: '$',
      command,
      note: share(d.lambdaDuration),
    }),
    figure({
      id: 'cost.wruPerMessage',
      section: 'cost',
      figure: 'DynamoDB WRU per message',
      value: perMessage.wru,
      unit: 'WRU',
      // At most 0.42 WRU a message.
      target: { op: '<=', limit: 0.42 },
      command,
      note: 'a `Hello {{ name }}` template, names of 40 characters copied into each chunk',
    }),
    figure({ id: 'cost.rruPerMessage', section: 'cost', figure: 'DynamoDB RRU per message', value: perMessage.rru, unit: 'RRU', command }),
    figure({
      id: 'cost.sqsRequestsPerMessage',
      section: 'cost',
      figure: 'SQS requests per message',
      value: perMessage.sqsRequests,
      unit: 'req',
      command,
      note: `not counting ${cost.sqs.emptyReceives} empty long-poll receives (a fixed cost per queue)`,
    }),
    figure({
      id: 'cost.invocationsPerMessage',
      section: 'cost',
      figure: 'Lambda invocations per message',
      value: perMessage.invocations,
      unit: 'inv',
      command,
    }),
    figure({
      id: 'cost.sendMeanMs',
      section: 'cost',
      figure: 'send Lambda duration per invocation (mean)',
      value: cost.send.meanMs,
      unit: 'ms',
      command,
      note: `${Math.round(cost.send.waitShare * 100)} % of it is the provider's latency alone (${Math.round(cost.send.providerFloorMeanMs)} ms: ${run.send.batchSize} chunks in rounds of ${run.providerConcurrency} calls)`,
    }),
  ];
}

export interface LogCost {
  bytesPerMessage: number;
  linesPerMessage: number;
  dollarsPerMillion: number;
  /** Herald's kinds of line by their share of the bytes, largest first, with the EMF and platform lines among them. */
  shares: { kind: string; bytesPerMessage: number; share: number }[];
}

/** CloudWatch Logs ingestion for what the run logged (a GB taken as 10^9 bytes, the dearer reading). */
export function priceLogs(logs: LogUsage, messages: number): LogCost {
  const kinds = [...Object.entries(logs.byMessage), ['EMF metrics', logs.emf] as const, ['Lambda platform lines (START, END, REPORT)', logs.platform] as const];
  return {
    bytesPerMessage: logs.bytes / messages,
    linesPerMessage: logs.lines / messages,
    dollarsPerMillion: perMillion((logs.bytes / 1e9) * prices.cloudwatchLogs.ingestionPerGb, messages),
    shares: kinds
      .map(([kind, tally]) => ({ kind, bytesPerMessage: tally.bytes / messages, share: logs.bytes ? tally.bytes / logs.bytes : 0 }))
      .sort((a, b) => b.share - a.share),
  };
}

/**
 * The logs beside the cost. The $0.30 target is a figure of the calls the pipeline makes, so CloudWatch Logs is priced apart and added in a total of its own: one line
 * per message is the contract (every line about a message carries its ids: docs/guides/logs.md).
 */
export function logCostFigures(logs: LogCost, cost: CostBreakdown, command: string): Figure[] {
  const parts = logs.shares
    .slice(0, 4)
    .map((part) => `${part.kind} ${part.bytesPerMessage.toFixed(1)} B (${Math.round(part.share * 100)} %)`)
    .join(', ');
  return [
    figure({
      id: 'cost.logsPerMillion',
      section: 'cost',
      figure: 'CloudWatch Logs ingestion per million delivered messages',
      value: logs.dollarsPerMillion,
      unit: '$',
      command,
      note: `${logs.bytesPerMessage.toFixed(0)} bytes and ${logs.linesPerMessage.toFixed(2)} lines a message at the stack's INFO level, $${prices.cloudwatchLogs.ingestionPerGb}/GB ingested (Standard class); ${parts}`,
    }),
    figure({
      id: 'cost.withLogsDollarsPerMillion',
      section: 'cost',
      figure: 'AWS cost per million with CloudWatch Logs',
      value: cost.dollarsPerMillion.total + logs.dollarsPerMillion,
      unit: '$',
      command,
      note: `$${cost.dollarsPerMillion.total.toFixed(3)} of calls and duration and $${logs.dollarsPerMillion.toFixed(3)} of logs`,
    }),
  ];
}

/** What the calls cost, without Lambda duration: the part set by the design rather than by this machine's speed. */
export const countedDollars = (d: Dollars) => d.total - d.lambdaDuration;

/**
 * Parallel fan-out against one stream, the same campaign: the target allows at most 5 % more.
 * The ratio is taken on the counted calls (DynamoDB units, SQS and Lambda requests). Lambda
 * duration is left out of it because here it grows with the streams for a reason AWS does not
 * have: the streams' concurrent fan-out invocations (as many as the cost run lets run at once)
 * queue on DynamoDB Local's share of two cores, so each waits longer, while on AWS a page's time
 * does not depend on the other streams.
 */
export function fanoutCostFigures(parallel: CostBreakdown, single: CostBreakdown, streams: number, command: string): Figure[] {
  const fanoutMs = (cost: CostBreakdown) => Math.round(cost.lambda.fanout.meanMs);
  return [
    figure({
      id: 'cost.singleStreamDollarsPerMillion',
      section: 'cost',
      figure: 'AWS cost per million, fan-out in one stream',
      value: single.dollarsPerMillion.total,
      unit: '$',
      command,
      note: `Lambda duration $${single.dollarsPerMillion.lambdaDuration.toFixed(3)} (S = ${streams}: $${parallel.dollarsPerMillion.lambdaDuration.toFixed(3)}); a fan-out invocation took ${fanoutMs(single)} ms on average (S = ${streams}: ${fanoutMs(parallel)} ms, its streams sharing DynamoDB Local)`,
    }),
    figure({
      id: 'cost.parallelFanoutRatio',
      section: 'cost',
      figure: `counted cost, fan-out in ${streams} streams over one`,
      value: countedDollars(parallel.dollarsPerMillion) / countedDollars(single.dollarsPerMillion),
      unit: 'x',
      target: { op: '<=', limit: 1.05 },
      command,
      note: `DynamoDB, SQS and Lambda requests: $${countedDollars(parallel.dollarsPerMillion).toFixed(3)} vs $${countedDollars(single.dollarsPerMillion).toFixed(3)} a million; WRU per message ${parallel.perMessage.wru.toFixed(3)} vs ${single.perMessage.wru.toFixed(3)}`,
    }),
  ];
}
