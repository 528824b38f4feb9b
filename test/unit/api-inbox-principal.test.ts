/**
 * The end-user inbox routes behind the AWS authorizer (functions/api/inbox-authorizer.ts): API
 * Gateway caches its answer for a minute, so the api takes the client it names only until the
 * token's `expiresAt`, which the answer carries too. Past it (or without it) the request is 401
 * before any store is read.
 */
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { createApiHandler, type ApiDependencies } from '../../functions/api/app.js';

const now = new Date('2030-01-01T00:00:00Z');
const touched: string[] = [];
/** Every port fails the test when touched, but the inbox's count, which answers 3. */
const untouchable = new Proxy({} as ApiDependencies, {
  get: (_target, port: string) => {
    if (port === 'clock') return { now: () => now };
    if (port === 'allowedOrigin' || port === 'inboxOrigins') return undefined;
    return new Proxy(
      {},
      {
        get: (_t, method: string) => async () => {
          touched.push(`${port}.${method}`);
          if (`${port}.${method}` !== 'inbox.count') throw new Error('no I/O expected');
          return 3;
        },
      },
    );
  },
});
const handler = createApiHandler(untouchable);
const context = { awsRequestId: 'test', functionName: 'api', getRemainingTimeInMillis: () => 30_000 } as unknown as Context;

async function count(authorizer: Record<string, unknown>): Promise<APIGatewayProxyResult> {
  touched.length = 0;
  const event = {
    httpMethod: 'GET',
    path: '/inbox/count',
    resource: '/inbox/count',
    pathParameters: null,
    headers: {},
    queryStringParameters: null,
    body: null,
    isBase64Encoded: false,
    requestContext: { requestId: 'req', path: '/v1/inbox/count', authorizer },
  } as unknown as APIGatewayProxyEvent;
  return handler(event, context);
}

describe("the authorizer's answer in the api", () => {
  it('names the client until the token expires', async () => {
    const result = await count({ clientId: 'client-1', expiresAt: '2030-01-01T00:00:01.000Z' });
    expect([result.statusCode, JSON.parse(result.body)]).toEqual([200, { unread: 3 }]);
    expect(touched).toEqual(['inbox.count']);
  });

  it.each([
    ['expired since the answer was cached', '2030-01-01T00:00:00.000Z'],
    ['without an expiry', undefined],
    ['with an unreadable expiry', 'soon'],
  ])('%s: 401 naming Authorization, no store touched', async (_case, expiresAt) => {
    const result = await count({ clientId: 'client-1', ...(expiresAt === undefined ? {} : { expiresAt }) });
    expect(result.statusCode).toBe(401);
    expect(JSON.parse(result.body).errors).toEqual([{ field: 'Authorization', message: expect.any(String) }]);
    expect(touched).toEqual([]);
  });
});
