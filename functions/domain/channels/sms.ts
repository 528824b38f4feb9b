/**
 * The SMS channel's own rules: what the provider's answers mean, what a text costs in
 * segments, how a phone is masked in logs, and a campaign text as one client would get it.
 * The delivery machinery that every channel shares (claim, retries, tally) knows none of this.
 */
import type { Client } from '../clients.js';
import { shortError, type SendOutcome } from '../delivery.js';
import { SMS_TEXT_LIMIT } from '../render-limits.js';
import { checkTemplate, placeholderVariables, renderRefusal, renderTemplate, snapshotOf, TemplateRenderError } from '../templates.js';
import { smsCost, type SmsCost } from './sms-segments.js';

export { isGsm7, LIMITS, smsCost, type SmsCost, type SmsEncoding } from './sms-segments.js';

/** Logs never carry a whole phone number: `79001234567` -> `7900*****67`. */
export function maskPhone(phone: string | number): string {
  const digits = String(phone);
  return digits.length <= 6 ? '*'.repeat(digits.length) : `${digits.slice(0, 4)}${'*'.repeat(digits.length - 6)}${digits.slice(-2)}`;
}

/** Only HTTP 200 with `{"code": 0}` is success. */
export function classifyResponse(status: number, body: unknown, retryAfter?: string | null, now = new Date()): SendOutcome {
  if (status === 200) {
    const code = typeof body === 'object' && body !== null ? (body as { code?: unknown }).code : undefined;
    if (code === 0) return { kind: 'sent' };
    return { kind: 'retryable', error: shortError(`malformed 200 body: ${JSON.stringify(body) ?? typeof body}`) };
  }
  if (status === 401) return { kind: 'retryable', error: 'HTTP 401', tokenRefused: true };
  if (status === 429 || status === 408 || status >= 500) {
    const retryAfterMs = parseRetryAfter(retryAfter, now);
    return { kind: 'retryable', error: `HTTP ${status}`, ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) };
  }
  return { kind: 'rejected', error: `HTTP ${status}` };
}

/** Retry-After is either delay-seconds or an HTTP date. */
export function parseRetryAfter(value: string | null | undefined, now: Date): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now.getTime());
}

export interface SmsPreview extends SmsCost {
  text: string;
}

/** A campaign text as one client would get it (or with placeholders), and what it costs in SMS segments. */
export function previewSms(text: string, client?: Partial<Pick<Client, 'name' | 'phone' | 'tag' | 'operatorCode' | 'timezone' | 'attributes'>>): SmsPreview {
  const use = checkTemplate(text);
  const vars = client ? { ...snapshotOf(client, use), ...(client.phone !== undefined ? { phone: client.phone } : {}) } : placeholderVariables(use);
  let rendered: string;
  try {
    rendered = renderTemplate(text, vars, SMS_TEXT_LIMIT);
  } catch (error) {
    if (error instanceof TemplateRenderError) throw renderRefusal(error, SMS_TEXT_LIMIT);
    throw error;
  }
  return { text: rendered, ...smsCost(rendered) };
}
