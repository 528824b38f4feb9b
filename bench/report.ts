/**
 * `npx tsx bench/report.ts [results.json]`: the README's Performance table, in Markdown, from
 * the last bench results (bench/results/latest.json), with the machine and the date of each
 * section's run. Measures nothing itself.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { renderMarkdown, type Figure, type Section } from './figures.js';
import { DEFAULT_RESULTS } from './options.js';

interface StoredResults {
  generatedAt: string;
  machine: { cpu: string; cores: number; memoryGb: number; os: string; node: string };
  figures: Figure[];
  sections: Partial<Record<Section, { measuredAt: string; command: string; cpu?: string; loadAverage: { before: number[]; after: number[] }; error?: string }>>;
}

export function performanceMarkdown(results: StoredResults): string {
  const { machine } = results;
  const runs = Object.entries(results.sections).map(
    ([section, record]) =>
      `- ${section}: ${record.measuredAt.slice(0, 16).replace('T', ' ')} UTC${record.cpu ? ` on ${record.cpu}` : ''}, \`${record.command}\`, load average ${record.loadAverage.before[0]?.toFixed(1)} before${record.error ? `; failed: ${record.error}` : ''}`,
  );
  return [
    renderMarkdown(results.figures),
    '',
    `Machine of the last run: ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGb} GB, ${machine.os}, Node ${machine.node}.`,
    '',
    'Runs:',
    ...runs,
  ].join('\n');
}

const path = resolve(process.argv[2] ?? DEFAULT_RESULTS);
process.stdout.write(`${performanceMarkdown(JSON.parse(readFileSync(path, 'utf8')) as StoredResults)}\n`);
