import { describe, expect, it } from 'vitest';
import { createLimiter } from '../../functions/delivery/limiter.js';

/** A task that stays in flight until released, recording how many run at once. */
function tracker() {
  let running = 0;
  let most = 0;
  const releases: (() => void)[] = [];
  const task = () =>
    new Promise<void>((resolve) => {
      running += 1;
      most = Math.max(most, running);
      releases.push(() => {
        running -= 1;
        resolve();
      });
    });
  return { task, releases, most: () => most, running: () => running };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('createLimiter', () => {
  it('never runs more than its limit, also when a caller arrives while a finished slot is handed on', async () => {
    const limit = createLimiter(2);
    const t = tracker();
    const done = [limit(t.task), limit(t.task), limit(t.task)];
    await tick();
    expect(t.running()).toBe(2);
    // A slot ends and a new caller arrives right after, before the woken waiter resumes: only one of them may run.
    t.releases.shift()!();
    queueMicrotask(() => done.push(limit(t.task)));
    await tick();
    expect(t.running()).toBe(2);
    while (t.releases.length) {
      t.releases.shift()!();
      await tick();
    }
    await Promise.all(done);
    expect(t.most()).toBe(2);
  });

  it('keeps the limit busy: a waiting task starts as soon as a slot ends, in order', async () => {
    const limit = createLimiter(1);
    const order: number[] = [];
    const t = tracker();
    const runs = [1, 2, 3].map((n) => limit(() => (order.push(n), t.task())));
    await tick();
    expect(order).toEqual([1]);
    t.releases.shift()!();
    await tick();
    expect(order).toEqual([1, 2]);
    t.releases.shift()!();
    await tick();
    t.releases.shift()!();
    await Promise.all(runs);
    expect(order).toEqual([1, 2, 3]);
  });

  it('frees the slot of a task that throws', async () => {
    const limit = createLimiter(1);
    await expect(limit(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(limit(async () => 'next')).resolves.toBe('next');
  });
});
