/** The WebSocket `$connect` authorizer and `$default` route (functions/api/websocket.ts), as API Gateway invokes them. */
import type { APIGatewayRequestAuthorizerEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { UNAUTHORIZED, createWsAuthorizerHandler, createWsDefaultHandler, type WebSocketEvent } from '../../functions/api/websocket.js';
import { signInboxToken as signWith } from '../../functions/domain/inbox-token.js';
import { hmacSigner } from '../../functions/adapters/hmac-signer.js';
import type { InboxFrame } from '../../functions/domain/inbox-frames.js';

const KEY = 'k'.repeat(32);
const signInboxToken = (clientId: string, key: string, at: Date, ttl: number) => signWith(hmacSigner(key), clientId, ttl, at);
const now = new Date('2026-03-01T12:00:00.000Z');
const methodArn = 'arn:aws:execute-api:us-east-1:123456789012:abcdef1234/v1/$connect';

const authorizerEvent = (query: Record<string, string> | null): APIGatewayRequestAuthorizerEvent =>
  ({ type: 'REQUEST', methodArn, headers: {}, queryStringParameters: query, requestContext: { routeKey: '$connect', eventType: 'CONNECT' } }) as never;

function authorizer() {
  let keyReads = 0;
  const handler = createWsAuthorizerHandler({
    clock: { now: () => now },
    inboxSigner: async () => {
      keyReads++;
      return hmacSigner(KEY);
    },
  });
  return { handler, keyReads: () => keyReads };
}

describe('the $connect authorizer', () => {
  it('allows exactly this $connect, naming the client in the principal and the context', async () => {
    const { token } = signInboxToken('client-a', KEY, now, 3600);
    expect(await authorizer().handler(authorizerEvent({ token }))).toEqual({
      principalId: 'client-a',
      policyDocument: { Version: '2012-10-17', Statement: [{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: methodArn }] },
      context: { clientId: 'client-a' },
    });
  });

  it('refuses with Unauthorized (API Gateway answers 401 at the upgrade): forged, expired, another key, not a JWT', async () => {
    const { token } = signInboxToken('client-a', KEY, now, 3600);
    const [header, payload] = token.split('.') as [string, string];
    const forgedPayload = Buffer.from(JSON.stringify({ sub: 'client-b', aud: 'herald-inbox', exp: 9e9 })).toString('base64url');
    const bad = {
      forged: `${header}.${forgedPayload}.${token.split('.')[2]}`,
      expired: signInboxToken('client-a', KEY, new Date(now.getTime() - 3601_000), 3600).token,
      otherKey: signInboxToken('client-a', 'o'.repeat(32), now, 3600).token,
      cut: `${header}.${payload}`,
      garbage: 'not-a-token',
    };
    for (const [name, bad_] of Object.entries(bad)) await expect(authorizer().handler(authorizerEvent({ token: bad_ })), name).rejects.toThrow(UNAUTHORIZED);
    // Negative control: the same calls with the good token are allowed, so the refusals are the token's.
    await expect(authorizer().handler(authorizerEvent({ token }))).resolves.toMatchObject({ principalId: 'client-a' });
  });

  it('refuses a missing token without reading the key', async () => {
    for (const query of [null, {}, { token: '' }, { other: 'x' }]) {
      const { handler, keyReads } = authorizer();
      await expect(handler(authorizerEvent(query as Record<string, string> | null))).rejects.toThrow(UNAUTHORIZED);
      expect(keyReads()).toBe(0);
    }
  });
});

const messageEvent = (body: string | undefined, isBase64Encoded = false): WebSocketEvent =>
  ({
    body,
    isBase64Encoded,
    requestContext: { routeKey: '$default', eventType: 'MESSAGE', connectionId: 'conn-1', authorizer: { clientId: 'client-a' } },
  }) as never;

describe('the $default route', () => {
  function withPoster(fail?: Error) {
    const posted: [string, InboxFrame][] = [];
    const handler = createWsDefaultHandler({
      connections: {
        post: async (connectionId, frame) => {
          posted.push([connectionId, frame]);
          if (fail) throw fail;
          return 'sent';
        },
      },
    });
    return { handler, posted };
  }

  it('answers a ping with a pong on the same connection', async () => {
    const { handler, posted } = withPoster();
    expect(await handler(messageEvent('{"action":"ping"}'))).toEqual({ statusCode: 200 });
    expect(posted).toEqual([['conn-1', { type: 'pong' }]]);
  });

  it('answers nothing else, and never fails for what an app sends or a pong that could not go', async () => {
    const { handler, posted } = withPoster();
    for (const body of [undefined, '', 'hello', '{"action":"subscribe"}', '[]']) expect(await handler(messageEvent(body))).toEqual({ statusCode: 200 });
    expect(await handler(messageEvent(Buffer.from('{"action":"ping"}').toString('base64'), true))).toEqual({ statusCode: 200 });
    expect(posted).toEqual([]);
    const failing = withPoster(new Error('throttled'));
    expect(await failing.handler(messageEvent('{"action":"ping"}'))).toEqual({ statusCode: 200 });
    expect(failing.posted).toHaveLength(1);
  });
});
