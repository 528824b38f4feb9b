/**
 * On AWS the admin app is served from CloudFront and calls the API on its own host, so a browser
 * hands an answer to the app only when it names the app's origin. API Gateway answers the
 * preflight (lib/api.ts); every answer of the handler, errors included, carries the origin here.
 * Locally the app is served by the API's own server (same origin): no origin, no header.
 */
import type { MiddlewareObj, Request } from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { REPLAYED_HEADER } from './idempotency.js';

/** Answer headers the app may read besides the CORS-safelisted ones. */
const EXPOSED_HEADERS = ['Allow', REPLAYED_HEADER];

export function crossOrigin(allowedOrigin: string | undefined): MiddlewareObj<APIGatewayProxyEvent, APIGatewayProxyResult> {
  const allowOrigin = (request: Request<APIGatewayProxyEvent, APIGatewayProxyResult>) => {
    if (allowedOrigin === undefined || !request.response) return;
    request.response = {
      ...request.response,
      headers: {
        ...request.response.headers,
        'Access-Control-Allow-Origin': allowedOrigin,
        'Access-Control-Expose-Headers': EXPOSED_HEADERS.join(', '),
      },
    };
  };
  return { after: async (request) => allowOrigin(request), onError: async (request) => allowOrigin(request) };
}
