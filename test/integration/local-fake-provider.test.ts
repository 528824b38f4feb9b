import { afterEach, describe, expect, it, vi } from 'vitest';
import { startFakeProvider, type FakeProvider, type FakeProviderOptions } from '../../local/fake-provider.js';

const TOKEN = 'secret-token';
const valid = (id: number) => ({ id, phone: 79001234567, text: 'Friday top-10 is out' });

let provider: FakeProvider | undefined;
afterEach(async () => {
  await provider?.stop();
  provider = undefined;
});

async function start(options: FakeProviderOptions = {}): Promise<FakeProvider> {
  provider = await startFakeProvider({ token: TOKEN, ...options });
  return provider;
}

function post(base: string, path: string, body: unknown, headers: Record<string, string> = {}) {
  return fetch(`${base}${path}`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

/** A fixed sequence for the fault draws, so fractions are deterministic. */
function sequence(...values: number[]): () => number {
  let next = 0;
  return () => values[next++ % values.length] as number;
}

describe('fake provider: the docs/provider-openapi.yaml contract', () => {
  it('accepts a valid message with 200 {"code":0,"message":"OK"} and records it', async () => {
    const fake = await start();
    const before = Date.now();
    const response = await post(fake.url, '/send/42', valid(42));
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ code: 0, message: 'OK' });
    expect(fake.sentMsgIds()).toEqual([42]);
    const [record] = fake.requests();
    expect(record).toMatchObject({ msgId: 42, status: 200, outcome: 'ok' });
    expect(record?.receivedAt).toBeGreaterThanOrEqual(before);
  });

  it('answers 401 without the configured Bearer token', async () => {
    const fake = await start();
    expect((await post(fake.url, '/send/1', valid(1), { Authorization: '' })).status).toBe(401);
    expect((await post(fake.url, '/send/1', valid(1), { Authorization: 'Bearer wrong' })).status).toBe(401);
    expect((await post(fake.url, '/send/1', valid(1), { Authorization: TOKEN })).status).toBe(401);
    expect(fake.requests().map((record) => record.outcome)).toEqual(['unauthorized', 'unauthorized', 'unauthorized']);
    expect(fake.sentMsgIds()).toEqual([]);
  });

  it('accepts any non-empty Bearer token when none is configured', async () => {
    provider = await startFakeProvider();
    expect((await post(provider.url, '/send/1', valid(1), { Authorization: 'Bearer anything' })).status).toBe(200);
    expect((await post(provider.url, '/send/2', valid(2), { Authorization: 'Bearer ' })).status).toBe(401);
  });

  it.each([
    ['id different from msgId', '/send/7', valid(8), {}],
    ['phone as a string', '/send/7', { ...valid(7), phone: '79001234567' }, {}],
    ['phone below the range', '/send/7', { ...valid(7), phone: 69999999999 }, {}],
    ['phone above the range', '/send/7', { ...valid(7), phone: 80000000000 }, {}],
    ['phone not an integer', '/send/7', { ...valid(7), phone: 79001234567.5 }, {}],
    ['text missing', '/send/7', { id: 7, phone: 79001234567 }, {}],
    ['an unknown field', '/send/7', { ...valid(7), extra: 1 }, {}],
    ['a body that is not JSON', '/send/7', '{"id":7,', {}],
    ['a wrong content type', '/send/7', valid(7), { 'Content-Type': 'text/plain' }],
    ['a msgId that is not a positive integer', '/send/abc', valid(7), {}],
    ['msgId 0', '/send/0', { ...valid(7), id: 0 }, {}],
  ])('answers 400 to %s', async (_case, path, body, headers) => {
    const fake = await start();
    const response = await post(fake.url, path, body, headers as Record<string, string>);
    expect(response.status).toBe(400);
    expect(fake.requests().map((record) => record.outcome)).toEqual(['invalid']);
    expect(fake.sentMsgIds()).toEqual([]);
  });

  it('answers 404 elsewhere', async () => {
    const fake = await start();
    expect((await post(fake.url, '/nope/1', valid(1))).status).toBe(404);
  });
});

describe('fake provider: faults', () => {
  it('answers 429 with Retry-After at rateLimit429 = 1', async () => {
    const fake = await start({ rateLimit429: 1, retryAfterSeconds: 7 });
    const response = await post(fake.url, '/send/5', valid(5));
    expect(response.status).toBe(429);
    expect(response.headers.get('retry-after')).toBe('7');
    expect(fake.requests()[0]).toMatchObject({ msgId: 5, status: 429, outcome: 'rate-limited' });
  });

  it('answers 500 at errorRate = 1, and garbage 200 bodies at malformedRate = 1', async () => {
    const fake = await start({ errorRate: 1 });
    expect((await post(fake.url, '/send/5', valid(5))).status).toBe(500);
    fake.setFaults({ errorRate: 0, malformedRate: 1 });
    for (let id = 6; id < 16; id++) {
      const response = await post(fake.url, `/send/${id}`, valid(id));
      expect(response.status).toBe(200);
      const text = await response.text();
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = undefined;
      }
      expect(parsed).not.toEqual({ code: 0, message: 'OK' });
      expect((parsed as { code?: unknown } | undefined)?.code === 0 && typeof (parsed as { message?: unknown }).message === 'string').toBe(false);
    }
    expect(fake.sentMsgIds()).toEqual([]);
    expect(
      new Set(
        fake
          .requests()
          .slice(1)
          .map((record) => record.outcome),
      ),
    ).toEqual(new Set(['malformed']));
  });

  it('draws each fraction independently (429, then 500, then malformed)', async () => {
    // Draws per request: 429?, 500?, malformed? (+ which garbage body).
    const fake = await start({ rateLimit429: 0.5, errorRate: 0.5, malformedRate: 0.5, random: sequence(0.9, 0.9, 0.9, 0.2, 0.9, 0.2, 0.9, 0.9, 0.2, 0.1) });
    const statuses: number[] = [];
    for (let id = 1; id <= 4; id++) statuses.push((await post(fake.url, `/send/${id}`, valid(id))).status);
    // 1: all draws high -> OK; 2: 429 draw low; 3: 500 draw low; 4: malformed draw low.
    expect(fake.requests().map((record) => record.outcome)).toEqual(['ok', 'rate-limited', 'error', 'malformed']);
    expect(statuses).toEqual([200, 429, 500, 200]);
  });

  it('drops every request while down and answers again once it is back', async () => {
    const fake = await start({ down: true });
    await expect(post(fake.url, '/send/1', valid(1))).rejects.toThrow();
    fake.setFaults({ down: false });
    expect((await post(fake.url, '/send/1', valid(1))).status).toBe(200);
    expect(fake.requests().map((record) => [record.msgId, record.status, record.outcome])).toEqual([
      [1, 0, 'dropped'],
      [1, 200, 'ok'],
    ]);
    expect(fake.sentMsgIds()).toEqual([1]);
  });

  it('waits latencyMs before answering and counts the requests it holds at once', async () => {
    const fake = await start({ latencyMs: 300 });
    const began = Date.now();
    const responses = await Promise.all([1, 2, 3, 4, 5].map((id) => post(fake.url, `/send/${id}`, valid(id))));
    expect(responses.map((response) => response.status)).toEqual([200, 200, 200, 200, 200]);
    expect(Date.now() - began).toBeGreaterThanOrEqual(295);
    expect(fake.maxInFlight()).toBe(5);
    expect(fake.sentMsgIds().sort()).toEqual([1, 2, 3, 4, 5]);
  });

  it('records a request whose client hung up before the answer as abandoned, not sent', async () => {
    const fake = await start({ latencyMs: 400 });
    await expect(
      fetch(`${fake.url}/send/3`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json' },
        body: JSON.stringify(valid(3)),
        signal: AbortSignal.timeout(50),
      }),
    ).rejects.toThrow();
    await vi.waitFor(() => expect(fake.requests()).toEqual([expect.objectContaining({ msgId: 3, status: 200, outcome: 'abandoned' })]), { timeout: 5000 });
    expect(fake.sentMsgIds()).toEqual([]);
  });

  it('rejects faults out of range', async () => {
    const fake = await start();
    expect(() => fake.setFaults({ errorRate: 2 })).toThrow();
    expect(fake.faults().errorRate).toBe(0);
  });
});

describe('fake provider: control over HTTP and lifecycle', () => {
  it('takes faults by POST /_faults and shows them and the requests by GET', async () => {
    const fake = await start();
    const set = await fetch(`${fake.url}/_faults`, { method: 'POST', body: JSON.stringify({ errorRate: 1, latencyMs: 5 }) });
    expect(set.status).toBe(200);
    expect(await set.json()).toMatchObject({ errorRate: 1, latencyMs: 5, down: false });
    expect(await (await fetch(`${fake.url}/_faults`)).json()).toMatchObject({ errorRate: 1, latencyMs: 5 });
    expect((await post(fake.url, '/send/9', valid(9))).status).toBe(500);
    const requests = (await (await fetch(`${fake.url}/_requests`)).json()) as unknown[];
    expect(requests).toEqual([expect.objectContaining({ msgId: 9, status: 500, outcome: 'error' })]);
    expect((await fetch(`${fake.url}/_faults`, { method: 'POST', body: JSON.stringify({ errorRate: 'lots' }) })).status).toBe(400);
    expect((await fetch(`${fake.url}/_faults`, { method: 'POST', body: JSON.stringify({ nonsense: true }) })).status).toBe(400);
  });

  it('reset() forgets the requests and restores the starting faults; POST /_reset does the same', async () => {
    const fake = await start({ latencyMs: 1 });
    fake.setFaults({ errorRate: 1 });
    await post(fake.url, '/send/1', valid(1));
    fake.reset();
    expect(fake.requests()).toEqual([]);
    expect(fake.faults()).toMatchObject({ errorRate: 0, latencyMs: 1 });
    fake.setFaults({ down: true });
    expect((await fetch(`${fake.url}/_reset`, { method: 'POST' })).status).toBe(200);
    expect(fake.faults().down).toBe(false);
  });

  it('stop() ends held requests and closes the port', async () => {
    const fake = await start({ latencyMs: 60_000 });
    const held = post(fake.url, '/send/1', valid(1)).then(
      (response) => response.status,
      () => 'closed',
    );
    await new Promise((wake) => setTimeout(wake, 100));
    await fake.stop();
    provider = undefined;
    expect(await held).toBe('closed');
    expect(fake.requests()).toEqual([expect.objectContaining({ msgId: 1, status: 0, outcome: 'dropped' })]);
    expect(fake.sentMsgIds()).toEqual([]);
    await expect(post(fake.url, '/send/2', valid(2))).rejects.toThrow();
  });
});
