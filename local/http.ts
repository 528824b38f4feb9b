/**
 * The local stand-in for API Gateway: a node:http server that turns each request into the
 * REST proxy event (`/{proxy+}`) the api Lambda receives on AWS, and writes the handler's
 * result back. The same handler runs in both places; only this adapter differs.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { problemResponse } from '../functions/api/problem.js';

export type ApiHandler = (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;

export interface HttpServerOptions {
  port: number;
  host?: string;
  handler: ApiHandler;
  /** Bodies above this are refused at the socket, unread (API Gateway's own limit is 10 MB). */
  maxBodyBytes?: number;
  /** How long stop() lets requests in flight finish before closing their connections. */
  stopGraceMs?: number;
  /** Answers what is not the API (the admin app's files, local/admin-static.ts); true when it did. */
  serveStatic?: (request: IncomingMessage, response: ServerResponse) => Promise<boolean>;
  /** Takes WebSocket upgrades (local/websocket.ts); without it an upgrade request is hung up on. */
  upgrade?: (request: IncomingMessage, socket: Duplex, head: Buffer) => void;
}

export interface HttpServer {
  url: string;
  stop(): Promise<void>;
}

export const MAX_SOCKET_BODY_BYTES = 1024 * 1024;
/** API Gateway's integration timeout: the handler's context reports its remaining time against it. */
const INTEGRATION_TIMEOUT_MS = 29_000;

class BodyTooLarge extends Error {}

/** Reads the body up to `limit` bytes; past it, stops reading instead of buffering the rest. */
async function readBody(request: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(request.headers['content-length'] ?? 0);
  if (declared > limit) throw new BodyTooLarge();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw new BodyTooLarge();
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/** What toProxyEvent reads of a request: a socket's, or one described by hand (the bench's first api invocation, bench/bundles.ts). */
export type ProxyRequest = Pick<IncomingMessage, 'url' | 'method' | 'rawHeaders' | 'headers' | 'httpVersion'> & {
  socket: { remoteAddress?: string | undefined };
};

function headersOf(request: ProxyRequest) {
  const headers: Record<string, string> = {};
  const multiValueHeaders: Record<string, string[]> = {};
  for (let i = 0; i + 1 < request.rawHeaders.length; i += 2) {
    const name = request.rawHeaders[i] as string;
    const value = request.rawHeaders[i + 1] as string;
    headers[name] = value;
    (multiValueHeaders[name] ??= []).push(value);
  }
  return { headers, multiValueHeaders };
}

function queryOf(url: URL) {
  if ([...url.searchParams.keys()].length === 0) return { queryStringParameters: null, multiValueQueryStringParameters: null };
  const single: Record<string, string> = {};
  const multi: Record<string, string[]> = {};
  for (const [name, value] of url.searchParams) {
    single[name] = value;
    (multi[name] ??= []).push(value);
  }
  return { queryStringParameters: single, multiValueQueryStringParameters: multi };
}

export function toProxyEvent(request: ProxyRequest, body: Buffer, requestId: string): APIGatewayProxyEvent {
  const url = new URL(request.url ?? '/', 'http://localhost');
  const method = request.method ?? 'GET';
  const path = url.pathname;
  const { headers, multiValueHeaders } = headersOf(request);
  return {
    httpMethod: method,
    path,
    resource: '/{proxy+}',
    pathParameters: path === '/' ? null : { proxy: path.slice(1) },
    stageVariables: null,
    headers,
    multiValueHeaders,
    ...queryOf(url),
    body: body.length > 0 ? body.toString('utf8') : null,
    isBase64Encoded: false,
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      authorizer: null,
      protocol: `HTTP/${request.httpVersion}`,
      httpMethod: method,
      path,
      stage: 'local',
      requestId,
      requestTimeEpoch: Date.now(),
      resourceId: 'local',
      resourcePath: '/{proxy+}',
      identity: {
        accessKey: null,
        accountId: null,
        apiKey: null,
        apiKeyId: null,
        caller: null,
        clientCert: null,
        cognitoAuthenticationProvider: null,
        cognitoAuthenticationType: null,
        cognitoIdentityId: null,
        cognitoIdentityPoolId: null,
        principalOrgId: null,
        sourceIp: request.socket.remoteAddress ?? '127.0.0.1',
        user: null,
        userAgent: request.headers['user-agent'] ?? null,
        userArn: null,
      },
    },
  };
}

function lambdaContext(requestId: string): Context {
  const deadline = Date.now() + INTEGRATION_TIMEOUT_MS;
  const unsupported = () => {
    throw new Error('callback-style completion is not supported locally');
  };
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: 'herald-api-local',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:herald-api-local',
    memoryLimitInMB: '1024',
    awsRequestId: requestId,
    logGroupName: '/aws/lambda/herald-api-local',
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: unsupported,
    fail: unsupported,
    succeed: unsupported,
  };
}

function write(response: ServerResponse, result: APIGatewayProxyResult, closeAfter = false): void {
  const body = result.body ? Buffer.from(result.body, result.isBase64Encoded ? 'base64' : 'utf8') : Buffer.alloc(0);
  for (const [name, values] of Object.entries(result.multiValueHeaders ?? {})) response.setHeader(name, values.map(String));
  for (const [name, value] of Object.entries(result.headers ?? {})) response.setHeader(name, String(value));
  response.setHeader('Content-Length', body.length);
  if (closeAfter) response.setHeader('Connection', 'close');
  response.writeHead(result.statusCode);
  response.end(body);
}

export async function startHttpServer(options: HttpServerOptions): Promise<HttpServer> {
  const { handler, port, host = '127.0.0.1', maxBodyBytes = MAX_SOCKET_BODY_BYTES, stopGraceMs = 5000, serveStatic, upgrade } = options;

  let stopping = false;
  const server = createServer(async (request, response) => {
    const requestId = randomUUID();
    const instance = new URL(request.url ?? '/', 'http://localhost').pathname;
    if (serveStatic && (await serveStatic(request, response).catch(() => false))) return;
    let body: Buffer;
    try {
      body = await readBody(request, maxBodyBytes);
    } catch (error) {
      if (!(error instanceof BodyTooLarge)) {
        request.destroy();
        return;
      }
      // Answer and hang up: the rest of the body is never read, so it is never buffered.
      const detail = `body is larger than ${maxBodyBytes} bytes`;
      write(
        response,
        problemResponse({ status: 413, title: 'Payload too large', detail, instance, requestId, errors: [{ field: 'body', message: detail }] }),
        true,
      );
      return;
    }
    let result: APIGatewayProxyResult;
    try {
      result = await handler(toProxyEvent(request, body, requestId), lambdaContext(requestId));
    } catch {
      // The handler turns its own errors into problems; reaching here means it crashed, as a Lambda would.
      result = problemResponse({ status: 502, title: 'Bad gateway', detail: 'The API handler failed.', instance, requestId });
    }
    // While stopping, a keep-alive connection ends with its answer instead of idling on.
    write(response, result, stopping);
  });

  server.on('upgrade', upgrade ?? ((_request, socket: Duplex) => socket.destroy()));

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;

  return {
    url: `http://${host}:${address.port}`,
    stop: () =>
      new Promise<void>((resolve, reject) => {
        // Stop accepting, drop idle keep-alive connections now, and busy ones once their answer is out (or after the grace period).
        stopping = true;
        const force = setTimeout(() => server.closeAllConnections(), stopGraceMs);
        force.unref();
        server.close((error) => {
          clearTimeout(force);
          if (error) reject(error);
          else resolve();
        });
        server.closeIdleConnections();
      }),
  };
}
