/** The campaign's end is a hard cutoff: no provider call starts at or after it. */
export function isPastCutoff(endAt: string, now: Date): boolean {
  return now.getTime() >= Date.parse(endAt);
}

/** A call's timeout: the configured one, cut short so the call cannot outlive the campaign. */
export function callTimeoutMs(endAt: string, now: Date, configuredMs: number): number {
  return Math.max(0, Math.min(configuredMs, Date.parse(endAt) - now.getTime()));
}

/**
 * A claimed chunk is its claimer's until the lease ends; then another worker may claim it and
 * send its open messages again. An invocation that Lambda ends at its timeout stores no outcome
 * either, so its calls the provider took are sent again too. So a call starts only when it can
 * end, timed out at the latest, with this much left of both to store the outcome.
 */
export const LEASE_OUTCOME_MARGIN_MS = 5_000;

/** A call shorter than this is not worth starting: the chunk goes back for a fresh lease instead. */
export const MIN_CALL_MS = 1_000;

/**
 * How long a call may take when its outcome must be stored by `until` (epoch ms: the earlier of
 * the chunk's lease end and the invocation's end); under MIN_CALL_MS it must not start.
 */
export function callBudgetMs(until: number, now: Date): number {
  return until - LEASE_OUTCOME_MARGIN_MS - now.getTime();
}

/**
 * The timeout of a provider call about to start at `now`, or undefined when none may start: in
 * the last LEASE_OUTCOME_MARGIN_MS + MIN_CALL_MS before `until` (the lease's end or the
 * invocation's, the earlier). A call that starts ends, timed out at the latest, the margin before
 * `until` and by the campaign's end, so its outcome can still be stored under the lease.
 */
export function callTimeoutWithin(until: number, endAt: string, now: Date, configuredMs: number): number | undefined {
  const budgetMs = callBudgetMs(until, now);
  if (budgetMs < MIN_CALL_MS) return undefined;
  return Math.min(callTimeoutMs(endAt, now, configuredMs), budgetMs);
}

/** How long a wait before a call (for a rate slot) may last, at most `maxWaitMs`: while a call could still start after it. */
export function waitBudgetMs(until: number, now: Date, maxWaitMs: number): number {
  return Math.min(maxWaitMs, callBudgetMs(until, now) - MIN_CALL_MS);
}
