/**
 * The REST API's Lambda authorizer in front of the end user's inbox routes (`/inbox...`) on AWS:
 * a REQUEST authorizer reading `Authorization: Bearer <token>`. A valid inbox token
 * (functions/domain/inbox-token.ts) lets the request through with its client id and expiry in the context,
 * which the api reads (functions/api/routes/inbox.ts); anything else is 401 before the api runs.
 */
import type { APIGatewayAuthorizerResult, APIGatewayRequestAuthorizerEvent } from 'aws-lambda';
import { bearerTokenOf, verifyInboxToken } from '../domain/inbox-token.js';
import type { Clock, TokenSigner } from '../ports.js';
import { logger } from '../telemetry/logger.js';
import { AUTHORIZER_CLIENT_ID, AUTHORIZER_EXPIRES_AT } from './routes/inbox.js';
import { UNAUTHORIZED } from './websocket.js';

export interface InboxAuthorizerDependencies {
  clock: Clock;
  /** The signer under the inbox tokens' HS256 key (Secrets Manager on AWS). */
  inboxSigner: () => Promise<TokenSigner>;
}

/**
 * The inbox routes of this API's stage, every method: API Gateway caches an authorizer's answer per
 * token, so the policy must cover each route the token may call next, not only this one.
 */
export function inboxRoutesOf(methodArn: string): string[] {
  const [api, stage] = methodArn.split('/');
  return [`${api}/${stage}/*/inbox`, `${api}/${stage}/*/inbox/*`];
}

export function createInboxAuthorizerHandler(deps: InboxAuthorizerDependencies) {
  return async (event: APIGatewayRequestAuthorizerEvent): Promise<APIGatewayAuthorizerResult> => {
    const header = Object.entries(event.headers ?? {}).find(([name]) => name.toLowerCase() === 'authorization')?.[1];
    const token = bearerTokenOf(header ?? undefined);
    const principal = token === undefined ? undefined : verifyInboxToken(token, await deps.inboxSigner(), deps.clock.now());
    if (!principal) {
      // Never the token itself in a log line.
      logger.info('inbox request refused', { reason: token === undefined ? 'no bearer token' : 'invalid token' });
      throw new Error(UNAUTHORIZED);
    }
    return {
      principalId: principal.clientId,
      policyDocument: { Version: '2012-10-17', Statement: [{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: inboxRoutesOf(event.methodArn) }] },
      context: { [AUTHORIZER_CLIENT_ID]: principal.clientId, [AUTHORIZER_EXPIRES_AT]: principal.expiresAt },
    };
  };
}
