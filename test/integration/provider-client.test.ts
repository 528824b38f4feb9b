import { execFile } from 'node:child_process';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpProvider, TOKEN_REREAD_MS } from '../../functions/adapters/provider.js';
import { NODE_OPTIONS } from '../../functions/definitions/functions.js';

type Reply = (req: IncomingMessage, res: ServerResponse, body: string) => void;
let reply: Reply = (_req, res) => res.end();
const seen: { url?: string; authorization?: string; contentType?: string; body: unknown }[] = [];
let server: Server;
let provider: HttpProvider;

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      seen.push({ url: req.url, authorization: req.headers.authorization, contentType: req.headers['content-type'], body: JSON.parse(body) });
      reply(req, res, body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  provider = new HttpProvider({ baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/`, token: async () => 'jwt-token', maxSockets: 4 });
});
afterAll(() => new Promise((resolve) => server.close(resolve)));

const json =
  (status: number, body: string, headers: Record<string, string> = {}): Reply =>
  (_req, res) => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(body);
  };

const request = { id: 4294967306, phone: '79001234567', text: 'hello' };

describe('provider client', () => {
  it('posts {id, phone as an integer, text} to /send/{msgId} with the bearer token', async () => {
    reply = json(200, '{"code":0,"message":"OK"}');
    expect(await provider.send(request, 1000)).toEqual({ kind: 'sent' });
    expect(seen.at(-1)).toEqual({
      url: '/v1/send/4294967306',
      authorization: 'Bearer jwt-token',
      contentType: 'application/json',
      body: { id: 4294967306, phone: 79001234567, text: 'hello' },
    });
  });

  it.each([
    ['a 200 with another code', json(200, '{"code":1,"message":"no"}')],
    ['a 200 that is not JSON', json(200, 'not json at all')],
    ['a 200 with a truncated body', json(200, '{"code":')],
    ['a 503', json(503, 'down')],
  ])('treats %s as retryable', async (_name, answer) => {
    reply = answer;
    expect((await provider.send(request, 1000)).kind).toBe('retryable');
  });

  it('honours a 429 Retry-After', async () => {
    reply = json(429, '{}', { 'retry-after': '7' });
    expect(await provider.send(request, 1000)).toEqual({ kind: 'retryable', error: 'HTTP 429', retryAfterMs: 7000 });
  });

  it('does not retry what the provider rejects as invalid', async () => {
    reply = json(400, '{"detail":"bad phone"}');
    expect(await provider.send(request, 1000)).toEqual({ kind: 'rejected', error: 'HTTP 400' });
  });

  it('gives up on a slow answer at the timeout', async () => {
    reply = (_req, res) => setTimeout(() => res.end('{"code":0}'), 1500);
    // The answer would be a success; getting 'timeout' shows the call was cut off.
    expect(await provider.send(request, 200)).toEqual({ kind: 'retryable', error: 'timeout' });
  });

  it('makes no call with no time left', async () => {
    const before = seen.length;
    expect((await provider.send(request, 0)).kind).toBe('retryable');
    expect(seen.length).toBe(before);
  });

  it('turns a refused connection into a retryable network error', async () => {
    const closed = new HttpProvider({ baseUrl: 'http://127.0.0.1:1', token: async () => 't', maxSockets: 1 });
    const outcome = await closed.send(request, 1000);
    expect(outcome).toMatchObject({ kind: 'retryable', error: expect.stringContaining('network') });
  });

  describe('the token after a 401', () => {
    const baseUrl = () => `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
    const refusedUnless =
      (accepted: string): Reply =>
      (req, res, body) =>
        (req.headers.authorization === `Bearer ${accepted}` ? json(200, '{"code":0,"message":"OK"}') : json(401, '{"code":401}'))(req, res, body);

    it('is read past its cache by the next call: a token put a moment ago is used at once', async () => {
      // The cache still holds the token the provider stopped taking; Secrets Manager has the new one.
      reply = refusedUnless('new-jwt');
      const reads: boolean[] = [];
      const rotated = new HttpProvider({ baseUrl: baseUrl(), token: async ({ fresh }) => (reads.push(fresh), fresh ? 'new-jwt' : 'old-jwt'), maxSockets: 1 });
      expect(await rotated.send(request, 1000)).toEqual({ kind: 'auth-failed', error: 'HTTP 401' });
      expect(await rotated.send(request, 1000)).toEqual({ kind: 'sent' });
      expect(seen.slice(-2).map((call) => call.authorization)).toEqual(['Bearer old-jwt', 'Bearer new-jwt']);
      expect(reads).toEqual([false, true]);
    });

    it(`a token refused again is read past its cache once every ${TOKEN_REREAD_MS / 1000} s, not on every call`, async () => {
      reply = refusedUnless('right-jwt');
      let now = 1_000_000;
      const reads: boolean[] = [];
      const wrong = new HttpProvider({ baseUrl: baseUrl(), token: async ({ fresh }) => (reads.push(fresh), 'placeholder'), maxSockets: 1, now: () => now });
      for (let i = 0; i < 3; i++) await wrong.send(request, 1000);
      now += TOKEN_REREAD_MS - 1;
      await wrong.send(request, 1000);
      now += 1;
      await wrong.send(request, 1000);
      expect(reads).toEqual([false, true, false, false, true]);
    });

    it('control: other failures never read past the cache', async () => {
      reply = json(503, 'down');
      const reads: boolean[] = [];
      const cached = new HttpProvider({ baseUrl: baseUrl(), token: async ({ fresh }) => (reads.push(fresh), 'jwt-token'), maxSockets: 1 });
      for (let i = 0; i < 3; i++) await cached.send(request, 1000);
      expect(reads).toEqual([false, false, false]);
    });
  });

  describe("under the functions' Node options (no fetch globals)", () => {
    const providerModule = new URL('../../functions/adapters/provider.ts', import.meta.url).href;
    // A fresh node: loads the client, sends once to this test's server, and says whether undici was loaded before and after.
    const script = `
      const loadedUndici = () => process.moduleLoadList.some((name) => name.includes('undici'));
      const before = loadedUndici();
      const { HttpProvider } = await import(${JSON.stringify(providerModule)});
      const provider = new HttpProvider({ baseUrl: process.argv[1], token: async () => 'jwt-token', maxSockets: 1 });
      const outcome = await provider.send({ id: 7, phone: '79001234567', text: 'hello' }, 2000);
      process.stdout.write(JSON.stringify({ outcome, fetch: typeof fetch, undici: [before, loadedUndici()] }));
    `;
    const run = (nodeOptions: string) =>
      new Promise<{ outcome: unknown; fetch: string; undici: boolean[] }>((resolve, reject) =>
        execFile(
          process.execPath,
          ['--import', 'tsx', '--input-type=module', '-e', script, `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`],
          { env: { PATH: process.env.PATH, NODE_OPTIONS: nodeOptions }, timeout: 30_000 },
          (error, stdout) => (error ? reject(error) : resolve(JSON.parse(stdout))),
        ),
      );

    it('sends through node:http, and axios no longer makes Node load undici at import', async () => {
      reply = json(200, '{"code":0,"message":"OK"}');
      expect(await run(NODE_OPTIONS)).toEqual({ outcome: { kind: 'sent' }, fetch: 'undefined', undici: [false, false] });
      expect(seen.at(-1)).toMatchObject({ url: '/v1/send/7', authorization: 'Bearer jwt-token' });
    });

    it('without them, the same client does load undici (so the check above can fail)', async () => {
      reply = json(200, '{"code":0,"message":"OK"}');
      expect(await run('--enable-source-maps')).toEqual({ outcome: { kind: 'sent' }, fetch: 'function', undici: [false, true] });
    });
  });
});
