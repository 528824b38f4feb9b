/**
 * Soak: one large campaign (100,000 clients by default) end to end through the local runtime,
 * as the throughput run does, checking that every message reached the provider exactly once
 * (the fake provider's distinct accepted msgIds, and any msgId it accepted twice) while the
 * resident memory of every process is sampled once a second: this process (the runtime's
 * pollers and handlers, the SQS emulator and the fake provider all run in it) and DynamoDB
 * Local's Java process. Not part of `npm test`: it takes minutes.
 */
import { readFileSync } from 'node:fs';
import { figure, type Figure } from './figures.js';
import type { BenchEndpoints } from './emulators.js';
import { startProviderProcess } from './service-process.js';
import { runPipeline, type PipelineRun } from './pipeline.js';

export interface RssSeries {
  process: string;
  pid: number | undefined;
  samples: number;
  peakBytes: number;
  endBytes: number;
  startBytes: number;
}

export interface SoakRun {
  audience: number;
  elapsedMs: number;
  messagesPerSecond: number;
  distinctSent: number;
  /** msgIds the provider accepted more than once, and how many extra acceptances. */
  duplicateMsgIds: number;
  extraSends: number;
  providerRequests: number;
  rss: RssSeries[];
  run: Omit<PipelineRun, 'usage'>;
}

/** Resident set size of a process in bytes (Linux /proc), undefined when it is gone. */
function rssOf(pid: number): number | undefined {
  try {
    const match = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

function sampler(processes: { process: string; pid: number | undefined }[], intervalMs = 1000) {
  const series: RssSeries[] = processes.map(({ process, pid }) => ({ process, pid, samples: 0, peakBytes: 0, endBytes: 0, startBytes: 0 }));
  const sample = () => {
    for (const entry of series) {
      const bytes = entry.pid === undefined ? undefined : rssOf(entry.pid);
      if (bytes === undefined) continue;
      if (entry.samples === 0) entry.startBytes = bytes;
      entry.samples += 1;
      entry.peakBytes = Math.max(entry.peakBytes, bytes);
      entry.endBytes = bytes;
    }
  };
  sample();
  const timer = setInterval(sample, intervalMs);
  timer.unref();
  return {
    stop(): RssSeries[] {
      clearInterval(timer);
      sample();
      return series;
    },
  };
}

export async function measureSoak(
  endpoints: BenchEndpoints,
  options: { audience: number; providerLatencyMs: number; providerConcurrency: number },
): Promise<SoakRun> {
  const provider = await startProviderProcess({ latencyMs: options.providerLatencyMs });
  const rss = sampler([
    { process: 'runtime (pollers, handlers)', pid: process.pid },
    { process: 'DynamoDB Local (java)', pid: endpoints.dynamoPid },
    { process: 'SQS emulator', pid: endpoints.sqsPid },
    { process: 'fake provider', pid: provider.pid },
  ]);
  let run: PipelineRun;
  let series: RssSeries[];
  try {
    run = await runPipeline({
      ...endpoints,
      provider,
      audience: options.audience,
      providerLatencyMs: options.providerLatencyMs,
      providerConcurrency: options.providerConcurrency,
      timeoutMs: Math.max(600_000, options.audience * 20),
    });
  } finally {
    series = rss.stop();
    await provider.stop();
  }
  const { usage: _usage, ...rest } = run;
  const elapsedMs = run.lastSentAt - run.createdAt;
  return {
    audience: options.audience,
    elapsedMs,
    messagesPerSecond: run.counts.sent / (elapsedMs / 1000),
    distinctSent: run.distinctAccepted,
    duplicateMsgIds: run.duplicateAcceptedMsgIds,
    extraSends: run.providerAccepted - run.distinctAccepted,
    providerRequests: run.providerRequests,
    rss: series,
    run: rest,
  };
}

const mb = (bytes: number) => bytes / 1024 ** 2;

export function soakFigures(soak: SoakRun, command: string): Figure[] {
  const label = soak.audience.toLocaleString('en-US');
  return [
    figure({
      id: 'soak.distinctSent',
      section: 'soak',
      figure: `soak: distinct msgIds sent, ${label} clients`,
      value: soak.distinctSent,
      unit: 'msg',
      target: { op: '>=', limit: soak.audience },
      command,
      note: `${soak.run.counts.sent} messages sent by the campaign's counts; ${soak.providerRequests} provider requests; ${(soak.elapsedMs / 1000).toFixed(0)} s from creation to the last answer (${Math.round(soak.messagesPerSecond)} msg/s), fake provider at ${soak.run.providerLatencyMs} ms`,
    }),
    figure({
      id: 'soak.duplicates',
      section: 'soak',
      figure: 'soak: msgIds the provider accepted twice',
      value: soak.duplicateMsgIds,
      unit: 'msg',
      target: { op: '<=', limit: 0 },
      command,
      note: `${soak.extraSends} extra acceptances in all`,
    }),
    // A process whose pid is unknown (an emulator this bench did not start) has no figure rather than 0 MB.
    ...soak.rss.flatMap((series, index) =>
      series.samples === 0
        ? []
        : [
            figure({
              id: `soak.rss.${index}.peak`,
              section: 'soak',
              figure: `soak: ${series.process} peak RSS`,
              value: mb(series.peakBytes),
              unit: 'MB',
              command,
              note: `pid ${series.pid}, ${series.samples} samples a second apart; ${mb(series.startBytes).toFixed(0)} MB at the start`,
            }),
            figure({
              id: `soak.rss.${index}.end`,
              section: 'soak',
              figure: `soak: ${series.process} RSS at the end`,
              value: mb(series.endBytes),
              unit: 'MB',
              command,
            }),
          ],
    ),
  ];
}
