/**
 * The local WebSocket gateway (local/websocket.ts) with the real handlers (functions/api/websocket.ts)
 * on DynamoDB Local, and frames pushed by the publisher (functions/adapters/frame-publisher.ts) through
 * the unchanged `@aws-sdk/client-apigatewaymanagementapi` client against the local `@connections` endpoint.
 */
import { GetConnectionCommand, PostToConnectionCommand } from '@aws-sdk/client-apigatewaymanagementapi';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { WebSocket } from 'ws';
import { ConnectionsFramePublisher } from '../../functions/adapters/frame-publisher.js';
import { managementApiClient } from '../../functions/adapters/management-api.js';
import { hmacSigner } from '../../functions/adapters/hmac-signer.js';
import { signInboxToken } from '../../functions/domain/inbox-token.js';
import type { InboxFrame } from '../../functions/domain/inbox-frames.js';
import { connectionStore, framePublisher, managementApiPoster, systemClock } from '../../functions/handlers/wiring.js';
import type { ConnectionPoster, FramePublisher } from '../../functions/ports.js';
import { startHttpServer, type HttpServer } from '../../local/http.js';
import { createWebSocketGateway, localWebSocketHandlers, type WebSocketGateway } from '../../local/websocket.js';
import { createTestTables, documentClient, type TestTables } from '../support/aws.js';
import { waitFor } from '../support/e2e.js';

const signer = hmacSigner('local-websocket-test-key-0123456789abcdef');
const otherSigner = hmacSigner('another-key-entirely-0123456789abcdef');
let tables: TestTables;
let http: HttpServer;
let gateway: WebSocketGateway;
let frames: FramePublisher;
let poster: ConnectionPoster;
const db = documentClient();

beforeAll(async () => {
  tables = await createTestTables();
  let url = '';
  poster = managementApiPoster(() => url);
  const env = { CONNECTIONS_TABLE: tables.names.connections };
  frames = framePublisher(env, poster);
  gateway = createWebSocketGateway({ handlers: localWebSocketHandlers({ env, clock: systemClock, inboxSigner: async () => signer, poster }) });
  http = await startHttpServer({
    port: 0,
    handler: async () => ({ statusCode: 404, body: '' }),
    serveStatic: (request, response) => gateway.serveConnections(request, response),
    upgrade: gateway.upgrade,
  });
  url = http.url;
});
afterAll(async () => {
  await gateway.stop();
  await http.stop();
});

/** A connected app: every frame it got, in order. */
interface App {
  socket: WebSocket;
  frames: InboxFrame[];
  close(): Promise<void>;
}
const opened: App[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((app) => app.close()));
});

const tokenFor = (clientId: string) => signInboxToken(signer, clientId, 3600, new Date()).token;
const wsUrl = (token: string) => `${http.url.replace(/^http/, 'ws')}/ws?token=${encodeURIComponent(token)}`;

async function connect(clientId: string): Promise<App> {
  const socket = new WebSocket(wsUrl(tokenFor(clientId)));
  const app: App = {
    socket,
    frames: [],
    close: () =>
      new Promise((resolve) => {
        if (socket.readyState === WebSocket.CLOSED) return resolve();
        socket.once('close', () => resolve());
        socket.close();
      }),
  };
  socket.on('message', (data) => app.frames.push(JSON.parse(String(data)) as InboxFrame));
  await new Promise<void>((resolve, reject) => {
    socket.once('open', resolve);
    socket.once('error', reject);
  });
  opened.push(app);
  return app;
}

/** What an upgrade with this query is answered: the HTTP status of a refusal, or `open`. */
function upgradeWith(query: string): Promise<number | 'open'> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(`${http.url.replace(/^http/, 'ws')}/ws${query}`);
    socket.once('unexpected-response', (_request, response) => {
      resolve(response.statusCode ?? 0);
      socket.terminate();
    });
    socket.once('open', () => {
      resolve('open');
      socket.close();
    });
    socket.once('error', (error) => (error.message.includes('Unexpected server response') ? undefined : reject(error)));
  });
}

const storedConnections = async (clientId: string) =>
  (
    await db.send(
      new QueryCommand({ TableName: tables.names.connections, KeyConditionExpression: 'clientId = :c', ExpressionAttributeValues: { ':c': clientId } }),
    )
  ).Items ?? [];

describe('the local WebSocket gateway', () => {
  it('refuses a bad token at the upgrade with 401, and stores no connection', async () => {
    const forged = tokenFor('ws-victim').replace(/\.[^.]+$/, '.AAAA');
    expect(await upgradeWith('')).toBe(401);
    expect(await upgradeWith('?token=')).toBe(401);
    expect(await upgradeWith(`?token=${encodeURIComponent(forged)}`)).toBe(401);
    expect(await upgradeWith(`?token=${signInboxToken(signer, 'ws-victim', 3600, new Date(Date.now() - 7200_000)).token}`)).toBe(401);
    expect(await upgradeWith(`?token=${signInboxToken(otherSigner, 'ws-victim', 3600, new Date()).token}`)).toBe(401);
    expect(await storedConnections('ws-victim')).toEqual([]);
    // Negative control: the same upgrade with a good token opens.
    expect(await upgradeWith(`?token=${tokenFor('ws-victim')}`)).toBe('open');
  });

  it('stores a connection under its client on $connect and deletes it on $disconnect', async () => {
    const app = await connect('ws-store');
    const [stored] = await waitFor(
      'the stored connection',
      () => storedConnections('ws-store'),
      (items) => items.length === 1,
    );
    expect(stored).toMatchObject({ clientId: 'ws-store', connectionId: expect.any(String), expiration: expect.any(Number) });
    expect(gateway.connectionIds()).toContain(stored!.connectionId);
    await app.close();
    await waitFor(
      'the connection deleted',
      () => storedConnections('ws-store'),
      (items) => items.length === 0,
    );
  });

  it('answers {"action":"ping"} with {"type":"pong"}, and ignores anything else', async () => {
    const app = await connect('ws-ping');
    app.socket.send('hello');
    app.socket.send('{"action":"subscribe"}');
    app.socket.send('{"action":"ping"}');
    await waitFor(
      'the pong',
      async () => app.frames,
      (got) => got.length > 0,
    );
    app.socket.send('{"action":"ping"}');
    await waitFor(
      'the second pong',
      async () => app.frames,
      (got) => got.length > 1,
    );
    expect(app.frames).toEqual([{ type: 'pong' }, { type: 'pong' }]);
  });

  it('pushes frames, in order, to every connection of the client (two tabs) and to no other client, reading its connections once', async () => {
    const [tab1, tab2, other] = [await connect('ws-a'), await connect('ws-a'), await connect('ws-b')];
    await waitFor(
      'both connections of A stored',
      () => storedConnections('ws-a'),
      (items) => items.length === 2,
    );
    const item = { id: 'i1', title: 'Hello', text: 'there', createdAt: new Date().toISOString(), readAt: null };
    const connections = connectionStore({ CONNECTIONS_TABLE: tables.names.connections });
    const reads = vi.spyOn(connections, 'ofClient');
    // An in-app message's two frames, as the in-app sender sends them.
    await new ConnectionsFramePublisher(connections, poster).toClient('ws-a', { type: 'notification', item }, { type: 'unread', count: 1 });
    expect(reads).toHaveBeenCalledTimes(1);
    for (const tab of [tab1, tab2])
      await waitFor(
        'both frames in the tab',
        async () => tab.frames,
        (got) => got.length === 2,
      );
    expect(tab1.frames).toEqual([
      { type: 'notification', item },
      { type: 'unread', count: 1 },
    ]);
    expect(tab2.frames).toEqual(tab1.frames);
    // B's own frame goes after A's: once it arrives, A's would have arrived before it, had they been sent to B.
    await frames.toClient('ws-b', { type: 'unread', count: 7 });
    await waitFor(
      "B's frame",
      async () => other.frames,
      (got) => got.length > 0,
    );
    expect(other.frames).toEqual([{ type: 'unread', count: 7 }]);
    expect(tab1.frames).toHaveLength(2);
  });

  it('deletes a stale connection when @connections answers 410 GoneException, and still reaches the live one', async () => {
    const live = await connect('ws-gone');
    const staleId = 'StaleConnId0=';
    await connectionStore({ CONNECTIONS_TABLE: tables.names.connections }).add({
      clientId: 'ws-gone',
      connectionId: staleId,
      connectedAt: new Date().toISOString(),
      expiration: Math.floor(Date.now() / 1000) + 3600,
    });
    await waitFor(
      'both connections stored',
      () => storedConnections('ws-gone'),
      (items) => items.length === 2,
    );
    // The endpoint itself says gone, as API Gateway does, to the unchanged SDK client.
    const client = managementApiClient(http.url, { region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
    await expect(client.send(new PostToConnectionCommand({ ConnectionId: staleId, Data: Buffer.from('{}') }))).rejects.toMatchObject({
      name: 'GoneException',
      $metadata: { httpStatusCode: 410 },
    });
    const liveId = (await storedConnections('ws-gone')).map((item) => String(item.connectionId)).find((id) => id !== staleId);
    await expect(client.send(new GetConnectionCommand({ ConnectionId: liveId }))).resolves.toMatchObject({
      ConnectedAt: expect.any(Date),
      Identity: { SourceIp: '127.0.0.1' },
    });

    await expect(frames.toClient('ws-gone', { type: 'unread', count: 3 })).resolves.toBeUndefined();
    await waitFor(
      'the live frame',
      async () => live.frames,
      (got) => got.length === 1,
    );
    expect(live.frames).toEqual([{ type: 'unread', count: 3 }]);
    const left = await storedConnections('ws-gone');
    expect(left.map((item) => item.connectionId)).not.toContain(staleId);
    expect(left).toHaveLength(1);
  });

  it('never throws for a client with no connection, or whose every connection is gone', async () => {
    await expect(frames.toClient('ws-nobody', { type: 'unread', count: 0 })).resolves.toBeUndefined();
    const app = await connect('ws-closing');
    await waitFor(
      'stored',
      () => storedConnections('ws-closing'),
      (items) => items.length === 1,
    );
    app.socket.terminate();
    await expect(frames.toClient('ws-closing', { type: 'unread', count: 0 })).resolves.toBeUndefined();
    await waitFor(
      'deleted',
      () => storedConnections('ws-closing'),
      (items) => items.length === 0,
    );
  });
});
