/**
 * What a bench run measures and how big. Arguments win over environment variables:
 *   --n 10000 | BENCH_N                  audience of the cost and throughput campaigns
 *   --quick | BENCH_QUICK=1              tiny sizes (the smoke test's), results not written to latest.json
 *   --only cost,bundles | BENCH_ONLY     sections to run (default: all)
 *   --memory 10000,100000 | BENCH_MEMORY audiences of the fan-out memory runs
 *   --api-seconds 10 | BENCH_API_SECONDS duration of each autocannon run
 *   --soak 100000 | BENCH_SOAK           audience of the soak campaign (section `soak`)
 *   --import-rows 100000 | BENCH_IMPORT_ROWS rows of the import section's CSV
 *   --fanout-n 100000 | BENCH_FANOUT_N  audience of the parallel fan-out runs
 *   --fanout-streams 1,2,4,8 | BENCH_FANOUT_STREAMS  the stream counts they compare
 *   --inapp-n 1000 | BENCH_INAPP_N      WebSocket clients of the in-app campaign
 *   --out path | BENCH_OUT               where to write the results (default bench/results/latest.json; none for --quick)
 */
import { parseArgs } from 'node:util';
import { SECTIONS, type Section } from './figures.js';

export interface BenchOptions {
  n: number;
  quick: boolean;
  sections: Section[];
  memoryAudiences: number[];
  apiSeconds: number;
  apiConnections: number;
  soakAudience: number;
  /** Fixed latency of the fake provider in the cost and throughput campaigns. */
  providerLatencyMs: number;
  /** The runtime's provider concurrency (its default, PROVIDER_CONCURRENCY's default). */
  providerConcurrency: number;
  /** Fresh processes per bundle whose import time is the median. */
  loadRuns: number;
  /** Clients of the campaign whose statistics GET /campaigns/{id}/stats reads under load. */
  statsAudience: number;
  /** Campaigns in the table while GET /stats is measured. */
  statsCampaigns: number;
  /** The pace section (./pace.ts): audiences of the send-window and rate runs, the rate limit, scheduled starts timed. */
  pace: { windowAudience: number; rateAudience: number; maxPerSecond: number; startRuns: number };
  /** Rows of the generated CSV the import section imports (and imports again). */
  importRows: number;
  /** Clients of the parallel fan-out runs, and the stream counts compared. */
  fanoutAudience: number;
  fanoutStreams: number[];
  /** WebSocket clients connected while an in-app campaign reaches them all. */
  inappClients: number;
  out: string | undefined;
}

export const DEFAULT_RESULTS = 'bench/results/latest.json';

function positiveInts(text: string, what: string): number[] {
  const values = text.split(',').map((part) => Number(part.trim()));
  for (const value of values) if (!Number.isInteger(value) || value <= 0) throw new Error(`${what}: expected positive integers, got "${text}"`);
  return values;
}

function sectionsOf(text: string): Section[] {
  const names = text
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean);
  for (const name of names) if (!SECTIONS.includes(name as Section)) throw new Error(`--only: unknown section "${name}" (known: ${SECTIONS.join(', ')})`);
  return SECTIONS.filter((section) => names.includes(section));
}

export function parseOptions(argv: string[] = process.argv.slice(2), env: NodeJS.ProcessEnv = process.env): BenchOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      n: { type: 'string' },
      quick: { type: 'boolean' },
      only: { type: 'string' },
      memory: { type: 'string' },
      'api-seconds': { type: 'string' },
      soak: { type: 'string' },
      'import-rows': { type: 'string' },
      out: { type: 'string' },
      'fanout-n': { type: 'string' },
      'fanout-streams': { type: 'string' },
      'inapp-n': { type: 'string' },
    },
    strict: true,
  });
  const quick = values.quick ?? (env.BENCH_QUICK === '1' || env.BENCH_QUICK === 'true');
  const nText = values.n ?? env.BENCH_N;
  const memoryText = values.memory ?? env.BENCH_MEMORY;
  const apiSecondsText = values['api-seconds'] ?? env.BENCH_API_SECONDS;
  const onlyText = values.only ?? env.BENCH_ONLY;
  const soakText = values.soak ?? env.BENCH_SOAK;
  const fanoutNText = values['fanout-n'] ?? env.BENCH_FANOUT_N;
  const fanoutStreamsText = values['fanout-streams'] ?? env.BENCH_FANOUT_STREAMS;
  const inappText = values['inapp-n'] ?? env.BENCH_INAPP_N;
  return {
    n: nText ? (positiveInts(nText, '--n')[0] as number) : quick ? 50 : 10_000,
    quick,
    sections: onlyText ? sectionsOf(onlyText) : [...SECTIONS],
    memoryAudiences: memoryText ? positiveInts(memoryText, '--memory') : quick ? [50, 200] : [10_000, 100_000],
    apiSeconds: apiSecondsText ? (positiveInts(apiSecondsText, '--api-seconds')[0] as number) : quick ? 1 : 10,
    apiConnections: 10,
    soakAudience: soakText ? (positiveInts(soakText, '--soak')[0] as number) : quick ? 200 : 100_000,
    providerLatencyMs: 50,
    providerConcurrency: 20,
    loadRuns: quick ? 3 : 7,
    statsAudience: quick ? 50 : 1000,
    statsCampaigns: quick ? 100 : 10_000,
    pace: quick
      ? { windowAudience: 60, rateAudience: 60, maxPerSecond: 20, startRuns: 1 }
      : { windowAudience: 1000, rateAudience: 600, maxPerSecond: 50, startRuns: 2 },
    importRows: (() => {
      const text = values['import-rows'] ?? env.BENCH_IMPORT_ROWS;
      return text ? (positiveInts(text, '--import-rows')[0] as number) : quick ? 500 : 100_000;
    })(),
    fanoutAudience: fanoutNText ? (positiveInts(fanoutNText, '--fanout-n')[0] as number) : quick ? 2000 : 100_000,
    fanoutStreams: fanoutStreamsText ? positiveInts(fanoutStreamsText, '--fanout-streams') : [1, 2, 4, 8],
    inappClients: inappText ? (positiveInts(inappText, '--inapp-n')[0] as number) : quick ? 20 : 1000,
    out: values.out ?? env.BENCH_OUT ?? (quick ? undefined : DEFAULT_RESULTS),
  };
}

/** The command that repeats one section at the options' sizes. */
export function commandFor(
  section: Section,
  options: Pick<BenchOptions, 'n' | 'quick' | 'memoryAudiences' | 'apiSeconds'> & { soakAudience?: number } & Partial<
      Pick<BenchOptions, 'importRows' | 'fanoutAudience' | 'inappClients'>
    >,
): string {
  const args = [`--only ${section}`];
  if (options.quick) args.push('--quick');
  if ((section === 'cost' || section === 'throughput') && !options.quick) args.push(`--n ${options.n}`);
  if (section === 'memory' && !options.quick) args.push(`--memory ${options.memoryAudiences.join(',')}`);
  if (section === 'api' && !options.quick) args.push(`--api-seconds ${options.apiSeconds}`);
  if (section === 'soak' && !options.quick && options.soakAudience !== undefined) args.push(`--soak ${options.soakAudience}`);
  if (section === 'import' && !options.quick && options.importRows !== undefined) args.push(`--import-rows ${options.importRows}`);
  if (section === 'fanout' && !options.quick && options.fanoutAudience !== undefined) args.push(`--fanout-n ${options.fanoutAudience}`);
  if (section === 'inapp' && !options.quick && options.inappClients !== undefined) args.push(`--inapp-n ${options.inappClients}`);
  return `npm run bench -- ${args.join(' ')}`;
}
