/**
 * What a run's functions would hand CloudWatch Logs on AWS, where Lambda ingests every line a
 * function writes to stdout or stderr, billed by the byte:
 * - Herald's own lines, written at the stack's default log level instead of the bench's SILENT
 *   (bench/env.ts); counted by level and message, and swallowed, not printed;
 * - the EMF document each publish of the metrics prints on AWS (metrics are off in the bench,
 *   so each publish is serialized here instead);
 * - Lambda's own START, END and REPORT lines, one set per invocation (the stack's functions log
 *   in Lambda's text format: lib/functions.ts sets no other).
 * Lines that are not Herald's (no JSON object with a `level`) pass through to the terminal uncounted.
 */
import { DEFAULT_LOG_LEVEL } from '../functions/definitions/functions.js';
import { logger } from '../functions/telemetry/logger.js';
import { metrics } from '../functions/telemetry/metrics.js';

export interface LineTally {
  lines: number;
  bytes: number;
}

export interface LogUsage {
  /** Herald's lines by `<level> <message>`, e.g. `INFO message sent`. */
  byMessage: Record<string, LineTally>;
  emf: LineTally;
  platform: LineTally;
  lines: number;
  bytes: number;
}

/** One invocation's platform lines as Lambda's text format writes them, a request id and durations of typical length. */
const PLATFORM_LINES = [
  'START RequestId: 6f1c2a8e-3b4d-4e5f-8a9b-0c1d2e3f4a5b Version: $LATEST',
  'END RequestId: 6f1c2a8e-3b4d-4e5f-8a9b-0c1d2e3f4a5b',
  'REPORT RequestId: 6f1c2a8e-3b4d-4e5f-8a9b-0c1d2e3f4a5b\tDuration: 2540.12 ms\tBilled Duration: 2541 ms\tMemory Size: 256 MB\tMax Memory Used: 98 MB\t',
];
export const PLATFORM_BYTES_PER_INVOCATION = PLATFORM_LINES.reduce((sum, line) => sum + Buffer.byteLength(line) + 1, 0);

/** `<level> <message>` of one of Herald's JSON lines, undefined for any other output. */
export function logLineKind(text: string): string | undefined {
  if (!text.startsWith('{')) return undefined;
  try {
    const line = JSON.parse(text) as { level?: unknown; message?: unknown };
    return typeof line.level === 'string' ? `${line.level} ${String(line.message)}` : undefined;
  } catch {
    return undefined;
  }
}

type Write = typeof process.stdout.write;

/** Starts counting; `stop` (once is enough, again is harmless) restores the streams, the level and the metrics, and adds the platform lines of that many invocations. */
export function meterLogs(level = DEFAULT_LOG_LEVEL): { stop(invocations: number): LogUsage } {
  const byMessage: Record<string, LineTally> = {};
  const emf: LineTally = { lines: 0, bytes: 0 };
  const count = (tally: LineTally, bytes: number) => {
    tally.lines += 1;
    tally.bytes += bytes;
  };
  const counting = (stream: NodeJS.WriteStream, original: Write): Write =>
    ((chunk: unknown, ...rest: unknown[]) => {
      const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8');
      const kind = logLineKind(text);
      if (kind === undefined) return (original as (...args: unknown[]) => boolean).call(stream, chunk, ...rest);
      count((byMessage[kind] ??= { lines: 0, bytes: 0 }), Buffer.byteLength(text));
      return true;
    }) as Write;
  const writes = { stdout: process.stdout.write, stderr: process.stderr.write };
  process.stdout.write = counting(process.stdout, writes.stdout);
  process.stderr.write = counting(process.stderr, writes.stderr);
  const previousLevel = logger.getLevelName();
  logger.setLogLevel(level as Parameters<typeof logger.setLogLevel>[0]);
  const publish = metrics.publishStoredMetrics.bind(metrics);
  metrics.publishStoredMetrics = () => {
    if (metrics.hasStoredMetrics()) count(emf, Buffer.byteLength(`${JSON.stringify(metrics.serializeMetrics())}\n`));
    return publish();
  };
  let stopped = false;
  return {
    stop(invocations) {
      if (!stopped) {
        stopped = true;
        process.stdout.write = writes.stdout;
        process.stderr.write = writes.stderr;
        logger.setLogLevel(previousLevel);
        Reflect.deleteProperty(metrics, 'publishStoredMetrics');
      }
      const platform = { lines: invocations * PLATFORM_LINES.length, bytes: invocations * PLATFORM_BYTES_PER_INVOCATION };
      const tallies = [...Object.values(byMessage), emf, platform];
      return {
        byMessage,
        emf,
        platform,
        lines: tallies.reduce((sum, tally) => sum + tally.lines, 0),
        bytes: tallies.reduce((sum, tally) => sum + tally.bytes, 0),
      };
    },
  };
}
