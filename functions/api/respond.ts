/** Small shared pieces of every route: JSON answers, parsed parameters, body-taking routes. */
import middy from '@middy/core';
import type { Method } from '@middy/http-router';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import type * as z from 'zod';
import { jsonBody } from './problem.js';

export type RouteHandler = (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;

/** A route of @middy/http-router with the handler typed for REST proxy events. */
export interface ApiRoute {
  method: Method;
  path: string;
  handler: RouteHandler;
}

export function json(statusCode: number, body: unknown, headers: Record<string, string> = {}): APIGatewayProxyResult {
  return { statusCode, headers: { 'Content-Type': 'application/json', 'Cache-Control': 'no-store', ...headers }, body: JSON.stringify(body) };
}

export function noContent(): APIGatewayProxyResult {
  return { statusCode: 204, headers: { 'Cache-Control': 'no-store' }, body: '' };
}

/**
 * The `{id}` path parameter through its schema. Only `id` is read: behind a `{proxy+}`
 * resource API Gateway also passes `proxy`, which is not an input of ours.
 */
export function idParam<S extends z.ZodType>(schema: S, event: APIGatewayProxyEvent): z.infer<S> {
  return schema.parse({ id: event.pathParameters?.id });
}

/** Query parameters through their (strict) schema; a repeated parameter counts with its last value. */
export function queryOf<S extends z.ZodType>(schema: S, event: APIGatewayProxyEvent): z.infer<S> {
  return schema.parse(event.queryStringParameters ?? {});
}

/** A route that takes a JSON body: the body checks run first (415, 413, 400). */
export function withJsonBody(handler: RouteHandler, maxBytes?: number) {
  return middy<APIGatewayProxyEvent, APIGatewayProxyResult>().use(jsonBody(maxBytes)).handler(handler);
}
