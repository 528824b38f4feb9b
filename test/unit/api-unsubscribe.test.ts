/**
 * GET and POST /unsubscribe/{token} through the API handler with dependencies that fail the test
 * when touched: a token Herald did not sign (forged, tampered, cut short, another key's) is
 * refused before any store is read, and its path never reaches a log line.
 */
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { hmacSigner } from '../../functions/adapters/hmac-signer.js';
import { createApiHandler, type ApiDependencies } from '../../functions/api/app.js';
import { loggedPath } from '../../functions/api/logging.js';
import { ProblemSchema } from '../../functions/api/response-schemas.js';
import type { Client } from '../../functions/domain/clients.js';
import { unsubscribeToken } from '../../functions/domain/unsubscribe.js';

const signer = hmacSigner('u'.repeat(40));
const touched: string[] = [];
/** A client store that answers `get` and `optOut` for one client when allowed, and records every call. */
let allowed = false;
const client: Client = {
  id: 'c1',
  email: 'ann@example.com',
  timezone: 'UTC',
  optedOut: false,
  createdAt: '2030-01-01T00:00:00.000Z',
  updatedAt: '2030-01-01T00:00:00.000Z',
};
const untouchable = new Proxy({} as ApiDependencies, {
  get: (_target, port: string) => {
    if (port === 'clock') return { now: () => new Date('2030-01-01T00:00:00Z') };
    if (port === 'allowedOrigin') return undefined;
    if (port === 'unsubscribeSigner') return async () => signer;
    return new Proxy(
      {},
      {
        get: (_t, method: string) => async (id: string) => {
          touched.push(`${port}.${method}`);
          if (!allowed || port !== 'clients') throw new Error('no I/O expected');
          if (id !== client.id) return undefined;
          return method === 'optOut' ? { ...client, optOuts: ['email'] } : client;
        },
      },
    );
  },
});
const handler = createApiHandler(untouchable);
const context = { awsRequestId: 'test', functionName: 'api', getRemainingTimeInMillis: () => 30_000 } as unknown as Context;

async function call(method: 'GET' | 'POST', token: string): Promise<APIGatewayProxyResult> {
  const path = `/unsubscribe/${token}`;
  const event = {
    httpMethod: method,
    path,
    resource: '/{proxy+}',
    pathParameters: { proxy: path.slice(1) },
    headers: method === 'POST' ? { 'Content-Type': 'application/x-www-form-urlencoded' } : {},
    queryStringParameters: null,
    body: method === 'POST' ? 'List-Unsubscribe=One-Click' : null,
    isBase64Encoded: false,
    requestContext: { requestId: 'req', path: `/prod${path}` },
  } as unknown as APIGatewayProxyEvent;
  touched.length = 0;
  return handler(event, context);
}

const valid = unsubscribeToken(signer, { clientId: 'c1', channel: 'email' });
const flip = (token: string, at: number) => token.slice(0, at) + (token[at] === 'A' ? 'B' : 'A') + token.slice(at + 1);

describe('unsubscribe links Herald did not sign', () => {
  const refused = {
    tampered: flip(valid, 3),
    'tampered MAC': flip(valid, valid.length - 2),
    'cut short': valid.slice(0, -1),
    'another key': unsubscribeToken(hmacSigner('v'.repeat(40)), { clientId: 'c1', channel: 'email' }),
    'not a token': 'hello',
  };
  it.each(Object.entries(refused))('%s: 404 problem on GET and POST, no store touched', async (_name, token) => {
    allowed = false;
    for (const method of ['GET', 'POST'] as const) {
      const result = await call(method, token);
      expect(result.statusCode).toBe(404);
      expect(ProblemSchema.parse(JSON.parse(result.body)).errors).toEqual([{ field: 'token', message: expect.any(String) }]);
      expect(touched).toEqual([]);
    }
  });
});

describe('a link Herald signed', () => {
  it('GET reads the client only and shows the confirm page posting back to the link, stage included', async () => {
    allowed = true;
    const result = await call('GET', valid);
    expect(result.statusCode).toBe(200);
    expect(result.headers?.['Content-Type']).toMatch(/^text\/html/);
    expect(result.body).toContain(`action="/prod/unsubscribe/${valid}"`);
    expect(result.body).toContain('e-mails');
    expect(touched).toEqual(['clients.get']);
  });
  it('POST opts the client out of the channel the token names', async () => {
    allowed = true;
    const result = await call('POST', valid);
    expect(result.statusCode).toBe(200);
    expect(result.body).toContain('Unsubscribed');
    expect(touched).toEqual(['clients.get', 'clients.optOut']);
  });
  it('a signed token of a client that does not exist is 404, and nothing is written', async () => {
    allowed = true;
    const result = await call('POST', unsubscribeToken(signer, { clientId: 'gone', channel: 'email' }));
    expect(result.statusCode).toBe(404);
    expect(touched).toEqual(['clients.get']);
  });
});

describe('logs', () => {
  it('never carry a token: the path is logged with it replaced', () => {
    expect(loggedPath(`/unsubscribe/${valid}`)).toBe('/unsubscribe/{token}');
    expect(loggedPath('/clients/c1')).toBe('/clients/c1');
  });
});
