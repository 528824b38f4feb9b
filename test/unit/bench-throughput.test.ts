import { describe, expect, it } from 'vitest';
import { lossByPhase } from '../../bench/throughput.js';

/** `count` calls of `latencyMs` in back-to-back rounds of `width`, the first arriving at `from`. */
function rounds(from: number, count: number, width: number, latencyMs: number): number[] {
  return Array.from({ length: count }, (_, index) => from + Math.floor(index / width) * latencyMs);
}

describe('bench throughput: the time lost against the bound, by phase', () => {
  it('loses nothing while every slot is busy, and only the wait before the first call', () => {
    // 4 slots, 100 ms calls, 5 full rounds from 300 ms: the bound's own time after the wait.
    const arrivals = rounds(300, 20, 4, 100);
    const loss = lossByPhase(arrivals, 100, 4, { createdAt: 0, firstCallAt: 300, fanoutDoneAt: 450, lastAnswerAt: 800 });
    expect(loss.beforeFirstCallMs).toBe(300);
    expect(loss.duringFanoutMs).toBeCloseTo(0, 9);
    expect(loss.afterFanoutMs).toBeCloseTo(0, 9);
    expect(loss.duringFanoutInFlight).toBeCloseTo(4, 9);
    expect(loss.afterFanoutInFlight).toBeCloseTo(4, 9);
  });

  it('puts a half-empty round in the phase it falls in, and the phases add up to elapsed less the ideal', () => {
    // Rounds of 4, 2 (half the slots idle for 100 ms) and 4 calls, 100 ms each, from 0; the fan-out ends at 150 ms.
    const arrivals = [...rounds(0, 4, 4, 100), ...rounds(100, 2, 2, 100), ...rounds(200, 4, 4, 100)];
    const at = { createdAt: 0, firstCallAt: 0, fanoutDoneAt: 150, lastAnswerAt: 300 };
    const loss = lossByPhase(arrivals, 100, 4, at);
    expect(loss.duringFanoutMs).toBeCloseTo(25, 9);
    expect(loss.afterFanoutMs).toBeCloseTo(25, 9);
    expect(loss.duringFanoutInFlight).toBeCloseTo((4 * 100 + 2 * 50) / 150, 9);
    const ideal = (arrivals.length * 100) / 4;
    expect(loss.beforeFirstCallMs + loss.duringFanoutMs + loss.afterFanoutMs).toBeCloseTo(at.lastAnswerAt - at.createdAt - ideal, 9);
    // The negative control: the same calls, the idle round moved after the fan-out, move the loss with it.
    const late = [...rounds(0, 4, 4, 100), ...rounds(100, 4, 4, 100), ...rounds(200, 2, 2, 100)];
    const moved = lossByPhase(late, 100, 4, at);
    expect(moved.duringFanoutMs).toBeCloseTo(0, 9);
    expect(moved.afterFanoutMs).toBeCloseTo(50, 9);
  });

  it('keeps a fan-out that ends before the first call or after the last answer inside the run', () => {
    const arrivals = rounds(100, 8, 4, 100);
    const early = lossByPhase(arrivals, 100, 4, { createdAt: 0, firstCallAt: 100, fanoutDoneAt: 50, lastAnswerAt: 300 });
    expect(early.duringFanoutMs).toBe(0);
    expect(early.duringFanoutInFlight).toBe(0);
    expect(early.afterFanoutMs).toBeCloseTo(0, 9);
    const late = lossByPhase(arrivals, 100, 4, { createdAt: 0, firstCallAt: 100, fanoutDoneAt: 900, lastAnswerAt: 300 });
    expect(late.afterFanoutMs).toBe(0);
    expect(late.duringFanoutMs).toBeCloseTo(0, 9);
  });
});
