/**
 * `npm run bench`: cost per million messages, Lambda bundles, fan-out memory, pipeline
 * throughput, API latency and pace (send windows, rate limit, start precision), printed as a table and written to
 * bench/results/latest.json, and from there to docs/performance.md (./performance-doc.ts).
 * Options: see ./options.ts. Exit status 1 when a section could not run; a figure that
 * misses its target is reported as FAIL in the table, not as an error.
 */
import './env.js';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, release, totalmem } from 'node:os';
import { dirname, resolve } from 'node:path';
import { startEmulators } from './emulators.js';
import { renderTable, type Figure, type Section, type SectionError } from './figures.js';
import { commandFor, DEFAULT_RESULTS, parseOptions, type BenchOptions } from './options.js';
import { PERFORMANCE_DOC, performanceDocument, type StoredResults } from './performance-doc.js';
import { runSection } from './sections.js';

interface SectionRecord {
  measuredAt: string;
  command: string;
  quick: boolean;
  /** The CPU it ran on: a partial run keeps other sections measured on other machines. */
  cpu: string;
  loadAverage: { before: number[]; after: number[] };
  figures: Figure[];
  details?: unknown;
  error?: string;
}

interface Results {
  generatedAt: string;
  machine: StoredResults['machine'];
  /** Every section's figures, in section order (a partial run keeps the other sections' last figures). */
  figures: Figure[];
  sections: Partial<Record<Section, SectionRecord>>;
}

function machine(): StoredResults['machine'] {
  const cores = cpus();
  return {
    cpu: cores[0]?.model ?? 'unknown',
    cores: cores.length,
    memoryGb: Math.round(totalmem() / 1024 ** 3),
    os: `${process.platform} ${release()}`,
    node: process.version,
  };
}

function readResults(path: string): Results | undefined {
  if (!existsSync(path)) return undefined;
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as Results;
  } catch {
    return undefined;
  }
}

function writeResults(path: string, records: Partial<Record<Section, SectionRecord>>): Results {
  const previous = readResults(path);
  const sections = { ...previous?.sections, ...records };
  const order: Section[] = ['cost', 'bundles', 'memory', 'throughput', 'api', 'pace', 'soak', 'notices', 'events', 'import', 'admin', 'fanout', 'inapp'];
  const results: Results = {
    generatedAt: new Date().toISOString(),
    machine: machine(),
    figures: order.flatMap((section) => sections[section]?.figures ?? []),
    sections,
  };
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${JSON.stringify(results, null, 2)}\n`);
  return results;
}

async function main(options: BenchOptions): Promise<number> {
  process.stderr.write(`herald bench: ${options.sections.join(', ')}; n=${options.n}${options.quick ? ' (quick)' : ''}\n`);
  // Bundles first, before DynamoDB Local's Java starts: cold loads are timed on a quiet machine.
  const ordered = [...options.sections].sort((a, b) => Number(b === 'bundles') - Number(a === 'bundles'));
  let emulators: Awaited<ReturnType<typeof startEmulators>> | undefined;
  const records: Partial<Record<Section, SectionRecord>> = {};
  const figures: Figure[] = [];
  const errors: SectionError[] = [];
  const cpu = machine().cpu;
  try {
    for (const section of ordered) {
      // Each measured section on a fresh DynamoDB Local (see freshDynamo); a quick run's figures need not be on target.
      if (section !== 'bundles' && emulators && !options.quick) await emulators.freshDynamo();
      if (section !== 'bundles') emulators ??= await startEmulators();
      const endpoints = emulators ?? { dynamoEndpoint: '', sqsEndpoint: '' };
      const started = Date.now();
      const before = loadavg();
      process.stderr.write(`- ${section}...\n`);
      const base = { measuredAt: new Date().toISOString(), command: commandFor(section, options), quick: options.quick, cpu };
      try {
        const result = await runSection(section, endpoints, options);
        figures.push(...result.figures);
        records[section] = { ...base, loadAverage: { before, after: loadavg() }, figures: result.figures, details: result.details };
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        errors.push({ section, error: message, command: base.command });
        records[section] = { ...base, loadAverage: { before, after: loadavg() }, figures: [], error: message };
        process.stderr.write(`  ${section} failed: ${error instanceof Error ? (error.stack ?? message) : message}\n`);
      }
      process.stderr.write(`  ${section} took ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
    }
  } finally {
    await emulators?.stop();
  }
  process.stdout.write(`\n${renderTable(figures, errors)}\n\n`);
  const m = machine();
  process.stdout.write(
    `machine: ${m.cpu}, ${m.cores} cores, ${m.memoryGb} GB, ${m.os}, Node ${m.node}; load average now ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}\n`,
  );
  if (options.out) {
    const path = resolve(options.out);
    const results = writeResults(path, records);
    process.stdout.write(`results: ${path}\n`);
    // docs/performance.md is the page of the stored results; results kept elsewhere leave it alone.
    if (path === resolve(DEFAULT_RESULTS)) {
      writeFileSync(resolve(PERFORMANCE_DOC), await performanceDocument(results));
      process.stdout.write(`page: ${PERFORMANCE_DOC}\n`);
    }
  }
  return errors.length ? 1 : 0;
}

main(parseOptions()).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
