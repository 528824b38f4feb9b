/** The campaign's end is a hard cutoff: no provider call starts at or after it. */
export function isPastCutoff(endAt: string, now: Date): boolean {
  return now.getTime() >= Date.parse(endAt);
}

/** A call's timeout: the configured one, cut short so the call cannot outlive the campaign. */
export function callTimeoutMs(endAt: string, now: Date, configuredMs: number): number {
  return Math.max(0, Math.min(configuredMs, Date.parse(endAt) - now.getTime()));
}
