/**
 * Right time, right pace: three pipeline runs (./pipeline.ts), metered and priced as the cost
 * section does (./cost.ts).
 *
 * - Send window: an audience spread over three UTC offsets (Moscow +3, Kathmandu +5:45, New
 *   York -5/-4) with a `sendWindow` open in all three, so the fan-out groups each page's chunks
 *   by offset (more, smaller chunks than one zone would need); DynamoDB WRU per delivered message.
 * - Rate limit: a campaign with `maxPerSecond`; the rate its provider calls achieved from the
 *   first to the last, and the busiest 10 s window (half-open, [t, t + 10 s)) against the limit.
 * - Start precision: campaigns scheduled a little ahead, on a runtime whose scheduler fires
 *   anywhere within its jitter after the schedule time, as EventBridge Scheduler does within its
 *   minute; the delay from `startAt` to the first provider call. Times are scaled down (lead
 *   10 s, jitter up to 4 s, hand-off 4 s early) so a run takes seconds, not minutes; the wait
 *   logic is the one that runs with AWS's 120 s lead and 60 s jitter.
 */
import type { StartTiming } from '../functions/domain/start-timing.js';
import { deliveredMessages, priceUsage } from './cost.js';
import type { Endpoints } from './emulators.js';
import { figure, type Figure } from './figures.js';
import { runPipeline, type PipelineRun } from './pipeline.js';

const ZONES = ['Europe/Moscow', 'Asia/Kathmandu', 'America/New_York'];
/** Open all day but the last minute: the bench measures the chunks' cost, not a wait. */
const ALL_DAY = { from: '00:00', to: '23:59' };
export const PACE_START_TIMING: StartTiming = { leadMs: 10_000, handlerWaitMs: 1_500, hopMarginMs: 1_000, prestartMs: 4_000 };
export const PACE_JITTER_MS = 4_000;

export interface PaceOptions extends Endpoints {
  windowAudience: number;
  rateAudience: number;
  maxPerSecond: number;
  startRuns: number;
  providerLatencyMs: number;
  providerConcurrency: number;
}

export interface PaceRun {
  window: { messages: number; wru: number; wruPerMessage: number; zones: string[] };
  rate: { messages: number; maxPerSecond: number; achievedPerSecond: number; busiest10s: number; busiest10sPerSecond: number; sendingMs: number };
  start: { delaysMs: number[]; jitterMs: number; timing: StartTiming };
}

/** The most arrivals in any half-open window of `windowMs` that starts at an arrival. */
export function busiestWindow(times: number[], windowMs: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let most = 0;
  let end = 0;
  for (let start = 0; start < sorted.length; start += 1) {
    while (end < sorted.length && (sorted[end] as number) < (sorted[start] as number) + windowMs) end += 1;
    most = Math.max(most, end - start);
  }
  return most;
}

function common(options: PaceOptions) {
  return {
    dynamoEndpoint: options.dynamoEndpoint,
    sqsEndpoint: options.sqsEndpoint,
    providerLatencyMs: options.providerLatencyMs,
    providerConcurrency: options.providerConcurrency,
  };
}

export async function measurePace(options: PaceOptions): Promise<PaceRun> {
  const windowRun = await runPipeline({
    ...common(options),
    audience: options.windowAudience,
    timezone: (index) => ZONES[index % ZONES.length] as string,
    campaign: { sendWindow: ALL_DAY },
  });
  const priced = priceUsage(windowRun.usage, deliveredMessages(windowRun), { latencyMs: options.providerLatencyMs, concurrency: options.providerConcurrency });

  const rateRun = await runPipeline({
    ...common(options),
    audience: options.rateAudience,
    campaign: { maxPerSecond: options.maxPerSecond },
    keepRequestTimes: true,
  });
  const times = rateRun.requestTimes ?? [];
  const sendingMs = (times.at(-1) ?? 0) - (times[0] ?? 0);
  const busiest10s = busiestWindow(times, 10_000);

  const delaysMs: number[] = [];
  for (let run = 0; run < options.startRuns; run += 1) {
    const startRun: PipelineRun = await runPipeline({
      ...common(options),
      audience: 30,
      startInMs: PACE_START_TIMING.leadMs + 2_000,
      runtime: { startTiming: PACE_START_TIMING, scheduleJitterMs: PACE_JITTER_MS },
    });
    delaysMs.push(startRun.firstRequestAt - startRun.startAt);
  }

  return {
    window: { messages: priced.messages, wru: priced.dynamodb.wru, wruPerMessage: priced.perMessage.wru, zones: ZONES },
    rate: {
      messages: times.length,
      maxPerSecond: options.maxPerSecond,
      // Calls started over the time from the first to the last: n - 1 intervals.
      achievedPerSecond: times.length > 1 ? (times.length - 1) / (sendingMs / 1000) : 0,
      busiest10s,
      busiest10sPerSecond: busiest10s / 10,
      sendingMs,
    },
    start: { delaysMs, jitterMs: PACE_JITTER_MS, timing: PACE_START_TIMING },
  };
}

export function paceFigures(run: PaceRun, command: string): Figure[] {
  const { window, rate, start } = run;
  return [
    figure({
      id: 'pace.windowWruPerMessage',
      section: 'pace',
      figure: 'send window: DynamoDB WRU per message, three UTC offsets',
      value: window.wruPerMessage,
      unit: 'WRU',
      target: { op: '<', limit: 0.5 },
      command,
      note: `${window.messages} messages over ${window.zones.join(', ')}, chunks grouped by offset; ${window.wru.toFixed(1)} WRU in all`,
    }),
    figure({
      id: 'pace.rateAchievedRatio',
      section: 'pace',
      figure: 'rate limit: achieved rate / maxPerSecond',
      value: rate.achievedPerSecond / rate.maxPerSecond,
      unit: 'x',
      target: { op: '>=', limit: 0.9 },
      command,
      note: `${rate.messages} calls at maxPerSecond ${rate.maxPerSecond}: ${rate.achievedPerSecond.toFixed(1)} msg/s over ${(rate.sendingMs / 1000).toFixed(1)} s`,
    }),
    figure({
      id: 'pace.rateBusiest10sRatio',
      section: 'pace',
      figure: 'rate limit: busiest 10 s window / maxPerSecond',
      value: rate.busiest10sPerSecond / rate.maxPerSecond,
      unit: 'x',
      // The contract holds the rate within 10 % over any 10 s window.
      target: { op: '<=', limit: 1.1 },
      command,
      note: `${rate.busiest10s} call starts in the busiest 10 s, as the provider received them (${rate.maxPerSecond * 10} at exactly the limit)`,
    }),
    figure({
      id: 'pace.startDelayMaxMs',
      section: 'pace',
      figure: 'start precision: latest first call after startAt',
      value: Math.max(...start.delaysMs),
      unit: 'ms',
      target: { op: '<', limit: 1000 },
      command,
      note: `${start.delaysMs.length} scheduled campaigns, scheduler jitter up to ${start.jitterMs / 1000} s, lead ${start.timing.leadMs / 1000} s: first calls ${start.delaysMs.map((delay) => Math.round(delay)).join(', ')} ms after startAt`,
    }),
    figure({
      id: 'pace.startDelayMinMs',
      section: 'pace',
      figure: 'start precision: earliest first call after startAt (never before)',
      value: Math.min(...start.delaysMs),
      unit: 'ms',
      target: { op: '>=', limit: 0 },
      command,
    }),
  ];
}
