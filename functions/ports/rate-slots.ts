/** The slots of a campaign's rate limit, shared by every sender. */

export interface TakenSlots {
  /** Index of the first slot taken within its second. */
  first: number;
  /** How many were taken: 0 when the second is full. */
  count: number;
}

export interface RateSlots {
  /** Takes up to `count` of the `maxPerSecond` slots of one campaign's epoch second, for every sender at once. */
  take(campaignId: string, second: number, count: number, maxPerSecond: number): Promise<TakenSlots>;
}
