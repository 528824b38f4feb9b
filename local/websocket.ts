/**
 * The local stand-in for API Gateway's WebSocket API, on the API's own port (local/http.ts), with
 * the npm package `ws`:
 *
 * - `ws://127.0.0.1:{PORT}/ws?token=...`: the upgrade runs the REQUEST authorizer with the event
 *   API Gateway builds for `$connect` (a missing `token` is 401 without it, as its identity source
 *   makes it), then the `$connect` handler; a refusal answers the upgrade with 401 (403 for a Deny,
 *   the handler's own status for a refused `$connect`), and no socket is opened. Each message runs
 *   `$default`, each close `$disconnect`, with `requestContext.connectionId`, `routeKey`,
 *   `eventType` and the authorizer's context, as on AWS.
 * - `/@connections/{connectionId}`: the Management API (POST sends the body on the socket, GET
 *   describes the connection, DELETE closes it; 410 GoneException for one that is gone), so the
 *   publisher's `@aws-sdk/client-apigatewaymanagementapi` client runs unchanged against this port.
 *
 * An idle connection is closed after API Gateway's ten minutes.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { APIGatewayAuthorizerResult, APIGatewayRequestAuthorizerEvent } from 'aws-lambda';
import { WebSocket, WebSocketServer, type RawData } from 'ws';
import {
  UNAUTHORIZED,
  createWsAuthorizerHandler,
  createWsConnectHandler,
  createWsDefaultHandler,
  createWsDisconnectHandler,
  type WebSocketEvent,
  type WebSocketResult,
} from '../functions/api/websocket.js';
import type { WsConnectionsEnv } from '../functions/adapters/config.js';
import { wsConnectionsDependencies } from '../functions/handlers/wiring.js';
import type { Clock, ConnectionPoster, TokenSigner } from '../functions/ports.js';
import { silentLogger, type LocalLogger } from './ports.js';

export interface WebSocketHandlers {
  authorizer: (event: APIGatewayRequestAuthorizerEvent) => Promise<APIGatewayAuthorizerResult>;
  connect: (event: WebSocketEvent) => Promise<WebSocketResult>;
  disconnect: (event: WebSocketEvent) => Promise<WebSocketResult>;
  default: (event: WebSocketEvent) => Promise<WebSocketResult>;
}

/** The four handlers as their Lambda entries build them, with the local key and the local `@connections` poster. */
export function localWebSocketHandlers(settings: {
  env: WsConnectionsEnv;
  clock: Clock;
  inboxSigner: () => Promise<TokenSigner>;
  poster: ConnectionPoster;
}): WebSocketHandlers {
  const { env, clock, inboxSigner, poster } = settings;
  return {
    authorizer: createWsAuthorizerHandler({ clock, inboxSigner }),
    connect: createWsConnectHandler(wsConnectionsDependencies(env, { clock })),
    disconnect: createWsDisconnectHandler(wsConnectionsDependencies(env, { clock })),
    default: createWsDefaultHandler({ connections: poster }),
  };
}

export interface WebSocketGatewayOptions {
  handlers: WebSocketHandlers;
  /** The path apps connect to. */
  path?: string;
  /** API Gateway closes a connection that neither sent nor received for ten minutes. */
  idleTimeoutMs?: number;
  logger?: LocalLogger;
}

export interface WebSocketGateway {
  /** The http server's `upgrade` listener. */
  upgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void;
  /** Answers `/@connections/...`; false for any other request. */
  serveConnections(request: IncomingMessage, response: ServerResponse): Promise<boolean>;
  /** The ids of the open connections (tests look a connection up by them). */
  connectionIds(): string[];
  /** Closes every connection, each through `$disconnect`. */
  stop(): Promise<void>;
}

export const WS_PATH = '/ws';
const STAGE = 'local';
const API_ID = 'local';
/** API Gateway's limit on one frame a backend posts. */
const MAX_POST_BYTES = 128 * 1024;
const IDLE_TIMEOUT_MS = 10 * 60 * 1000;
const CONNECTIONS_PATH = /^\/(?:[^/@]+\/)?@connections\/([^/]+)$/;

interface Connection {
  socket: WebSocket;
  authorizer: Record<string, string>;
  connectedAt: number;
  lastActiveAt: number;
  sourceIp: string;
  userAgent: string;
  idle?: NodeJS.Timeout;
  closed: Promise<void>;
}

/** `Unauthorized` is 401 by API Gateway's rule; any other authorizer failure 500. */
const STATUS_TEXT: Record<number, string> = { 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 500: 'Internal Server Error' };

function refuse(socket: Duplex, status: number): void {
  if (socket.destroyed) return;
  const body = JSON.stringify({ message: STATUS_TEXT[status] ?? 'Refused' });
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_TEXT[status] ?? 'Refused'}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

function allows(result: APIGatewayAuthorizerResult, methodArn: string): boolean {
  const statements = result.policyDocument?.Statement ?? [];
  const matches = (statement: (typeof statements)[number]) => {
    const resources = 'Resource' in statement ? [statement.Resource].flat() : [];
    return resources.some((resource) => resource === methodArn || resource === '*');
  };
  return !statements.some((s) => s.Effect === 'Deny' && matches(s)) && statements.some((s) => s.Effect === 'Allow' && matches(s));
}

/** API Gateway's connection ids: 16 characters of base64, like `L0SM9cOFvHcCIhw=`. */
const newConnectionId = () => randomBytes(11).toString('base64');

function lowerCaseValues(record: Record<string, unknown> | null | undefined): Record<string, string> {
  return Object.fromEntries(Object.entries(record ?? {}).map(([key, value]) => [key, String(value)]));
}

export function createWebSocketGateway(options: WebSocketGatewayOptions): WebSocketGateway {
  const { handlers, path = WS_PATH, idleTimeoutMs = IDLE_TIMEOUT_MS, logger = silentLogger } = options;
  const server = new WebSocketServer({ noServer: true, maxPayload: MAX_POST_BYTES });
  const connections = new Map<string, Connection>();
  let stopping = false;

  const requestContext = (connectionId: string, routeKey: string, eventType: 'CONNECT' | 'MESSAGE' | 'DISCONNECT', connectedAt: number) => ({
    routeKey,
    eventType,
    messageId: randomUUID(),
    extendedRequestId: randomUUID(),
    requestTime: new Date().toUTCString(),
    messageDirection: 'IN' as const,
    stage: STAGE,
    connectedAt,
    requestTimeEpoch: Date.now(),
    requestId: randomUUID(),
    domainName: 'localhost',
    connectionId,
    apiId: API_ID,
  });

  const routeEvent = (
    connectionId: string,
    connection: Pick<Connection, 'authorizer' | 'connectedAt'>,
    route: '$connect' | '$disconnect' | '$default',
    extra: Partial<WebSocketEvent> = {},
  ) => {
    const eventType = route === '$connect' ? 'CONNECT' : route === '$disconnect' ? 'DISCONNECT' : 'MESSAGE';
    return {
      isBase64Encoded: false,
      ...extra,
      requestContext: { ...requestContext(connectionId, route, eventType, connection.connectedAt), authorizer: connection.authorizer },
    } as WebSocketEvent;
  };

  const touch = (connectionId: string) => {
    const connection = connections.get(connectionId);
    if (!connection) return;
    connection.lastActiveAt = Date.now();
    if (connection.idle) clearTimeout(connection.idle);
    connection.idle = setTimeout(() => connection.socket.close(1001, 'Going away'), idleTimeoutMs);
    connection.idle.unref();
  };

  async function open(request: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://localhost');
    if (url.pathname !== path || stopping) return refuse(socket, 404);
    const query = Object.fromEntries(url.searchParams);
    if (!query.token) return refuse(socket, 401);
    const connectionId = newConnectionId();
    const connectedAt = Date.now();
    const methodArn = `arn:aws:execute-api:us-east-1:000000000000:${API_ID}/${STAGE}/$connect`;
    const headers = lowerCaseValues(request.headers as Record<string, unknown>);
    let authorization: APIGatewayAuthorizerResult;
    try {
      authorization = await handlers.authorizer({
        type: 'REQUEST',
        methodArn,
        headers,
        queryStringParameters: query,
        requestContext: requestContext(connectionId, '$connect', 'CONNECT', connectedAt),
      } as unknown as APIGatewayRequestAuthorizerEvent);
    } catch (error) {
      return refuse(socket, (error as Error).message === UNAUTHORIZED ? 401 : 500);
    }
    if (!allows(authorization, methodArn)) return refuse(socket, 403);
    const authorizer = { ...lowerCaseValues(authorization.context), principalId: authorization.principalId };
    const connection = { authorizer, connectedAt };
    let connected: WebSocketResult;
    try {
      connected = await handlers.connect(routeEvent(connectionId, connection, '$connect', { queryStringParameters: query, headers } as never));
    } catch (error) {
      logger.error('$connect failed', { connectionId, error: String(error) });
      return refuse(socket, 500);
    }
    if (connected.statusCode < 200 || connected.statusCode > 299) return refuse(socket, connected.statusCode);
    if (socket.destroyed) {
      // The app went away while $connect ran: API Gateway would still report its $disconnect.
      await handlers.disconnect(routeEvent(connectionId, connection, '$disconnect')).catch(() => undefined);
      return;
    }
    server.handleUpgrade(request, socket, head, (ws) => accept(ws, connectionId, connection, request));
  }

  function accept(socket: WebSocket, connectionId: string, base: Pick<Connection, 'authorizer' | 'connectedAt'>, request: IncomingMessage): void {
    let closed!: () => void;
    const connection: Connection = {
      ...base,
      socket,
      lastActiveAt: Date.now(),
      sourceIp: request.socket.remoteAddress ?? '127.0.0.1',
      userAgent: request.headers['user-agent'] ?? '',
      closed: new Promise((resolve) => (closed = resolve)),
    };
    connections.set(connectionId, connection);
    touch(connectionId);
    socket.on('message', (data: RawData, isBinary: boolean) => {
      touch(connectionId);
      const bytes = Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
      const body = isBinary ? bytes.toString('base64') : bytes.toString('utf8');
      handlers.default(routeEvent(connectionId, base, '$default', { body, isBase64Encoded: isBinary })).catch((error: unknown) => {
        logger.error('$default failed', { connectionId, error: String(error) });
      });
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      if (connection.idle) clearTimeout(connection.idle);
      connections.delete(connectionId);
      handlers
        .disconnect(routeEvent(connectionId, base, '$disconnect'))
        .catch((error: unknown) => logger.error('$disconnect failed', { connectionId, error: String(error) }))
        .finally(closed);
    });
  }

  /** A Management API error as the SDK reads it: the type in `x-amzn-ErrorType`, the status code. */
  function fail(response: ServerResponse, status: number, type: string): void {
    const body = JSON.stringify({ message: null });
    response.writeHead(status, { 'Content-Type': 'application/json', 'x-amzn-ErrorType': type, 'Content-Length': Buffer.byteLength(body) });
    response.end(body);
  }

  async function readBody(request: IncomingMessage): Promise<Buffer | undefined> {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of request as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > MAX_POST_BYTES) return undefined;
      chunks.push(chunk);
    }
    return Buffer.concat(chunks);
  }

  return {
    upgrade(request, socket, head) {
      open(request, socket, head).catch((error: unknown) => {
        logger.error('upgrade failed', { error: String(error) });
        refuse(socket, 500);
      });
    },

    async serveConnections(request, response) {
      const match = CONNECTIONS_PATH.exec(new URL(request.url ?? '/', 'http://localhost').pathname);
      if (!match) return false;
      const connectionId = decodeURIComponent(match[1] as string);
      const connection = connections.get(connectionId);
      const method = request.method ?? 'GET';
      if (method === 'POST') {
        const body = await readBody(request);
        if (body === undefined) fail(response, 413, 'PayloadTooLargeException');
        else if (!connection || connection.socket.readyState !== WebSocket.OPEN) fail(response, 410, 'GoneException');
        else {
          connection.socket.send(body.toString('utf8'));
          touch(connectionId);
          response.writeHead(200, { 'Content-Length': 0 }).end();
        }
      } else if (!connection) {
        await readBody(request);
        fail(response, 410, 'GoneException');
      } else if (method === 'DELETE') {
        connection.socket.close(1000);
        response.writeHead(204).end();
      } else if (method === 'GET') {
        // The wire names are camel case (the SDK's jsonName traits); the SDK hands them back as ConnectedAt, Identity, LastActiveAt.
        const body = JSON.stringify({
          connectedAt: new Date(connection.connectedAt).toISOString(),
          identity: { sourceIp: connection.sourceIp, userAgent: connection.userAgent },
          lastActiveAt: new Date(connection.lastActiveAt).toISOString(),
        });
        response.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) }).end(body);
      } else {
        fail(response, 405, 'ForbiddenException');
      }
      return true;
    },

    connectionIds: () => [...connections.keys()],

    async stop() {
      stopping = true;
      const closing = [...connections.values()].map((connection) => {
        connection.socket.close(1001, 'Going away');
        // A socket whose peer never answers the close is cut after a moment.
        setTimeout(() => connection.socket.terminate(), 1000).unref();
        return connection.closed;
      });
      await Promise.all(closing);
      server.close();
    },
  };
}
