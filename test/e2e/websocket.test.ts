/** `npm start`'s WebSocket (local/runtime.ts): ws://127.0.0.1:{PORT}/ws?token=..., on the API's own port. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { hmacSigner } from '../../functions/adapters/hmac-signer.js';
import { signInboxToken } from '../../functions/domain/inbox-token.js';
import type { LocalRuntime } from '../../local/runtime.js';
import { startTestRuntime } from '../support/e2e.js';

let runtime: LocalRuntime;
beforeAll(async () => {
  runtime = await startTestRuntime();
});
afterAll(() => runtime.stop());

/** The status of a refused upgrade, or the socket once it opened. */
function open(token: string): Promise<number | WebSocket> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(`${runtime.websocketUrl}?token=${encodeURIComponent(token)}`);
    socket.once('unexpected-response', (_request, response) => {
      resolve(response.statusCode ?? 0);
      socket.terminate();
    });
    socket.once('open', () => resolve(socket));
    socket.once('error', (error) => (error.message.includes('Unexpected server response') ? undefined : reject(error)));
  });
}

describe('npm start: the WebSocket', () => {
  it('is served on the API port at /ws', () => {
    expect(runtime.websocketUrl).toBe(`${runtime.url.replace('http://', 'ws://')}/ws`);
  });

  it('refuses a token signed with another key at the upgrade (401), and answers a ping with a pong for a good one', async () => {
    expect(await open(signInboxToken(hmacSigner('not-the-runtime-key-0123456789abcdef'), 'e2e-ws', 600, new Date()).token)).toBe(401);
    const socket = await open(signInboxToken(hmacSigner(runtime.inboxTokenKey), 'e2e-ws', 600, new Date()).token);
    if (typeof socket === 'number') throw new Error(`refused with ${socket}`);
    const pong = new Promise<string>((resolve) => socket.once('message', (data) => resolve(String(data))));
    socket.send(JSON.stringify({ action: 'ping' }));
    expect(JSON.parse(await pong)).toEqual({ type: 'pong' });
    // A frame through the runtime's publisher reaches it over the local @connections endpoint.
    const frame = new Promise<string>((resolve) => socket.once('message', (data) => resolve(String(data))));
    await runtime.frames.toClient('e2e-ws', { type: 'unread', count: 2 });
    expect(JSON.parse(await frame)).toEqual({ type: 'unread', count: 2 });
    socket.close();
  });
});
