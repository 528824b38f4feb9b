/**
 * Rows per minute of `npm run import` (bin/import.ts) against the local runtime: a generated
 * CSV of distinct phones, imported once, then imported again (every row already present, so
 * the rerun measures the conflict path). Used by `npm run bench` and by bench/import.ts.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { DEFAULT_CONCURRENCY, importClients } from '../bin/import.js';
import { startLocalRuntime } from '../local/runtime.js';
import type { Endpoints } from './emulators.js';
import { figure, type Figure } from './figures.js';

export interface ImportRun {
  rows: number;
  concurrency: number;
  import: { seconds: number; created: number; rowsPerMinute: number };
  rerun: { seconds: number; alreadyPresent: number; rowsPerMinute: number };
}

/** The target: at least 100,000 rows a minute. */
export const IMPORT_TARGET_ROWS_PER_MINUTE = 100_000;

export async function measureImport(endpoints: Endpoints, options: { rows: number; concurrency?: number }): Promise<ImportRun> {
  const { rows } = options;
  const concurrency = options.concurrency ?? DEFAULT_CONCURRENCY;
  const dir = await mkdtemp(path.join(tmpdir(), 'herald-import-bench-'));
  const file = path.join(dir, 'clients.csv');
  const lines = ['phone,timezone,tag'];
  for (let i = 0; i < rows; i++) lines.push(`79${String(i).padStart(9, '0')},Europe/Moscow,t${i % 10}`);
  await writeFile(file, `${lines.join('\n')}\n`);
  const runtime = await startLocalRuntime({ port: 0, ...endpoints, suffix: `importbench${Date.now().toString(36)}` });
  try {
    const first = await importClients({ file, url: runtime.url, concurrency, progress: false });
    const rerun = await importClients({ file, url: runtime.url, concurrency, progress: false });
    if (first.created !== rows || rerun.alreadyPresent !== rows)
      throw new Error(`import created ${first.created} and the rerun found ${rerun.alreadyPresent} of ${rows} rows`);
    const perMinute = (summary: { rows: number; seconds: number }) => Math.round((summary.rows / summary.seconds) * 60);
    return {
      rows,
      concurrency,
      import: { seconds: first.seconds, created: first.created, rowsPerMinute: perMinute(first) },
      rerun: { seconds: rerun.seconds, alreadyPresent: rerun.alreadyPresent, rowsPerMinute: perMinute(rerun) },
    };
  } finally {
    await runtime.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

export function importFigures(run: ImportRun, command: string): Figure[] {
  const target = { op: '>=' as const, limit: IMPORT_TARGET_ROWS_PER_MINUTE };
  return [
    figure({
      id: 'import.rowsPerMinute',
      section: 'import',
      figure: `import: ${run.rows.toLocaleString('en-US')} new rows`,
      value: run.import.rowsPerMinute,
      unit: 'rows/min',
      target,
      command,
      note: `${run.import.seconds.toFixed(1)} s, ${run.concurrency} batches of 1,000 in flight`,
    }),
    figure({
      id: 'import.rerunRowsPerMinute',
      section: 'import',
      figure: '  rerun of the same file (all 409)',
      value: run.rerun.rowsPerMinute,
      unit: 'rows/min',
      command,
      note: `${run.rerun.seconds.toFixed(1)} s`,
    }),
  ];
}
