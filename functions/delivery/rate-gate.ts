import { setTimeout as sleep } from 'node:timers/promises';
import { slotBlock, slotStartMs } from '../domain/rate-limit.js';
import type { Clock, RateSlots } from '../ports.js';

interface Bucket {
  second: number;
  next: number;
  end: number;
}

/**
 * A sender's share of its campaigns' rate slots: it takes a block of slots of the current
 * (or next) second in one counter write, hands them out in order, and makes each call wait
 * for its slot's start. A slot whose moment has passed is dropped, never used late, so
 * starts keep the slots' spacing: any second holds at most about the limit.
 */
export class RateGate {
  private readonly buckets = new Map<string, Bucket>();
  private readonly buying = new Map<string, Promise<void>>();

  /** `wait`: how a call waits for its slot's moment (a timer; tests pass one that moves their clock). */
  constructor(
    private readonly slots: RateSlots,
    private readonly clock: Clock,
    private readonly wait: (ms: number) => Promise<unknown> = sleep,
  ) {}

  /** Resolves when a call may start: true, or false when no slot came within `maxWaitMs`. */
  async acquire(campaignId: string, maxPerSecond: number, maxWaitMs: number): Promise<boolean> {
    const deadline = this.clock.now().getTime() + maxWaitMs;
    for (;;) {
      const now = this.clock.now().getTime();
      const bucket = this.buckets.get(campaignId);
      if (bucket && bucket.next < bucket.end) {
        const startAt = slotStartMs(bucket.second, bucket.next++, maxPerSecond);
        // Slot i's moment ends where slot i+1's begins, the last one at the end of its second.
        const lastMoment = startAt + 1000 / maxPerSecond;
        // A slot whose moment has passed is skipped, not used late: late slots would bunch up with the
        // next ones. Timers run on a clock of their own and wake up to a millisecond early by the wall
        // clock, or late under load: the wall clock is read again after each wait.
        let woke = now;
        while (woke < startAt) {
          await this.wait(startAt - woke);
          woke = this.clock.now().getTime();
        }
        if (woke >= lastMoment) continue;
        return true;
      }
      if (now > deadline) return false;
      const pending = this.buying.get(campaignId);
      if (pending) {
        await pending;
        continue;
      }
      const purchase = this.buy(campaignId, maxPerSecond).finally(() => this.buying.delete(campaignId));
      this.buying.set(campaignId, purchase);
      await purchase;
    }
  }

  private async buy(campaignId: string, maxPerSecond: number): Promise<void> {
    const now = this.clock.now().getTime();
    const second = Math.floor(now / 1000);
    for (const candidate of [second, second + 1]) {
      const taken = await this.slots.take(campaignId, candidate, slotBlock(maxPerSecond), maxPerSecond);
      if (taken.count > 0) {
        this.buckets.set(campaignId, { second: candidate, next: taken.first, end: taken.first + taken.count });
        return;
      }
    }
    // This second and the next are taken: look again when the next one begins.
    await this.wait(Math.max(1, (second + 1) * 1000 - this.clock.now().getTime()));
  }
}
