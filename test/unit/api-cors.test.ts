/**
 * On AWS the admin app calls the API from its CloudFront origin: every answer of the handler,
 * errors included, names that origin (API Gateway answers the preflight, lib/api.ts). Locally
 * (no origin configured) answers carry no CORS header at all.
 */
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { apiEnvSchema, ConfigError, parseEnv } from '../../functions/adapters/config.js';
import { createApiHandler, type ApiDependencies } from '../../functions/api/app.js';
import { generatedOpenApi } from '../../local/openapi.js';

const ORIGIN = 'https://d111111abcdef8.cloudfront.net';

/** Dependencies no request here may reach (the routes used do no I/O). */
function handlerWith(allowedOrigin: string | undefined) {
  const deps = new Proxy({} as ApiDependencies, {
    get: (_target, key: string) => {
      if (key === 'allowedOrigin') return allowedOrigin;
      if (key === 'clock') return { now: () => new Date('2030-01-01T00:00:00Z') };
      if (key === 'openApiDocument') return generatedOpenApi;
      return new Proxy(
        {},
        {
          get: (_t, method: string) => () => {
            throw new Error(`no I/O expected, got ${key}.${method}`);
          },
        },
      );
    },
  });
  return createApiHandler(deps);
}

const context = { awsRequestId: 'test', functionName: 'api', getRemainingTimeInMillis: () => 30_000 } as unknown as Context;

function event(method: string, path: string): APIGatewayProxyEvent {
  return {
    httpMethod: method,
    path,
    resource: '/{proxy+}',
    pathParameters: { proxy: path.slice(1) },
    headers: { Origin: ORIGIN },
    queryStringParameters: null,
    body: null,
    isBase64Encoded: false,
    requestContext: { requestId: 'req', path },
  } as unknown as APIGatewayProxyEvent;
}

describe('CORS headers of the api handler', () => {
  const withOrigin = handlerWith(ORIGIN);
  const local = handlerWith(undefined);

  it('names the allowed origin on a success', async () => {
    const result: APIGatewayProxyResult = await withOrigin(event('GET', '/openapi.json'), context);
    expect(result.statusCode).toBe(200);
    expect(result.headers).toMatchObject({ 'Access-Control-Allow-Origin': ORIGIN, 'Content-Type': 'application/json' });
    expect(result.headers!['Access-Control-Expose-Headers']).toBe('Allow, Idempotent-Replayed');
  });

  it('names it on a problem answer too (404, and 405 with its Allow header kept)', async () => {
    const missing: APIGatewayProxyResult = await withOrigin(event('GET', '/nothing'), context);
    expect(missing.statusCode).toBe(404);
    expect(missing.headers).toMatchObject({ 'Access-Control-Allow-Origin': ORIGIN, 'Content-Type': 'application/problem+json' });
    const wrongMethod: APIGatewayProxyResult = await withOrigin(event('DELETE', '/openapi.json'), context);
    expect(wrongMethod.statusCode).toBe(405);
    expect(wrongMethod.headers).toMatchObject({ 'Access-Control-Allow-Origin': ORIGIN, Allow: 'GET' });
  });

  it('adds no CORS header without an allowed origin (locally the app is same-origin)', async () => {
    for (const [method, path] of [
      ['GET', '/openapi.json'],
      ['GET', '/nothing'],
    ] as const) {
      const result: APIGatewayProxyResult = await local(event(method, path), context);
      expect(Object.keys(result.headers ?? {}).filter((name) => name.toLowerCase().startsWith('access-control-'))).toEqual([]);
    }
  });

  it('reads the origin from CORS_ALLOWED_ORIGIN through the config parser, which refuses a non-URL', () => {
    const base = {
      CLIENTS_TABLE: 'c',
      UNIQUES_TABLE: 'u',
      CAMPAIGNS_TABLE: 'ca',
      MESSAGES_TABLE: 'm',
      IDEMPOTENCY_TABLE: 'i',
      INBOX_TABLE: 'in',
      EVENT_TYPES_TABLE: 'et',
      EVENTS_TABLE: 'e',
      FANOUT_QUEUE_URL: 'http://127.0.0.1:1/q',
      SEND_QUEUE_URL: 'http://127.0.0.1:1/s',
      START_TIMER_QUEUE_URL: 'http://127.0.0.1:1/t',
      SCHEDULE_GROUP: 'g',
      SCHEDULE_TARGET_ARN: 't',
      OCCURRENCE_TARGET_ARN: 'o',
      SCHEDULE_ROLE_ARN: 'r',
      SCHEDULE_DLQ_ARN: 'd',
    };
    expect(parseEnv(apiEnvSchema, { ...base, CORS_ALLOWED_ORIGIN: ORIGIN }).CORS_ALLOWED_ORIGIN).toBe(ORIGIN);
    expect(parseEnv(apiEnvSchema, base).CORS_ALLOWED_ORIGIN).toBeUndefined();
    expect(() => parseEnv(apiEnvSchema, { ...base, CORS_ALLOWED_ORIGIN: 'cloudfront' })).toThrow(ConfigError);
  });
});
