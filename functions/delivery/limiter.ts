/**
 * At most `limit` tasks run at once; the rest wait their turn in order.
 *
 * A finishing task hands its slot straight to the next waiter instead of freeing it: were the
 * slot freed, a caller arriving before the woken waiter resumed could take it too, and one
 * more task than `limit` would run (one more provider call in flight than the invocation's
 * sockets, which then queues inside the HTTP agent where no timeout or cutoff check sees it).
 */
export function createLimiter(limit: number) {
  let active = 0;
  const waiting: (() => void)[] = [];
  return async function run<T>(task: () => Promise<T>): Promise<T> {
    if (active < limit) active += 1;
    else await new Promise<void>((resolve) => waiting.push(resolve));
    try {
      return await task();
    } finally {
      const next = waiting.shift();
      if (next) next();
      else active -= 1;
    }
  };
}
