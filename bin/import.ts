/**
 * `npm run import -- clients.csv [--url URL] [--concurrency N]`
 *
 * Streams a CSV of clients through POST /clients/batch. The header row names the columns:
 * `phone`, `email`, `timezone`, `tag`, `operatorCode`, `name` and `attributes.<key>`; `timezone`
 * and `phone` or `email` (or both) are required. The whole file is checked first (UTF-8, CSV syntax, the header), so a
 * bad file is one line of error, a non-zero exit and no request and no file written. Rows the API
 * refuses are written with their reasons to `<name>.rejected.csv` beside the input. Batches carry
 * an Idempotency-Key of this run, so a retried batch is answered once; a rerun of the same file
 * creates nothing twice (its rows come back 409 and count as already present). Requests to a
 * deployed API (any host not on loopback) are signed with SigV4 (service `execute-api`), and
 * go over https: only: a non-loopback http: URL is refused before anything is read or sent.
 */
import { createHash, createHmac, randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, rename, rm, stat } from 'node:fs/promises';
import * as path from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { SingleBar } from 'cli-progress';
import { CsvError, parse } from 'csv-parse';
import { isLoopback, isSecureOrLoopback, SECURE_URL_RULE } from '../functions/domain/secure-url.js';

export const DEFAULT_URL = 'http://127.0.0.1:3000';
export const MAX_BATCH_ROWS = 1000;
/** Under the API's body limit (functions/api/routes/clients.ts), leaving room for the envelope. */
export const MAX_BATCH_BYTES = 900 * 1024;
export const DEFAULT_CONCURRENCY = 4;
const REQUEST_ATTEMPTS = 5;

const FIELD_COLUMNS = ['phone', 'email', 'timezone', 'tag', 'operatorCode', 'name'] as const;
const REQUIRED_COLUMNS = ['timezone'];
/** A client needs an address: at least one of these columns. */
const ADDRESS_COLUMNS = ['phone', 'email'];
const ATTRIBUTE_COLUMN = /^attributes\.([a-z][a-z0-9_]{0,31})$/;

/** A file the import refuses before sending anything: one line for the user. */
export class ImportFileError extends Error {}

export interface FileCheck {
  columns: string[];
  /** Data rows (the header not counted). */
  rows: number;
}

/**
 * Decodes strictly (non-UTF-8 is an error, not replacement characters) and parses, record by
 * record. One pipeline, so a consumer that stops early (a bad header on the first record) or an
 * error at any stage ends every stage: a reader left waiting for the parser to drain would
 * leave the process with nothing to do and no answer.
 */
async function* records(file: string): AsyncGenerator<{ record: string[]; line: number }> {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let offset = 0;
  const strictUtf8 = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      try {
        const text = decoder.decode(chunk, { stream: true });
        offset += chunk.length;
        done(null, text);
      } catch {
        done(new ImportFileError(`${file} is not UTF-8 text (an invalid byte sequence within bytes ${offset}-${offset + chunk.length})`));
      }
    },
    flush(done) {
      try {
        done(null, decoder.decode());
      } catch {
        done(new ImportFileError(`${file} is not UTF-8 text (it ends inside a character)`));
      }
    },
  });
  const parser = parse({ bom: true, skip_empty_lines: true, relax_column_count: true, info: true });
  // Settles once the parser has taken the whole file, or with the first stage's error; read below through the parser.
  const fed = pipeline(createReadStream(file), strictUtf8, parser).catch(() => undefined);
  try {
    for await (const { record, info } of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
      yield { record, line: info.lines };
    }
  } catch (error) {
    if (error instanceof ImportFileError) throw error;
    if (error instanceof CsvError) throw new ImportFileError(`${file} is not valid CSV: ${error.message}`);
    // The file went away or cannot be read (a directory, no permission) after its stat.
    throw new ImportFileError(`${file} cannot be read: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  } finally {
    parser.destroy();
    await fed;
  }
}

/** The header's problems, in the order a user fixes them. */
export function checkHeader(file: string, columns: string[]): void {
  const known = (column: string) => (FIELD_COLUMNS as readonly string[]).includes(column) || ATTRIBUTE_COLUMN.test(column);
  if (!columns.some(known)) {
    throw new ImportFileError(
      `${file} has no header row: its first line must name the columns (${[...FIELD_COLUMNS, 'attributes.<key>'].join(', ')}), not ${JSON.stringify(columns.join(',').slice(0, 60))}`,
    );
  }
  const unknown = columns.find((column) => !known(column));
  if (unknown !== undefined) {
    throw new ImportFileError(`${file}: unknown column ${JSON.stringify(unknown)}; known columns are ${FIELD_COLUMNS.join(', ')} and attributes.<key>`);
  }
  const repeated = columns.find((column, index) => columns.indexOf(column) !== index);
  if (repeated !== undefined) throw new ImportFileError(`${file}: column ${JSON.stringify(repeated)} appears twice`);
  const missing = REQUIRED_COLUMNS.filter((column) => !columns.includes(column));
  if (missing.length > 0) throw new ImportFileError(`${file}: missing column ${missing.join(', ')}`);
  if (!ADDRESS_COLUMNS.some((column) => columns.includes(column))) throw new ImportFileError(`${file}: missing column ${ADDRESS_COLUMNS.join(' or ')}`);
}

/** Reads the whole file once before anything is sent: encoding, CSV syntax, header, row count. */
export async function checkFile(file: string): Promise<FileCheck> {
  let size: number;
  try {
    size = (await stat(file)).size;
  } catch (error) {
    throw new ImportFileError(`${file} cannot be read: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  if (size === 0) throw new ImportFileError(`${file} is empty`);
  let columns: string[] | undefined;
  let rows = 0;
  for await (const { record } of records(file)) {
    if (columns === undefined) {
      columns = record.map((cell) => cell.trim());
      checkHeader(file, columns);
    } else rows++;
  }
  if (columns === undefined) throw new ImportFileError(`${file} is empty`);
  return { columns, rows };
}

/** Where the rejected rows go: `clients.csv` -> `clients.rejected.csv`, beside it. */
export function rejectedPathOf(file: string): string {
  const { dir, name, ext } = path.parse(file);
  return path.join(dir, `${ext.toLowerCase() === '.csv' ? name : `${name}${ext}`}.rejected.csv`);
}

/** The JSON a row becomes: empty cells are left out; `name` and `attributes` only when their columns exist. */
export function clientOf(columns: string[], record: string[]): Record<string, unknown> {
  const client: Record<string, unknown> = {};
  const attributes: Record<string, string> = {};
  columns.forEach((column, index) => {
    const value = record[index];
    if (value === undefined || value === '') return;
    const attribute = ATTRIBUTE_COLUMN.exec(column);
    if (attribute) attributes[attribute[1]!] = value;
    else client[column] = value;
  });
  if (Object.keys(attributes).length > 0) client.attributes = attributes;
  return client;
}

/** RFC 4180 quoting for the rejected-rows file. */
function csvLine(cells: (string | number)[]): string {
  return `${cells.map((cell) => (/[",\r\n]/.test(String(cell)) ? `"${String(cell).replaceAll('"', '""')}"` : String(cell))).join(',')}\r\n`;
}

// SigV4 ------------------------------------------------------------------------------------

/** node:crypto behind the checksum interface the SDK's signer takes (what @smithy/hash-node does). */
type SourceData = string | ArrayBuffer | ArrayBufferView;
const bytesOf = (data: SourceData) =>
  typeof data === 'string'
    ? Buffer.from(data, 'utf8')
    : ArrayBuffer.isView(data)
      ? Buffer.from(data.buffer, data.byteOffset, data.byteLength)
      : Buffer.from(data);
class Sha256 {
  private readonly hash;
  constructor(secret?: SourceData) {
    this.hash = secret ? createHmac('sha256', bytesOf(secret)) : createHash('sha256');
  }
  update(data: SourceData): void {
    this.hash.update(bytesOf(data));
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.hash.digest());
  }
  reset(): void {}
}

export type Signer = (request: { method: string; url: URL; headers: Record<string, string>; body: string }) => Promise<Record<string, string>>;

/** The region of an API Gateway URL (`<id>.execute-api.<region>.amazonaws.com`), else the SDK's settings. */
export function regionOf(url: URL, env: NodeJS.ProcessEnv = process.env): string {
  const match = /\.execute-api\.([a-z0-9-]+)\.amazonaws\.com$/.exec(url.hostname);
  const region = match?.[1] ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
  if (!region) throw new Error(`cannot tell the AWS region of ${url.host}: set AWS_REGION`);
  return region;
}

/** SigV4 with the AWS SDK's signer and credential chain (environment, profile, SSO, instance role). */
export async function sigV4Signer(url: URL, credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string }): Promise<Signer> {
  const { SignatureV4 } = await import('@smithy/signature-v4');
  const provider = credentials ? async () => credentials : (await import('@aws-sdk/credential-provider-node')).defaultProvider();
  const signer = new SignatureV4({ service: 'execute-api', region: regionOf(url), credentials: provider, sha256: Sha256 });
  return async ({ method, url: target, headers, body }) => {
    const signed = await signer.sign({
      method,
      protocol: target.protocol,
      hostname: target.hostname,
      port: target.port ? Number(target.port) : undefined,
      path: target.pathname,
      query: Object.fromEntries(target.searchParams),
      headers: { ...headers, host: target.host },
      body,
    });
    const { host: _host, ...rest } = signed.headers as Record<string, string>;
    return rest;
  };
}

// The run --------------------------------------------------------------------------------

interface Problem {
  detail?: string;
  title?: string;
}
interface BatchAnswer {
  created: number;
  failed: number;
  results: { index: number; status: number; id?: string; error?: Problem }[];
}
interface PendingRow {
  line: number;
  record: string[];
}

export interface ImportSummary {
  rows: number;
  created: number;
  /** 409: the phone or e-mail address is already stored, or an earlier row of the file has it. */
  alreadyPresent: number;
  /** 400 and rows the file itself gets wrong (field count). */
  invalid: number;
  rejectedFile: string;
  seconds: number;
}

export interface ImportOptions {
  file: string;
  url: string;
  concurrency?: number;
  /** Rows per request; at most MAX_BATCH_ROWS. */
  batchRows?: number;
  fetch?: typeof fetch;
  signer?: Signer;
  /** Progress on stderr; by default only when stderr is a terminal. */
  progress?: boolean;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function importClients(options: ImportOptions): Promise<ImportSummary> {
  const started = Date.now();
  const { file } = options;
  const base = new URL(options.url);
  // A signed request is as good as the caller's credentials for a while: it goes over https:, or never leaves the machine.
  if (!isSecureOrLoopback(base)) throw new Error(`--url ${base.href}: ${SECURE_URL_RULE}, as requests to it are signed with your AWS credentials`);
  const { columns, rows } = await checkFile(file);
  const endpoint = new URL(`${base.pathname.replace(/\/$/, '')}/clients/batch`, base);
  const signer = options.signer ?? (isLoopback(base) ? undefined : await sigV4Signer(base));
  const doFetch = options.fetch ?? fetch;
  const concurrency = Math.max(1, options.concurrency ?? DEFAULT_CONCURRENCY);
  const batchRows = Math.min(MAX_BATCH_ROWS, Math.max(1, options.batchRows ?? MAX_BATCH_ROWS));
  const runId = randomUUID();

  const rejectedFile = rejectedPathOf(file);
  const partial = `${rejectedFile}.partial`;
  const out = await open(partial, 'w');
  const summary: ImportSummary = { rows, created: 0, alreadyPresent: 0, invalid: 0, rejectedFile, seconds: 0 };
  const bar =
    (options.progress ?? process.stderr.isTTY)
      ? new SingleBar({ format: 'importing [{bar}] {value}/{total} rows | {eta}s left', stream: process.stderr })
      : undefined;
  bar?.start(rows, 0);
  let writes = out.write(csvLine([...columns, 'line', 'status', 'reason']));
  const reject = (row: PendingRow, status: number, reason: string) => {
    if (status === 409) summary.alreadyPresent++;
    else summary.invalid++;
    const text = csvLine([...columns.map((_, index) => row.record[index] ?? ''), row.line, status, reason]);
    writes = writes.then(() => out.write(text));
  };

  const post = async (body: string, key: string): Promise<Response> => {
    const headers: Record<string, string> = { 'content-type': 'application/json', 'idempotency-key': key };
    for (let attempt = 1; ; attempt++) {
      const signed = signer ? await signer({ method: 'POST', url: endpoint, headers, body }) : headers;
      try {
        const response = await doFetch(endpoint, { method: 'POST', headers: signed, body });
        // 409 on the batch itself: the same batch is still in progress (a retry raced it).
        if ((response.status < 500 && response.status !== 429 && response.status !== 409) || attempt >= REQUEST_ATTEMPTS) return response;
        await response.body?.cancel();
      } catch (error) {
        if (attempt >= REQUEST_ATTEMPTS) throw new Error(`POST ${endpoint.href} failed: ${(error as Error).message}`);
      }
      await sleep(Math.min(10_000, 250 * 2 ** attempt * (0.5 + Math.random())));
    }
  };

  let batchNo = 0;
  const sendBatch = async (batch: PendingRow[], clients: unknown[]) => {
    const response = await post(JSON.stringify({ clients }), `${runId}-${batchNo++}`);
    const text = await response.text();
    if (response.status !== 200) {
      throw new Error(`POST ${endpoint.href} answered ${response.status}: ${text.slice(0, 300).replace(/\s+/g, ' ')}`);
    }
    const answer = JSON.parse(text) as BatchAnswer;
    for (const result of answer.results) {
      const row = batch[result.index]!;
      if (result.status === 201) summary.created++;
      else reject(row, result.status, result.error?.detail ?? result.error?.title ?? `status ${result.status}`);
    }
    bar?.increment(batch.length);
  };

  const inFlight = new Set<Promise<void>>();
  let failure: unknown;
  const dispatch = async (batch: PendingRow[], clients: unknown[]) => {
    const sent = sendBatch(batch, clients).catch((error: unknown) => {
      failure ??= error;
    });
    inFlight.add(sent);
    void sent.finally(() => inFlight.delete(sent));
    while (inFlight.size >= concurrency) await Promise.race(inFlight);
  };

  try {
    let batch: PendingRow[] = [];
    let clients: unknown[] = [];
    let bytes = 0;
    let header = true;
    for await (const { record, line } of records(file)) {
      if (header) {
        header = false;
        continue;
      }
      if (failure) break;
      if (record.length !== columns.length) {
        reject({ line, record }, 400, `has ${record.length} fields; the header has ${columns.length}`);
        bar?.increment(1);
        continue;
      }
      const client = clientOf(columns, record);
      const size = JSON.stringify(client).length + 1;
      if (batch.length > 0 && (batch.length >= batchRows || bytes + size > MAX_BATCH_BYTES)) {
        await dispatch(batch, clients);
        batch = [];
        clients = [];
        bytes = 0;
      }
      batch.push({ line, record });
      clients.push(client);
      bytes += size;
    }
    if (batch.length > 0 && !failure) await dispatch(batch, clients);
    await Promise.all(inFlight);
    if (failure) throw failure;
    await writes;
    await out.close();
    await rename(partial, rejectedFile);
  } catch (error) {
    await writes.catch(() => undefined);
    await out.close().catch(() => undefined);
    await rm(partial, { force: true });
    throw error;
  } finally {
    bar?.stop();
  }
  summary.seconds = (Date.now() - started) / 1000;
  return summary;
}

export function summaryLine(summary: ImportSummary): string {
  const perMinute = summary.seconds > 0 ? Math.round((summary.rows / summary.seconds) * 60) : summary.rows;
  return (
    `${summary.rows} rows: ${summary.created} created, ${summary.alreadyPresent} already present (409), ${summary.invalid} invalid (400) ` +
    `in ${summary.seconds.toFixed(1)} s (${perMinute} rows/min); rejected rows with reasons: ${summary.rejectedFile}`
  );
}

const usage = 'usage: npm run import -- FILE.csv [--url URL] [--concurrency N]';

/** The command: returns the exit code; errors are one line on stderr. */
export async function main(
  argv: string[],
  io: { out: (line: string) => void; err: (line: string) => void } = { out: console.log, err: console.error },
): Promise<number> {
  let file: string;
  let url: string;
  let concurrency: number;
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: true,
      options: {
        url: { type: 'string', default: process.env.HERALD_URL ?? DEFAULT_URL },
        concurrency: { type: 'string', default: String(DEFAULT_CONCURRENCY) },
      },
    });
    if (positionals.length !== 1) throw new Error(`give exactly one CSV file; ${usage}`);
    file = positionals[0]!;
    url = new URL(values.url).href;
    concurrency = Number(values.concurrency);
    if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 64) throw new Error('--concurrency must be an integer from 1 to 64');
  } catch (error) {
    io.err(`import: ${(error as Error).message}`);
    return 2;
  }
  try {
    io.out(summaryLine(await importClients({ file, url, concurrency })));
    return 0;
  } catch (error) {
    io.err(`import: ${(error as Error).message}`);
    return 1;
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  process.exitCode = await main(process.argv.slice(2));
}
