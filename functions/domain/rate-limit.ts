/**
 * A campaign's `maxPerSecond`: provider calls start in numbered slots of each epoch second,
 * shared by every sender through one counter per campaign-second. Slot i of a second starts
 * at i/N of it, so calls are spread evenly and any 10 s window holds at most about 10 N.
 */
export const MAX_PER_SECOND_LIMIT = 10_000;

/** Slots a sender takes per counter write: a chunk's worth, so the write costs at most a tenth of a WRU a message. */
export function slotBlock(maxPerSecond: number): number {
  return Math.max(1, Math.min(10, maxPerSecond));
}

/** When slot `index` of epoch second `second` may start, epoch ms. */
export function slotStartMs(second: number, index: number, maxPerSecond: number): number {
  return second * 1000 + Math.floor((index * 1000) / maxPerSecond);
}
