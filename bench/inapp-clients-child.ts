/**
 * The in-app section's end users (./inapp.ts), in a process of their own: on AWS the apps are
 * remote, and here, in the runtime's process, parsing a thousand sockets' frames would share an
 * event loop with the sender whose latency is measured.
 *
 * Input: the first line on stdin, JSON InappClientsRequest (a thousand tokens are too long for argv). Output, one JSON line each on stdout:
 * `{"ready":true}` once every client is connected, then `{"frame":i,"type":...,"at":ms,"itemId"?:...}`
 * for each frame client i receives (at: Date.now() on arrival, the same clock as the bench's).
 * A later line `ping` makes every client send `{"action":"ping"}` once; stdin closing closes
 * every socket (so `$disconnect` runs) and then the process exits.
 */
import { createInterface } from 'node:readline';
import WebSocket from 'ws';

export interface InappClientsRequest {
  url: string;
  tokens: string[];
  /** Connections opened at once. */
  concurrency: number;
  /** Between one client's ping and the next: a session pings on its own timer, not all in the same instant. */
  pingGapMs: number;
}

export type InappClientsLine = { ready: true } | { frame: number; type: string; at: number; itemId?: string } | { error: string };

const lines = createInterface({ input: process.stdin });
const request = await new Promise<InappClientsRequest>((resolve) => lines.once('line', (line) => resolve(JSON.parse(line) as InappClientsRequest)));
const write = (line: InappClientsLine) => process.stdout.write(`${JSON.stringify(line)}\n`);
const sockets: WebSocket[] = [];

function connect(index: number, token: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(`${request.url}?token=${encodeURIComponent(token)}`);
    socket.on('message', (data) => {
      const at = Date.now();
      const frame = JSON.parse(String(data)) as { type: string; item?: { id?: string } };
      write({ frame: index, type: frame.type, at, ...(frame.item?.id ? { itemId: frame.item.id } : {}) });
    });
    socket.once('open', () => resolve(socket));
    socket.once('error', reject);
    socket.once('unexpected-response', (_request, response) => reject(new Error(`client ${index}: upgrade refused with ${response.statusCode}`)));
  });
}

try {
  let next = 0;
  const worker = async () => {
    while (next < request.tokens.length) {
      const index = next++;
      sockets[index] = await connect(index, request.tokens[index] as string);
    }
  };
  await Promise.all(Array.from({ length: request.concurrency }, worker));
  write({ ready: true });
} catch (error) {
  write({ error: error instanceof Error ? error.message : String(error) });
}

lines.on('line', (line) => {
  if (line !== 'ping') return;
  void (async () => {
    for (const socket of sockets) {
      socket?.send(JSON.stringify({ action: 'ping' }));
      await new Promise((wake) => setTimeout(wake, request.pingGapMs));
    }
  })();
});
process.stdin.once('close', () => {
  const closed = sockets.filter(Boolean).map((socket) => new Promise<void>((resolve) => (socket.once('close', () => resolve()), socket.close())));
  const deadline = setTimeout(() => process.exit(0), 10_000);
  void Promise.all(closed).then(() => {
    clearTimeout(deadline);
    process.exit(0);
  });
});
