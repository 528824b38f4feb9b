/**
 * Lambda runs each concurrent invocation in an execution environment of its own, with its
 * own module state (the send handler's provider limiter and HTTP agent among it). This gives
 * every concurrent invocation its own handler instance, reusing idle ones as Lambda reuses
 * warm environments, so the local runtime's concurrency matches Lambda's.
 */
export function perEnvironment<E, R>(create: () => (event: E) => Promise<R>): (event: E) => Promise<R> {
  const idle: ((event: E) => Promise<R>)[] = [];
  return async (event) => {
    const handler = idle.pop() ?? create();
    try {
      return await handler(event);
    } finally {
      idle.push(handler);
    }
  };
}
