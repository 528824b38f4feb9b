/**
 * Pipeline throughput: messages per second from the campaign's creation to the provider's
 * answer to the last message, as a ratio to what the provider allows.
 *
 * The provider-bound limit is effective concurrency / latency. As on Lambda, each concurrent
 * send invocation (at most the queue's maxConcurrency) has a handler of its own, whose limiter
 * lets PROVIDER_CONCURRENCY calls out at once, and an invocation holds at most
 * batchSize x CHUNK_SIZE messages: maxConcurrency x min(PROVIDER_CONCURRENCY, batchSize x CHUNK_SIZE).
 */
import { CHUNK_SIZE } from '../functions/domain/messages.js';
import { figure, type Figure } from './figures.js';
import type { Invocation } from './meter.js';
import { hostNote } from './host.js';
import type { PipelineRun } from './pipeline.js';

export interface Throughput {
  messages: number;
  elapsedMs: number;
  messagesPerSecond: number;
  effectiveConcurrency: number;
  providerBoundPerSecond: number;
  ratio: number;
  /** From the first provider call to the last answer: the rate once the fan-out has handed off its first chunks. */
  sendingMessagesPerSecond: number;
  startDelayMs: number;
  providerMaxInFlight: number;
  /** What holds the rate back, measured on the run (see `pipelineFactors`). */
  factors: PipelineFactors;
  /** Where the time lost against the bound went, phase by phase (see `lossByPhase`). */
  loss: PhaseLoss;
}

/**
 * The run's time beyond what the bound allows (elapsed - messages / bound), split by phase.
 * Each provider call keeps a slot busy for the fixed latency, so a phase of length T in which
 * the calls fill `busy` slot-milliseconds loses T - busy / concurrency; the phases add up to
 * the whole loss. `meanInFlight` is busy / T for the two sending phases.
 */
export interface PhaseLoss {
  /** Creation to the first call: nothing in flight. */
  beforeFirstCallMs: number;
  /** First call to the end of the fan-out's last page: sending beside the fan-out. */
  duringFanoutMs: number;
  duringFanoutInFlight: number;
  /** From then to the last answer, the tail of the last invocations included. */
  afterFanoutMs: number;
  afterFanoutInFlight: number;
}

/** Slot-milliseconds the calls (each busy from `arrival` for `latencyMs`) fill between `from` and `to`. */
function busyBetween(arrivals: number[], latencyMs: number, from: number, to: number): number {
  let busy = 0;
  for (const arrival of arrivals) busy += Math.max(0, Math.min(to, arrival + latencyMs) - Math.max(from, arrival));
  return busy;
}

/** `arrivals`: every provider call's arrival, epoch ms; the phases' bounds are epoch ms too. */
export function lossByPhase(
  arrivals: number[],
  latencyMs: number,
  concurrency: number,
  at: { createdAt: number; firstCallAt: number; fanoutDoneAt: number; lastAnswerAt: number },
): PhaseLoss {
  const split = Math.min(Math.max(at.fanoutDoneAt, at.firstCallAt), at.lastAnswerAt);
  const phase = (from: number, to: number) => {
    const busy = busyBetween(arrivals, latencyMs, from, to);
    return { lostMs: to - from - busy / concurrency, inFlight: to > from ? busy / (to - from) : 0 };
  };
  const during = phase(at.firstCallAt, split);
  const after = phase(split, at.lastAnswerAt);
  return {
    beforeFirstCallMs: at.firstCallAt - at.createdAt,
    duringFanoutMs: during.lostMs,
    duringFanoutInFlight: during.inFlight,
    afterFanoutMs: after.lostMs,
    afterFanoutInFlight: after.inFlight,
  };
}

/**
 * Where the time goes, from the invocations the runtime made:
 * - `fanoutDoneMs`: from the campaign's creation to the end of the last fan-out invocation
 *   (when the last chunk was on the send queue); the send side cannot outrun it.
 * - `sendInvocations`, `meanRecords`: how full the send batches were (10 chunks at most).
 * - `meanSendMs`: how long an invocation held its concurrency slot.
 * - `slotBusy`: the share of the send concurrency's time (maxConcurrency x the sending span)
 *   spent inside an invocation; the rest is the event source mapping's gaps between them
 *   (delete, receive) and queues run dry.
 * - `callShare`: of the time inside invocations, the share a provider call of the fixed
 *   latency accounts for at full concurrency (messages x latency / effective concurrency);
 *   the rest is claims, outcome writes and reads on the critical path, and slots left idle
 *   by batches of fewer than PROVIDER_CONCURRENCY open messages.
 */
export interface PipelineFactors {
  fanoutDoneMs: number;
  /** Fan-out invocations (one page each), their mean duration and the mean gap from one's end to the next one's start. */
  fanoutInvocations: number;
  meanFanoutMs: number;
  meanFanoutGapMs: number;
  sendInvocations: number;
  meanRecords: number;
  meanSendMs: number;
  slotBusy: number;
  callShare: number;
  /**
   * Mean latency as the handlers saw it (DynamoDB Local's queue included) of the send's chunk
   * writes (claim and outcome, UpdateItem) and of the fan-out's chunk puts (a page's batch and
   * its first chunk's own put): the writes on the critical path at each end of an invocation.
   */
  meanSendWriteMs: number;
  meanFanoutPutMs: number;
}

/** The mean latency of one caller's DynamoDB calls of these operations, 0 when it made none. */
function meanLatency(run: PipelineRun, caller: string, operations: string[]): number {
  const calls = run.usage.calls.filter((call) => call.caller === caller && operations.includes(call.operation) && call.service === 'dynamodb');
  const count = calls.reduce((sum, call) => sum + call.calls, 0);
  return count ? calls.reduce((sum, call) => sum + call.ms, 0) / count : 0;
}

export function pipelineFactors(run: PipelineRun, effectiveConcurrency: number): PipelineFactors {
  const fanouts = run.usage.invocations.filter((invocation) => invocation.fn === 'fanout');
  const sends = run.usage.invocations.filter((invocation) => invocation.fn === 'send' && invocation.records > 0);
  const fanoutDone = fanouts.reduce((latest, invocation) => Math.max(latest, invocation.startedAt + invocation.durationMs), run.createdAt);
  const sendMs = sends.reduce((sum, invocation) => sum + invocation.durationMs, 0);
  const span = Math.max(1, run.lastSentAt - run.firstRequestAt);
  const perInvocation = effectiveConcurrency / run.send.maxConcurrency;
  const pages = [...fanouts].sort((a, b) => a.startedAt - b.startedAt);
  const gaps = pages.slice(1).map((page, index) => page.startedAt - ((pages[index] as Invocation).startedAt + (pages[index] as Invocation).durationMs));
  return {
    fanoutDoneMs: fanoutDone - run.createdAt,
    fanoutInvocations: pages.length,
    meanFanoutMs: pages.length ? pages.reduce((sum, page) => sum + page.durationMs, 0) / pages.length : 0,
    meanFanoutGapMs: gaps.length ? gaps.reduce((sum, gap) => sum + gap, 0) / gaps.length : 0,
    sendInvocations: sends.length,
    meanRecords: sends.length ? sends.reduce((sum, invocation) => sum + invocation.records, 0) / sends.length : 0,
    meanSendMs: sends.length ? sendMs / sends.length : 0,
    slotBusy: sendMs / (run.send.maxConcurrency * span),
    callShare: sendMs > 0 ? (run.counts.sent * run.providerLatencyMs) / perInvocation / sendMs : 0,
    meanSendWriteMs: meanLatency(run, 'send', ['UpdateItem']),
    meanFanoutPutMs: meanLatency(run, 'fanout', ['PutItem', 'BatchWriteItem']),
  };
}

export function throughputOf(run: PipelineRun): Throughput {
  const elapsedMs = run.lastSentAt - run.createdAt;
  const messagesPerSecond = run.counts.sent / (elapsedMs / 1000);
  const effectiveConcurrency = run.send.maxConcurrency * Math.min(run.providerConcurrency, run.send.batchSize * CHUNK_SIZE);
  const providerBoundPerSecond = effectiveConcurrency / (run.providerLatencyMs / 1000);
  const factors = pipelineFactors(run, effectiveConcurrency);
  return {
    messages: run.counts.sent,
    elapsedMs,
    messagesPerSecond,
    effectiveConcurrency,
    providerBoundPerSecond,
    ratio: messagesPerSecond / providerBoundPerSecond,
    sendingMessagesPerSecond: run.counts.sent / ((run.lastSentAt - run.firstRequestAt) / 1000),
    startDelayMs: run.firstRequestAt - run.createdAt,
    providerMaxInFlight: run.providerMaxInFlight,
    factors,
    loss: lossByPhase(run.requestTimes ?? [], run.providerLatencyMs, effectiveConcurrency, {
      createdAt: run.createdAt,
      firstCallAt: run.firstRequestAt,
      fanoutDoneAt: run.createdAt + factors.fanoutDoneMs,
      lastAnswerAt: run.lastSentAt,
    }),
  };
}

function lossNote(t: Throughput): string {
  const { loss } = t;
  const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  const total = loss.beforeFirstCallMs + loss.duringFanoutMs + loss.afterFanoutMs;
  return `of the ${s(total)} lost against the bound: ${s(loss.beforeFirstCallMs)} before the first call, ${s(loss.duringFanoutMs)} beside the fan-out (${Math.round(loss.duringFanoutInFlight)} in flight on average), ${s(loss.afterFanoutMs)} after it (${Math.round(loss.afterFanoutInFlight)} in flight, the last invocations' tail included)`;
}

/**
 * The figures of one run. `idPrefix` and `label` tell the runs at different provider latencies
 * apart; a `target` applies to the ratio (the 500 ms run must reach 0.9 of the bound).
 */
export function throughputFigures(
  t: Throughput,
  run: PipelineRun,
  command: string,
  options: { idPrefix?: string; label?: string; ratioTarget?: number } = {},
): Figure[] {
  const idPrefix = options.idPrefix ?? 'throughput';
  const label = options.label ? ` (${options.label})` : '';
  return [
    figure({
      id: `${idPrefix}.messagesPerSecond`,
      section: 'throughput',
      figure: `pipeline throughput${label}`,
      value: t.messagesPerSecond,
      unit: 'msg/s',
      command,
      note: `${t.messages} messages in ${(t.elapsedMs / 1000).toFixed(1)} s, campaign creation to last provider answer; fake provider ${run.providerLatencyMs} ms fixed`,
    }),
    figure({
      id: `${idPrefix}.ratioToProviderBound`,
      section: 'throughput',
      figure: `throughput / provider-bound limit${label}`,
      value: t.ratio,
      unit: 'x',
      ...(options.ratioTarget !== undefined ? { target: { op: '>=' as const, limit: options.ratioTarget } } : {}),
      command,
      note: `fan-out done after ${(t.factors.fanoutDoneMs / 1000).toFixed(1)} s (${t.factors.fanoutInvocations} pages of ${Math.round(t.factors.meanFanoutMs)} ms, ${Math.round(t.factors.meanFanoutGapMs)} ms between them); ${t.factors.sendInvocations} send invocations of ${t.factors.meanRecords.toFixed(1)} chunks and ${Math.round(t.factors.meanSendMs)} ms on average; send slots busy ${(t.factors.slotBusy * 100).toFixed(0)} %, provider calls ${(t.factors.callShare * 100).toFixed(0)} % of that; chunk claims and outcomes ${Math.round(t.factors.meanSendWriteMs)} ms each, fan-out chunk puts ${Math.round(t.factors.meanFanoutPutMs)} ms; limit ${t.effectiveConcurrency} in flight / ${run.providerLatencyMs} ms = ${t.providerBoundPerSecond} msg/s (${run.send.maxConcurrency} send invocations at once, ${run.providerConcurrency} calls each, as on Lambda); most seen in flight ${t.providerMaxInFlight}; first provider call after ${t.startDelayMs} ms, ${Math.round(t.sendingMessagesPerSecond)} msg/s from then on; ${lossNote(t)}; ${hostNote(run.host)}`,
    }),
  ];
}
