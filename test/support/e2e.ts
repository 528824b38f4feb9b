/**
 * What the end-to-end tests share: local runtimes on the run's DynamoDB Local and SQS
 * emulator, JSON calls over real HTTP, and waiting for a state to come about.
 */
import { afterEach } from 'vitest';
import { startLocalRuntime, type LocalRuntime, type LocalRuntimeOptions } from '../../local/runtime.js';
import { dynamoEndpoint, sqsEndpoint, uniqueSuffix } from './aws.js';

/** A runtime with its own tables and queues, fast scheduler and short backoffs; `options` override. */
export function startTestRuntime(options: LocalRuntimeOptions = {}): Promise<LocalRuntime> {
  return startLocalRuntime({
    port: 0,
    dynamoEndpoint: dynamoEndpoint(),
    sqsEndpoint: sqsEndpoint(),
    suffix: uniqueSuffix(),
    schedulerIntervalMs: 200,
    maxBackoffSeconds: 2,
    ...options,
  });
}

/** `start` for a test file whose tests each start their own runtimes: every one is stopped after its test. */
export function runtimePerTest(defaults: LocalRuntimeOptions = {}): (options?: LocalRuntimeOptions) => Promise<LocalRuntime> {
  const running: LocalRuntime[] = [];
  afterEach(async () => {
    await Promise.all(running.splice(0).map((runtime) => runtime.stop()));
  });
  return async (options = {}) => {
    const runtime = await startTestRuntime({ ...defaults, ...options });
    running.push(runtime);
    return runtime;
  };
}

/** A JSON request to a runtime (or any base URL): the status and the parsed body, if any. */
export async function callApi<T = Record<string, unknown>>(
  target: Pick<LocalRuntime, 'url'>,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; body: T }> {
  const response = await fetch(`${target.url}${path}`, {
    method,
    ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
  });
  const text = await response.text();
  return { status: response.status, body: (text ? JSON.parse(text) : undefined) as T };
}

/** Reads until `done` holds, or fails naming what it waited for and the last value read. */
export async function waitFor<T>(what: string, read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 90_000, pollMs = 200): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last = await read();
  while (!done(last)) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(last)}`);
    await new Promise((resolve) => setTimeout(resolve, pollMs));
    last = await read();
  }
  return last;
}
