/**
 * Bulk import over real HTTP against the local runtime: POST /clients/batch with its per-row
 * results, phone uniqueness under concurrent batches, the import CLI (rejected rows, reruns,
 * bad files refused before any request), and Idempotency-Key end to end.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importClients, main, rejectedPathOf } from '../../bin/import.js';
import type { LocalRuntime } from '../../local/runtime.js';
import { documentClient, uniqueSuffix } from '../support/aws.js';
import { startTestRuntime } from '../support/e2e.js';

let runtime: LocalRuntime;
let dir: string;
beforeAll(async () => {
  runtime = await startTestRuntime();
  dir = await mkdtemp(path.join(tmpdir(), 'herald-import-'));
});
afterAll(async () => {
  await runtime?.stop();
});

type Json = Record<string, unknown>;
interface BatchAnswer {
  created: number;
  failed: number;
  results: { index: number; status: number; id?: string; error?: { status: number; detail: string; errors: { field: string }[] } }[];
}

async function post<T = Json>(pathname: string, body: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(`${runtime.url}${pathname}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  return { status: response.status, headers: response.headers, body: (await response.json()) as T };
}

async function storedPhones(): Promise<string[]> {
  const phones: string[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await documentClient().send(
      new ScanCommand({ TableName: runtime.tableNames.clients, ExclusiveStartKey: start, ProjectionExpression: 'phone' }),
    );
    phones.push(...(page.Items ?? []).map((item) => item.phone as string));
    start = page.LastEvaluatedKey;
  } while (start);
  return phones;
}

let prefix = 100;
/** Phones of a block of its own per call, so tests do not meet each other's clients. */
const phonesOf = (count: number) => {
  const block = prefix++;
  return Array.from({ length: count }, (_, i) => `7${block}${String(i).padStart(7, '0')}`);
};

describe('POST /clients/batch', () => {
  it('answers each row with the status it would have had alone', async () => {
    const [a, b, c] = phonesOf(3);
    const answer = await post<BatchAnswer>('/clients/batch', {
      clients: [
        { phone: a, timezone: 'Europe/Moscow', tag: 'vip' },
        { phone: '123', timezone: 'Europe/Moscow' },
        { phone: a, timezone: 'UTC' },
        { phone: b, timezone: 'Nowhere/Atlantis' },
        { phone: c, timezone: 'UTC', color: 'red' },
      ],
    });
    expect(answer.status).toBe(200);
    expect(answer.body.created).toBe(1);
    expect(answer.body.failed).toBe(4);
    expect(answer.body.results.map((result) => [result.index, result.status])).toEqual([
      [0, 201],
      [1, 400],
      [2, 409],
      [3, 400],
      [4, 400],
    ]);
    const [created, badPhone, repeated, badZone, unknownField] = answer.body.results;
    expect(created!.id).toEqual(expect.any(String));
    expect(badPhone!.error!.errors.map((error) => error.field)).toEqual(['phone']);
    expect(repeated!.error).toMatchObject({ status: 409, detail: expect.stringContaining('row 0') });
    expect(badZone!.error!.errors.map((error) => error.field)).toEqual(['timezone']);
    expect(unknownField!.error!.errors.map((error) => error.field)).toEqual(['color']);
    const stored = await fetch(`${runtime.url}/clients/${created!.id}`).then((response) => response.json() as Promise<Json>);
    expect(stored).toMatchObject({ phone: a, tag: 'vip' });
    // Already stored: 409 on a later batch.
    const again = await post<BatchAnswer>('/clients/batch', { clients: [{ phone: a, timezone: 'UTC' }] });
    expect(again.body.results[0]).toMatchObject({ status: 409, error: { errors: [{ field: 'phone' }] } });
  });

  it.each([
    ['no rows', { clients: [] }],
    ['1,001 rows', { clients: Array.from({ length: 1001 }, () => ({ phone: '79000000000', timezone: 'UTC' })) }],
    ['no clients field', { rows: [] }],
  ])('refuses %s as a whole (400 naming the field), creating nothing', async (_name, body) => {
    const before = (await storedPhones()).length;
    const answer = await post<{ errors: { field: string }[] }>('/clients/batch', body);
    expect(answer.status).toBe(400);
    expect(answer.headers.get('content-type')).toBe('application/problem+json');
    expect(answer.body.errors.length).toBeGreaterThan(0);
    expect((await storedPhones()).length).toBe(before);
  });

  it('keeps phones unique under concurrent batches with overlapping phones', async () => {
    const phones = phonesOf(300);
    const batches = [0, 1, 2, 3].map((shift) => ({ clients: phones.map((_, i) => ({ phone: phones[(i + shift * 75) % phones.length]!, timezone: 'UTC' })) }));
    const answers = await Promise.all(batches.map((batch) => post<BatchAnswer>('/clients/batch', batch)));
    const created = answers.reduce((sum, answer) => sum + answer.body.created, 0);
    expect(created).toBe(phones.length);
    const stored = (await storedPhones()).filter((phone) => phones.includes(phone));
    expect(stored.sort()).toEqual([...phones].sort());
  });
});

describe('npm run import', () => {
  // `name` and `attributes.<key>` columns are read too (see test/unit/import-cli.test.ts); the API takes them once clients have them.
  const header = 'phone,timezone,tag,operatorCode';

  it('imports a file, writes the rejected rows with their reasons, and a rerun creates nothing twice', async () => {
    const phones = phonesOf(1200);
    const lines = phones.map((phone, i) => `${phone},Europe/Moscow,"t, ${i % 3}",`);
    lines.splice(10, 0, '7123,Europe/Moscow,,'); // bad phone
    lines.splice(20, 0, `${phones[5]},UTC,,`); // repeats a phone of the file
    lines.splice(30, 0, `${phones[6]},UTC`); // too few fields
    const file = path.join(dir, 'clients.csv');
    await writeFile(file, [header, ...lines].join('\n') + '\n');

    const first = await importClients({ file, url: runtime.url, batchRows: 500, progress: false });
    expect(first).toMatchObject({ rows: 1203, created: 1200, alreadyPresent: 1, invalid: 2 });
    const stored = new Set(await storedPhones());
    expect(phones.every((phone) => stored.has(phone))).toBe(true);
    const one = await fetch(`${runtime.url}/clients?tag=${encodeURIComponent('t, 1')}&limit=1`).then(
      (response) => response.json() as Promise<{ items: Json[] }>,
    );
    expect(one.items[0]).toMatchObject({ tag: 't, 1', timezone: 'Europe/Moscow' });
    const rejected = (await readFile(rejectedPathOf(file), 'utf8')).trim().split('\r\n');
    expect(rejected[0]).toBe(`${header},line,status,reason`);
    expect(rejected).toHaveLength(4);
    expect(rejected.find((line) => line.startsWith('7123,'))).toMatch(/,12,400,.*phone/);
    expect(rejected.find((line) => line.startsWith(`${phones[5]},UTC`))).toMatch(/,409,/);
    expect(rejected.find((line) => line.includes('has 2 fields'))).toBeDefined();

    const rerun = await importClients({ file, url: runtime.url, progress: false });
    expect(rerun).toMatchObject({ rows: 1203, created: 0, alreadyPresent: 1201, invalid: 2 });
    const storedAfter = await storedPhones();
    expect(storedAfter.filter((phone) => phones.includes(phone))).toHaveLength(phones.length);
  });

  const badFiles: [string, string | Buffer, RegExp][] = [
    ['an empty file', '', /is empty/],
    ['a file of blank lines', '\n\n', /is empty/],
    ['a file without a header', '79001234567,Europe/Moscow\n79001234568,UTC\n', /no header row/],
    ['an unknown column', 'phone,timezone,colour\n79001234567,UTC,red\n', /unknown column "colour"/],
    ['a missing required column', 'phone,tag\n79001234567,vip\n', /missing column timezone/],
    ['a non-UTF-8 file', Buffer.concat([Buffer.from('phone,timezone,tag\n79001234567,UTC,'), Buffer.from([0xe9, 0x74, 0xe9]), Buffer.from('\n')]), /not UTF-8/],
    ['broken CSV', 'phone,timezone\n"79001234567,UTC\n', /not valid CSV/],
  ];
  it.each(badFiles)('refuses %s with one line, a non-zero exit, no request and no file written', async (name, content, message) => {
    const file = path.join(dir, `${name.replaceAll(' ', '-')}.csv`);
    await writeFile(file, content);
    const requests: string[] = [];
    const err: string[] = [];
    // A URL nothing listens on would fail differently: prove no request is even tried.
    const code = await mainWithFetch([file, '--url', runtime.url], requests, err);
    expect(code).not.toBe(0);
    expect(err).toHaveLength(1);
    expect(err[0]).toMatch(message);
    expect(err[0]).not.toContain('\n');
    expect(requests).toEqual([]);
    expect(existsSync(rejectedPathOf(file))).toBe(false);
    expect(existsSync(`${rejectedPathOf(file)}.partial`)).toBe(false);
  });

  it('negative control: a good file through the same path does send', async () => {
    const file = path.join(dir, 'good.csv');
    await writeFile(file, `phone,timezone\n${phonesOf(1)[0]},UTC\n`);
    const requests: string[] = [];
    const code = await mainWithFetch([file, '--url', runtime.url], requests, []);
    expect(code).toBe(0);
    expect(requests).toHaveLength(1);
  });

  it('runs as a command: the summary on stdout, exit 0; a bad file exits 1 with one line on stderr', async () => {
    const good = path.join(dir, 'command.csv');
    await writeFile(good, `phone,timezone\n${phonesOf(1)[0]},UTC\n`);
    const run = promisify(execFile);
    const ok = await run(process.execPath, ['--import', 'tsx', 'bin/import.ts', good, '--url', runtime.url]);
    expect(ok.stdout).toMatch(/^1 rows: 1 created, 0 already present/);
    const bad = path.join(dir, 'command-bad.csv');
    await writeFile(bad, 'phone,timezone,colour\n');
    const failed = await run(process.execPath, ['--import', 'tsx', 'bin/import.ts', bad, '--url', runtime.url]).catch(
      (error: { code: number; stderr: string }) => error,
    );
    expect('code' in failed && failed.code).toBe(1);
    expect((failed as { stderr: string }).stderr.trim().split('\n')).toHaveLength(1);
  });
});

/** `main` with fetch recorded: a bad file must fail before any request. */
async function mainWithFetch(argv: string[], requests: string[], err: string[]): Promise<number> {
  const original = globalThis.fetch;
  globalThis.fetch = (async (input: string | URL | Request, init?: RequestInit) => {
    requests.push(String(input));
    return original(input, init);
  }) as typeof fetch;
  try {
    return await main(argv, { out: () => undefined, err: (line) => err.push(line) });
  } finally {
    globalThis.fetch = original;
  }
}

describe('Idempotency-Key end to end', () => {
  it('a repeated POST /campaigns with the same key answers the same campaign and creates one', async () => {
    const now = Date.now();
    const body = { text: 'once', startAt: new Date(now + 3_600_000).toISOString(), endAt: new Date(now + 7_200_000).toISOString() };
    const key = { 'Idempotency-Key': `e2e-${uniqueSuffix()}` };
    const first = await post('/campaigns', body, key);
    const again = await post('/campaigns', body, key);
    expect(first.status).toBe(201);
    expect(again.status).toBe(201);
    expect(again.body).toEqual(first.body);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    const other = await post('/campaigns', { ...body, text: 'twice' }, key);
    expect(other.status).toBe(422);
    const list = await fetch(`${runtime.url}/campaigns?limit=100`).then((response) => response.json() as Promise<{ items: Json[] }>);
    expect(list.items.filter((campaign) => campaign.text === 'once')).toHaveLength(1);
  });
});
