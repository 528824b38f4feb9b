import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { HEADLINE_FIGURES, PERFORMANCE_DOC, performanceDocument, type StoredResults } from '../../bench/performance-doc.js';

const results = JSON.parse(readFileSync('bench/results/latest.json', 'utf8')) as StoredResults;

/** The lines of one `## title` part of a Markdown document, up to the next `## `. */
function part(document: string, title: string): string {
  const start = document.indexOf(`\n## ${title}\n`);
  expect(start, `no "## ${title}" in the document`).toBeGreaterThanOrEqual(0);
  const end = document.indexOf('\n## ', start + 1);
  return document.slice(start, end < 0 ? undefined : end).trim();
}

function headlineTable(document: string): string {
  return part(document, 'Headline')
    .split('\n')
    .filter((line) => line.startsWith('|'))
    .join('\n');
}

describe('docs/performance.md: rendered from bench/results/latest.json', () => {
  it('is what the bench renders from the stored results (run `npx tsx bench/report.ts` after changing either)', async () => {
    expect(readFileSync(PERFORMANCE_DOC, 'utf8')).toBe(await performanceDocument(results));
  });

  it('follows a change of a stored figure, so the comparison above can fail', async () => {
    const changed: StoredResults = {
      ...results,
      figures: results.figures.map((figure) => (figure.id === 'cost.dollarsPerMillion' ? { ...figure, value: 0.5, pass: false } : figure)),
    };
    const document = await performanceDocument(changed);
    expect(document).not.toBe(await performanceDocument(results));
    expect(headlineTable(document)).toMatch(/\| AWS cost per million delivered messages +\| \$0\.500 +\| <= \$0\.300 +\| FAIL +\|/);
    expect(part(document, 'Figures that miss their target')).toContain('**AWS cost per million delivered messages: $0.500**');
  });

  it("is the README's headline table too, figure for figure", async () => {
    const table = headlineTable(await performanceDocument(results));
    expect(table.split('\n')).toHaveLength(HEADLINE_FIGURES.length + 2);
    const readme = readFileSync('README.md', 'utf8').split('\n');
    const header = table.split('\n')[0];
    const start = readme.indexOf(header ?? '');
    expect(start, `README.md has no table headed ${header}`).toBeGreaterThanOrEqual(0);
    const end = readme.findIndex((line, index) => index > start && !line.startsWith('|'));
    const readmeTable = readme.slice(start, end < 0 ? undefined : end).join('\n');
    expect(readmeTable, "README.md's headline figures differ from docs/performance.md's: copy its Headline table").toBe(table);
  });
});
