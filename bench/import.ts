/**
 * `npx tsx bench/import.ts [--rows 100000] [--concurrency 4]`
 *
 * Rows per minute of `npm run import` against the local runtime (its own DynamoDB Local and SQS
 * emulator, in memory): a generated CSV of distinct phones, imported once, then imported again
 * (every row already present, so the rerun measures the conflict path). Prints one JSON line.
 */
import './env.js';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { importClients } from '../bin/import.js';
import { startLocalRuntime } from '../local/runtime.js';
import { startEmulators } from './emulators.js';

const { values } = parseArgs({ options: { rows: { type: 'string', default: '100000' }, concurrency: { type: 'string', default: '4' } } });
const rows = Number(values.rows);
const concurrency = Number(values.concurrency);

const dir = await mkdtemp(path.join(tmpdir(), 'herald-import-bench-'));
const file = path.join(dir, 'clients.csv');
const lines = ['phone,timezone,tag'];
for (let i = 0; i < rows; i++) lines.push(`79${String(i).padStart(9, '0')},Europe/Moscow,t${i % 10}`);
await writeFile(file, `${lines.join('\n')}\n`);

const emulators = await startEmulators();
const runtime = await startLocalRuntime({ port: 0, dynamoEndpoint: emulators.dynamoEndpoint, sqsEndpoint: emulators.sqsEndpoint, suffix: 'importbench' });
try {
  const first = await importClients({ file, url: runtime.url, concurrency, progress: false });
  const rerun = await importClients({ file, url: runtime.url, concurrency, progress: false });
  const perMinute = (summary: { rows: number; seconds: number }) => Math.round((summary.rows / summary.seconds) * 60);
  console.log(
    JSON.stringify({
      rows,
      concurrency,
      import: { seconds: first.seconds, created: first.created, rowsPerMinute: perMinute(first) },
      rerun: { seconds: rerun.seconds, alreadyPresent: rerun.alreadyPresent, rowsPerMinute: perMinute(rerun) },
    }),
  );
} finally {
  await runtime.stop();
  await emulators.stop();
  await rm(dir, { recursive: true, force: true });
}
