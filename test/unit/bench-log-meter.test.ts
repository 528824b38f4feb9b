import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { priceLogs } from '../../bench/cost.js';
import { logLineKind, meterLogs, PLATFORM_BYTES_PER_INVOCATION } from '../../bench/log-meter.js';
import { logger } from '../../functions/telemetry/logger.js';
import { metrics, MetricUnit } from '../../functions/telemetry/metrics.js';

describe('bench log meter: what the functions would hand CloudWatch Logs', () => {
  let written: string[];
  let terminal: typeof process.stdout.write;

  beforeEach(() => {
    written = [];
    terminal = process.stdout.write;
    // Stands in for the terminal, so the test sees what the meter lets through.
    process.stdout.write = ((chunk: string) => (written.push(String(chunk)), true)) as typeof process.stdout.write;
  });
  afterEach(() => {
    process.stdout.write = terminal;
  });

  it("counts Herald's lines at the deployed level by kind and byte, and prints none of them", () => {
    const meter = meterLogs();
    logger.info('message sent', { campaignId: 'c1', messageId: 7, clientId: 'k1' });
    logger.info('message sent', { campaignId: 'c1', messageId: 8, clientId: 'k2' });
    logger.debug('not at INFO');
    const usage = meter.stop(0);
    const sent = usage.byMessage['INFO message sent'];
    expect(sent?.lines).toBe(2);
    // Each line is the JSON record and its newline: at least the ids it carries.
    expect(sent?.bytes).toBeGreaterThan(2 * JSON.stringify({ campaignId: 'c1', messageId: 7, clientId: 'k1' }).length);
    expect(usage.byMessage['DEBUG not at INFO']).toBeUndefined();
    expect(written).toEqual([]);
    expect(usage.lines).toBe(2);
    expect(usage.bytes).toBe(sent?.bytes);
  });

  it('lets other output through uncounted, and puts the streams and the level back on stop', () => {
    const level = logger.getLevelName();
    const meter = meterLogs();
    process.stdout.write('a plain line\n');
    process.stdout.write('{"not":"a log line"}\n');
    const usage = meter.stop(0);
    expect(written).toEqual(['a plain line\n', '{"not":"a log line"}\n']);
    expect(usage.lines).toBe(0);
    expect(logger.getLevelName()).toBe(level);
    logger.info('after the meter');
    // Back at the tests' own level (SILENT), nothing is written, and the stand-in is the stream's write again.
    expect(written).toHaveLength(2);
    process.stdout.write('x');
    expect(written).toHaveLength(3);
  });

  it('counts the EMF document each publish would print, and the platform lines of each invocation', () => {
    const meter = meterLogs();
    metrics.addMetric('ProviderLatency', MetricUnit.Milliseconds, 506.25);
    const expected = Buffer.byteLength(`${JSON.stringify(metrics.serializeMetrics())}\n`);
    metrics.publishStoredMetrics();
    const usage = meter.stop(3);
    expect(usage.emf).toEqual({ lines: 1, bytes: expected });
    expect(usage.platform).toEqual({ lines: 9, bytes: 3 * PLATFORM_BYTES_PER_INVOCATION });
    expect(usage.bytes).toBe(expected + 3 * PLATFORM_BYTES_PER_INVOCATION);
    expect(Object.hasOwn(metrics, 'publishStoredMetrics')).toBe(false);
  });

  it('tells a log line from other JSON and from text', () => {
    expect(logLineKind('{"level":"WARN","message":"message not sent","campaignId":"c"}\n')).toBe('WARN message not sent');
    expect(logLineKind('{"message":"no level"}')).toBeUndefined();
    expect(logLineKind('{"level":"INFO", cut')).toBeUndefined();
    expect(logLineKind('START RequestId: x')).toBeUndefined();
  });

  it('prices a GB at the Standard class ingestion price, and ranks the kinds by bytes', () => {
    const logs = {
      byMessage: { 'INFO message sent': { lines: 1_000_000, bytes: 750_000_000 } },
      emf: { lines: 10_000, bytes: 200_000_000 },
      platform: { lines: 30_000, bytes: 50_000_000 },
      lines: 1_040_000,
      bytes: 1_000_000_000,
    };
    const cost = priceLogs(logs, 1_000_000);
    expect(cost.dollarsPerMillion).toBeCloseTo(0.5, 9);
    expect(cost.bytesPerMessage).toBe(1000);
    expect(cost.linesPerMessage).toBeCloseTo(1.04, 9);
    expect(cost.shares.map((part) => [part.kind, part.share])).toEqual([
      ['INFO message sent', 0.75],
      ['EMF metrics', 0.2],
      ['Lambda platform lines (START, END, REPORT)', 0.05],
    ]);
  });
});
