/**
 * The in-app inbox over a real socket (local runtime on DynamoDB Local): inbox tokens, the end
 * user's routes and the operator's, 401 for every bad token, 404 for another client's item,
 * read-all in constant work, CORS for any origin locally, and no token in any log line.
 */
import { createHmac } from 'node:crypto';
import { GetQueueUrlCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { DynamoNoticeStore } from '../../functions/adapters/dynamo/notice-store.js';
import { SqsSendQueue } from '../../functions/adapters/sqs.js';
import { queues } from '../../functions/definitions/queues.js';
import { NOTICE_CHUNK, noticeChunk } from '../../functions/domain/notices.js';
import { sqs } from '../../functions/handlers/wiring.js';
import { withSuffix } from '../../local/sqs.js';
import { DynamoInboxStore } from '../../functions/adapters/dynamo/inbox-store.js';
import { hmacSigner } from '../../functions/adapters/hmac-signer.js';
import { INBOX_TOKEN_AUDIENCE, signInboxToken } from '../../functions/domain/inbox-token.js';
import { dynamoDocumentClient } from '../../functions/handlers/wiring.js';
import { logger } from '../../functions/telemetry/logger.js';
import type { LocalRuntime } from '../../local/runtime.js';
import { uniqueSuffix } from '../support/aws.js';
import { callApi, startTestRuntime, waitFor } from '../support/e2e.js';

const inboxKey = 'e2e-inbox-key-'.padEnd(40, 'k');
let runtime: LocalRuntime;
let store: DynamoInboxStore;
let messageSeq = 1;
const suffix = uniqueSuffix();

beforeAll(async () => {
  runtime = await startTestRuntime({ inboxTokenKey: inboxKey, suffix });
  store = new DynamoInboxStore(dynamoDocumentClient(), runtime.tableNames.inbox, { now: () => new Date() }, 90);
});
afterAll(async () => {
  await runtime?.stop();
});

let phoneSeq = 0;
async function newClient(fields: Record<string, unknown> = {}): Promise<string> {
  const phone = `7988${String(1_000_000 + (process.pid % 1000) * 1000 + phoneSeq++).slice(-7)}`;
  const { status, body } = await callApi<{ id: string }>(runtime, 'POST', '/clients', { phone, timezone: 'UTC', ...fields });
  expect(status, JSON.stringify(body)).toBe(201);
  return body.id;
}

async function tokenOf(clientId: string, ttlSeconds?: number): Promise<string> {
  const { status, body } = await callApi<{ token: string; expiresAt: string }>(
    runtime,
    'POST',
    `/clients/${clientId}/inbox-token`,
    ttlSeconds === undefined ? undefined : { ttlSeconds },
  );
  expect(status).toBe(201);
  return body.token;
}

/** A call as the end user's app makes it. */
async function asUser<T = Record<string, unknown>>(token: string | undefined, method: string, path: string, headers: Record<string, string> = {}) {
  const response = await fetch(`${runtime.url}${path}`, {
    method,
    headers: { ...(token === undefined ? {} : { Authorization: `Bearer ${token}` }), ...headers },
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: (text ? JSON.parse(text) : undefined) as T };
}

const deliver = (clientId: string, title: string) => store.deliver(clientId, messageSeq++, { title, text: `${title} text`, noticeId: '1' });

describe('inbox tokens', () => {
  it('are issued for a client, 201 {token, expiresAt}, for the ttl asked (default one hour)', async () => {
    const clientId = await newClient();
    const before = Date.now();
    const { status, body } = await callApi<{ token: string; expiresAt: string }>(runtime, 'POST', `/clients/${clientId}/inbox-token`);
    expect(status).toBe(201);
    expect(body.token.split('.')).toHaveLength(3);
    const ttl = (Date.parse(body.expiresAt) - before) / 1000;
    expect(ttl).toBeGreaterThan(3590);
    expect(ttl).toBeLessThanOrEqual(3601);
    const short = await callApi<{ expiresAt: string }>(runtime, 'POST', `/clients/${clientId}/inbox-token`, { ttlSeconds: 60 });
    expect(Date.parse(short.body.expiresAt) - Date.now()).toBeLessThanOrEqual(61_000);
  });

  it('refuses a ttl out of range (400 naming it) and an unknown client (404)', async () => {
    const clientId = await newClient();
    for (const ttlSeconds of [59, 86_401, 1.5, '600']) {
      const { status, body } = await callApi<{ errors: { field: string }[] }>(runtime, 'POST', `/clients/${clientId}/inbox-token`, { ttlSeconds });
      expect(status).toBe(400);
      expect(body.errors[0]?.field).toBe('ttlSeconds');
    }
    expect((await callApi(runtime, 'POST', `/clients/${clientId}/inbox-token`, { ttlSeconds: 86_400 })).status).toBe(201);
    expect((await callApi(runtime, 'POST', '/clients/nobody/inbox-token')).status).toBe(404);
  });
});

describe('the end user routes', () => {
  let owner: string;
  let ownerToken: string;
  beforeAll(async () => {
    owner = await newClient();
    ownerToken = await tokenOf(owner);
  });

  it('answer 401 for a missing, forged, expired, wrong-audience or unsigned token, and change nothing', async () => {
    await deliver(owner, 'kept');
    const now = new Date();
    const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const signed = (header: unknown, claims: unknown, key = inboxKey) => {
      const part = `${b64(header)}.${b64(claims)}`;
      return `${part}.${createHmac('sha256', key).update(part).digest('base64url')}`;
    };
    const iat = Math.floor(now.getTime() / 1000);
    const claims = { sub: owner, aud: INBOX_TOKEN_AUDIENCE, iat, exp: iat + 600 };
    const bad = {
      forged: signed({ alg: 'HS256', typ: 'JWT' }, claims, 'another-key-'.padEnd(40, 'x')),
      expired: signInboxToken(hmacSigner(inboxKey), owner, 60, new Date(now.getTime() - 61_000)).token,
      wrongAudience: signed({ alg: 'HS256', typ: 'JWT' }, { ...claims, aud: 'someone-else' }),
      algNone: `${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims)}.`,
      tampered: ownerToken.replace(/\.[^.]+\./, `.${b64({ ...claims, exp: iat + 86_400 * 365 })}.`),
    };
    // Negative control: the same helper with the right key and audience is taken.
    expect((await asUser(signed({ alg: 'HS256', typ: 'JWT' }, claims), 'GET', '/inbox/count')).status).toBe(200);
    const before = await store.list(owner, { limit: 100, status: 'all' });
    const routes: [string, string][] = [
      ['GET', '/inbox'],
      ['GET', '/inbox/count'],
      ['POST', '/inbox/read-all'],
      ['POST', `/inbox/${before.items[0]!.id}/read`],
      ['POST', `/inbox/${before.items[0]!.id}/unread`],
      ['DELETE', `/inbox/${before.items[0]!.id}`],
    ];
    for (const [method, path] of routes) {
      for (const token of [undefined, ...Object.values(bad)]) {
        const answer = await asUser<{ status: number }>(token, method, path);
        expect(answer.status, `${method} ${path} with ${token}`).toBe(401);
        expect(answer.headers.get('content-type')).toContain('application/problem+json');
      }
      expect((await asUser(ownerToken, method, path, { Authorization: `Basic ${ownerToken}` })).status).toBe(401);
    }
    expect(await store.list(owner, { limit: 100, status: 'all' })).toEqual(before);
  });

  it("lists the client's items newest first with the unread count, and finds no other client's item (404)", async () => {
    const clientId = await newClient();
    const token = await tokenOf(clientId);
    const other = await newClient();
    const otherToken = await tokenOf(other);
    for (const title of ['first', 'second', 'third']) await deliver(clientId, title);

    const page = await asUser<{ items: { id: string; title: string; readAt: string | null }[]; nextCursor: string | null; unreadCount: number }>(
      token,
      'GET',
      '/inbox?limit=2',
    );
    expect(page.status).toBe(200);
    expect(page.body.items.map((item) => item.title)).toEqual(['third', 'second']);
    expect(page.body.unreadCount).toBe(3);
    const rest = await asUser<{ items: { title: string }[]; nextCursor: string | null }>(token, 'GET', `/inbox?limit=2&cursor=${page.body.nextCursor}`);
    expect(rest.body.items.map((item) => item.title)).toEqual(['first']);
    // Another client's cursor is no cursor of this list.
    expect((await asUser(otherToken, 'GET', `/inbox?limit=2&cursor=${page.body.nextCursor}`)).status).toBe(400);
    expect((await asUser(token, 'GET', '/inbox?status=read')).status).toBe(400);

    const [third] = page.body.items;
    expect((await asUser<{ items: unknown[]; unreadCount: number }>(otherToken, 'GET', '/inbox')).body).toEqual({
      items: [],
      nextCursor: null,
      unreadCount: 0,
    });
    for (const [method, path] of [
      ['POST', `/inbox/${third!.id}/read`],
      ['POST', `/inbox/${third!.id}/unread`],
      ['DELETE', `/inbox/${third!.id}`],
    ] as const) {
      expect((await asUser(otherToken, method, path)).status, `${method} ${path}`).toBe(404);
    }
    expect((await asUser(token, 'POST', '/inbox/no-such-item/read')).status).toBe(404);
    expect((await asUser<{ unread: number }>(token, 'GET', '/inbox/count')).body).toEqual({ unread: 3 });

    // The operator sees the same list.
    const operator = await callApi<{ items: { title: string }[]; unreadCount: number }>(runtime, 'GET', `/clients/${clientId}/inbox`);
    expect(operator.body.items.map((item) => item.title)).toEqual(['third', 'second', 'first']);
    expect(operator.body.unreadCount).toBe(3);
    expect((await callApi(runtime, 'GET', '/clients/nobody/inbox')).status).toBe(404);
  });

  it('marks read and unread, reads all, and archives', async () => {
    const clientId = await newClient();
    const token = await tokenOf(clientId);
    for (const title of ['a', 'b', 'c']) await deliver(clientId, title);
    const { body } = await asUser<{ items: { id: string; title: string }[] }>(token, 'GET', '/inbox');
    const [c, b, a] = body.items as unknown as [{ id: string }, { id: string }, { id: string }];

    const read = await asUser<{ id: string; readAt: string | null }>(token, 'POST', `/inbox/${b.id}/read`);
    expect(read.status).toBe(200);
    expect(read.body.id).toBe(b.id);
    expect(read.body.readAt).not.toBeNull();
    expect((await asUser(token, 'GET', '/inbox/count')).body).toEqual({ unread: 2 });
    const unread = await asUser<{ items: { id: string }[]; unreadCount: number }>(token, 'GET', '/inbox?status=unread');
    expect(unread.body.items.map((item) => item.id)).toEqual([c.id, a.id]);
    expect(unread.body.unreadCount).toBe(2);

    expect((await asUser(token, 'POST', '/inbox/read-all')).body).toEqual({ unread: 0 });
    expect((await asUser<{ items: unknown[] }>(token, 'GET', '/inbox?status=unread')).body.items).toEqual([]);
    const again = await asUser<{ readAt: string | null }>(token, 'POST', `/inbox/${a.id}/unread`);
    expect(again.body.readAt).toBeNull();
    expect((await asUser(token, 'GET', '/inbox/count')).body).toEqual({ unread: 1 });

    const archived = await asUser(token, 'DELETE', `/inbox/${a.id}`);
    expect(archived.status).toBe(204);
    expect((await asUser<{ items: { id: string }[] }>(token, 'GET', '/inbox')).body.items.map((item) => item.id)).toEqual([c.id, b.id]);
    expect((await asUser(token, 'GET', '/inbox/count')).body).toEqual({ unread: 0 });
    expect((await asUser(token, 'DELETE', `/inbox/${a.id}`)).status).toBe(404);
  });

  it('reads all in constant work: the same DynamoDB requests for 3 unread items as for 120', async () => {
    const requests: string[] = [];
    const db = dynamoDocumentClient();
    db.middlewareStack.add(
      (next, context) => async (args) => {
        const input = args.input as { TableName?: string; TransactItems?: unknown[] };
        if (input.TableName === runtime.tableNames.inbox || input.TransactItems) requests.push(String(context.commandName));
        return next(args);
      },
      { step: 'initialize', name: 'countInboxRequests' },
    );
    try {
      const readAllOf = async (n: number) => {
        const clientId = await newClient();
        const token = await tokenOf(clientId);
        for (let i = 0; i < n; i++) await store.deliver(clientId, messageSeq++, { title: `${i}`, text: '' });
        expect((await asUser(token, 'GET', '/inbox/count')).body).toEqual({ unread: n });
        requests.length = 0;
        expect((await asUser(token, 'POST', '/inbox/read-all')).body).toEqual({ unread: 0 });
        const made = [...requests];
        expect((await asUser(token, 'GET', '/inbox/count')).body).toEqual({ unread: 0 });
        return made;
      };
      const few = await readAllOf(3);
      const many = await readAllOf(120);
      expect(few).toEqual(['GetItemCommand', 'PutItemCommand']);
      expect(many).toEqual(few);
    } finally {
      db.middlewareStack.remove('countInboxRequests');
    }
  });

  it('answers any origin locally, preflight included', async () => {
    const preflight = await asUser(undefined, 'OPTIONS', '/inbox', {
      Origin: 'https://app.example',
      'Access-Control-Request-Method': 'GET',
      'Access-Control-Request-Headers': 'authorization',
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('*');
    expect(preflight.headers.get('access-control-allow-headers')).toContain('Authorization');
    const answer = await asUser(ownerToken, 'GET', '/inbox/count', { Origin: 'https://app.example' });
    expect(answer.headers.get('access-control-allow-origin')).toBe('*');
    const refused = await asUser(undefined, 'GET', '/inbox/count', { Origin: 'https://app.example' });
    expect(refused.status).toBe(401);
    expect(refused.headers.get('access-control-allow-origin')).toBe('*');
  });
});

/** A client's live connection, collecting the frames it gets. */
async function connect(token: string): Promise<{ frames: unknown[]; close: () => void }> {
  const socket = new WebSocket(`${runtime.websocketUrl}?token=${encodeURIComponent(token)}`);
  const frames: unknown[] = [];
  socket.on('message', (data) => frames.push(JSON.parse(String(data))));
  await new Promise((resolve, reject) => {
    socket.once('open', resolve);
    socket.once('error', reject);
  });
  return { frames, close: () => socket.close() };
}

/** Waits until a connection has `count` frames, then gives them. */
async function framesOf(connection: { frames: unknown[] }, count: number, what: string): Promise<unknown[]> {
  return waitFor(
    what,
    async () => [...connection.frames],
    (frames) => frames.length >= count,
  );
}

/** What a connection gets for one new unread item: the item, then the unread count. */
const itemFrames = (item: unknown, unread: number) => [
  { type: 'notification', item },
  { type: 'unread', count: unread },
];

describe('in-app messages', () => {
  it("an in-app notice's chunk on the sendInapp queue lands in GET /inbox, is sent, and its frames reach the client's connection only", async () => {
    const clientId = await newClient();
    const token = await tokenOf(clientId);
    const other = await newClient();
    const mine = await connect(token);
    const theirs = await connect(await tokenOf(other));
    try {
      const notices = new DynamoNoticeStore(dynamoDocumentClient(), { messages: runtime.tableNames.messages, uniques: runtime.tableNames.uniques });
      const notice = await notices.create((id) => {
        const chunk = noticeChunk(id, { id: clientId, phone: '79880000000' }, 'Your order shipped', new Date(), 'inapp');
        Object.assign(chunk.messages[0]!, { title: 'Shipped', url: '/orders/7' });
        return chunk;
      });
      const { QueueUrl } = await sqs().send(new GetQueueUrlCommand({ QueueName: withSuffix(queues.sendInapp.name, suffix) }));
      await new SqsSendQueue(sqs(), QueueUrl as string).enqueue([{ campaignId: notice.campaignId, chunk: NOTICE_CHUNK }]);

      const noticeId = notice.campaignId.split('#')[1] as string;
      const page = await waitFor(
        'the item in GET /inbox',
        async () => (await asUser<{ items: { title: string }[]; unreadCount: number }>(token, 'GET', '/inbox')).body,
        (body) => body.items.length === 1,
      );
      expect(page.items[0]).toMatchObject({ title: 'Shipped', text: 'Your order shipped', url: '/orders/7', noticeId, readAt: null });
      expect(page.unreadCount).toBe(1);
      await waitFor(
        'the notice sent',
        async () => (await callApi<{ status: string }>(runtime, 'GET', `/notices/${noticeId}`)).body.status,
        (status) => status === 'sent',
      );
      expect(await framesOf(mine, 2, 'both frames')).toEqual(itemFrames(page.items[0], 1));

      // Read over REST: the unread count follows on the connection.
      const [item] = page.items as unknown as [{ id: string }];
      await asUser(token, 'POST', `/inbox/${item.id}/read`);
      expect((await framesOf(mine, 3, 'the unread frame'))[2]).toEqual({ type: 'unread', count: 0 });
      expect(theirs.frames).toEqual([]);
    } finally {
      mine.close();
      theirs.close();
    }
  });
});

describe('the in-app channel through the API', () => {
  type Page = { items: { id: string; title: string; text: string; url?: string; campaignId?: string; noticeId?: string }[]; unreadCount: number };
  const inboxOf = async (token: string) => (await asUser<Page>(token, 'GET', '/inbox')).body;

  it('POST /notices on inapp is 202, renders its parts for the client, lands in GET /inbox with its frames; an opted-out client is 409', async () => {
    const clientId = await newClient({ name: 'Anna' });
    const token = await tokenOf(clientId);
    const mine = await connect(token);
    try {
      const posted = await callApi<{ id: number; status: string }>(runtime, 'POST', '/notices', {
        clientId,
        channel: 'inapp',
        title: 'Hi {{ name }}',
        text: 'Order {{ order }} shipped',
        url: '/orders/{{ order }}',
        variables: { order: 7 },
      });
      expect([posted.status, posted.body.status], JSON.stringify(posted.body)).toEqual([202, 'queued']);
      const page = await waitFor(
        'the notice in GET /inbox',
        () => inboxOf(token),
        (body) => body.items.length === 1,
      );
      expect(page.items[0]).toMatchObject({ title: 'Hi Anna', text: 'Order 7 shipped', url: '/orders/7', noticeId: String(posted.body.id), readAt: null });
      await waitFor(
        'the notice sent',
        async () => (await callApi<{ status: string; channel: string }>(runtime, 'GET', `/notices/${posted.body.id}`)).body,
        (notice) => notice.status === 'sent',
      );
      expect(await framesOf(mine, 2, 'both frames')).toEqual(itemFrames(page.items[0], 1));
    } finally {
      mine.close();
    }

    // Opted out of in-app: refused, nothing queued; the same client is still reachable by SMS.
    const optedOut = await newClient({ optOuts: ['inapp'] });
    const refused = await callApi<{ errors: { field: string }[] }>(runtime, 'POST', '/notices', { clientId: optedOut, channel: 'inapp', title: 'Hi' });
    expect([refused.status, refused.body.errors.map((error) => error.field)]).toEqual([409, ['clientId']]);
    expect((await inboxOf(await tokenOf(optedOut))).items).toEqual([]);
    // A url that renders to no link the app may open is refused naming it.
    const badUrl = await callApi<{ errors: { field: string }[] }>(runtime, 'POST', '/notices', {
      clientId,
      channel: 'inapp',
      title: 'Hi',
      url: 'javascript:alert(1)',
    });
    expect([badUrl.status, badUrl.body.errors.map((error) => error.field)]).toEqual([400, ['url']]);
  });

  it("an in-app campaign to one tag lands in each matching client's inbox and no other's, counts the opted-out as suppressed, and frames only its clients", async () => {
    const tag = `inapp-${uniqueSuffix()}`.slice(0, 40);
    const anna = await newClient({ tag, name: 'Anna' });
    const boris = await newClient({ tag, name: 'Boris' });
    const olga = await newClient({ tag, name: 'Olga', optOuts: ['inapp'] });
    const outsider = await newClient({ tag: `${tag}-other`, name: 'Pavel' });
    const tokens = Object.fromEntries(await Promise.all([anna, boris, olga, outsider].map(async (id) => [id, await tokenOf(id)] as const)));
    const annas = await connect(tokens[anna] as string);
    const olgas = await connect(tokens[olga] as string);
    const outsiders = await connect(tokens[outsider] as string);
    try {
      const now = Date.now();
      const created = await callApi<{ id: string; channel: string }>(runtime, 'POST', '/campaigns', {
        channel: 'inapp',
        title: 'News for {{ name }}',
        text: 'Hello {{ name }}',
        url: '/news',
        startAt: new Date(now).toISOString(),
        endAt: new Date(now + 600_000).toISOString(),
        filter: { tags: [tag] },
      });
      expect(created.status, JSON.stringify(created.body)).toBe(201);
      expect(created.body.channel).toBe('inapp');
      const done = await waitFor(
        'the in-app campaign finished',
        async () =>
          (
            await callApi<{ status: string; counts: Record<string, number>; audience?: number; suppressed: number; unreachable: number }>(
              runtime,
              'GET',
              `/campaigns/${created.body.id}`,
            )
          ).body,
        (campaign) => campaign.status === 'finished',
      );
      // Three matched: every client is reachable in the app; the one opted out of in-app is suppressed.
      expect(done).toMatchObject({ audience: 3, suppressed: 1, unreachable: 0 });
      expect(done.counts).toMatchObject({ queued: 0, sent: 2, failed: 0 });

      for (const [id, name] of [
        [anna, 'Anna'],
        [boris, 'Boris'],
      ] as const) {
        const page = await inboxOf(tokens[id] as string);
        expect(page.items).toEqual([expect.objectContaining({ title: `News for ${name}`, text: `Hello ${name}`, url: '/news', campaignId: created.body.id })]);
        expect(page.unreadCount).toBe(1);
      }
      for (const id of [olga, outsider]) expect(await inboxOf(tokens[id] as string)).toMatchObject({ items: [], unreadCount: 0 });

      expect(await framesOf(annas, 2, "Anna's frames")).toEqual(
        itemFrames(expect.objectContaining({ title: 'News for Anna', campaignId: created.body.id }), 1),
      );
      // Negative control: the connection of a client of the tag saw its frames, so these would have by now.
      expect(olgas.frames).toEqual([]);
      expect(outsiders.frames).toEqual([]);
    } finally {
      annas.close();
      olgas.close();
      outsiders.close();
    }
  });
});

describe('logs', () => {
  it('never carry an inbox token, in a header, a query string, a path or an error', async () => {
    const clientId = await newClient();
    const token = await tokenOf(clientId);
    const lines: string[] = [];
    const write = process.stdout.write.bind(process.stdout);
    const writeErr = process.stderr.write.bind(process.stderr);
    // Kept, not printed: the test reads them.
    const capture = (chunk: string | Uint8Array): boolean => {
      lines.push(String(chunk));
      return true;
    };
    process.stdout.write = capture as typeof process.stdout.write;
    process.stderr.write = capture as typeof process.stderr.write;
    logger.setLogLevel('DEBUG');
    try {
      await asUser(token, 'GET', '/inbox');
      await asUser(token, 'GET', `/inbox?token=${token}`);
      await asUser(token.slice(0, -2), 'GET', '/inbox');
      await asUser(token, 'POST', `/inbox/${token}/read`);
      await asUser(undefined, 'GET', `/nothing/${token}`);
      // Negative control: a line that does carry it is masked on its way out.
      logger.info(`a line with ${token} in it`, { token, nested: { error: new Error(`bad ${token}`) } });
    } finally {
      logger.setLogLevel('SILENT');
      process.stdout.write = write;
      process.stderr.write = writeErr;
    }
    const [, payload, mac] = token.split('.') as [string, string, string];
    expect(lines.join('')).toContain('a line with *** in it');
    // Each request's ids stay on its own lines: the root logger never took this client's.
    expect(lines.find((line) => line.includes('a line with'))).not.toContain(clientId);
    expect(lines.some((line) => line.includes('"statusCode":401'))).toBe(true);
    for (const part of [token, payload, mac]) expect(lines.filter((line) => line.includes(part))).toEqual([]);
  });
});
