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
}

export function throughputOf(run: PipelineRun): Throughput {
  const elapsedMs = run.lastSentAt - run.createdAt;
  const messagesPerSecond = run.counts.sent / (elapsedMs / 1000);
  const effectiveConcurrency = run.send.maxConcurrency * Math.min(run.providerConcurrency, run.send.batchSize * CHUNK_SIZE);
  const providerBoundPerSecond = effectiveConcurrency / (run.providerLatencyMs / 1000);
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
  };
}

export function throughputFigures(t: Throughput, run: PipelineRun, command: string): Figure[] {
  return [
    figure({
      id: 'throughput.messagesPerSecond',
      section: 'throughput',
      figure: 'pipeline throughput',
      value: t.messagesPerSecond,
      unit: 'msg/s',
      command,
      note: `${t.messages} messages in ${(t.elapsedMs / 1000).toFixed(1)} s, campaign creation to last provider answer; fake provider ${run.providerLatencyMs} ms fixed`,
    }),
    figure({
      id: 'throughput.ratioToProviderBound',
      section: 'throughput',
      figure: 'throughput / provider-bound limit',
      value: t.ratio,
      unit: 'x',
      command,
      note: `limit ${t.effectiveConcurrency} in flight / ${run.providerLatencyMs} ms = ${t.providerBoundPerSecond} msg/s (${run.send.maxConcurrency} send invocations at once, ${run.providerConcurrency} calls each, as on Lambda); most seen in flight ${t.providerMaxInFlight}; first provider call after ${t.startDelayMs} ms, ${Math.round(t.sendingMessagesPerSecond)} msg/s from then on`,
    }),
  ];
}
