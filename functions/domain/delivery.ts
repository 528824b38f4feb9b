/** What a sender's answer means for a message (each channel classifies its own answers into these), how long to wait before trying again, and what a chunk's attempt leaves behind. */
import { isPastCutoff } from './cutoff.js';
import type { MessageRecord, MessageStatus } from './messages.js';

export type SendOutcome =
  | { kind: 'sent' }
  /** The provider refused the message itself: trying again cannot help. */
  | { kind: 'rejected'; error: string }
  /** Slow, down, rate-limited or talking nonsense: worth another try. */
  | { kind: 'retryable'; error: string; retryAfterMs?: number }
  /**
   * The channel refused Herald's own credentials (the SMS provider's 401): about the token, not the
   * message, so tried only a few times (TOKEN_REFUSED_ATTEMPTS), then the message fails.
   */
  | { kind: 'auth-failed'; error: string; retryAfterMs?: number };

const ERROR_LENGTH = 60;

/**
 * A message refused with 401 on its third attempt, or any later one, fails. Until then it is
 * retried: a token put a moment ago reaches the send functions with their next read of it (the
 * provider adapter reads it past its cache after a 401). A wrong token fails every message in
 * seconds, with an alarm, instead of holding it until its campaign ends.
 */
export const TOKEN_REFUSED_ATTEMPTS = 3;
/** The last error of a message failed by the provider's 401s; the send function counts these (ProviderAuthFailures). */
export const TOKEN_REFUSED_ERROR = `HTTP 401 on ${TOKEN_REFUSED_ATTEMPTS} attempts: the provider refused the token`;

/** Errors are kept short: they live in the chunk item, which stays under 1 KB. */
export function shortError(text: string): string {
  return text.length > ERROR_LENGTH ? `${text.slice(0, ERROR_LENGTH - 1)}…` : text;
}

export interface BackoffPolicy {
  baseMs: number;
  maxMs: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 2000, maxMs: 120_000 };

/** Exponential backoff with jitter (the upper half of the window), never shorter than the provider's Retry-After. */
export function retryDelayMs(attempt: number, policy: BackoffPolicy, retryAfterMs = 0, random = Math.random): number {
  const window = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.max(0, attempt - 1));
  const jittered = window / 2 + random() * (window / 2);
  return Math.ceil(Math.max(jittered, retryAfterMs));
}

/** A message's state after one attempt of its chunk. */
export function afterOutcome(message: MessageRecord, outcome: SendOutcome, now: Date): MessageRecord {
  const attempts = message.attempts + 1;
  switch (outcome.kind) {
    case 'sent':
      return withoutError({ ...message, status: 'sent', attempts, sentAt: now.toISOString() });
    case 'rejected':
      return { ...message, status: 'failed', attempts, lastError: outcome.error };
    case 'auth-failed':
      if (attempts >= TOKEN_REFUSED_ATTEMPTS) return { ...message, status: 'failed', attempts, lastError: TOKEN_REFUSED_ERROR };
      return { ...message, status: 'queued', attempts, lastError: outcome.error };
    case 'retryable':
      return { ...message, status: 'queued', attempts, lastError: outcome.error };
  }
}

function withoutError(message: MessageRecord): MessageRecord {
  const { lastError: _lastError, ...rest } = message;
  return rest;
}

/** How long the sender asked to be left alone, when the outcome is one to try again. */
export function retryAfterMsOf(outcome: SendOutcome): number {
  return outcome.kind === 'retryable' || outcome.kind === 'auth-failed' ? (outcome.retryAfterMs ?? 0) : 0;
}

/** A message that will not be tried, for a reason that is not the provider's. */
export function closed(message: MessageRecord, status: Extract<MessageStatus, 'expired' | 'cancelled' | 'failed'>, error?: string): MessageRecord {
  return { ...message, status, ...(error ? { lastError: error } : {}) };
}

/** What to do with a chunk's messages still open after an attempt. */
export type RetryPlan = { kind: 'done' } | { kind: 'retry'; delayMs: number } | { kind: 'expire' };

export function planRetry(
  open: MessageRecord[],
  retryAfterMs: number,
  receives: number,
  endAt: string,
  now: Date,
  policy: BackoffPolicy = DEFAULT_BACKOFF,
  random = Math.random,
): RetryPlan {
  if (open.length === 0) return { kind: 'done' };
  const delayMs = retryDelayMs(receives, policy, retryAfterMs, random);
  if (isPastCutoff(endAt, new Date(now.getTime() + delayMs))) return { kind: 'expire' };
  return { kind: 'retry', delayMs };
}
