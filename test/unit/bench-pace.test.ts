import { describe, expect, it } from 'vitest';
import { busiestWindow } from '../../bench/pace.js';

describe('bench pace: busiest window', () => {
  it('counts the most arrivals in any half-open window that starts at an arrival', () => {
    // 10 a second for 3 s, evenly: any 1 s window holds 10, the 3 s of them 30.
    const even = Array.from({ length: 30 }, (_, index) => 1_000 + index * 100);
    expect(busiestWindow(even, 1_000)).toBe(10);
    expect(busiestWindow(even, 10_000)).toBe(30);
  });

  it('sees a burst that a per-second average hides, and excludes the window end', () => {
    const times = [0, 5_000, 5_001, 5_002, 5_003, 6_000, 9_000];
    expect(busiestWindow(times, 1_000)).toBe(4);
    expect(busiestWindow([0, 1_000], 1_000)).toBe(1);
    expect(busiestWindow([], 1_000)).toBe(0);
  });
});
