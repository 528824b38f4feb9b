/**
 * One log line per request, carrying the ids it touched (campaignId, clientId, messageId)
 * so a Logs Insights search by id finds it. Each request gets its own child logger: the
 * local runtime serves requests concurrently in one process, and keys appended to the
 * shared logger would leak from one request into another.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import type { MiddlewareObj, Request } from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { logger } from '../telemetry/logger.js';
import { maskPhone } from '../domain/channels/sms.js';

export interface TouchedIds {
  campaignId?: string;
  clientId?: string;
  messageId?: number;
  eventId?: string;
  eventType?: string;
  /** Logged masked (maskPhone), never as the number. */
  phone?: string;
}

const loggers = new WeakMap<object, Logger>();

export function requestLogger(event: object): Logger {
  return loggers.get(event) ?? logger;
}

/** Records the ids a request works on: every later line of the request carries them. */
export function touched(event: object, ids: TouchedIds): void {
  const { phone, ...rest } = ids;
  requestLogger(event).appendKeys({ ...rest, ...(phone !== undefined ? { phone: maskPhone(phone) } : {}) });
}

/** The path as logged: an unsubscribe link's token is a credential of its client, so it never reaches a log. */
export function loggedPath(path: string | undefined): string | undefined {
  return path?.replace(/^(\/unsubscribe\/)[^/]*/, '$1{token}');
}

export function requestLogging(): MiddlewareObj<APIGatewayProxyEvent, APIGatewayProxyResult> {
  const started = new WeakMap<object, number>();
  const finish = (request: Request<APIGatewayProxyEvent, APIGatewayProxyResult>) => {
    const { event, response } = request;
    const statusCode = response?.statusCode ?? 500;
    const durationMs = Date.now() - (started.get(event) ?? Date.now());
    const log = requestLogger(event);
    if (statusCode >= 500) log.error('request', { statusCode, durationMs });
    else log.info('request', { statusCode, durationMs });
  };
  return {
    before: async (request) => {
      const { event, context } = request;
      const child = logger.createChild();
      if (context?.awsRequestId) child.addContext(context);
      child.appendKeys({ requestId: event.requestContext?.requestId, method: event.httpMethod, path: loggedPath(event.path) });
      loggers.set(event, child);
      started.set(event, Date.now());
    },
    after: async (request) => finish(request),
    onError: async (request) => finish(request),
  };
}
