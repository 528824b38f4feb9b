/**
 * `npx tsx bench/report.ts [results.json] [--stdout]`: writes docs/performance.md again from the
 * stored bench results (bench/results/latest.json by default), or prints it with --stdout.
 * Measures nothing itself; `npm run bench` writes the same page after each stored run.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_RESULTS } from './options.js';
import { PERFORMANCE_DOC, performanceDocument, type StoredResults } from './performance-doc.js';

const { values, positionals } = parseArgs({ options: { stdout: { type: 'boolean' } }, allowPositionals: true });
const path = resolve(positionals[0] ?? DEFAULT_RESULTS);
const document = await performanceDocument(JSON.parse(readFileSync(path, 'utf8')) as StoredResults);
if (values.stdout) process.stdout.write(document);
else {
  writeFileSync(resolve(PERFORMANCE_DOC), document);
  process.stdout.write(`${PERFORMANCE_DOC} written from ${path}\n`);
}
