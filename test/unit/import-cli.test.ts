/**
 * The import CLI's own parts: which header it accepts, how a row becomes a client, where
 * rejected rows go, when and how it signs (SigV4 with fixed credentials and clock), and how
 * the command ends on a bad file whatever its size (run as a process, as a user runs it).
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { checkHeader, clientOf, ImportFileError, main, regionOf, rejectedPathOf, sigV4Signer } from '../../bin/import.js';
import { isLoopback } from '../../functions/domain/secure-url.js';

describe('header', () => {
  it.each([['phone,timezone'], ['email,timezone'], ['timezone,phone,email,tag,operatorCode,name,attributes.city,attributes.plan_2']])(
    'accepts %s',
    (header) => {
      expect(() => checkHeader('f.csv', header.split(','))).not.toThrow();
    },
  );
  it.each([
    ['79001234567,UTC', /no header row/],
    ['phone,timezone,colour', /unknown column "colour"/],
    ['phone,timezone,attributes.City', /unknown column "attributes.City"/],
    ['phone,timezone,attributes.', /unknown column/],
    ['phone,timezone,phone', /appears twice/],
    ['phone,tag', /missing column timezone/],
    ['timezone,tag', /missing column phone or email/],
  ])('refuses %s', (header, message) => {
    expect(() => checkHeader('f.csv', header.split(','))).toThrow(ImportFileError);
    expect(() => checkHeader('f.csv', header.split(','))).toThrow(message);
  });
});

describe('rows', () => {
  it('leaves empty cells out and gathers attribute columns', () => {
    const columns = ['phone', 'timezone', 'tag', 'name', 'attributes.city', 'attributes.plan'];
    expect(clientOf(columns, ['79001234567', 'UTC', '', 'Ann', 'Kazan', ''])).toEqual({
      phone: '79001234567',
      timezone: 'UTC',
      name: 'Ann',
      attributes: { city: 'Kazan' },
    });
  });
  it('sends no name or attributes when the file has no such columns', () => {
    expect(clientOf(['phone', 'timezone'], ['79001234567', 'UTC'])).toEqual({ phone: '79001234567', timezone: 'UTC' });
  });
  it('writes rejected rows beside the input', () => {
    expect(rejectedPathOf('/data/clients.csv')).toBe('/data/clients.rejected.csv');
    expect(rejectedPathOf('clients.txt')).toBe('clients.txt.rejected.csv');
  });
});

describe('signing', () => {
  it.each([
    ['http://127.0.0.1:3000', true],
    ['http://localhost:3000', true],
    ['http://[::1]:3000', true],
    ['https://abc123.execute-api.eu-west-1.amazonaws.com/prod', false],
    ['http://10.0.0.5:3000', false],
  ])('%s on loopback: %s', (url, loopback) => {
    expect(isLoopback(new URL(url))).toBe(loopback);
  });

  describe('refuses to sign for a non-loopback http: URL: one line, exit 1, no request', () => {
    let file: string;
    beforeAll(async () => {
      file = path.join(await mkdtemp(path.join(tmpdir(), 'herald-import-url-')), 'clients.csv');
      await writeFile(file, 'phone,timezone\n79001234567,UTC\n');
    });
    /** `main` with every request recorded and answered as API Gateway would answer a good batch. */
    async function run(url: string) {
      const requests: { url: string; headers: Record<string, string> }[] = [];
      const err: string[] = [];
      const original = globalThis.fetch;
      globalThis.fetch = (async (input: string | URL | Request, init?: RequestInit) => {
        requests.push({ url: String(input), headers: init?.headers as Record<string, string> });
        return Response.json({ created: 1, failed: 0, results: [{ index: 0, status: 201, id: 'c1' }] });
      }) as typeof fetch;
      try {
        const code = await main([file, '--url', url], { out: () => undefined, err: (line) => err.push(line) });
        return { code, err, requests };
      } finally {
        globalThis.fetch = original;
      }
    }

    it.each(['http://abc.execute-api.eu-west-1.amazonaws.com/v1', 'http://10.0.0.5:3000', 'http://[::ffff:127.0.0.1]:3000'])('%s', async (url) => {
      const { code, err, requests } = await run(url);
      expect(code).toBe(1);
      expect(err).toEqual([
        `import: --url ${new URL(url).href}: must be an https: URL (http: only on loopback: 127.0.0.0/8, ::1, localhost), as requests to it are signed with your AWS credentials`,
      ]);
      expect(requests).toEqual([]);
    });

    it('control: the same file to https: goes out, signed', async () => {
      const { code, err, requests } = await run('https://abc.execute-api.eu-west-1.amazonaws.com/v1');
      expect(err).toEqual([]);
      expect(code).toBe(0);
      expect(requests.map((request) => request.url)).toEqual(['https://abc.execute-api.eu-west-1.amazonaws.com/v1/clients/batch']);
      expect(requests[0]!.headers.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=local\/\d{8}\/eu-west-1\/execute-api\/aws4_request, /);
    });
  });

  it('takes the region from an API Gateway host, else from AWS_REGION', () => {
    expect(regionOf(new URL('https://abc.execute-api.eu-west-1.amazonaws.com/prod'), {})).toBe('eu-west-1');
    expect(regionOf(new URL('https://api.example.com'), { AWS_REGION: 'us-east-2' })).toBe('us-east-2');
    expect(() => regionOf(new URL('https://api.example.com'), {})).toThrow(/AWS_REGION/);
  });

  it('signs for execute-api with SigV4: scope, signed headers, payload hash', async () => {
    vi.useFakeTimers({ now: new Date('2030-01-01T00:00:00Z'), toFake: ['Date'] });
    try {
      const url = new URL('https://abc.execute-api.eu-west-1.amazonaws.com/prod/clients/batch');
      const sign = await sigV4Signer(url, { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' });
      const body = '{"clients":[]}';
      const headers = await sign({ method: 'POST', url, headers: { 'content-type': 'application/json' }, body });
      expect(headers['x-amz-date']).toBe('20300101T000000Z');
      expect(headers.authorization).toMatch(
        /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/20300101\/eu-west-1\/execute-api\/aws4_request, SignedHeaders=content-type;host;x-amz-content-sha256;x-amz-date, Signature=[0-9a-f]{64}$/,
      );
      expect(headers['x-amz-content-sha256']).toBe(createHash('sha256').update(body).digest('hex'));
      // Another body is another signature: the payload is part of what is signed.
      const other = await sign({ method: 'POST', url, headers: { 'content-type': 'application/json' }, body: '{"clients":[{}]}' });
      expect(other.authorization).not.toBe(headers.authorization);
      expect(headers.host).toBeUndefined();
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('a bad file, as a command', () => {
  // Past the parser's buffers (16 KB in, 16 records out): the reader is still feeding it when the error comes.
  const ROWS = 5000;
  const rows = (header: string, row: (i: number) => string) => [header, ...Array.from({ length: ROWS }, (_, i) => row(i))].join('\n') + '\n';
  const phone = (i: number) => `7900${String(i).padStart(7, '0')}`;

  let dir: string;
  let server: Server;
  let url: string;
  const requests: string[] = [];
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'herald-import-cli-'));
    // A real API stand-in on loopback: a bad file must not reach it.
    server = createServer((request, response) => {
      requests.push(`${request.method} ${request.url}`);
      response.writeHead(500).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const cases: [string, string | Buffer | undefined, RegExp][] = [
    ['an unknown column on a two-row file', 'phone,timezone,city\n79001234567,UTC,Kazan\n79001234568,UTC,Kazan\n', /unknown column "city"/],
    [`an unknown column on a ${ROWS}-row file`, rows('phone,timezone,city', (i) => `${phone(i)},UTC,Kazan`), /unknown column "city"/],
    [
      `a bad quote at row 4000 of ${ROWS}`,
      rows('phone,timezone', (i) => (i === 4000 ? `${phone(i)},"UT"C` : `${phone(i)},UTC`)),
      /is not valid CSV: Invalid Closing Quote.* line 4002/,
    ],
    [
      `a quote left open at row 4000 of ${ROWS}`,
      rows('phone,timezone', (i) => (i === 4000 ? `${phone(i)},"UTC` : `${phone(i)},UTC`)),
      /is not valid CSV: Quote Not Closed/,
    ],
    [
      `a Latin-1 "é" at row 4000 of ${ROWS}`,
      Buffer.from(
        rows('phone,timezone,tag', (i) => `${phone(i)},UTC,${i === 4000 ? 'café' : 'cafe'}`),
        'latin1',
      ),
      /is not UTF-8 text/,
    ],
    ['a missing file', undefined, /cannot be read: ENOENT/],
    ['an empty file', '', /is empty/],
    ['a directory', 'directory', /cannot be read: EISDIR/],
  ];
  it.each(cases)('%s: one line on stderr, exit code 1, nothing on stdout, no request, no file written', async (name, content, message) => {
    const file = path.join(dir, `${name.replaceAll(/\W+/g, '-')}.csv`);
    if (content === 'directory') await mkdir(file);
    else if (content !== undefined) await writeFile(file, content);
    const before = requests.length;
    const run = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      const child = execFile(process.execPath, ['--import', 'tsx', 'bin/import.ts', file, '--url', url], (_error, stdout, stderr) =>
        resolve({ code: child.exitCode, stdout, stderr }),
      );
    });
    expect(run.code, run.stderr).toBe(1);
    expect(run.stdout).toBe('');
    const lines = run.stderr.split('\n').filter(Boolean);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^import: /);
    expect(lines[0]).toMatch(message);
    expect(requests.length).toBe(before);
    expect(existsSync(rejectedPathOf(file))).toBe(false);
    expect(existsSync(`${rejectedPathOf(file)}.partial`)).toBe(false);
  });
});
