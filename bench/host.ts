/**
 * What this machine gave a run: how late the runtime's event loop ran its callbacks, and how
 * many cores the runtime and the processes beside it (DynamoDB Local, the SQS emulator, the
 * fake provider) used. On two cores shared with DynamoDB Local,
 * a late event loop stretches every provider call past its fixed latency, so the throughput
 * figures carry these beside them.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { monitorEventLoopDelay, performance, type EventLoopUtilization } from 'node:perf_hooks';

export interface HostUsage {
  eventLoopDelayMeanMs: number;
  eventLoopDelayP99Ms: number;
  /**
   * The share of the run's time the runtime's one thread was busy (Node's event loop
   * utilization), and the share of its seconds in which that thread was busy 95 % of the time
   * or more: a saturated loop starts and ends every call late, which a mean delay per timer
   * tick hides (a blocked loop ticks rarely, an idle one often).
   */
  eventLoopUtilization: number;
  saturatedSecondsShare: number;
  /** CPU time over wall time: 1 is one core busy throughout. */
  runtimeCores: number;
  /** Undefined when the bench did not start DynamoDB Local itself (its pid is unknown). */
  dynamoCores: number | undefined;
  /** The fake provider's and the SQS emulator's own processes (bench/service-process.ts), when they have them. */
  providerCores: number | undefined;
  sqsCores: number | undefined;
  cores: number;
  loadAverage: number;
}

const clockTicksPerSecond = (() => {
  const result = spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' });
  const ticks = Number(result.stdout?.trim());
  return Number.isInteger(ticks) && ticks > 0 ? ticks : 100;
})();

/** User plus system CPU seconds of a process (Linux /proc), undefined when it cannot be read. */
function cpuSecondsOf(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    // The command name may hold spaces: the fields are counted after its closing parenthesis.
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    const ticks = Number(fields[11]) + Number(fields[12]);
    return Number.isFinite(ticks) ? ticks / clockTicksPerSecond : undefined;
  } catch {
    return undefined;
  }
}

/** The processes beside the runtime whose CPU use is read (each when its pid is known). */
export interface WatchedPids {
  dynamo?: number | undefined;
  provider?: number | undefined;
  sqs?: number | undefined;
}

/** A second in which the loop was busy at least this share of the time. */
const SATURATED = 0.95;

export function watchHost(pids: WatchedPids): { stop(): HostUsage } {
  const delay = monitorEventLoopDelay({ resolution: 10 });
  delay.enable();
  const started = performance.now();
  const runtimeCpu = process.cpuUsage();
  const names = ['dynamo', 'provider', 'sqs'] as const;
  const before = names.map((name) => cpuSecondsOf(pids[name]));
  const loopAtStart = performance.eventLoopUtilization();
  let lastSecond: EventLoopUtilization = loopAtStart;
  let sampledSeconds = 0;
  let saturated = 0;
  const perSecond = setInterval(() => {
    const now = performance.eventLoopUtilization();
    sampledSeconds += 1;
    if (performance.eventLoopUtilization(now, lastSecond).utilization >= SATURATED) saturated += 1;
    lastSecond = now;
  }, 1000).unref();
  return {
    stop() {
      delay.disable();
      clearInterval(perSecond);
      const seconds = (performance.now() - started) / 1000;
      const used = process.cpuUsage(runtimeCpu);
      const [dynamoCores, providerCores, sqsCores] = names.map((name, index) => {
        const now = cpuSecondsOf(pids[name]);
        const then = before[index];
        return now !== undefined && then !== undefined ? (now - then) / seconds : undefined;
      });
      return {
        eventLoopDelayMeanMs: delay.mean / 1e6,
        eventLoopDelayP99Ms: delay.percentile(99) / 1e6,
        eventLoopUtilization: performance.eventLoopUtilization(loopAtStart).utilization,
        saturatedSecondsShare: sampledSeconds ? saturated / sampledSeconds : 0,
        runtimeCores: (used.user + used.system) / 1e6 / seconds,
        dynamoCores,
        providerCores,
        sqsCores,
        cores: cpus().length,
        loadAverage: loadavg()[0] as number,
      };
    },
  };
}

/** The machine's share: a busy event loop adds its delay to every provider call's fixed latency. */
export function hostNote(host: HostUsage): string {
  const dynamo = host.dynamoCores === undefined ? '' : `, DynamoDB Local ${host.dynamoCores.toFixed(2)}`;
  const sqs = host.sqsCores === undefined ? '' : `, SQS emulator ${host.sqsCores.toFixed(2)}`;
  const provider = host.providerCores === undefined ? '' : `, fake provider ${host.providerCores.toFixed(2)}`;
  return `the runtime's one thread busy ${(host.eventLoopUtilization * 100).toFixed(0)} % of the run and saturated (95 % or more) in ${(host.saturatedSecondsShare * 100).toFixed(0)} % of its seconds, timers late by ${host.eventLoopDelayMeanMs.toFixed(1)} ms on average (p99 ${Math.round(host.eventLoopDelayP99Ms)} ms); cores used: runtime ${host.runtimeCores.toFixed(2)}${dynamo}${sqs}${provider} of ${host.cores}, load average ${host.loadAverage.toFixed(1)}`;
}
