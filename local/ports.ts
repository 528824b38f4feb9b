/**
 * Small helpers the local pieces share.
 *
 * - `freePort(host?)`: a TCP port that nothing listens on right now (asks the OS for one
 *   by binding port 0, then releases it). Used for processes that cannot bind port 0
 *   themselves and report back, such as DynamoDB Local.
 * - `LOOPBACK`: the address every local server binds to.
 * - `LocalLogger`: the few logger methods the local pieces call; the Powertools
 *   `logger` fits it, and `silentLogger` is the default.
 */
import { createServer } from 'node:net';

export const LOOPBACK = '127.0.0.1';

export function freePort(host: string = LOOPBACK): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      if (address === null || typeof address === 'string') {
        server.close();
        reject(new Error('could not read the port the OS assigned'));
        return;
      }
      server.close(() => resolve(address.port));
    });
  });
}

export interface LocalLogger {
  debug(message: string, extra?: Record<string, unknown>): void;
  info(message: string, extra?: Record<string, unknown>): void;
  warn(message: string, extra?: Record<string, unknown>): void;
  error(message: string, extra?: Record<string, unknown>): void;
}

const nothing = () => undefined;
export const silentLogger: LocalLogger = { debug: nothing, info: nothing, warn: nothing, error: nothing };

/** Error details a log line can carry (an Error's own fields do not survive JSON.stringify). */
export function describeError(error: unknown): Record<string, unknown> {
  if (error instanceof Error) return { errorName: error.name, errorMessage: error.message };
  return { errorMessage: String(error) };
}

/**
 * Runs `check` now and then `intervalMs` after each run ends (never two at once), until the
 * returned stop, which waits for a run in progress. The local schedulers' loop.
 */
export function repeatEvery(intervalMs: number, check: () => Promise<void>): () => Promise<void> {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let current: Promise<void> = Promise.resolve();
  const loop = () => {
    if (stopped) return;
    current = check().then(() => {
      if (!stopped) timer = setTimeout(loop, intervalMs);
    });
  };
  loop();
  return async () => {
    stopped = true;
    clearTimeout(timer);
    await current;
  };
}
