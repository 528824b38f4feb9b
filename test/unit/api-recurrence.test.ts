/**
 * Recurrence input over the API handler, with dependencies that record any call: every bad
 * recurrence is refused (400 problem+json naming the field) before any store, queue or scheduler.
 */
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { createApiHandler, type ApiDependencies } from '../../functions/api/app.js';
import { ProblemSchema } from '../../functions/api/response-schemas.js';

const touched: string[] = [];
const untouchable = new Proxy({} as ApiDependencies, {
  get: (_target, port: string) =>
    port === 'clock'
      ? { now: () => new Date('2030-01-01T00:00:00Z') }
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

async function call(method: string, path: string, body: unknown) {
  const event = {
    httpMethod: method,
    path,
    resource: '/{proxy+}',
    pathParameters: { proxy: path.slice(1) },
    headers: { 'Content-Type': 'application/json' },
    queryStringParameters: null,
    body: JSON.stringify(body),
    isBase64Encoded: false,
    requestContext: { requestId: 'req', path },
  } as unknown as APIGatewayProxyEvent;
  touched.length = 0;
  const result: APIGatewayProxyResult = await handler(event, context);
  return { status: result.statusCode, contentType: result.headers?.['Content-Type'], body: JSON.parse(result.body) as unknown };
}

const campaign = (recurrence: unknown) => ({
  text: 'Friday top-10',
  startAt: '2030-01-03T00:00:00Z',
  endAt: '2030-06-01T00:00:00Z',
  recurrence,
});

describe('recurrence in POST /campaigns and PATCH /campaigns/{id}', () => {
  it.each([
    [{ cron: '0 25 * * 1', timezone: 'Europe/Moscow', runMinutes: 120 }, ['recurrence.cron']],
    [{ cron: '0 10 * *' }, ['recurrence.cron']],
    [{ rate: '1 minutes' }, ['recurrence.rate']],
    [{ rate: 'hourly' }, ['recurrence.rate']],
    [{ cron: '0 10 * * 1', rate: '1 hour' }, ['recurrence']],
    [{ timezone: 'UTC' }, ['recurrence']],
    [{ rate: '1 hour', timezone: 'Moscow/Kremlin' }, ['recurrence.timezone']],
    [{ rate: '1 hour', runMinutes: 90 }, ['recurrence.runMinutes']],
    [{ cron: '0 10 * * 1', runMinutes: 20_000 }, ['recurrence.runMinutes']],
    [{ rate: '1 hour', runMinutes: -5 }, ['recurrence.runMinutes']],
    [{ rate: '1 hour', every: 'day' }, ['recurrence.every']],
  ])('refuses %j before any I/O, naming %j', async (recurrence, fields) => {
    for (const [method, path] of [
      ['POST', '/campaigns'],
      ['PATCH', '/campaigns/7'],
    ] as const) {
      const response = await call(method, path, method === 'POST' ? campaign(recurrence) : { recurrence });
      expect(response.status).toBe(400);
      expect(response.contentType).toBe('application/problem+json');
      expect(ProblemSchema.parse(response.body).errors.map((error) => error.field)).toEqual(fields);
      expect(touched).toEqual([]);
    }
  });

  it('lets a good recurrence through to the store (the negative control: this one does reach I/O)', async () => {
    const response = await call('POST', '/campaigns', campaign({ cron: '0 10 * * 1', timezone: 'Europe/Moscow', runMinutes: 120 }));
    expect(response.status).toBe(500);
    expect(touched).toEqual(['campaigns.create']);
  });

  it('refuses a bad page size on the runs list before any I/O', async () => {
    const event = {
      httpMethod: 'GET',
      path: '/campaigns/7/runs',
      resource: '/{proxy+}',
      pathParameters: { proxy: 'campaigns/7/runs' },
      headers: {},
      queryStringParameters: { limit: '0' },
      body: null,
      isBase64Encoded: false,
      requestContext: { requestId: 'req', path: '/campaigns/7/runs' },
    } as unknown as APIGatewayProxyEvent;
    touched.length = 0;
    const result = await handler(event, context);
    expect(result.statusCode).toBe(400);
    expect(ProblemSchema.parse(JSON.parse(result.body)).errors.map((error) => error.field)).toEqual(['limit']);
    expect(touched).toEqual([]);
  });
});
