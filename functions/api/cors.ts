/**
 * On AWS the admin app is served from CloudFront and calls the API on its own host, so a browser
 * hands an answer to the app only when it names the app's origin. API Gateway answers the
 * preflight (lib/api.ts); every answer of the handler, errors included, carries the origin here.
 * Locally the app is served by the API's own server (same origin): no origin, no header.
 *
 * The end-user inbox routes (`/inbox...`) are called from the operator's own sites, with a bearer
 * token rather than a cookie: their answers name the request's origin when it is one of the
 * stack's `inboxOrigins`, and any origin (`*`) when no list is set, as locally. Their preflight
 * is answered here too, so it works the same behind the local server.
 */
import type { MiddlewareObj, Request } from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { REPLAYED_HEADER } from './idempotency.js';
import { headerOf } from './problem.js';

/** Answer headers the app may read besides the CORS-safelisted ones. */
const EXPOSED_HEADERS = ['Allow', REPLAYED_HEADER];
export const INBOX_CORS = {
  methods: ['GET', 'POST', 'DELETE', 'OPTIONS'],
  headers: ['Authorization', 'Content-Type'],
  maxAgeSeconds: 600,
} as const;

export const isInboxPath = (path: string | undefined) => path === '/inbox' || (path ?? '').startsWith('/inbox/');

/** The Access-Control-Allow-Origin an inbox answer carries for `origin`, if any. */
export function inboxAllowedOrigin(origin: string | undefined, inboxOrigins: readonly string[] | undefined): string | undefined {
  if (inboxOrigins === undefined) return '*';
  return origin !== undefined && inboxOrigins.includes(origin) ? origin : undefined;
}

export function crossOrigin(allowedOrigin: string | undefined, inboxOrigins?: readonly string[]): MiddlewareObj<APIGatewayProxyEvent, APIGatewayProxyResult> {
  const inboxHeaders = (event: APIGatewayProxyEvent): Record<string, string> => {
    const origin = inboxAllowedOrigin(headerOf(event, 'origin'), inboxOrigins);
    return origin === undefined ? {} : { 'Access-Control-Allow-Origin': origin, ...(origin === '*' ? {} : { Vary: 'Origin' }) };
  };
  const allowOrigin = (request: Request<APIGatewayProxyEvent, APIGatewayProxyResult>) => {
    if (!request.response) return;
    if (isInboxPath(request.event.path)) {
      request.response = { ...request.response, headers: { ...request.response.headers, ...inboxHeaders(request.event) } };
      return;
    }
    if (allowedOrigin === undefined) return;
    request.response = {
      ...request.response,
      headers: {
        ...request.response.headers,
        'Access-Control-Allow-Origin': allowedOrigin,
        'Access-Control-Expose-Headers': EXPOSED_HEADERS.join(', '),
      },
    };
  };
  return {
    // A preflight of an inbox route: answered before any route, token or body check.
    before: async (request) => {
      const { event } = request;
      if (event.httpMethod !== 'OPTIONS' || !isInboxPath(event.path)) return undefined;
      return {
        statusCode: 204,
        headers: {
          ...inboxHeaders(event),
          'Access-Control-Allow-Methods': INBOX_CORS.methods.join(', '),
          'Access-Control-Allow-Headers': INBOX_CORS.headers.join(', '),
          'Access-Control-Max-Age': String(INBOX_CORS.maxAgeSeconds),
        },
        body: '',
      };
    },
    after: async (request) => allowOrigin(request),
    onError: async (request) => allowOrigin(request),
  };
}
