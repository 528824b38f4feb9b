/**
 * `npx tsx bench/import.ts [--rows 100000] [--concurrency N]`
 *
 * Rows per minute of `npm run import` against the local runtime (its own DynamoDB Local and SQS
 * emulator): see ./import-rate.ts (also `npm run bench -- --only import`). Prints one JSON line.
 */
import './env.js';
import { parseArgs } from 'node:util';
import { DEFAULT_CONCURRENCY } from '../bin/import.js';
import { startEmulators } from './emulators.js';
import { measureImport } from './import-rate.js';

const { values } = parseArgs({
  options: { rows: { type: 'string', default: '100000' }, concurrency: { type: 'string', default: String(DEFAULT_CONCURRENCY) } },
});
const emulators = await startEmulators();
try {
  console.log(JSON.stringify(await measureImport(emulators, { rows: Number(values.rows), concurrency: Number(values.concurrency) })));
} finally {
  await emulators.stop();
}
