/**
 * The REST API over real HTTP against the local runtime: every route, every kind of bad
 * input answered with a 4xx problem+json naming the field and nothing written, the rules
 * by status, and the documentation. Tests in this file share one runtime and run in order.
 */
import { request as httpRequest } from 'node:http';
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_START_TIMING } from '../../functions/domain/start-timing.js';
import { startHttpServer } from '../../local/http.js';
import type { LocalRuntime } from '../../local/runtime.js';
import { documentClient, uniqueSuffix } from '../support/aws.js';
import { startTestRuntime, waitFor } from '../support/e2e.js';

let runtime: LocalRuntime;
beforeAll(async () => {
  runtime = await startTestRuntime();
});
afterAll(async () => {
  await runtime?.stop();
});

type Json = Record<string, unknown>;
interface Answer<T = Json> {
  status: number;
  contentType: string;
  headers: Headers;
  body: T;
  text: string;
}
interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance: string;
  errors: { field: string; message: string }[];
}
type Counts = Record<'queued' | 'sent' | 'failed' | 'expired' | 'cancelled', number>;
interface Client {
  id: string;
  phone: string;
  operatorCode: string;
  tag?: string;
  timezone: string;
}
interface Campaign {
  id: string;
  text: string;
  startAt: string;
  endAt: string;
  filter: { operatorCodes?: string[]; tags?: string[] };
  status: string;
  counts: Counts;
  total: number;
}
interface Message {
  id: number;
  campaignId: string;
  channel: string;
  clientId: string;
  status: string;
  attempts: number;
}
interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** A request with a JSON body unless `raw` (a string, bytes, or a body with no content type) is given. */
async function call<T = Json>(
  method: string,
  path: string,
  options: { json?: unknown; raw?: string | Uint8Array; contentType?: string } = {},
): Promise<Answer<T>> {
  const headers: Record<string, string> = {};
  let body: string | Uint8Array | undefined;
  if (options.json !== undefined) {
    body = JSON.stringify(options.json);
    headers['content-type'] = 'application/json';
  }
  if (options.raw !== undefined) body = options.raw;
  if (options.contentType) headers['content-type'] = options.contentType;
  const response = await fetch(`${runtime.url}${path}`, { method, headers, ...(body !== undefined ? { body } : {}) });
  const text = await response.text();
  const contentType = response.headers.get('content-type') ?? '';
  const parsed = contentType.includes('json') && text ? JSON.parse(text) : undefined;
  return { status: response.status, contentType, headers: response.headers, body: parsed as T, text };
}

/** A 4xx problem+json naming every field in `fields`. */
function expectProblem(answer: Answer<unknown>, status: number, fields: string[] = []): Problem {
  expect(answer.status, answer.text).toBe(status);
  expect(answer.contentType).toMatch(/^application\/problem\+json/);
  const problem = answer.body as Problem;
  expect(problem).toMatchObject({
    status,
    title: expect.any(String),
    detail: expect.any(String),
    type: expect.stringMatching(/^urn:/),
    instance: expect.stringMatching(/^\//),
  });
  expect(problem.errors.map((error) => error.field)).toEqual(expect.arrayContaining(fields));
  return problem;
}

let phoneSeq = Math.floor(Math.random() * 9_000_000);
const nextPhone = (operator = '900') => `7${operator}${String(phoneSeq++ % 10_000_000).padStart(7, '0')}`;
const newTag = (what: string) => `${what}-${uniqueSuffix()}`;
const inMs = (ms: number) => new Date(Date.now() + ms).toISOString();

async function clientsTagged(tag: string): Promise<Client[]> {
  return (await call<Page<Client>>('GET', `/clients?tag=${tag}&limit=100`)).body.items;
}

async function addClient(fields: Partial<Client> = {}): Promise<Client> {
  const answer = await call<Client>('POST', '/clients', { json: { phone: nextPhone(), timezone: 'Europe/Moscow', ...fields } });
  expect(answer.status, answer.text).toBe(201);
  return answer.body;
}

async function allCampaigns(): Promise<Campaign[]> {
  const campaigns: Campaign[] = [];
  let cursor: string | null = null;
  do {
    const page: Answer<Page<Campaign>> = await call<Page<Campaign>>('GET', `/campaigns?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    expect(page.status).toBe(200);
    campaigns.push(...page.body.items);
    cursor = page.body.nextCursor;
  } while (cursor);
  return campaigns;
}

async function addCampaign(fields: Partial<Campaign> & { startInMs?: number; endInMs?: number } = {}): Promise<Campaign> {
  // Ten minutes ahead: further than the schedule's lead, so the schedule stays until its early fire.
  const { startInMs = 600_000, endInMs = 3_600_000, ...rest } = fields;
  const answer = await call<Campaign>('POST', '/campaigns', {
    json: { text: 'Sale starts now', startAt: inMs(startInMs), endAt: inMs(endInMs), filter: { tags: [newTag('nobody')] }, ...rest },
  });
  expect(answer.status, answer.text).toBe(201);
  return answer.body;
}

/** The local scheduler's record of a campaign's start (the stand-in for EventBridge Scheduler). */
async function scheduleOf(campaignId: string): Promise<{ fireAt: number } | undefined> {
  const table = (runtime.tableNames as Record<string, string>).schedules as string;
  const { Item } = await documentClient().send(new GetCommand({ TableName: table, Key: { campaignId }, ConsistentRead: true }));
  return Item as { fireAt: number } | undefined;
}

const zeroCounts: Counts = { queued: 0, sent: 0, failed: 0, expired: 0, cancelled: 0 };

describe('clients', () => {
  it('are added, read, listed, changed and removed', async () => {
    const tag = newTag('crud');
    const phone = nextPhone('916');
    const created = await call<Client>('POST', '/clients', { json: { phone, timezone: 'Asia/Vladivostok', tag } });
    expect(created.status).toBe(201);
    expect(created.contentType).toMatch(/^application\/json/);
    expect(created.body).toMatchObject({ phone, timezone: 'Asia/Vladivostok', tag, operatorCode: '916', id: expect.any(String) });
    const { id } = created.body;

    expect((await call<Client>('GET', `/clients/${id}`)).body).toEqual(created.body);
    expect((await clientsTagged(tag)).map((client) => client.id)).toEqual([id]);
    const byCode = await call<Page<Client>>('GET', `/clients?operatorCode=916&limit=100`);
    expect(byCode.body.items.map((client) => client.id)).toContain(id);
    // Search by phone: the one client, or none (also when another filter given does not match).
    expect((await call<Page<Client>>('GET', `/clients?phone=${phone}`)).body).toEqual({ items: [created.body], nextCursor: null });
    expect((await call<Page<Client>>('GET', `/clients?phone=${phone}&tag=${tag}-other`)).body.items).toEqual([]);
    expect((await call<Page<Client>>('GET', `/clients?phone=${nextPhone('916')}`)).body.items).toEqual([]);

    const retagged = await call<Client>('PATCH', `/clients/${id}`, { json: { timezone: 'UTC', operatorCode: '999' } });
    expect(retagged.body).toMatchObject({ id, timezone: 'UTC', operatorCode: '999', tag });
    const untagged = await call<Client>('PATCH', `/clients/${id}`, { json: { tag: null } });
    expect(untagged.status).toBe(200);
    expect(untagged.body.tag).toBeUndefined();
    expect(await clientsTagged(tag)).toEqual([]);

    const removed = await call('DELETE', `/clients/${id}`);
    expect(removed.status).toBe(204);
    expect(removed.text).toBe('');
    expectProblem(await call('GET', `/clients/${id}`), 404);
  });

  it('re-derive the operator code when the phone changes', async () => {
    const client = await addClient({ phone: nextPhone('901') });
    const moved = await call<Client>('PATCH', `/clients/${client.id}`, { json: { phone: nextPhone('926') } });
    expect(moved.body.operatorCode).toBe('926');
  });

  it('are listed in pages', async () => {
    const tag = newTag('pages');
    const ids = [(await addClient({ tag })).id, (await addClient({ tag })).id, (await addClient({ tag })).id];
    const first = await call<Page<Client>>('GET', `/clients?tag=${tag}&limit=2`);
    expect(first.body.items).toHaveLength(2);
    expect(first.body.nextCursor).toEqual(expect.any(String));
    const seen = first.body.items.map((client) => client.id);
    let cursor = first.body.nextCursor;
    while (cursor) {
      const next: Answer<Page<Client>> = await call<Page<Client>>('GET', `/clients?tag=${tag}&limit=2&cursor=${encodeURIComponent(cursor)}`);
      seen.push(...next.body.items.map((client) => client.id));
      cursor = next.body.nextCursor;
    }
    expect(seen.sort()).toEqual(ids.sort());
  });

  describe('bad input is refused, naming the field, and nothing is written', () => {
    const valid = () => ({ phone: nextPhone(), timezone: 'Europe/Moscow' });
    it.each([
      ['a bad phone', { phone: '89001234567' }, ['phone']],
      ['a phone as a number', { phone: 79001234567 }, ['phone']],
      ['a bad zone', { timezone: 'Mars/Olympus_Mons' }, ['timezone']],
      ['a bad operator code', { operatorCode: '12' }, ['operatorCode']],
      ['an unknown field', { nickname: 'Ann' }, ['nickname']],
      ['a tag too long', { tag: 't'.repeat(65) }, ['tag']],
    ])('%s', async (_case, change, fields) => {
      const tag = newTag('bad');
      const body = { ...valid(), tag, ...change };
      expectProblem(await call('POST', '/clients', { json: body }), 400, fields);
      expect(await clientsTagged(tag)).toEqual([]);
    });

    it('missing fields', async () => {
      expectProblem(await call('POST', '/clients', { json: {} }), 400, ['phone', 'timezone']);
    });

    it('malformed JSON', async () => {
      const tag = newTag('malformed');
      const raw = `{"phone":"${nextPhone()}","timezone":"UTC","tag":"${tag}"`;
      expectProblem(await call('POST', '/clients', { raw, contentType: 'application/json' }), 400, ['body']);
      expect(await clientsTagged(tag)).toEqual([]);
    });

    it('a wrong or missing content type', async () => {
      const tag = newTag('type');
      const raw = JSON.stringify({ ...valid(), tag });
      expectProblem(await call('POST', '/clients', { raw, contentType: 'text/plain' }), 415, ['Content-Type']);
      expectProblem(await call('POST', '/clients', { raw: new TextEncoder().encode(raw) }), 415, ['Content-Type']);
      expectProblem(await call('POST', '/clients', { raw: JSON.stringify({ ...valid(), tag }), contentType: 'application/x-www-form-urlencoded' }), 415);
      expect(await clientsTagged(tag)).toEqual([]);
    });

    it('an oversize body, refused by the API and, past 1 MiB, at the socket', async () => {
      const tag = newTag('big');
      const padded = (bytes: number) => JSON.stringify({ ...valid(), tag }).replace(/}$/, `${' '.repeat(bytes)}}`);
      expectProblem(await call('POST', '/clients', { raw: padded(20 * 1024), contentType: 'application/json' }), 413, ['body']);
      expectProblem(await call('POST', '/clients', { raw: padded(2 * 1024 * 1024), contentType: 'application/json' }), 413, ['body']);
      expect(await clientsTagged(tag)).toEqual([]);
    });

    it('a bad patch leaves the client as it was', async () => {
      const client = await addClient({ tag: newTag('keep') });
      expectProblem(await call('PATCH', `/clients/${client.id}`, { json: { phone: '7123' } }), 400, ['phone']);
      expectProblem(await call('PATCH', `/clients/${client.id}`, { json: { timezone: 'Nowhere/Land' } }), 400, ['timezone']);
      expectProblem(await call('PATCH', `/clients/${client.id}`, { json: { id: 'other' } }), 400, ['id']);
      expectProblem(await call('PATCH', `/clients/${client.id}`, { json: {} }), 400, ['body']);
      expectProblem(await call('PATCH', `/clients/${client.id}`, { raw: '{"tag":', contentType: 'application/json' }), 400, ['body']);
      expectProblem(await call('PATCH', `/clients/${client.id}`, { raw: '{"tag":"x"}', contentType: 'text/plain' }), 415);
      expect((await call<Client>('GET', `/clients/${client.id}`)).body).toEqual(client);
    });

    it.each([
      ['limit=0', 'limit'],
      ['limit=101', 'limit'],
      ['limit=many', 'limit'],
      ['operatorCode=9', 'operatorCode'],
      ['phone=8900', 'phone'],
      ['cursor=not-ours', 'cursor'],
      ['sort=phone', 'sort'],
    ])('list parameters %s', async (query, field) => {
      expectProblem(await call('GET', `/clients?${query}`), 400, [field]);
    });
  });

  it('an unknown id is 404 for every method, and nothing is created', async () => {
    const id = `missing${uniqueSuffix()}`;
    expectProblem(await call('GET', `/clients/${id}`), 404);
    expectProblem(await call('PATCH', `/clients/${id}`, { json: { timezone: 'UTC' } }), 404);
    expectProblem(await call('DELETE', `/clients/${id}`), 404);
    expectProblem(await call('GET', `/clients/${id}`), 404);
  });

  it('a second client with the same phone is a 409 naming phone', async () => {
    const tag = newTag('dup');
    const first = await addClient({ tag });
    expectProblem(await call('POST', '/clients', { json: { phone: first.phone, timezone: 'UTC', tag } }), 409, ['phone']);
    const other = await addClient();
    expectProblem(await call('PATCH', `/clients/${other.id}`, { json: { phone: first.phone } }), 409, ['phone']);
    expect((await clientsTagged(tag)).map((client) => client.id)).toEqual([first.id]);
    expect((await call<Client>('GET', `/clients/${other.id}`)).body.phone).toBe(other.phone);
  });

  it('ten concurrent creations with one phone leave exactly one client', async () => {
    const tag = newTag('race');
    const phone = nextPhone();
    const answers = await Promise.all(Array.from({ length: 10 }, () => call('POST', '/clients', { json: { phone, timezone: 'UTC', tag } })));
    const statuses = answers.map((answer) => answer.status).sort();
    expect(statuses).toEqual([201, 409, 409, 409, 409, 409, 409, 409, 409, 409]);
    for (const answer of answers.filter((a) => a.status === 409)) expectProblem(answer, 409, ['phone']);
    expect(await clientsTagged(tag)).toHaveLength(1);
  });
});

describe('campaigns', () => {
  it('a future campaign is scheduled, with zero counts, and its schedule follows its start', async () => {
    const startAt = inMs(600_000);
    const created = await call<Campaign>('POST', '/campaigns', {
      json: { text: 'Spring sale', startAt, endAt: inMs(3_600_000), filter: { operatorCodes: ['900'], tags: ['vip'] } },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      // On SMS when the request names no channel.
      channel: 'sms',
      status: 'scheduled',
      text: 'Spring sale',
      counts: zeroCounts,
      total: 0,
      filter: { operatorCodes: ['900'], tags: ['vip'] },
    });
    const { id } = created.body;
    expect(created.body.startAt).toBe(new Date(startAt).toISOString());
    // Fired the lead early: the start timer waits the rest (functions/domain/start-timing.ts).
    expect((await scheduleOf(id))?.fireAt).toBe(Date.parse(startAt) - DEFAULT_START_TIMING.leadMs);

    // GET also carries the audience (estimated while scheduled).
    expect((await call<Campaign>('GET', `/campaigns/${id}`)).body).toEqual({ ...created.body, audience: expect.any(Number) });
    expect((await allCampaigns()).map((campaign) => campaign.id)).toContain(id);

    const newStart = inMs(900_000);
    const patched = await call<Campaign>('PATCH', `/campaigns/${id}`, { json: { text: 'Spring sale, day two', startAt: newStart, filter: { tags: ['new'] } } });
    expect(patched.status, patched.text).toBe(200);
    expect(patched.body).toMatchObject({
      text: 'Spring sale, day two',
      startAt: new Date(newStart).toISOString(),
      filter: { tags: ['new'] },
      status: 'scheduled',
    });
    expect((await scheduleOf(id))?.fireAt).toBe(Date.parse(newStart) - DEFAULT_START_TIMING.leadMs);
  });

  it('a scheduled campaign whose start is moved to now starts at once', async () => {
    const campaign = await addCampaign();
    const patched = await call<Campaign>('PATCH', `/campaigns/${campaign.id}`, { json: { startAt: inMs(-1000) } });
    expect(patched.status, patched.text).toBe(200);
    await waitFor(
      'the campaign to start',
      async () => (await call<Campaign>('GET', `/campaigns/${campaign.id}`)).body.status,
      (status) => status !== 'scheduled',
    );
    expect(await scheduleOf(campaign.id)).toBeUndefined();
  });

  it('deleting a scheduled campaign removes it and its schedule', async () => {
    const campaign = await addCampaign();
    expect(await scheduleOf(campaign.id)).toBeDefined();
    expect((await call('DELETE', `/campaigns/${campaign.id}`)).status).toBe(204);
    expectProblem(await call('GET', `/campaigns/${campaign.id}`), 404);
    expect(await scheduleOf(campaign.id)).toBeUndefined();
    expect((await allCampaigns()).map((c) => c.id)).not.toContain(campaign.id);
  });

  it('a running campaign lets only endAt change, and deleting it cancels it', async () => {
    // With the provider down its one message stays queued, so the campaign stays running.
    runtime.provider?.setFaults({ down: true });
    try {
      const tag = newTag('running');
      await addClient({ tag });
      const campaign = await addCampaign({ startInMs: -1000, filter: { tags: [tag] } });
      expect(campaign.status).toBe('running');
      await waitFor(
        'the message to be queued',
        async () => (await call<Campaign>('GET', `/campaigns/${campaign.id}`)).body.counts.queued,
        (queued) => queued === 1,
      );
      const newEnd = inMs(7_200_000);
      const extended = await call<Campaign>('PATCH', `/campaigns/${campaign.id}`, { json: { endAt: newEnd } });
      expect(extended.status, extended.text).toBe(200);
      expect(extended.body.endAt).toBe(new Date(newEnd).toISOString());
      expectProblem(await call('PATCH', `/campaigns/${campaign.id}`, { json: { text: 'changed' } }), 409, ['text']);
      expectProblem(await call('PATCH', `/campaigns/${campaign.id}`, { json: { startAt: inMs(1000), filter: {} } }), 409, ['startAt', 'filter']);
      expect((await call<Campaign>('GET', `/campaigns/${campaign.id}`)).body).toMatchObject({ text: campaign.text, endAt: new Date(newEnd).toISOString() });

      expect((await call('DELETE', `/campaigns/${campaign.id}`)).status).toBe(204);
      const cancelled = await call<Campaign>('GET', `/campaigns/${campaign.id}`);
      expect(cancelled.body.status).toBe('cancelled');
      expectProblem(await call('PATCH', `/campaigns/${campaign.id}`, { json: { endAt: inMs(9_000_000) } }), 409);
      expectProblem(await call('DELETE', `/campaigns/${campaign.id}`), 409);
    } finally {
      runtime.provider?.reset();
    }
  });

  it('a finished campaign is read-only', async () => {
    const campaign = await addCampaign({ startInMs: -1000, endInMs: 1500 });
    await waitFor(
      'the end to pass',
      async () => (await call<Campaign>('GET', `/campaigns/${campaign.id}`)).body.status,
      (status) => status === 'finished',
    );
    expectProblem(await call('PATCH', `/campaigns/${campaign.id}`, { json: { endAt: inMs(3_600_000) } }), 409);
    expectProblem(await call('DELETE', `/campaigns/${campaign.id}`), 409);
    expect((await call<Campaign>('GET', `/campaigns/${campaign.id}`)).body.endAt).toBe(campaign.endAt);
  });

  describe('bad input is refused, naming the field, and nothing is written', () => {
    const valid = () => ({ text: `campaign ${uniqueSuffix()}`, startAt: inMs(60_000), endAt: inMs(3_600_000) });
    const now = Date.now();
    it.each([
      ['an end before the start', { startAt: new Date(now + 7_200_000).toISOString(), endAt: new Date(now + 3_600_000).toISOString() }, ['endAt']],
      ['an end equal to the start', { startAt: '2031-01-01T10:00:00+03:00', endAt: '2031-01-01T07:00:00Z' }, ['endAt']],
      ['an end in the past', { startAt: new Date(now - 7_200_000).toISOString(), endAt: new Date(now - 3_600_000).toISOString() }, ['endAt']],
      ['a time without an offset', { startAt: '2031-01-01T10:00:00' }, ['startAt']],
      ['a date that does not exist', { endAt: '2031-02-30T10:00:00Z' }, ['endAt']],
      ['empty text', { text: '' }, ['text']],
      ['text over 1000 characters', { text: 'x'.repeat(1001) }, ['text']],
      ['a bad operator code in the filter', { filter: { operatorCodes: ['900', '9a1'] } }, ['filter.operatorCodes.1']],
      ['an unknown filter field', { filter: { region: 'EU' } }, ['filter.region']],
      ['an unknown field', { priority: 'high' }, ['priority']],
      ['a status', { status: 'running' }, ['status']],
      ['a channel that does not exist', { channel: 'fax' }, ['channel']],
      ['e-mail without a subject', { channel: 'email' }, ['subject']],
      ['in-app without a title', { channel: 'inapp' }, ['title']],
    ])('%s', async (_case, change, fields) => {
      const before = (await allCampaigns()).length;
      const body = { ...valid(), ...change };
      expectProblem(await call('POST', '/campaigns', { json: body }), 400, fields);
      expect(await allCampaigns()).toHaveLength(before);
    });

    it('malformed JSON, a wrong content type and an oversize body', async () => {
      const before = (await allCampaigns()).length;
      const raw = JSON.stringify(valid());
      expectProblem(await call('POST', '/campaigns', { raw: raw.slice(0, -1), contentType: 'application/json' }), 400, ['body']);
      expectProblem(await call('POST', '/campaigns', { raw, contentType: 'text/plain' }), 415, ['Content-Type']);
      expectProblem(await call('POST', '/campaigns', { raw: raw.replace(/}$/, `${' '.repeat(20_000)}}`), contentType: 'application/json' }), 413, ['body']);
      expect(await allCampaigns()).toHaveLength(before);
    });

    it('a bad patch leaves the campaign and its schedule as they were', async () => {
      const campaign = await addCampaign();
      const schedule = await scheduleOf(campaign.id);
      expectProblem(await call('PATCH', `/campaigns/${campaign.id}`, { json: { endAt: inMs(1000) } }), 400, ['endAt']);
      expectProblem(await call('PATCH', `/campaigns/${campaign.id}`, { json: { startAt: 'soon' } }), 400, ['startAt']);
      expectProblem(await call('PATCH', `/campaigns/${campaign.id}`, { json: { counts: {} } }), 400, ['counts']);
      expectProblem(await call('PATCH', `/campaigns/${campaign.id}`, { json: {} }), 400, ['body']);
      expectProblem(await call('PATCH', `/campaigns/${campaign.id}`, { json: { text: 'Hi {{ nobody }}' } }), 400, ['text']);
      expect((await call<Campaign>('GET', `/campaigns/${campaign.id}`)).body).toEqual({ ...campaign, audience: expect.any(Number) });
      expect(await scheduleOf(campaign.id)).toEqual(schedule);
    });

    it.each([
      ['/campaigns?limit=0', 'limit'],
      ['/campaigns?limit=1000', 'limit'],
      ['/campaigns?cursor=bogus', 'cursor'],
      ['/campaigns/abc', 'id'],
      ['/campaigns/1/stats?status=delivered', 'status'],
      ['/campaigns/1/stats?limit=-1', 'limit'],
    ])('GET %s', async (path, field) => {
      expectProblem(await call('GET', path), 400, [field]);
    });
  });

  it('an unknown id is 404 for every method', async () => {
    const id = '987654321';
    expectProblem(await call('GET', `/campaigns/${id}`), 404);
    expectProblem(await call('PATCH', `/campaigns/${id}`, { json: { text: 'x' } }), 404);
    expectProblem(await call('DELETE', `/campaigns/${id}`), 404);
    expectProblem(await call('GET', `/campaigns/${id}/stats`), 404);
  });
});

describe('statistics and messages', () => {
  it('a campaign’s stats list its messages by status, and each message is found by id', async () => {
    const tag = newTag('stats');
    const clients = [await addClient({ tag }), await addClient({ tag }), await addClient({ tag })];
    const campaign = await addCampaign({ startInMs: -1000, filter: { tags: [tag] } });
    const done = await waitFor(
      'three messages sent',
      async () => (await call<Campaign>('GET', `/campaigns/${campaign.id}`)).body,
      (c) => c.counts.sent === 3,
    );
    expect(done.counts).toEqual({ ...zeroCounts, sent: 3 });
    expect(done.total).toBe(3);

    const first = await call<{ campaignId: string; status: string; counts: Counts; total: number; messages: Page<Message> }>(
      'GET',
      `/campaigns/${campaign.id}/stats?status=sent&limit=2`,
    );
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ campaignId: campaign.id, counts: { ...zeroCounts, sent: 3 }, total: 3 });
    expect(first.body.messages.items).toHaveLength(2);
    expect(first.body.messages.nextCursor).toEqual(expect.any(String));
    const second = await call<{ messages: Page<Message> }>(
      'GET',
      `/campaigns/${campaign.id}/stats?status=sent&limit=2&cursor=${encodeURIComponent(first.body.messages.nextCursor as string)}`,
    );
    const messages = [...first.body.messages.items, ...second.body.messages.items];
    expect(messages.map((message) => message.clientId).sort()).toEqual(clients.map((client) => client.id).sort());
    expect(messages.every((message) => message.status === 'sent' && message.attempts === 1 && message.campaignId === campaign.id)).toBe(true);
    expect(JSON.stringify(messages)).not.toContain(clients[0]?.phone);

    const none = await call<{ messages: Page<Message> }>('GET', `/campaigns/${campaign.id}/stats?status=failed`);
    expect(none.body.messages).toEqual({ items: [], nextCursor: null });

    // A message carries its channel wherever it is shown.
    expect(messages.map((message) => message.channel)).toEqual(['sms', 'sms', 'sms']);
    const one = messages[0] as Message;
    const found = await call<Message>('GET', `/messages/${one.id}`);
    expect(found.status).toBe(200);
    expect(found.body).toMatchObject({ id: one.id, campaignId: campaign.id, clientId: one.clientId, status: 'sent', attempts: 1 });
    expect(found.body).not.toHaveProperty('phone');

    expectProblem(await call('GET', `/messages/${Math.max(...messages.map((m) => m.id)) + 1}`), 404);
    expectProblem(await call('GET', '/messages/1'), 404);
    for (const bad of ['abc', '0', '-3', '1.5', '99999999999999999999']) expectProblem(await call('GET', `/messages/${bad}`), 400, ['id']);

    const overall = await call<{ campaigns: (Counts & { id: string; counts: Counts; total: number })[]; counts: Counts; total: number }>('GET', '/stats');
    expect(overall.status).toBe(200);
    const mine = overall.body.campaigns.find((entry) => entry.id === campaign.id);
    expect(mine).toMatchObject({ counts: { ...zeroCounts, sent: 3 }, total: 3 });
    const summed = { ...zeroCounts };
    for (const entry of overall.body.campaigns) for (const status of Object.keys(summed) as (keyof Counts)[]) summed[status] += entry.counts[status];
    expect(overall.body.counts).toEqual(summed);
    expect(overall.body.total).toBe(Object.values(summed).reduce((a, b) => a + b, 0));
    expect(overall.body.campaigns.map((entry) => entry.id).sort()).toEqual((await allCampaigns()).map((c) => c.id).sort());

    const paged = await call<{ campaigns: { id: string }[]; nextCursor: string | null }>('GET', '/stats?limit=1');
    expect(paged.body.campaigns).toHaveLength(1);
    expect(paged.body.nextCursor).toEqual(expect.any(String));
    expectProblem(await call('GET', '/stats?limit=0'), 400, ['limit']);
  });

  it('verify=true recounts from the messages: consistent, until a counter is corrupted by hand', async () => {
    const tag = newTag('verify');
    await addClient({ tag });
    await addClient({ tag });
    const campaign = await addCampaign({ startInMs: -1000, filter: { tags: [tag] } });
    await waitFor(
      'two sent',
      async () => (await call<Campaign>('GET', `/campaigns/${campaign.id}`)).body,
      (c) => c.counts.sent === 2,
    );
    type Verified = { counts: Counts; recount?: Counts; consistent?: boolean };
    const plain = await call<Verified>('GET', `/campaigns/${campaign.id}/stats`);
    expect(plain.body).not.toHaveProperty('consistent');
    const good = await call<Verified>('GET', `/campaigns/${campaign.id}/stats?verify=true`);
    expect(good.body).toMatchObject({ consistent: true, recount: { ...zeroCounts, sent: 2 }, counts: { ...zeroCounts, sent: 2 } });
    await documentClient().send(
      new UpdateCommand({
        TableName: runtime.tableNames.campaigns,
        Key: { id: campaign.id },
        UpdateExpression: 'SET counts.sent = :wrong',
        ExpressionAttributeValues: { ':wrong': 5 },
      }),
    );
    const bad = await call<Verified>('GET', `/campaigns/${campaign.id}/stats?verify=true`);
    expect(bad.body).toMatchObject({ consistent: false, recount: { ...zeroCounts, sent: 2 }, counts: { ...zeroCounts, sent: 5 } });
    expectProblem(await call('GET', `/campaigns/${campaign.id}/stats?verify=yes`), 400, ['verify']);
  });
});

describe('list cursors', () => {
  const base64url = (text: string) => Buffer.from(text).toString('base64url');
  /** Cursors no list of Herald's issued: the issue's example, raw keys and positions, and Herald-shaped ones with a wrong field. */
  const forged = [
    'eyJhIjoxfQ',
    'not a cursor',
    base64url('{"id":"x"}'),
    base64url('{"id":1e300}'),
    base64url('{"c":0,"p":-1}'),
    base64url('{"c":0,"p":0.5}'),
    base64url('["clients",{"id":""}]'),
    base64url('["clients",{"id":1}]'),
    base64url('["clients",{"id":"x","tag":"vip"}]'),
    base64url('["campaigns",{"id":"1","__proto__":{}}]'),
    base64url('["messages",{"campaignId":"1","c":0,"p":10}]'),
  ];

  it('one not issued for that list and partition, or changed since, is a 400 naming cursor on every list route; an issued one pages on', async () => {
    const [tagA, tagB] = [newTag('cursor-a'), newTag('cursor-b')];
    for (const tag of [tagA, tagA, tagB, tagB]) await addClient({ tag });
    await addCampaign();
    const sending = await addCampaign({ startInMs: -1000, filter: { tags: [tagA] } });
    const quiet = await addCampaign();
    const issued = async (path: string) => {
      const answer = await call<{ nextCursor?: string | null; messages?: Page<Message> }>('GET', path);
      expect(answer.status, answer.text).toBe(200);
      const cursor = answer.body.nextCursor ?? answer.body.messages?.nextCursor;
      expect(cursor, path).toEqual(expect.any(String));
      return cursor as string;
    };
    await waitFor(
      'the sending campaign’s two messages',
      async () => (await call<{ messages: Page<Message> }>('GET', `/campaigns/${sending.id}/stats`)).body.messages.items.length,
      (count) => count === 2,
    );
    const cursors = {
      clients: await issued('/clients?limit=1'),
      tagA: await issued(`/clients?tag=${tagA}&limit=1`),
      tagB: await issued(`/clients?tag=${tagB}&limit=1`),
      operator: await issued('/clients?operatorCode=900&limit=1'),
      campaigns: await issued('/campaigns?limit=1'),
      messages: await issued(`/campaigns/${sending.id}/stats?limit=1`),
    };
    // GET /campaigns and GET /stats page through the same list of campaigns: each takes the other's cursor.
    const routes: [string, string | undefined][] = [
      ['/clients', cursors.clients],
      [`/clients?tag=${tagA}`, cursors.tagA],
      [`/clients?tag=${tagB}`, cursors.tagB],
      [`/clients?tag=${tagA}&operatorCode=900`, cursors.tagA],
      ['/clients?operatorCode=900', cursors.operator],
      ['/campaigns', cursors.campaigns],
      ['/stats', cursors.campaigns],
      [`/campaigns/${sending.id}/stats`, cursors.messages],
      [`/campaigns/${quiet.id}/stats`, undefined],
      [`/campaigns/${quiet.id}/runs`, undefined],
    ];
    for (const [route, own] of routes) {
      const withCursor = (cursor: string) => `${route}${route.includes('?') ? '&' : '?'}cursor=${encodeURIComponent(cursor)}`;
      const others = Object.values(cursors).filter((cursor) => cursor !== own);
      const mangled = own ? [own.slice(0, -2), `${own}A`, `x${own.slice(1)}`, `${own.slice(0, 8)}${own.slice(10)}`] : [];
      for (const cursor of [...forged, ...others, ...mangled]) {
        const answer = await call('GET', withCursor(cursor));
        expect(answer.status, `${route} with ${cursor}: ${answer.text}`).toBe(400);
        const problem = expectProblem(answer, 400, ['cursor']);
        expect(problem.errors, `${route} with ${cursor}`).toEqual([{ field: 'cursor', message: expect.any(String) }]);
      }
      if (own) expect((await call('GET', withCursor(own))).status, `${route} with its own cursor`).toBe(200);
    }
  });
});

describe('routing and documentation', () => {
  it('an unknown route is a 404 problem and a wrong method a 405 problem with Allow', async () => {
    expectProblem(await call('GET', '/nowhere'), 404);
    const wrong = await call('PUT', '/clients');
    expectProblem(wrong, 405);
    expect(wrong.headers.get('allow')).toBe('POST, GET');
    expectProblem(await call('DELETE', '/stats'), 405);
  });

  it('serves the OpenAPI document generated from the schemas', async () => {
    const answer = await call<{ openapi: string; paths: Record<string, Record<string, unknown>>; components: { schemas: Record<string, unknown> } }>(
      'GET',
      '/openapi.json',
    );
    expect(answer.status).toBe(200);
    expect(answer.body.openapi).toMatch(/^3\.0/);
    expect(Object.keys(answer.body.paths).sort()).toEqual([
      '/campaigns',
      '/campaigns/audience',
      '/campaigns/preview',
      '/campaigns/{id}',
      '/campaigns/{id}/pause',
      '/campaigns/{id}/resume',
      '/campaigns/{id}/runs',
      '/campaigns/{id}/stats',
      '/clients',
      '/clients/batch',
      '/clients/{id}',
      '/clients/{id}/inbox',
      '/clients/{id}/inbox-token',
      '/event-types',
      '/event-types/{key}',
      '/events',
      '/events/{id}',
      '/inbox',
      '/inbox/count',
      '/inbox/read-all',
      '/inbox/{itemId}',
      '/inbox/{itemId}/read',
      '/inbox/{itemId}/unread',
      '/messages/{id}',
      '/notices',
      '/notices/{id}',
      '/stats',
      '/unsubscribe/{token}',
    ]);
    expect(Object.keys(answer.body.paths['/campaigns/{id}'] ?? {}).sort()).toEqual(['delete', 'get', 'patch']);
    expect(answer.body.components.schemas).toHaveProperty('Problem');
  });

  it.each(['/docs', '/docs/'])('serves Swagger UI at %s from the package, with its assets', async (path) => {
    const page = await fetch(`${runtime.url}${path}`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await page.text();
    expect(html).toContain('SwaggerUIBundle');
    expect(html).not.toMatch(/https?:\/\//);
    const script = /<script src="([^"]*swagger-ui-bundle\.js)"/.exec(html)?.[1];
    expect(script).toBeDefined();
    const asset = await fetch(new URL(script as string, `${runtime.url}${path}`));
    expect(asset.status).toBe(200);
    expect(asset.headers.get('content-type')).toMatch(/javascript/);
    expect((await asset.text()).length).toBeGreaterThan(100_000);
    const spec = /url: "([^"]+)"/.exec(html)?.[1];
    expect((await fetch(new URL(spec as string, `${runtime.url}${path}`))).status).toBe(200);
  });

  it('serves the UI’s images and styles, and nothing outside the package', async () => {
    const icon = await fetch(`${runtime.url}/docs/favicon-32x32.png`);
    expect(icon.headers.get('content-type')).toBe('image/png');
    expect(
      Buffer.from(await icon.arrayBuffer())
        .subarray(1, 4)
        .toString(),
    ).toBe('PNG');
    expect((await fetch(`${runtime.url}/docs/swagger-ui.css`)).headers.get('content-type')).toMatch(/^text\/css/);
    expectProblem(await call('GET', '/docs/package.json'), 404);
    expectProblem(await call('GET', '/docs/..%2Fpackage.json'), 404);
  });
});

describe('the local HTTP adapter', () => {
  /** A server whose handler records the events it gets and answers with `answer`. */
  async function echoServer(
    answer: (event: APIGatewayProxyEvent) => Promise<APIGatewayProxyResult> | APIGatewayProxyResult = () => ({ statusCode: 200, body: 'ok' }),
  ) {
    const events: APIGatewayProxyEvent[] = [];
    const server = await startHttpServer({
      port: 0,
      host: '127.0.0.1',
      handler: async (event) => {
        events.push(event);
        return answer(event);
      },
    });
    return { server, events };
  }

  it('turns a request into an API Gateway REST proxy event', async () => {
    const { server, events } = await echoServer();
    try {
      await fetch(`${server.url}/clients/abc?tag=a&tag=b&limit=5`, {
        method: 'PATCH',
        headers: { 'X-Trace-Id': 't1', 'Content-Type': 'application/json' },
        body: '{"tag":"x"}',
      });
      await fetch(`${server.url}/stats`);
      const [patch, get] = events as [APIGatewayProxyEvent, APIGatewayProxyEvent];
      expect(patch).toMatchObject({
        httpMethod: 'PATCH',
        path: '/clients/abc',
        resource: '/{proxy+}',
        pathParameters: { proxy: 'clients/abc' },
        queryStringParameters: { tag: 'b', limit: '5' },
        multiValueQueryStringParameters: { tag: ['a', 'b'], limit: ['5'] },
        body: '{"tag":"x"}',
        isBase64Encoded: false,
        requestContext: { httpMethod: 'PATCH', path: '/clients/abc', stage: 'local', resourcePath: '/{proxy+}', identity: { sourceIp: '127.0.0.1' } },
      });
      expect(patch.headers['X-Trace-Id'] ?? patch.headers['x-trace-id']).toBe('t1');
      expect(patch.multiValueHeaders['X-Trace-Id'] ?? patch.multiValueHeaders['x-trace-id']).toEqual(['t1']);
      expect(get).toMatchObject({ httpMethod: 'GET', body: null, queryStringParameters: null, multiValueQueryStringParameters: null });
      expect(patch.requestContext.requestId).not.toBe(get.requestContext.requestId);
    } finally {
      await server.stop();
    }
  });

  it('writes the result back: status, headers, repeated headers and base64 bodies as bytes', async () => {
    const bytes = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0xff]);
    const { server } = await echoServer(() => ({
      statusCode: 201,
      headers: { 'Content-Type': 'image/png' },
      multiValueHeaders: { 'X-Many': ['one', 'two'] },
      body: bytes.toString('base64'),
      isBase64Encoded: true,
    }));
    try {
      const response = await fetch(`${server.url}/any`);
      expect(response.status).toBe(201);
      expect(response.headers.get('content-type')).toBe('image/png');
      expect(response.headers.get('x-many')).toBe('one, two');
      expect(Buffer.from(await response.arrayBuffer())).toEqual(bytes);
    } finally {
      await server.stop();
    }
  });

  it('refuses a body over 1 MiB without a length at the socket, never calling the handler', async () => {
    const { server, events } = await echoServer();
    try {
      const status = await new Promise<number>((resolve, reject) => {
        const outgoing = httpRequest(`${server.url}/clients`, { method: 'POST', headers: { 'content-type': 'application/json' } }, (response) => {
          response.resume();
          resolve(response.statusCode ?? 0);
        });
        outgoing.on('error', reject);
        const chunk = Buffer.alloc(64 * 1024, 0x20);
        // Chunked transfer: the server learns the size only by reading.
        for (let i = 0; i < 20; i++) outgoing.write(chunk);
        outgoing.end();
      });
      expect(status).toBe(413);
      expect(events).toHaveLength(0);
    } finally {
      await server.stop();
    }
  });

  it('answers a crashed handler with a problem, as API Gateway answers a failed Lambda', async () => {
    const { server } = await echoServer(() => {
      throw new Error('boom');
    });
    try {
      const response = await fetch(`${server.url}/x`);
      expect(response.status).toBe(502);
      expect(response.headers.get('content-type')).toBe('application/problem+json');
      expect(await response.text()).not.toContain('boom');
    } finally {
      await server.stop();
    }
  });

  it('stops with a keep-alive connection open, letting a request in flight finish', async () => {
    let release: (() => void) | undefined;
    const { server } = await echoServer(async (event) => {
      if (event.path === '/slow') await new Promise<void>((resolve) => (release = resolve));
      return { statusCode: 200, body: event.path };
    });
    const idle = await fetch(`${server.url}/warm`);
    expect(await idle.text()).toBe('/warm');
    const slow = fetch(`${server.url}/slow`).then((response) => response.text());
    await waitFor(
      'the slow request to arrive',
      async () => release,
      (fn) => fn !== undefined,
    );
    const stopped = server.stop();
    release?.();
    expect(await slow).toBe('/slow');
    await stopped;
    await expect(fetch(`${server.url}/after`)).rejects.toThrow();
  });
});
