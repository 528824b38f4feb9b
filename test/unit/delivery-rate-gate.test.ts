import { describe, expect, it } from 'vitest';
import { RateGate } from '../../functions/delivery/rate-gate.js';
import type { Clock, RateSlots } from '../../functions/ports.js';

/** A clock that answers the listed moments in order, then stays at the last; `read` lists what it answered. */
function scriptedClock(moments: number[]): Clock & { read: number[] } {
  const read: number[] = [];
  return {
    read,
    now: () => {
      read.push(moments[Math.min(read.length, moments.length - 1)] as number);
      return new Date(read.at(-1) as number);
    },
  };
}

/** Hands out the last slot of every second it is asked for. */
const lastSlotOnly: RateSlots = { take: async () => ({ first: 19, count: 1 }) };

describe('rate gate', () => {
  const second = 1_700_000_000;
  const beforeLastSlot = second * 1000 + 949; // slot 19 of 20 starts at 950 ms

  it('lets a call go at its slot when the timer wakes on time', async () => {
    // deadline, loop, buy, loop (sleep 1 ms), after the wait
    const gate = new RateGate(lastSlotOnly, scriptedClock([beforeLastSlot, beforeLastSlot, beforeLastSlot, beforeLastSlot, beforeLastSlot + 1]));
    expect(await gate.acquire('7', 20, 0)).toBe(true);
  });

  it('waits again when the timer wakes before the slot by the wall clock (timers keep a clock of their own)', async () => {
    const clock = scriptedClock([beforeLastSlot, beforeLastSlot, beforeLastSlot, beforeLastSlot, beforeLastSlot, beforeLastSlot + 1]);
    expect(await new RateGate(lastSlotOnly, clock).acquire('7', 20, 0)).toBe(true);
    expect(clock.read.at(-1)).toBe(second * 1000 + 950);
  });

  it('drops a slot when the timer wakes after the slot, even in time for the next second', async () => {
    // The wait wakes at the next second's first millisecond: the slot belongs to the second before.
    const late = (second + 1) * 1000;
    const gate = new RateGate(lastSlotOnly, scriptedClock([beforeLastSlot, beforeLastSlot, beforeLastSlot, beforeLastSlot, late]));
    expect(await gate.acquire('7', 20, 0)).toBe(false);
  });
});
