/**
 * Clients with e-mail addresses and the public unsubscribe link, over a real socket against the
 * local runtime: a second client with an address is 409, a client with neither address is 400
 * naming both, GET on a link changes nothing, POST opts the client out of that channel (and puts
 * the address on the suppression list), and a forged or tampered link is refused with nothing
 * changed.
 */
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hmacSigner } from '../../functions/adapters/hmac-signer.js';
import { unsubscribeToken } from '../../functions/domain/unsubscribe.js';
import type { LocalRuntime } from '../../local/runtime.js';
import { documentClient, uniqueSuffix } from '../support/aws.js';
import { callApi, startTestRuntime } from '../support/e2e.js';

let runtime: LocalRuntime;
beforeAll(async () => {
  runtime = await startTestRuntime({ unsubscribeKey: 'e'.repeat(40) });
});
afterAll(async () => {
  await runtime?.stop();
});

interface Client {
  id: string;
  phone?: string;
  email?: string;
  optedOut: boolean;
  optOuts: string[];
}
interface Problem {
  status: number;
  errors: { field: string; message: string }[];
}
const db = documentClient();
const fresh = () => `Mail.${uniqueSuffix()}@Example.com`;
let phoneSeq = Math.floor(Math.random() * 1_000_000);
const nextPhone = () => `7959${String(phoneSeq++ % 10_000_000).padStart(7, '0')}`;

/** Every item of the clients and uniques tables: what a refused request must leave as it was. */
async function directory(): Promise<string[]> {
  const items: string[] = [];
  for (const table of [runtime.tableNames.clients, runtime.tableNames.uniques]) {
    let start: Record<string, unknown> | undefined;
    do {
      const page = await db.send(new ScanCommand({ TableName: table, ConsistentRead: true, ExclusiveStartKey: start }));
      items.push(...(page.Items ?? []).map((item) => `${table} ${JSON.stringify(item, Object.keys(item).sort())}`));
      start = page.LastEvaluatedKey;
    } while (start);
  }
  return items.sort();
}

async function follow(method: 'GET' | 'POST', url: string) {
  const response = await fetch(url, {
    method,
    ...(method === 'POST' ? { body: 'List-Unsubscribe=One-Click', headers: { 'content-type': 'application/x-www-form-urlencoded' } } : {}),
  });
  return { status: response.status, contentType: response.headers.get('content-type') ?? '', text: await response.text() };
}

describe('clients with e-mail addresses', () => {
  it('stores the address lower-cased, refuses a second client with it (409 naming email), and neither address (400 naming both)', async () => {
    const email = fresh();
    const created = await callApi<Client>(runtime, 'POST', '/clients', { email, timezone: 'UTC' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ email: email.toLowerCase(), optedOut: false, optOuts: [] });
    expect(created.body.phone).toBeUndefined();
    const before = await directory();
    const again = await callApi<Problem>(runtime, 'POST', '/clients', { phone: nextPhone(), email: email.toUpperCase(), timezone: 'UTC' });
    expect(again.status).toBe(409);
    expect(again.body.errors.map((error) => error.field)).toEqual(['email']);
    const neither = await callApi<Problem>(runtime, 'POST', '/clients', { timezone: 'UTC', name: 'Nobody' });
    expect(neither.status).toBe(400);
    expect(neither.body.errors.map((error) => error.field)).toEqual(['phone', 'email']);
    const bad = await callApi<Problem>(runtime, 'POST', '/clients', { timezone: 'UTC', email: 'not-an-address' });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((error) => error.field)).toEqual(['email']);
    expect(await directory()).toEqual(before);
  });
  it('a batch takes email columns; a repeated address is 409 in its row', async () => {
    const email = fresh();
    const batch = await callApi<{ created: number; results: { status: number; error?: Problem }[] }>(runtime, 'POST', '/clients/batch', {
      clients: [{ email, timezone: 'UTC' }, { email, timezone: 'UTC' }, { timezone: 'UTC' }],
    });
    expect(batch.status).toBe(200);
    expect(batch.body.results.map((result) => result.status)).toEqual([201, 409, 400]);
    expect(batch.body.results[2]?.error?.errors.map((error) => error.field)).toEqual(['phone', 'email']);
  });
  it('PATCH sets opt-outs per channel and removes an address while the other stays', async () => {
    const created = await callApi<Client>(runtime, 'POST', '/clients', { phone: nextPhone(), email: fresh(), timezone: 'UTC' });
    const patched = await callApi<Client>(runtime, 'PATCH', `/clients/${created.body.id}`, { optOuts: ['inapp', 'email', 'email'], phone: null });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ optOuts: ['email', 'inapp'], optedOut: false });
    expect(patched.body.phone).toBeUndefined();
    const before = await directory();
    const emptied = await callApi<Problem>(runtime, 'PATCH', `/clients/${created.body.id}`, { email: null });
    expect(emptied.status).toBe(400);
    expect(emptied.body.errors.map((error) => error.field)).toEqual(['phone', 'email']);
    expect(await directory()).toEqual(before);
  });
  it('a notice on SMS to a client without a phone is 409 unreachable', async () => {
    const created = await callApi<Client>(runtime, 'POST', '/clients', { email: fresh(), timezone: 'UTC' });
    const notice = await callApi<Problem & { detail: string }>(runtime, 'POST', '/notices', { clientId: created.body.id, text: 'Hi' });
    expect(notice.status).toBe(409);
    expect(notice.body.detail).toContain('unreachable');
  });
});

describe('the unsubscribe link', () => {
  it('GET shows a confirm page and changes nothing; POST opts the client out of e-mail and suppresses the address; again changes nothing', async () => {
    const email = fresh().toLowerCase();
    const { body: client } = await callApi<Client>(runtime, 'POST', '/clients', { phone: nextPhone(), email, timezone: 'UTC' });
    const url = runtime.unsubscribeUrl(client.id, 'email');
    expect(url).toMatch(new RegExp(`^${runtime.url}/unsubscribe/[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]{43}$`));

    const before = await directory();
    const page = await follow('GET', url);
    expect(page.status).toBe(200);
    expect(page.contentType).toMatch(/^text\/html/);
    expect(page.text).toContain(`<form method="post" action="${new URL(url).pathname}">`);
    expect(await directory()).toEqual(before);

    const done = await follow('POST', url);
    expect(done.status).toBe(200);
    expect(done.text).toContain('Unsubscribed');
    const after = await callApi<Client>(runtime, 'GET', `/clients/${client.id}`);
    expect(after.body).toMatchObject({ optedOut: false, optOuts: ['email'] });
    const stored = await directory();
    expect(stored.some((item) => item.includes(`"key":"suppressed#email#${email}"`))).toBe(true);
    // Only e-mail: the phone is not suppressed.
    expect(stored.some((item) => item.includes(`"key":"suppressed#${client.phone}"`))).toBe(false);

    expect((await follow('POST', url)).status).toBe(200);
    expect(await directory()).toEqual(stored);
    // The suppression outlives the client: re-created with the address, it is opted out of e-mail.
    expect((await callApi(runtime, 'DELETE', `/clients/${client.id}`)).status).toBe(204);
    const again = await callApi<Client>(runtime, 'POST', '/clients', { email, timezone: 'UTC' });
    expect(again.body.optOuts).toEqual(['email']);
  });
  it('a forged or tampered link is refused (404) on GET and POST, and nothing changes', async () => {
    const { body: client } = await callApi<Client>(runtime, 'POST', '/clients', { email: fresh(), timezone: 'UTC' });
    const url = runtime.unsubscribeUrl(client.id, 'email');
    const token = url.slice(url.lastIndexOf('/') + 1);
    const flip = (at: number) => token.slice(0, at) + (token[at] === 'A' ? 'B' : 'A') + token.slice(at + 1);
    const forged = [
      flip(2),
      flip(token.length - 3),
      token.slice(0, -1),
      `${token}x`,
      unsubscribeToken(hmacSigner('f'.repeat(40)), { clientId: client.id, channel: 'email' }),
      'nonsense',
    ];
    const before = await directory();
    for (const bad of forged) {
      for (const method of ['GET', 'POST'] as const) {
        const answer = await follow(method, `${runtime.url}/unsubscribe/${bad}`);
        expect([400, 404], `${method} ${bad}`).toContain(answer.status);
        expect(answer.contentType).toMatch(/^application\/problem\+json/);
      }
    }
    expect(await directory()).toEqual(before);
    // Negative control: the untampered link does change the state.
    expect((await follow('POST', url)).status).toBe(200);
    expect(await directory()).not.toEqual(before);
  });
});
