/**
 * Errors as RFC 9457 problem documents (`application/problem+json`), and the JSON body
 * checks that come before any route sees a body. Middy's own body parser and error
 * handler answer plain text (and malformed JSON as 415), hence these two small middlewares.
 */
import type { MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import * as z from 'zod';
import { ConflictError, HeraldError, NotFoundError, ValidationError, type FieldProblem } from '../domain/errors.js';
import { requestLogger } from './logging.js';
import type { ProblemDocument } from './response-schemas.js';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';
/** Requests carry a client or a campaign: 16 KiB is generous and keeps parsing cheap. */
export const MAX_BODY_BYTES = 16 * 1024;

const problemTypes: Record<number, string> = {
  400: 'invalid-request',
  404: 'not-found',
  405: 'method-not-allowed',
  409: 'conflict',
  413: 'payload-too-large',
  415: 'unsupported-media-type',
  422: 'idempotency-key-reused',
  500: 'internal-error',
};

export interface ProblemInput {
  status: number;
  title: string;
  detail: string;
  instance: string;
  errors?: FieldProblem[];
  requestId?: string;
}

export function problemDocument(input: ProblemInput): ProblemDocument {
  return {
    type: `urn:herald:problem:${problemTypes[input.status] ?? `http-${input.status}`}`,
    title: input.title,
    status: input.status,
    detail: input.detail,
    instance: input.instance,
    ...(input.requestId ? { requestId: input.requestId } : {}),
    errors: input.errors ?? [],
  };
}

export function problemResponse(input: ProblemInput, headers: Record<string, string> = {}): APIGatewayProxyResult {
  return {
    statusCode: input.status,
    headers: { 'Content-Type': PROBLEM_CONTENT_TYPE, 'Cache-Control': 'no-store', ...headers },
    body: JSON.stringify(problemDocument(input)),
  };
}

/** One entry per offending field, by dotted path; an issue about the whole body is named `body`. */
export function fieldProblemsOf(error: z.ZodError): FieldProblem[] {
  return error.issues.flatMap((issue) => {
    const at = issue.path.map(String);
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({ field: [...at, key].join('.'), message: 'is not a known field' }));
    }
    return [{ field: at.length > 0 ? at.join('.') : 'body', message: issue.message }];
  });
}

/** An error that only HTTP has (wrong media type, body too large, wrong method): it names its own status. */
export class HttpError extends HeraldError {
  constructor(
    readonly status: number,
    readonly title: string,
    message: string,
    fields: FieldProblem[] = [],
  ) {
    super(message, fields);
  }
}

/** A 405 that knows which methods the path does allow (the `Allow` header). */
export class RouteMethodNotAllowedError extends HttpError {
  constructor(
    readonly method: string,
    readonly allow: string[],
  ) {
    super(405, 'Method not allowed', `${method} is not allowed here; allowed: ${allow.join(', ')}`);
  }
}

/** The one place a Herald error becomes an HTTP status. */
export function statusOf(error: HeraldError): { status: number; title: string } {
  if (error instanceof HttpError) return { status: error.status, title: error.title };
  if (error instanceof ValidationError) return { status: 400, title: 'Invalid request' };
  if (error instanceof NotFoundError) return { status: 404, title: 'Not found' };
  if (error instanceof ConflictError) return { status: 409, title: 'Conflict' };
  return { status: 500, title: 'Internal error' };
}

/** Turns whatever a route threw into a problem response; unknown errors become a bare 500. */
export function problemDetails(): MiddlewareObj<APIGatewayProxyEvent, APIGatewayProxyResult> {
  return {
    onError: async (request) => {
      const { event, error } = request;
      const instance = event.path ?? '/';
      const requestId = event.requestContext?.requestId;
      if (error instanceof HeraldError) {
        const headers = error instanceof RouteMethodNotAllowedError ? { Allow: error.allow.join(', ') } : undefined;
        request.response = problemResponse({ ...statusOf(error), detail: error.message, instance, errors: error.fields, requestId }, headers);
        return;
      }
      if (error instanceof z.ZodError) {
        const errors = fieldProblemsOf(error);
        const detail = errors.map((problem) => `${problem.field}: ${problem.message}`).join('; ');
        request.response = problemResponse({ status: 400, title: 'Invalid request', detail, instance, errors, requestId });
        return;
      }
      requestLogger(event).error('unhandled error', error as Error);
      request.response = problemResponse({
        status: 500,
        title: 'Internal error',
        detail: 'The request could not be completed; the logs carry the details under this requestId.',
        instance,
        requestId,
      });
    },
  };
}

/** Case-insensitive header lookup: API Gateway passes headers with the client's casing. */
export function headerOf(event: Pick<APIGatewayProxyEvent, 'headers'>, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(event.headers ?? {})) {
    if (key.toLowerCase() === wanted) return value;
  }
  return undefined;
}

const JSON_MEDIA_TYPE = /^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i;

/**
 * For routes that take a body: JSON only (415), at most `maxBytes` (413), well-formed (400
 * naming `body`). The parsed value replaces `event.body`; read it with `jsonBodyOf`.
 */
export function jsonBody(maxBytes = MAX_BODY_BYTES): MiddlewareObj<APIGatewayProxyEvent, APIGatewayProxyResult> {
  return {
    before: async (request) => {
      const { event } = request;
      const contentType = headerOf(event, 'content-type');
      if (!contentType || !JSON_MEDIA_TYPE.test(contentType)) {
        throw new HttpError(415, 'Unsupported media type', `Content-Type must be application/json, not ${contentType ?? 'missing'}`, [
          { field: 'Content-Type', message: 'must be application/json' },
        ]);
      }
      const raw = event.body ?? '';
      const bytes = event.isBase64Encoded ? Buffer.from(raw, 'base64') : Buffer.from(raw, 'utf8');
      if (bytes.length > maxBytes) {
        throw new HttpError(413, 'Payload too large', `body is ${bytes.length} bytes; at most ${maxBytes} are accepted`, [
          { field: 'body', message: `must be at most ${maxBytes} bytes` },
        ]);
      }
      if (bytes.length === 0) throw ValidationError.field('body', 'is required');
      try {
        (event as { body: unknown }).body = JSON.parse(bytes.toString('utf8'));
      } catch (error) {
        throw ValidationError.field('body', `is not valid JSON (${(error as Error).message})`);
      }
    },
  };
}

/** The body `jsonBody` parsed; still to be validated by the route's schema. */
export function jsonBodyOf(event: APIGatewayProxyEvent): unknown {
  return event.body as unknown;
}
