/**
 * Personal and consented, end to end on the local runtime: opt-outs and the suppression list,
 * templates rendered per client from the fan-out's snapshot, render failures, preview and audience.
 * The fake provider records each request's phone and text.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Counts } from '../../functions/domain/messages.js';
import type { LocalRuntime } from '../../local/runtime.js';
import { uniqueSuffix } from '../support/aws.js';
import { callApi, startTestRuntime, waitFor } from '../support/e2e.js';

let runtime: LocalRuntime;
beforeAll(async () => {
  runtime = await startTestRuntime({ maxBackoffSeconds: 1 });
});
afterAll(async () => {
  await runtime?.stop();
});

const call = <T = Record<string, unknown>>(method: string, path: string, body?: unknown) => callApi<T>(runtime, method, path, body);

interface ClientView {
  id: string;
  phone: string;
  name?: string;
  attributes?: Record<string, string>;
  optedOut: boolean;
}
interface Problem {
  status: number;
  detail: string;
  errors: { field: string; message: string }[];
}
interface CampaignView {
  id: string;
  status: string;
  counts: Counts;
  total: number;
  suppressed: number;
  audience?: number;
}

let phoneSeq = Math.floor(Math.random() * 1_000_000);
const nextPhone = () => `7958${String(phoneSeq++ % 10_000_000).padStart(7, '0')}`;

async function addClient(fields: Record<string, unknown>): Promise<ClientView> {
  const created = await call<ClientView>('POST', '/clients', { phone: nextPhone(), timezone: 'Europe/Moscow', ...fields });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  return created.body;
}

async function addClients(count: number, fields: (i: number) => Record<string, unknown>): Promise<ClientView[]> {
  const clients: ClientView[] = [];
  for (let start = 0; start < count; start += 50) {
    clients.push(...(await Promise.all(Array.from({ length: Math.min(50, count - start) }, (_, i) => addClient(fields(start + i))))));
  }
  return clients;
}

async function createCampaign(text: string, tag: string, startInMs = 0): Promise<CampaignView> {
  const now = Date.now();
  const created = await call<CampaignView>('POST', '/campaigns', {
    text,
    startAt: new Date(now + startInMs).toISOString(),
    endAt: new Date(now + 180_000).toISOString(),
    filter: { tags: [tag] },
  });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  return created.body;
}

const campaignOf = async (id: string) => (await call<CampaignView>('GET', `/campaigns/${id}`)).body;
const settled = (campaign: CampaignView) => campaign.status === 'finished';
/** Accepted provider requests by phone, with their texts. */
function textsByPhone(): Map<string, string[]> {
  const texts = new Map<string, string[]>();
  for (const request of runtime.provider?.requests() ?? []) {
    if (request.outcome !== 'ok') continue;
    const phone = String(request.phone);
    texts.set(phone, [...(texts.get(phone) ?? []), request.text ?? '']);
  }
  return texts;
}

describe('templated campaign', () => {
  it('sends each of 1,000 clients its own rendered text, and counts the audience', { timeout: 240_000 }, async () => {
    const tag = `tpl-${uniqueSuffix()}`;
    const clients = await addClients(1000, (i) => ({
      tag,
      name: i % 3 === 0 ? `Анна ${i}` : `Client ${i}`,
      ...(i % 4 === 0 ? {} : { attributes: { city: `City ${i % 17}` } }),
    }));
    const text = 'Hello {{ name }} from {{ attributes.city | default: "your town" }} 🎉 ({{ phone }})';
    const campaign = await createCampaign(text, tag);
    const done = await waitFor('all sent', () => campaignOf(campaign.id), settled, 180_000);
    expect(done.counts).toEqual({ queued: 0, sent: 1000, failed: 0, expired: 0, cancelled: 0 });
    expect([done.suppressed, done.audience]).toEqual([0, 1000]);
    // Every request the provider got carries its client's rendered text (a retry after a timeout carries the same).
    const expected = new Map(
      clients.map((client) => [client.phone, `Hello ${client.name} from ${client.attributes?.city ?? 'your town'} 🎉 (${client.phone})`]),
    );
    const requests = (runtime.provider?.requests() ?? []).filter((request) => request.text !== undefined);
    for (const request of requests) expect(request.text, String(request.phone)).toBe(expected.get(String(request.phone)));
    const accepted = new Set(requests.filter((request) => request.outcome === 'ok').map((request) => String(request.phone)));
    expect(accepted.size).toBe(1000);
  });

  it('renders from the snapshot the fan-out took: a change after it does not reach the message', async () => {
    const tag = `snap-${uniqueSuffix()}`;
    const [client] = await addClients(1, () => ({ tag, name: 'Before' }));
    if (!client) throw new Error('no client');
    runtime.provider?.setFaults({ down: true });
    try {
      const campaign = await createCampaign('Hi {{ name }}', tag);
      await waitFor(
        'fan-out done',
        () => campaignOf(campaign.id),
        (c) => c.counts.queued === 1,
      );
      expect((await call('PATCH', `/clients/${client.id}`, { name: 'After' })).status).toBe(200);
      runtime.provider?.setFaults({ down: false });
      await waitFor('sent', () => campaignOf(campaign.id), settled);
    } finally {
      runtime.provider?.setFaults({ down: false });
    }
    expect(textsByPhone().get(client.phone)).toEqual(['Hi Before']);
  });

  it('fails only the message whose rendering fails, with a clear lastError', async () => {
    const tag = `fail-${uniqueSuffix()}`;
    const clients = await addClients(3, (i) => ({ tag, attributes: { n: i === 1 ? '100000000' : '2' } }));
    const campaign = await createCampaign('{% for i in (1..attributes.n) %}x{% endfor %}', tag);
    const done = await waitFor('settled', () => campaignOf(campaign.id), settled);
    expect(done.counts).toMatchObject({ sent: 2, failed: 1 });
    const stats = await call<{ messages: { items: { clientId: string; status: string; lastError?: string }[] } }>(
      'GET',
      `/campaigns/${campaign.id}/stats?status=failed`,
    );
    expect(stats.body.messages.items).toEqual([
      expect.objectContaining({ clientId: clients[1]?.id, status: 'failed', lastError: expect.stringMatching(/^template: memory alloc limit exceeded/) }),
    ]);
    expect(textsByPhone().get(clients[0]?.phone ?? '')).toEqual(['xx']);
    expect(textsByPhone().has(clients[1]?.phone ?? '')).toBe(false);
  });
});

describe('opt-out', () => {
  it('an opt-out stored before the fan-out reaches the client: nothing for it, counted suppressed', async () => {
    const tag = `out-${uniqueSuffix()}`;
    const clients = await addClients(20, () => ({ tag, name: 'N' }));
    const [first, second] = clients;
    if (!first || !second) throw new Error('no clients');
    expect((await call<ClientView>('PATCH', `/clients/${first.id}`, { optedOut: true })).body.optedOut).toBe(true);
    // Further ahead than the fan-out's early hand-off (3 s before startAt, functions/domain/start-timing.ts).
    const campaign = await createCampaign('Hi {{ name }}', tag, 6_000);
    expect(campaign.status).toBe('scheduled');
    // While scheduled the audience is an estimate from the directory, opted-out clients included.
    expect((await campaignOf(campaign.id)).audience).toBe(20);
    // The admin app's filter builder asks the same count before any campaign exists.
    expect((await call('POST', '/campaigns/audience', { filter: { tags: [tag] } })).body).toEqual({ audience: 20 });
    expect((await call('POST', '/campaigns/audience', { filter: { tags: [`${tag}-none`] } })).body).toEqual({ audience: 0 });
    // Mid-way: the campaign exists and waits for its start when this one opts out.
    expect((await call<ClientView>('PATCH', `/clients/${second.id}`, { optedOut: true })).body.optedOut).toBe(true);
    const done = await waitFor('settled', () => campaignOf(campaign.id), settled);
    expect(done.counts.sent).toBe(18);
    expect([done.total, done.suppressed, done.audience]).toEqual([18, 2, 20]);
    const texts = textsByPhone();
    expect([texts.has(first.phone), texts.has(second.phone), texts.has(clients[2]?.phone ?? '')]).toEqual([false, false, true]);
  });

  it('outlives the client: deleted and re-created it is still suppressed, until optedOut: false', async () => {
    const tag = `again-${uniqueSuffix()}`;
    const [client] = await addClients(1, () => ({ tag, optedOut: true }));
    if (!client) throw new Error('no client');
    expect((await call('DELETE', `/clients/${client.id}`)).status).toBe(204);
    const again = await call<ClientView>('POST', '/clients', { phone: client.phone, timezone: 'UTC', tag });
    expect([again.status, again.body.optedOut]).toEqual([201, true]);
    await addClients(1, () => ({ tag }));

    const first = await createCampaign('Still out?', tag);
    const firstDone = await waitFor('settled', () => campaignOf(first.id), settled);
    expect([firstDone.counts.sent, firstDone.suppressed]).toEqual([1, 1]);
    expect(textsByPhone().has(client.phone)).toBe(false);

    expect((await call<ClientView>('PATCH', `/clients/${again.body.id}`, { optedOut: false })).body.optedOut).toBe(false);
    const second = await createCampaign('Welcome back', tag);
    const secondDone = await waitFor('settled', () => campaignOf(second.id), settled);
    expect([secondDone.counts.sent, secondDone.suppressed]).toEqual([2, 0]);
    expect(textsByPhone().get(client.phone)).toEqual(['Welcome back']);
  });
});

describe('preview', () => {
  it('renders for a client, and answers 404 for one that does not exist', async () => {
    const client = await addClient({ name: 'Ольга', attributes: { city: 'Kazan' } });
    const previewed = await call('POST', '/campaigns/preview', { text: 'Привет, {{ name }} из {{ attributes.city }}', clientId: client.id });
    expect(previewed).toEqual({ status: 200, body: { text: 'Привет, Ольга из Kazan', encoding: 'UCS-2', characters: 22, segments: 1 } });
    expect((await call('POST', '/campaigns/preview', { text: 'Hi', clientId: 'nobody' })).status).toBe(404);
  });

  it('answers 400 naming text for a text that renders past an SMS, and none of the text', async () => {
    // About a megabyte: what the preview once rendered and answered whole.
    const flood = await call<Problem>('POST', '/campaigns/preview', { text: '{% for i in (1..100000) %}xxxxxxxxxx{% endfor %}' });
    expect([flood.status, flood.body.errors.map((error) => error.field)]).toEqual([400, ['text']]);
    const client = await addClient({ name: 'Anna' });
    const names = (times: number) => `{% for i in (1..${times}) %}{{ name }}{% endfor %}`;
    const tooLarge = [{ field: 'text', message: expect.stringMatching(/renders to more than 1,600 characters/) }];
    expect((await call<Problem>('POST', '/campaigns/preview', { text: names(401), clientId: client.id })).body.errors).toEqual(tooLarge);
    // With placeholders (`<name>`) too.
    expect((await call<Problem>('POST', '/campaigns/preview', { text: names(401) })).body.errors).toEqual(tooLarge);
    // Control: 1,600 characters exactly.
    expect((await call('POST', '/campaigns/preview', { text: names(400), clientId: client.id })).body).toMatchObject({ characters: 1600, segments: 11 });
  });
});

describe('a campaign text is rendered once when it is written', () => {
  it('is 400 naming text when it renders past an SMS or past the render limit, on create and on change; nothing is stored', async () => {
    const now = Date.now();
    const times = { startAt: new Date(now + 3_600_000).toISOString(), endAt: new Date(now + 7_200_000).toISOString() };
    const tooLarge = '{% for i in (1..1000) %}xxxxxxxxxx{% endfor %}';
    // A hundred million turns of a loop that writes nothing: only the render limit ends it.
    const tooSlow = `{% assign a = "${'x'.repeat(100)}" | split: "" %}{% for i in a %}{% for j in a %}{% for k in a %}{% for l in a %}{% endfor %}{% endfor %}{% endfor %}{% endfor %}`;
    for (const [text, why] of [
      [tooLarge, /renders to more than 1,600 characters/],
      [tooSlow, /render limit exceeded/],
    ] as const) {
      const refused = await call<Problem>('POST', '/campaigns', { text, ...times });
      expect([refused.status, refused.body.errors], text).toEqual([400, [{ field: 'text', message: expect.stringMatching(why) }]]);
    }
    const created = await call<CampaignView & { text: string }>('POST', '/campaigns', { text: 'Hello', ...times });
    expect(created.status).toBe(201);
    const changed = await call<Problem>('PATCH', `/campaigns/${created.body.id}`, { text: tooLarge });
    expect([changed.status, changed.body.errors.map((error) => error.field)]).toEqual([400, ['text']]);
    expect((await call<{ text: string }>('GET', `/campaigns/${created.body.id}`)).body.text).toBe('Hello');
    const listed = await call<{ items: { text: string }[] }>('GET', '/campaigns?limit=100');
    expect(listed.body.items.filter((campaign) => campaign.text === tooLarge || campaign.text === tooSlow)).toEqual([]);
    expect((await call('DELETE', `/campaigns/${created.body.id}`)).status).toBe(204);
  });
});
