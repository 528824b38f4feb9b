/** CSV in and out for the client import, in the browser: the same columns as `npm run import` (bin/import.ts). */
import { parse } from 'csv-parse/browser/esm/sync';

const ATTRIBUTE_COLUMN = /^attributes\.([a-z][a-z0-9_]{0,31})$/;

export interface ParsedCsv {
  columns: string[];
  records: string[][];
}

export function parseCsv(text: string): ParsedCsv {
  const rows = parse(text, { bom: true, skip_empty_lines: true, relax_column_count: true }) as string[][];
  const [columns = [], ...records] = rows;
  return { columns: columns.map((column) => column.trim()), records };
}

/** The JSON a row becomes: empty cells left out, `attributes.<key>` columns gathered under `attributes`. */
export function clientOf(columns: string[], record: string[]): Record<string, unknown> {
  const client: Record<string, unknown> = {};
  const attributes: Record<string, string> = {};
  columns.forEach((column, index) => {
    const value = record[index];
    if (value === undefined || value === '') return;
    const attribute = ATTRIBUTE_COLUMN.exec(column);
    if (attribute) attributes[attribute[1] as string] = value;
    else if (column === 'optedOut') client.optedOut = value.toLowerCase() === 'true';
    else client[column] = value;
  });
  if (Object.keys(attributes).length > 0) client.attributes = attributes;
  return client;
}

/** RFC 4180 lines. */
export function toCsv(rows: string[][]): string {
  return rows.map((cells) => cells.map((cell) => (/[",\r\n]/.test(cell) ? `"${cell.replaceAll('"', '""')}"` : cell)).join(',')).join('\r\n') + '\r\n';
}
