/** One measured figure of the bench, its target and the command that measures it again. */
export type Section = 'cost' | 'bundles' | 'memory' | 'throughput' | 'api' | 'pace' | 'soak' | 'notices' | 'import' | 'admin' | 'fanout' | 'events' | 'inapp';
export const SECTIONS: readonly Section[] = [
  'cost',
  'bundles',
  'memory',
  'throughput',
  'api',
  'pace',
  'soak',
  'notices',
  'import',
  'admin',
  'fanout',
  'events',
  'inapp',
];

export interface Target {
  /** The figure passes when `value <op> limit`. */
  op: '<' | '<=' | '>=';
  limit: number;
}

export interface Figure {
  /** Stable key in bench/results/latest.json, e.g. `cost.dollarsPerMillion`. */
  id: string;
  section: Section;
  figure: string;
  value: number;
  unit: string;
  target?: Target;
  /** Absent when the figure has no target. */
  pass?: boolean;
  command: string;
  note?: string;
}

/** A section that could not run still shows up in the table, with why. */
export interface SectionError {
  section: Section;
  error: string;
  command: string;
}

export function figure(fields: Omit<Figure, 'pass'>): Figure {
  const { target, value } = fields;
  if (!target) return fields;
  const pass = target.op === '<' ? value < target.limit : target.op === '<=' ? value <= target.limit : value >= target.limit;
  return { ...fields, pass };
}

/** Enough digits to read, never a misleading `0` for a small positive number. */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const magnitude = Math.abs(value);
  if (magnitude === 0) return '0';
  if (magnitude >= 1000) return Math.round(value).toLocaleString('en-US');
  if (magnitude >= 100) return value.toFixed(0);
  if (magnitude >= 10) return value.toFixed(1);
  if (magnitude >= 1) return value.toFixed(2);
  return value.toPrecision(3);
}

function withUnit(text: string, unit: string): string {
  if (unit === '$') return `$${text}`;
  if (unit === '%') return `${text} %`;
  return `${text} ${unit}`;
}

export function formatValue(value: number, unit: string): string {
  return withUnit(formatNumber(value), unit);
}

/**
 * A figure's value as it is read beside its target. When rounding would make a value that is
 * not the limit read as the limit itself (a 299.8 KB bundle as "300 KB < 300 KB pass", a 0.8997
 * ratio as "0.900 >= 0.9 FAIL"), digits are added until it does not.
 */
export function formatFigureValue(figure: Pick<Figure, 'value' | 'unit' | 'target'>): string {
  const { value, unit, target } = figure;
  const shown = formatNumber(value);
  if (!target || value === target.limit || shown !== formatNumber(target.limit)) return withUnit(shown, unit);
  let precision = 4;
  while (precision < 15 && Number(value.toPrecision(precision)) === target.limit) precision += 1;
  return withUnit(value.toPrecision(precision), unit);
}

export function formatTarget(target: Target | undefined, unit: string): string {
  return target ? `${target.op} ${formatValue(target.limit, unit)}` : '';
}

function verdict(figure: Figure): string {
  if (figure.pass === undefined) return '';
  return figure.pass ? 'pass' : 'FAIL';
}

/** A plain-text table for the terminal: figure, value, target, pass/fail, command. */
export function renderTable(figures: Figure[], errors: SectionError[]): string {
  const header = ['figure', 'value', 'target', 'pass', 'command'];
  const rows = figures.map((f) => [f.figure, formatFigureValue(f), formatTarget(f.target, f.unit), verdict(f), f.command]);
  for (const error of errors) rows.push([`${error.section}: could not run`, error.error.split('\n')[0] ?? '', '', 'ERROR', error.command]);
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, column) => cell.padEnd(widths[column] ?? 0))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((width) => '-'.repeat(width))), ...rows.map(line)].join('\n');
}

/** The same figures as a Markdown table (docs/performance.md, through ./performance-doc.ts). */
export function renderMarkdown(figures: Figure[]): string {
  const escape = (text: string) => text.replace(/\|/g, '\\|');
  const lines = ['| figure | value | target | result | repeat with |', '| --- | --- | --- | --- | --- |'];
  // Markdown drops leading spaces; the indented "of which" rows keep their indent as non-breaking spaces.
  const indent = (text: string) => text.replace(/^ +/, (spaces) => '&nbsp;'.repeat(spaces.length * 2));
  for (const f of figures) {
    lines.push(
      `| ${indent(escape(f.figure))} | ${escape(formatFigureValue(f))} | ${escape(formatTarget(f.target, f.unit))} | ${verdict(f)} | \`${f.command}\` |`,
    );
  }
  return lines.join('\n');
}
