/**
 * Lambda runs each concurrent invocation in an execution environment of its own, with its
 * own module state (the send handler's provider limiter and HTTP agent among it). This gives
 * every concurrent invocation its own handler instance, reusing idle ones as Lambda reuses
 * warm environments, so the local runtime's concurrency matches Lambda's.
 */
export function perEnvironment<A extends unknown[], R>(create: () => (...args: A) => Promise<R>): (...args: A) => Promise<R> {
  const idle: ((...args: A) => Promise<R>)[] = [];
  return async (...args) => {
    const handler = idle.pop() ?? create();
    try {
      return await handler(...args);
    } finally {
      idle.push(handler);
    }
  };
}
