/**
 * The WebSocket API's four functions (DESIGN.md, In-app inbox and real time): the REQUEST
 * authorizer on `$connect`, which reads the `token` query value; `$connect` and `$disconnect`,
 * which keep the client's connections; and `$default`, which answers a ping. On AWS API Gateway
 * calls them; locally local/websocket.ts calls the same handlers with the same events.
 */
import type {
  APIGatewayAuthorizerResult,
  APIGatewayEventWebsocketRequestContextV2,
  APIGatewayProxyWebsocketEventV2WithRequestContext,
  APIGatewayRequestAuthorizerEvent,
} from 'aws-lambda';
import { newConnection } from '../domain/connections.js';
import { answerTo } from '../domain/inbox-frames.js';
import { verifyInboxToken } from '../domain/inbox-token.js';
import type { Clock, ConnectionPoster, ConnectionStore, TokenSigner } from '../ports.js';
import { logger } from '../telemetry/logger.js';

/** What the authorizer hands API Gateway, which passes it to every later route of the connection as `requestContext.authorizer`. */
export interface WebSocketAuthorizerContext {
  clientId: string;
}

export type WebSocketEvent = APIGatewayProxyWebsocketEventV2WithRequestContext<
  APIGatewayEventWebsocketRequestContextV2 & { authorizer?: Partial<WebSocketAuthorizerContext> & { principalId?: string } }
>;
export interface WebSocketResult {
  statusCode: number;
}

/** The message API Gateway maps to 401 (anything else an authorizer throws is a 500): a bad token is refused at the upgrade. */
export const UNAUTHORIZED = 'Unauthorized';

export interface WsAuthorizerDependencies {
  clock: Clock;
  /** The signer under the inbox tokens' HS256 key (Secrets Manager on AWS). */
  inboxSigner: () => Promise<TokenSigner>;
}

/** Allows exactly this `$connect` (the `methodArn`) and nothing else, for the client the token names. */
export function allowConnect(clientId: string, methodArn: string): APIGatewayAuthorizerResult & { context: WebSocketAuthorizerContext } {
  return {
    principalId: clientId,
    policyDocument: { Version: '2012-10-17', Statement: [{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: methodArn }] },
    context: { clientId },
  };
}

export function createWsAuthorizerHandler(deps: WsAuthorizerDependencies) {
  return async (event: APIGatewayRequestAuthorizerEvent): Promise<APIGatewayAuthorizerResult> => {
    const token = event.queryStringParameters?.token;
    if (!token) throw new Error(UNAUTHORIZED);
    const principal = verifyInboxToken(token, await deps.inboxSigner(), deps.clock.now());
    if (!principal) {
      // Never the token itself in a log line.
      logger.info('connection refused');
      throw new Error(UNAUTHORIZED);
    }
    return allowConnect(principal.clientId, event.methodArn);
  };
}

/** The client the `$connect` authorizer named; undefined only if a route were reached without it. */
const clientIdOf = (event: WebSocketEvent) => event.requestContext.authorizer?.clientId || undefined;

export interface WsConnectionDependencies {
  clock: Clock;
  connections: ConnectionStore;
}

export function createWsConnectHandler(deps: WsConnectionDependencies) {
  return async (event: WebSocketEvent): Promise<WebSocketResult> => {
    const clientId = clientIdOf(event);
    if (!clientId) return { statusCode: 401 };
    const { connectionId } = event.requestContext;
    await deps.connections.add(newConnection(clientId, connectionId, deps.clock.now()));
    logger.info('connected', { clientId, connectionId });
    return { statusCode: 200 };
  };
}

export function createWsDisconnectHandler(deps: Pick<WsConnectionDependencies, 'connections'>) {
  return async (event: WebSocketEvent): Promise<WebSocketResult> => {
    const clientId = clientIdOf(event);
    const { connectionId } = event.requestContext;
    if (clientId) await deps.connections.remove(clientId, connectionId);
    logger.info('disconnected', { clientId, connectionId });
    return { statusCode: 200 };
  };
}

export interface WsDefaultDependencies {
  connections: ConnectionPoster;
}

/** `{"action":"ping"}` is answered `{"type":"pong"}` on the same connection; anything else an app sends is ignored. */
export function createWsDefaultHandler(deps: WsDefaultDependencies) {
  return async (event: WebSocketEvent): Promise<WebSocketResult> => {
    const answer = event.isBase64Encoded ? undefined : answerTo(event.body);
    if (!answer) return { statusCode: 200 };
    const { connectionId } = event.requestContext;
    try {
      await deps.connections.post(connectionId, answer);
    } catch (error) {
      // A missed pong only makes the app reconnect sooner; the message itself was handled.
      logger.warn('pong not sent', { clientId: clientIdOf(event), connectionId, error: String(error) });
    }
    return { statusCode: 200 };
  };
}
