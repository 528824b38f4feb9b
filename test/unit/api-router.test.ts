/**
 * The API handler's routing and input checks, with dependencies that fail the test when
 * touched: every refused request is refused before any store, queue or scheduler is called.
 */
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { createApiHandler, type ApiDependencies } from '../../functions/api/app.js';
import { ProblemSchema } from '../../functions/api/response-schemas.js';

const touched: string[] = [];
/** Any call on any port is recorded and answered with a rejection. */
const untouchable = new Proxy({} as ApiDependencies, {
  get: (_target, port: string) =>
    port === 'clock'
      ? { now: () => new Date('2030-01-01T00:00:00Z') }
      : port === 'allowedOrigin'
        ? undefined
        : new Proxy(
            {},
            {
              get: (_t, method: string) => async () => {
                touched.push(`${port}.${method}`);
                throw new Error('no I/O expected');
              },
            },
          ),
});
const handler = createApiHandler(untouchable);
const context = { awsRequestId: 'test', functionName: 'api', getRemainingTimeInMillis: () => 30_000 } as unknown as Context;

type RequestOptions = { body?: string; contentType?: string | null; query?: Record<string, string>; headers?: Record<string, string> };

/** The handler's answer to one request, which touches no port. */
async function send(method: string, path: string, options: RequestOptions = {}): Promise<APIGatewayProxyResult> {
  const contentType = options.contentType === undefined ? 'application/json' : options.contentType;
  const event = {
    httpMethod: method,
    path,
    resource: '/{proxy+}',
    pathParameters: { proxy: path.slice(1) },
    headers: { ...(contentType ? { 'Content-Type': contentType } : {}), ...options.headers },
    queryStringParameters: options.query ?? null,
    body: options.body ?? null,
    isBase64Encoded: false,
    requestContext: { requestId: 'req', path },
  } as unknown as APIGatewayProxyEvent;
  touched.length = 0;
  const result: APIGatewayProxyResult = await handler(event, context);
  expect(touched).toEqual([]);
  return result;
}

/** A refused request's answer, its problem+json parsed. */
async function call(method: string, path: string, options: RequestOptions = {}) {
  const result = await send(method, path, options);
  return { status: result.statusCode, headers: result.headers ?? {}, problem: ProblemSchema.parse(JSON.parse(result.body)) };
}

const fields = (response: Awaited<ReturnType<typeof call>>) => response.problem.errors.map((entry) => entry.field);
const client = JSON.stringify({ phone: '79001234567', timezone: 'Europe/Moscow' });

describe('routing', () => {
  it.each(['/nothing', '/clients/1/extra', '/campaigns/1/stats/more', '/'])('answers 404 for %s', async (path) => {
    const response = await call('GET', path);
    expect(response.status).toBe(404);
    expect(response.problem.instance).toBe(path);
  });
  it.each([
    ['PUT', '/clients/abc', 'GET, PATCH, DELETE'],
    ['DELETE', '/clients', 'POST, GET'],
    ['POST', '/stats', 'GET'],
    ['PATCH', '/campaigns/1/stats', 'GET'],
    ['POST', '/messages/1', 'GET'],
    ['HEAD', '/openapi.json', 'GET'],
  ])('answers %s %s with 405 and Allow: %s', async (method, path, allow) => {
    const response = await call(method, path);
    expect(response.status).toBe(405);
    expect(response.headers.Allow).toBe(allow);
  });
});

describe('bodies are checked before anything else', () => {
  it.each([
    ['POST', '/clients'],
    ['PATCH', '/clients/abc'],
    ['POST', '/campaigns'],
    ['PATCH', '/campaigns/1'],
  ])('%s %s: 415 without JSON, 400 for malformed JSON, 413 when oversize', async (method, path) => {
    expect((await call(method, path, { body: client, contentType: 'text/plain' })).status).toBe(415);
    expect((await call(method, path, { body: client, contentType: null })).status).toBe(415);
    const malformed = await call(method, path, { body: '{"phone":' });
    expect([malformed.status, fields(malformed)]).toEqual([400, ['body']]);
    const oversize = await call(method, path, { body: JSON.stringify({ text: 'x'.repeat(17 * 1024) }) });
    expect([oversize.status, fields(oversize)]).toEqual([413, ['body']]);
  });
});

describe('Idempotency-Key', () => {
  it.each([
    ['empty', ''],
    ['over 255 characters', 'x'.repeat(256)],
  ])('an %s key is refused naming the header, before the idempotency store or a route is touched', async (_name, key) => {
    const response = await call('POST', '/clients', { body: client, headers: { 'Idempotency-Key': key } });
    expect(response.status).toBe(400);
    expect(fields(response)).toEqual(['Idempotency-Key']);
  });
});

describe('clients', () => {
  it('refuses a bad new client naming each field', async () => {
    const response = await call('POST', '/clients', { body: JSON.stringify({ phone: '89001234567', timezone: 'Mars/Base', nickname: 'x' }) });
    expect(response.status).toBe(400);
    expect(fields(response)).toEqual(['phone', 'timezone', 'nickname']);
  });
  it('refuses an empty patch', async () => {
    const response = await call('PATCH', '/clients/abc', { body: '{}' });
    expect([response.status, fields(response)]).toEqual([400, ['body']]);
  });
  it.each([
    [{ limit: '0' }, 'limit'],
    [{ limit: '101' }, 'limit'],
    [{ limit: 'ten' }, 'limit'],
    [{ operatorCode: '9' }, 'operatorCode'],
    [{ sort: 'phone' }, 'sort'],
  ])('refuses list parameters %j', async (query, field) => {
    const response = await call('GET', '/clients', { query });
    expect([response.status, fields(response)]).toEqual([400, [field]]);
  });
  it('refuses a malformed client id', async () => {
    const response = await call('GET', '/clients/a%20b');
    expect([response.status, fields(response)]).toEqual([400, ['id']]);
  });
});

describe('campaigns', () => {
  const campaign = { text: 'Hi', startAt: '2030-01-01T09:00:00+03:00', endAt: '2030-01-02T00:00:00Z' };
  it.each([
    [{ ...campaign, endAt: '2030-01-01T05:00:00Z' }, ['endAt'], 'an end before the start'],
    [{ ...campaign, startAt: '2029-12-01T00:00:00Z', endAt: '2029-12-31T00:00:00Z' }, ['endAt'], 'an end in the past'],
    [{ ...campaign, startAt: '2030-01-01 09:00' }, ['startAt'], 'a time without offset'],
    [{ ...campaign, text: '' }, ['text'], 'empty text'],
    [{ ...campaign, filter: { operatorCodes: ['12'] } }, ['filter.operatorCodes.0'], 'a bad operator code'],
    [{ ...campaign, filter: { tag: 'vip' } }, ['filter.tag'], 'an unknown filter field'],
    [{ ...campaign, status: 'running' }, ['status'], 'a status'],
  ])('refuses %j naming %j (%s) without taking a campaign number', async (body: object, named: string[], _case: string) => {
    const response = await call('POST', '/campaigns', { body: JSON.stringify(body) });
    expect(response.status).toBe(400);
    expect(fields(response)).toEqual(named);
  });
  it('refuses a malformed campaign id', async () => {
    for (const path of ['/campaigns/abc', '/campaigns/0', '/campaigns/abc/stats']) {
      const response = await call('GET', path);
      expect([response.status, fields(response)]).toEqual([400, ['id']]);
    }
  });
});

describe('messages', () => {
  it.each(['abc', '0', '-5', '1.5', '9007199254740993'])('refuses message id %s', async (id) => {
    const response = await call('GET', `/messages/${id}`);
    expect([response.status, fields(response)]).toEqual([400, ['id']]);
  });
});

describe('templates, attributes and preview: refused before any I/O', () => {
  const campaign = { startAt: '2030-01-01T09:00:00+03:00', endAt: '2030-01-02T00:00:00Z' };
  it('refuses a template syntax error naming text, with the position', async () => {
    const response = await call('POST', '/campaigns', { body: JSON.stringify({ ...campaign, text: 'Hi {{ name ' }) });
    expect([response.status, fields(response)]).toEqual([400, ['text']]);
    expect(response.problem.detail).toMatch(/line:1, col:4/);
  });
  it('refuses an unknown variable naming text, the variable and its position', async () => {
    const response = await call('POST', '/campaigns', { body: JSON.stringify({ ...campaign, text: 'Hi {{ surname }}' }) });
    expect([response.status, fields(response)]).toEqual([400, ['text']]);
    expect(response.problem.detail).toMatch(/unknown variable "surname" at line:1, col:7/);
  });
  it.each([
    [{ attributes: { City: 'x' } }, ['attributes.City']],
    [{ attributes: { city: 'x'.repeat(201) } }, ['attributes.city']],
    [{ attributes: Object.fromEntries(Array.from({ length: 21 }, (_, i) => [`k${i}`, 'v'])) }, ['attributes']],
    [{ attributes: { city: 3 } }, ['attributes.city']],
    [{ name: 'n'.repeat(101) }, ['name']],
    [{ optedOut: 'yes' }, ['optedOut']],
  ])('refuses client fields %j naming %j', async (extra, named) => {
    const response = await call('POST', '/clients', { body: JSON.stringify({ phone: '79001234567', timezone: 'Europe/Moscow', ...extra }) });
    expect([response.status, fields(response)]).toEqual([400, named]);
  });
  it('refuses a bad attribute key in a patch before reading the client', async () => {
    const response = await call('PATCH', '/clients/abc', { body: JSON.stringify({ attributes: { '1x': 'v' } }) });
    expect([response.status, fields(response)]).toEqual([400, ['attributes.1x']]);
  });
  it('refuses a bad template in a campaign patch before reading the campaign', async () => {
    const response = await call('PATCH', '/campaigns/1', { body: JSON.stringify({ text: 'Hi {% if name %}' }) });
    expect([response.status, fields(response)]).toEqual([400, ['text']]);
    expect(response.problem.detail).toMatch(/line:1, col:4/);
  });
  it('refuses a preview of a bad template, naming text', async () => {
    const response = await call('POST', '/campaigns/preview', { body: JSON.stringify({ text: '{{ nope }}' }) });
    expect([response.status, fields(response)]).toEqual([400, ['text']]);
  });
  it.each([
    [{ filter: { tags: [''] } }, ['filter.tags.0']],
    [{ filter: { operatorCodes: ['9x9'] } }, ['filter.operatorCodes.0']],
    [{ filter: {}, extra: 1 }, ['extra']],
  ])('refuses an audience count for %j before reading the directory', async (body, named) => {
    const response = await call('POST', '/campaigns/audience', { body: JSON.stringify(body) });
    expect([response.status, fields(response)]).toEqual([400, named]);
  });
  it('previews without a client with no I/O at all', async () => {
    const result = await send('POST', '/campaigns/preview', { body: JSON.stringify({ text: 'Hello {{ name }} €' }) });
    expect([result.statusCode, JSON.parse(result.body)]).toEqual([200, { text: 'Hello <name> €', encoding: 'GSM-7', characters: 15, segments: 1 }]);
  });
  it("previews an event step's e-mail with the event's variables as placeholders, no I/O; a campaign's refuses them", async () => {
    const content = { channel: 'email', subject: 'Order {{ orderId }}', text: 'Hi {{ name }}', html: '<p>{{ orderId }}</p>' };
    const result = await send('POST', '/campaigns/preview', { body: JSON.stringify({ ...content, eventStep: true }) });
    expect([result.statusCode, JSON.parse(result.body)]).toEqual([200, { subject: 'Order <orderId>', text: 'Hi <name>', html: '<p>&lt;orderId&gt;</p>' }]);
    const refused = await call('POST', '/campaigns/preview', { body: JSON.stringify(content) });
    expect([refused.status, fields(refused)]).toEqual([400, ['subject']]);
    expect(refused.problem.detail).toMatch(/unknown variable "orderId"/);
    const notBoolean = await call('POST', '/campaigns/preview', { body: JSON.stringify({ ...content, eventStep: 'yes' }) });
    expect([notBoolean.status, fields(notBoolean)]).toEqual([400, ['eventStep']]);
  });
});

describe('pause and resume routes', () => {
  it.each(['pause', 'resume'])('refuses a bad campaign id for %s before any I/O', async (action) => {
    const response = await call('POST', `/campaigns/abc/${action}`);
    expect(response.status).toBe(400);
    expect(fields(response)).toEqual(['id']);
  });
  it.each(['pause', 'resume'])('answers 405 with Allow: POST for GET /campaigns/1/%s', async (action) => {
    const response = await call('GET', `/campaigns/1/${action}`);
    expect(response.status).toBe(405);
    expect(response.headers.Allow ?? response.headers.allow).toBe('POST');
  });
});

describe('send window input', () => {
  const campaign = (sendWindow: unknown) => JSON.stringify({ text: 'hi', startAt: '2030-01-02T09:00:00Z', endAt: '2030-01-02T18:00:00Z', sendWindow });
  it.each([
    [{ from: '25:00', to: '09:00' }, ['sendWindow.from']],
    [{ from: '9:00', to: '21:60' }, ['sendWindow.from', 'sendWindow.to']],
    [{ from: '09:00', to: '09:00' }, ['sendWindow.to']],
    [{ from: '09:00' }, ['sendWindow.to']],
    [{ from: '09:00', to: '21:00', tz: 'UTC' }, ['sendWindow.tz']],
  ])('refuses %j before any I/O, naming the field', async (sendWindow, expected) => {
    const response = await call('POST', '/campaigns', { body: campaign(sendWindow) });
    expect(response.status).toBe(400);
    expect(fields(response)).toEqual(expected);
  });
  it('refuses a bad window in a PATCH too', async () => {
    const response = await call('PATCH', '/campaigns/1', { body: JSON.stringify({ sendWindow: { from: '21:00', to: '7:00' } }) });
    expect(response.status).toBe(400);
    expect(fields(response)).toEqual(['sendWindow.to']);
  });
});

describe('maxPerSecond input', () => {
  it.each([0, 10_001, 2.5, '20'])('refuses maxPerSecond %j before any I/O, naming the field', async (maxPerSecond) => {
    const body = JSON.stringify({ text: 'hi', startAt: '2030-01-02T09:00:00Z', endAt: '2030-01-02T18:00:00Z', maxPerSecond });
    const response = await call('POST', '/campaigns', { body });
    expect(response.status).toBe(400);
    expect(fields(response)).toEqual(['maxPerSecond']);
  });
});

describe('notices: bad input refused before any read, write or queue', () => {
  const notice = { clientId: 'k3Jd9sQ0aB1xYz2w', text: 'Receipt {{ receipt }}', variables: { receipt: 'R-1' } };
  it.each([
    [{ text: 'Hi' }, ['clientId'], 'no client named'],
    [{ ...notice, phone: '79001234567' }, ['phone'], 'both clientId and phone'],
    [{ phone: '123', text: 'Hi' }, ['phone'], 'a bad phone'],
    [{ ...notice, text: '' }, ['text'], 'empty text'],
    [{ ...notice, text: 'Hi {{ name ' }, ['text'], 'a template syntax error'],
    [{ ...notice, text: 'Hi {{ nickname }}' }, ['text'], 'an unknown variable'],
    [{ ...notice, variables: { 'bad-key': 'x' } }, ['variables.bad-key'], 'a bad variable name'],
    [{ ...notice, variables: { receipt: { nested: true } } }, ['variables.receipt'], 'a nested variable value'],
    [{ ...notice, variables: { attributes: 'x' } }, ['variables.attributes'], 'a variable named attributes'],
    [{ ...notice, status: 'sent' }, ['status'], 'an unknown field'],
  ])('refuses %j naming %j (%s)', async (body: object, named: string[], _case: string) => {
    const response = await call('POST', '/notices', { body: JSON.stringify(body) });
    expect(response.status).toBe(400);
    expect(fields(response)).toEqual(named);
  });
  it('negative control: a variable given in `variables` is no unknown variable (the request reaches the stores)', async () => {
    touched.length = 0;
    const event = {
      httpMethod: 'POST',
      path: '/notices',
      resource: '/{proxy+}',
      pathParameters: { proxy: 'notices' },
      headers: { 'Content-Type': 'application/json' },
      queryStringParameters: null,
      body: JSON.stringify(notice),
      isBase64Encoded: false,
      requestContext: { requestId: 'req', path: '/notices' },
    } as unknown as APIGatewayProxyEvent;
    const result = await handler(event, context);
    expect(result.statusCode).toBe(500);
    expect(touched).toEqual(['clients.get']);
  });
  it('refuses a malformed notice id', async () => {
    for (const path of ['/notices/abc', '/notices/0', '/notices/-1']) {
      const response = await call('GET', path);
      expect([response.status, fields(response)]).toEqual([400, ['id']]);
    }
  });
});
