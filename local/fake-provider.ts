/**
 * A fake of the external sending API (docs/provider-openapi.yaml) on a real
 * HTTP socket, with faults that can be changed while it runs.
 *
 * `startFakeProvider(options?)` -> `FakeProvider`
 *   - `port?` (default: any free port), `host?` (default 127.0.0.1)
 *   - `token?`: the Bearer token it accepts; without one any non-empty Bearer token passes
 *   - faults, all optional: `latencyMs` (delay before every answer), `errorRate` (fraction
 *     answered 500), `rateLimit429` (fraction answered 429 with `Retry-After: retryAfterSeconds`),
 *     `malformedRate` (fraction answered 200 with a garbage body), `down` (every request's
 *     socket destroyed without an answer)
 *   - `random?`: the source of the fractions (tests pass a fixed sequence)
 *
 * POST /send/{msgId}: 401 without the Bearer token; 400 unless the body is JSON
 * `{id, phone, text}` with nothing else, `id` equal to `msgId`, `phone` an integer
 * 70000000000..79999999999 and `text` a string; then the faults, drawn independently in
 * that order: 429, 500, malformed 200; otherwise 200 `{"code":0,"message":"OK"}`.
 *
 * For people and other processes: GET/POST /_faults (JSON, partial), GET /_requests,
 * GET /_stats (`{ inFlight, maxInFlight }`), POST /_reset. From code: `setFaults(partial)`, `faults()`, `requests()` (every request
 * received: msgId, receivedAt in epoch ms, status, outcome; status 0 when dropped;
 * outcome `abandoned` when the client hung up before the answer), `sentMsgIds()`
 * (answered 200 with code 0, in order, repeats kept), `maxInFlight()`,
 * `reset()` (forgets the requests and restores the faults it started with), `stop()`.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as z from 'zod';
import { LOOPBACK } from './ports.js';

export interface FakeProviderFaults {
  latencyMs: number;
  errorRate: number;
  rateLimit429: number;
  retryAfterSeconds: number;
  malformedRate: number;
  down: boolean;
}

export interface FakeProviderOptions extends Partial<FakeProviderFaults> {
  port?: number;
  host?: string;
  token?: string;
  random?: () => number;
}

/**
 * `dropped`: no answer (down, or stopped while holding the request); `abandoned`: the
 * client hung up (timed out) before the answer, which would have had `status`.
 */
export type FakeOutcome = 'ok' | 'malformed' | 'error' | 'rate-limited' | 'unauthorized' | 'invalid' | 'dropped' | 'abandoned';

export interface ReceivedRequest {
  /** Null when the path carried no usable id. */
  msgId: number | null;
  receivedAt: number;
  /** 0: the socket was destroyed without an answer. */
  status: number;
  outcome: FakeOutcome;
  /** The body's phone and text, once the body parsed. */
  phone?: number;
  text?: string;
}

export interface FakeProvider {
  /** Base URL: the client posts to `${url}/send/{msgId}`. */
  url: string;
  port: number;
  setFaults(faults: Partial<FakeProviderFaults>): FakeProviderFaults;
  faults(): FakeProviderFaults;
  requests(): ReceivedRequest[];
  sentMsgIds(): number[];
  maxInFlight(): number;
  reset(): void;
  stop(): Promise<void>;
}

const fraction = z.number().min(0).max(1);
export const faultsSchema = z
  .object({
    latencyMs: z.number().int().min(0),
    errorRate: fraction,
    rateLimit429: fraction,
    retryAfterSeconds: z.number().int().min(0),
    malformedRate: fraction,
    down: z.boolean(),
  })
  .strict();

const PHONE_MIN = 70_000_000_000;
const PHONE_MAX = 79_999_999_999;
const msgSchema = z
  .object({
    id: z.number().int().min(1),
    phone: z.number().int().min(PHONE_MIN).max(PHONE_MAX),
    text: z.string(),
  })
  .strict();

const MAX_BODY_BYTES = 64 * 1024;
const GARBAGE_BODIES = ['{"code":"?"', 'not json', '{"code":0', '<html><body>502 Bad Gateway</body></html>', '{"message":"OK"}', ''];
const SEND_PATH = /^\/send\/([^/?]+)$/;

const defaultFaults: FakeProviderFaults = { latencyMs: 0, errorRate: 0, rateLimit429: 0, retryAfterSeconds: 1, malformedRate: 0, down: false };

class BodyTooLarge extends Error {}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    let size = 0;
    request.on('data', (part: Buffer) => {
      size += part.length;
      if (size > MAX_BODY_BYTES) {
        reject(new BodyTooLarge());
        request.resume();
        return;
      }
      parts.push(part);
    });
    request.on('end', () => resolve(Buffer.concat(parts).toString('utf8')));
    request.on('error', reject);
  });
}

function answer(response: ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void {
  if (response.destroyed) return;
  response.writeHead(status, { 'Content-Type': 'application/json', ...headers });
  response.end(body);
}

function answerJson(response: ServerResponse, status: number, value: unknown): void {
  answer(response, status, JSON.stringify(value));
}

export async function startFakeProvider(options: FakeProviderOptions = {}): Promise<FakeProvider> {
  const { port: wantedPort = 0, host = LOOPBACK, token, random = Math.random, ...initial } = options;
  const startFaults = faultsSchema.parse({ ...defaultFaults, ...initial });
  let faults: FakeProviderFaults = { ...startFaults };
  let received: ReceivedRequest[] = [];
  let inFlight = 0;
  let peak = 0;
  let stopping = false;
  /** Pending latencies, cut short by stop(). */
  const delays = new Map<NodeJS.Timeout, () => void>();

  const setFaults = (partial: Partial<FakeProviderFaults>): FakeProviderFaults => {
    faults = faultsSchema.parse({ ...faults, ...partial });
    return { ...faults };
  };

  const delay = (ms: number) =>
    new Promise<void>((resolve) => {
      if (ms <= 0) return resolve();
      const timer = setTimeout(() => {
        delays.delete(timer);
        resolve();
      }, ms);
      delays.set(timer, resolve);
    });

  function authorized(request: IncomingMessage): boolean {
    const header = request.headers.authorization ?? '';
    const match = /^Bearer (.+)$/.exec(header);
    if (!match?.[1]?.trim()) return false;
    return token === undefined || match[1] === token;
  }

  async function send(request: IncomingMessage, response: ServerResponse, rawId: string): Promise<void> {
    const receivedAt = Date.now();
    const msgId = /^[1-9]\d*$/.test(rawId) && Number.isSafeInteger(Number(rawId)) ? Number(rawId) : null;
    const record: ReceivedRequest = { msgId, receivedAt, status: 0, outcome: 'dropped' };
    received.push(record);
    const now = { ...faults };
    if (now.down) {
      request.socket.destroy();
      return;
    }
    let clientGone = false;
    response.once('close', () => {
      if (!response.writableFinished) clientGone = true;
    });
    const finish = (status: number, outcome: FakeOutcome, body: string, headers?: Record<string, string>) => {
      // Stopped while holding it: never answered.
      if (stopping) return;
      record.status = status;
      record.outcome = clientGone ? 'abandoned' : outcome;
      answer(response, status, body, headers);
    };

    let body: string;
    try {
      body = await readBody(request);
    } catch (error) {
      if (error instanceof BodyTooLarge) return finish(413, 'invalid', JSON.stringify({ code: 413, message: 'body too large' }));
      throw error;
    }
    await delay(now.latencyMs);

    if (!authorized(request)) return finish(401, 'unauthorized', JSON.stringify({ code: 401, message: 'missing, invalid or expired token' }));
    const invalid = (message: string) => finish(400, 'invalid', JSON.stringify({ code: 400, message }));
    if (msgId === null) return invalid('msgId must be a positive integer');
    if (!(request.headers['content-type'] ?? '').toLowerCase().includes('application/json')) return invalid('Content-Type must be application/json');
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch {
      return invalid('body is not JSON');
    }
    const message = msgSchema.safeParse(parsed);
    if (!message.success) return invalid(message.error.issues.map((issue) => `${issue.path.join('.') || 'body'}: ${issue.message}`).join('; '));
    record.phone = message.data.phone;
    record.text = message.data.text;
    if (message.data.id !== msgId) return invalid('body id must equal msgId');

    if (random() < now.rateLimit429) {
      return finish(429, 'rate-limited', JSON.stringify({ code: 429, message: 'too many requests' }), { 'Retry-After': String(now.retryAfterSeconds) });
    }
    if (random() < now.errorRate) return finish(500, 'error', JSON.stringify({ code: 500, message: 'internal error' }));
    if (random() < now.malformedRate) {
      return finish(200, 'malformed', GARBAGE_BODIES[Math.floor(random() * GARBAGE_BODIES.length)] ?? 'not json');
    }
    finish(200, 'ok', JSON.stringify({ code: 0, message: 'OK' }));
  }

  async function admin(request: IncomingMessage, response: ServerResponse, path: string): Promise<boolean> {
    if (path === '/_faults' && request.method === 'GET') {
      answerJson(response, 200, faults);
      return true;
    }
    if (path === '/_faults' && request.method === 'POST') {
      try {
        const partial = faultsSchema.partial().parse(JSON.parse(await readBody(request)));
        answerJson(response, 200, setFaults(partial));
      } catch (error) {
        answerJson(response, 400, { message: error instanceof Error ? error.message : String(error) });
      }
      return true;
    }
    if (path === '/_requests' && request.method === 'GET') {
      answerJson(response, 200, received);
      return true;
    }
    if (path === '/_stats' && request.method === 'GET') {
      answerJson(response, 200, { inFlight, maxInFlight: peak });
      return true;
    }
    if (path === '/_reset' && request.method === 'POST') {
      reset();
      answerJson(response, 200, faults);
      return true;
    }
    return false;
  }

  function reset(): void {
    received = [];
    peak = inFlight;
    faults = { ...startFaults };
  }

  const server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0] ?? '/';
    const sendMatch = SEND_PATH.exec(path);
    const handle = async () => {
      if (sendMatch && request.method === 'POST') {
        inFlight += 1;
        peak = Math.max(peak, inFlight);
        try {
          await send(request, response, sendMatch[1] ?? '');
        } finally {
          inFlight -= 1;
        }
        return;
      }
      if (await admin(request, response, path)) return;
      answerJson(response, 404, { code: 404, message: 'not found' });
    };
    handle().catch((error: unknown) => {
      answerJson(response, 500, { code: 500, message: error instanceof Error ? error.message : String(error) });
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(wantedPort, host, () => {
      server.removeListener('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://${host}:${port}`,
    port,
    setFaults,
    faults: () => ({ ...faults }),
    requests: () => received.map((entry) => ({ ...entry })),
    sentMsgIds: () => received.filter((entry) => entry.outcome === 'ok').map((entry) => entry.msgId as number),
    maxInFlight: () => peak,
    reset,
    stop: () =>
      new Promise<void>((resolve, reject) => {
        stopping = true;
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
        for (const [timer, wake] of delays) {
          clearTimeout(timer);
          wake();
        }
        delays.clear();
      }),
  };
}
