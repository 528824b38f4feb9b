/**
 * `Idempotency-Key` on every POST, through Powertools' idempotency utility and its DynamoDB
 * persistence layer. Only a request carrying the header is idempotent. The key is scoped by
 * caller, method and path, so the same key on two routes names two requests; the body is the
 * validated payload, so the same key with another body is refused (422) rather than
 * answered with the first request's result. A request that fails (throws) leaves no record:
 * only answers are replayed, and a retry after a refusal runs again.
 *
 * Powertools idempotency and its persistence layer load on the first POST that carries the
 * header: a cold start for any other call does not pay for them (docs/decisions/011-lazy-loading.md).
 */
import type { BasePersistenceLayer } from '@aws-lambda-powertools/idempotency/persistence';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { ConflictError, ValidationError } from '../domain/errors.js';
import { lazyPackage } from '../domain/lazy-packages.js';
import { requestLogger } from './logging.js';
import { headerOf, HttpError } from './problem.js';
import type { RouteHandler } from './respond.js';

export const IDEMPOTENCY_HEADER = 'Idempotency-Key';
/** Set on an answer that replays the first one. */
export const REPLAYED_HEADER = 'Idempotent-Replayed';
export const MAX_IDEMPOTENCY_KEY_LENGTH = 255;

export interface IdempotencySettings {
  /** Called on each keyed POST; built once, on the first (handlers/wiring.ts). */
  persistence: () => Promise<BasePersistenceLayer>;
  /** How long a key answers with its first response; the record's TTL (`expiration`). */
  expiresAfterSeconds: number;
}

type Powertools = typeof import('@aws-lambda-powertools/idempotency');

/** What Powertools hashes: `scope` is the key, `body` the payload a repeat must match. */
interface IdempotentRequest {
  scope: string;
  body: unknown;
}

/** The header checked before any I/O: absent means not idempotent; present, 1 to 255 characters. */
export function idempotencyKeyOf(event: Pick<APIGatewayProxyEvent, 'headers'>): string | undefined {
  const key = headerOf(event, IDEMPOTENCY_HEADER);
  if (key === undefined) return undefined;
  if (key.length < 1 || key.length > MAX_IDEMPOTENCY_KEY_LENGTH) {
    throw ValidationError.field(IDEMPOTENCY_HEADER, `must be 1 to ${MAX_IDEMPOTENCY_KEY_LENGTH} characters, not ${key.length}`);
  }
  return key;
}

/** What a key names: the key of this caller on this method and path (another caller's same key is another request). */
export function idempotencyScopeOf(event: Pick<APIGatewayProxyEvent, 'requestContext' | 'httpMethod' | 'path'>, key: string): string {
  const caller = event.requestContext?.identity?.userArn ?? event.requestContext?.identity?.caller ?? '';
  return JSON.stringify([caller, event.httpMethod, event.path, key]);
}

/** The body as JSON when it parses (so key order and spacing do not make another body), else as sent. */
function payloadOf(event: APIGatewayProxyEvent): unknown {
  const raw = event.isBase64Encoded && event.body ? Buffer.from(event.body, 'base64').toString('utf8') : (event.body ?? '');
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    return raw;
  }
}

const replayed = (response: unknown) => {
  const result = response as APIGatewayProxyResult;
  return { ...result, headers: { ...result.headers, [REPLAYED_HEADER]: 'true' } };
};

/** Wraps the router: POSTs with the header run at most once per key; everything else passes through. */
export function idempotentPosts(handler: RouteHandler, settings: IdempotencySettings): RouteHandler {
  return async (event: APIGatewayProxyEvent, context: Context) => {
    if (event.httpMethod !== 'POST') return handler(event, context);
    const key = idempotencyKeyOf(event);
    if (key === undefined) return handler(event, context);
    const powertools = lazyPackage<Powertools>('@aws-lambda-powertools/idempotency');
    const persistenceStore = await settings.persistence();
    // A config per request: the local runtime serves concurrent requests with one handler, and the
    // registered context (whose remaining time bounds how long a crashed request blocks its key) is per request.
    const config = new powertools.IdempotencyConfig({
      eventKeyJmesPath: 'scope',
      payloadValidationJmesPath: 'body',
      throwOnNoIdempotencyKey: true,
      expiresAfterSeconds: settings.expiresAfterSeconds,
      responseHook: (response) => replayed(response) as unknown as typeof response,
    });
    if (typeof context?.getRemainingTimeInMillis === 'function') config.registerLambdaContext(context);
    let answered: APIGatewayProxyResult | undefined;
    const run = powertools.makeIdempotent(async (_request: IdempotentRequest) => (answered = await handler(event, context)), {
      persistenceStore,
      config,
      keyPrefix: 'api',
    });
    try {
      return await run({ scope: idempotencyScopeOf(event, key), body: payloadOf(event) });
    } catch (error) {
      if (error instanceof powertools.IdempotencyValidationError) {
        throw new HttpError(422, 'Idempotency key reused', `${IDEMPOTENCY_HEADER} ${key} was used with another body on ${event.path}`, [
          { field: IDEMPOTENCY_HEADER, message: 'was already used with another request body' },
        ]);
      }
      if (error instanceof powertools.IdempotencyAlreadyInProgressError) {
        throw new ConflictError(`a request with ${IDEMPOTENCY_HEADER} ${key} is still in progress; retry after it answers`, [
          { field: IDEMPOTENCY_HEADER, message: 'a request with this key is still in progress' },
        ]);
      }
      // The work is done but its answer could not be stored (an item over DynamoDB's 400 KB, a
      // throttled write): answer it anyway; the key stays in progress until the request's time is up.
      if (error instanceof powertools.IdempotencyPersistenceLayerError && answered !== undefined) {
        requestLogger(event).warn('idempotency record not saved', { error: error as Error });
        return answered;
      }
      throw error;
    }
  };
}
