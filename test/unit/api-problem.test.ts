import middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { logger } from '../../functions/telemetry/logger.js';
import {
  fieldProblemsOf,
  headerOf,
  jsonBody,
  jsonBodyOf,
  MAX_BODY_BYTES,
  PROBLEM_CONTENT_TYPE,
  problemDetails,
  problemDocument,
  RouteMethodNotAllowedError,
} from '../../functions/api/problem.js';
import { json } from '../../functions/api/respond.js';
import { ProblemSchema } from '../../functions/api/response-schemas.js';
import { ConflictError, NotFoundError, ValidationError } from '../../functions/domain/errors.js';

const context = { awsRequestId: 'test', getRemainingTimeInMillis: () => 30_000 } as unknown as Context;

function event(overrides: Partial<APIGatewayProxyEvent> = {}): APIGatewayProxyEvent {
  return {
    httpMethod: 'POST',
    path: '/things',
    headers: { 'Content-Type': 'application/json' },
    body: '{}',
    isBase64Encoded: false,
    requestContext: { requestId: 'req-1' },
    ...overrides,
  } as APIGatewayProxyEvent;
}

/** A handler that throws `error`, behind the problem middleware. */
const throwing = (error: unknown) =>
  middy<APIGatewayProxyEvent, APIGatewayProxyResult>()
    .use(problemDetails())
    .handler(async () => {
      throw error;
    });

/** A handler that echoes the parsed body, behind the problem and body middlewares. */
const echo = middy<APIGatewayProxyEvent, APIGatewayProxyResult>()
  .use(problemDetails())
  .use(jsonBody())
  .handler(async (request) => json(200, { received: jsonBodyOf(request) }));

function problemOf(result: APIGatewayProxyResult) {
  expect(result.headers?.['Content-Type']).toBe(PROBLEM_CONTENT_TYPE);
  return ProblemSchema.parse(JSON.parse(result.body));
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('fieldProblemsOf', () => {
  it('names nested fields by dotted path and each unknown key on its own', () => {
    const schema = z.strictObject({ a: z.strictObject({ list: z.array(z.string()) }) });
    const result = schema.safeParse({ a: { list: ['ok', 5], extra: 1 }, other: 2 });
    expect(result.success).toBe(false);
    expect(fieldProblemsOf(result.error!).map((problem) => problem.field)).toEqual(['a.list.1', 'a.extra', 'other']);
  });
  it('names the body for an issue about the whole value', () => {
    const result = z.strictObject({}).safeParse(null);
    expect(fieldProblemsOf(result.error!)).toEqual([{ field: 'body', message: expect.any(String) }]);
  });
});

describe('problemDocument', () => {
  it('has the RFC 9457 members, a type per status, and the field list', () => {
    const document = problemDocument({ status: 404, title: 'Not found', detail: 'client 1 does not exist', instance: '/clients/1', requestId: 'r' });
    expect(document).toEqual({
      type: 'urn:herald:problem:not-found',
      title: 'Not found',
      status: 404,
      detail: 'client 1 does not exist',
      instance: '/clients/1',
      requestId: 'r',
      errors: [],
    });
  });
  it('gives an unlisted status a type of its own', () => {
    expect(problemDocument({ status: 502, title: 'Bad gateway', detail: '', instance: '/' }).type).toBe('urn:herald:problem:http-502');
  });
});

describe('problemDetails', () => {
  it('answers a HeraldError with its status, title, message and fields', async () => {
    const result = await throwing(new ConflictError('phone taken', [{ field: 'phone', message: 'is taken' }]))(event({ path: '/clients' }), context);
    expect(result.statusCode).toBe(409);
    expect(problemOf(result)).toMatchObject({
      status: 409,
      title: 'Conflict',
      detail: 'phone taken',
      instance: '/clients',
      requestId: 'req-1',
      errors: [{ field: 'phone', message: 'is taken' }],
    });
  });
  it('answers a validation error with 400 naming the field', async () => {
    const result = await throwing(ValidationError.field('endAt', 'must be after startAt'))(event(), context);
    expect(result.statusCode).toBe(400);
    expect(problemOf(result).errors).toEqual([{ field: 'endAt', message: 'must be after startAt' }]);
  });
  it('answers a zod error with 400 naming every field', async () => {
    const error = z.strictObject({ phone: z.string(), timezone: z.string() }).safeParse({ phone: 1, x: 2 }).error;
    const result = await throwing(error)(event(), context);
    expect(result.statusCode).toBe(400);
    const problem = problemOf(result);
    expect(problem.errors.map((entry) => entry.field)).toEqual(['phone', 'timezone', 'x']);
    expect(problem.detail).toContain('phone');
  });
  it('answers a 405 with the Allow header', async () => {
    const result = await throwing(new RouteMethodNotAllowedError('PUT', ['GET', 'PATCH']))(event(), context);
    expect(result.statusCode).toBe(405);
    expect(result.headers?.Allow).toBe('GET, PATCH');
    expect(problemOf(result).title).toBe('Method not allowed');
  });
  it('answers an unknown error with a bare 500, logged but not shown', async () => {
    const logged = vi.spyOn(logger, 'error').mockImplementation(() => undefined);
    const secret = new Error('connect ECONNREFUSED 10.0.0.7:8000 table herald-clients');
    const result = await throwing(secret)(event(), context);
    expect(result.statusCode).toBe(500);
    expect(result.body).not.toContain('ECONNREFUSED');
    expect(result.body).not.toContain('herald-clients');
    expect(problemOf(result)).toMatchObject({ status: 500, title: 'Internal error', errors: [] });
    expect(logged).toHaveBeenCalledWith('unhandled error', secret);
  });
  it('leaves successful answers alone', async () => {
    const handler = middy<APIGatewayProxyEvent, APIGatewayProxyResult>()
      .use(problemDetails())
      .handler(async () => json(200, { ok: true }));
    expect(await handler(event(), context)).toMatchObject({ statusCode: 200, body: '{"ok":true}' });
  });
  it('still answers a NotFoundError thrown by a route', async () => {
    expect((await throwing(new NotFoundError('gone'))(event(), context)).statusCode).toBe(404);
  });
});

describe('jsonBody', () => {
  it('parses a JSON body', async () => {
    const result = await echo(event({ body: '{"a":[1,2]}' }), context);
    expect(result.statusCode).toBe(200);
    expect(JSON.parse(result.body)).toEqual({ received: { a: [1, 2] } });
  });
  it.each([
    ['lower-case header', { 'content-type': 'application/json' }],
    ['a charset', { 'Content-Type': 'application/json; charset=utf-8' }],
    ['any casing of the value', { 'CONTENT-TYPE': 'Application/JSON' }],
    ['a +json type', { 'Content-Type': 'application/merge-patch+json' }],
  ])('accepts %s', async (_name, headers) => {
    expect((await echo(event({ headers }), context)).statusCode).toBe(200);
  });
  it.each([
    ['no content type', {}],
    ['text/plain', { 'Content-Type': 'text/plain' }],
    ['a form', { 'Content-Type': 'application/x-www-form-urlencoded' }],
    ['a lookalike', { 'Content-Type': 'application/jsonp' }],
  ])('answers 415 for %s', async (_name, headers) => {
    const result = await echo(event({ headers }), context);
    expect(result.statusCode).toBe(415);
    expect(problemOf(result).errors.map((entry) => entry.field)).toEqual(['Content-Type']);
  });
  it('answers 413 naming body over the size limit, and takes exactly the limit', async () => {
    const padded = (bytes: number) => JSON.stringify({ pad: 'x'.repeat(bytes - '{"pad":""}'.length) });
    expect((await echo(event({ body: padded(MAX_BODY_BYTES) }), context)).statusCode).toBe(200);
    const result = await echo(event({ body: padded(MAX_BODY_BYTES + 1) }), context);
    expect(result.statusCode).toBe(413);
    expect(problemOf(result).errors.map((entry) => entry.field)).toEqual(['body']);
  });
  it('counts bytes, not characters', async () => {
    const body = JSON.stringify({ pad: 'я'.repeat(MAX_BODY_BYTES / 2) });
    expect(body.length).toBeLessThan(MAX_BODY_BYTES);
    expect((await echo(event({ body }), context)).statusCode).toBe(413);
  });
  it.each([
    ['malformed JSON', '{"phone": '],
    ['an empty body', ''],
    ['no body at all', null],
  ])('answers 400 naming body for %s', async (_name, body) => {
    const result = await echo(event({ body }), context);
    expect(result.statusCode).toBe(400);
    expect(problemOf(result).errors.map((entry) => entry.field)).toEqual(['body']);
  });
  it('decodes a base64 body', async () => {
    const result = await echo(event({ body: Buffer.from('{"b":true}').toString('base64'), isBase64Encoded: true }), context);
    expect(JSON.parse(result.body)).toEqual({ received: { b: true } });
  });
});

describe('headerOf', () => {
  it('finds a header whatever its casing', () => {
    expect(headerOf({ headers: { 'X-Thing': 'a' } }, 'x-thing')).toBe('a');
    expect(headerOf({ headers: {} }, 'x-thing')).toBeUndefined();
    expect(headerOf({ headers: null as never }, 'x-thing')).toBeUndefined();
  });
});
