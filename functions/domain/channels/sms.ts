/**
 * The SMS channel's own rules: what the provider's answers mean, what a text costs in
 * segments, how a phone is masked in logs, and a campaign text as one client would get it.
 * The delivery machinery that every channel shares (claim, retries, tally) knows none of this.
 */
import { shortError, type SendOutcome } from '../delivery.js';
import type { MessageRecord } from '../messages.js';
import { SMS_TEXT_LIMIT } from '../render-limits.js';
import { checkTemplate, previewVariables, renderRefusal, renderTemplate, TemplateRenderError, type PreviewClient } from '../templates.js';
import type { ChannelRules, MessageContent, OutgoingMessage } from './channel.js';
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
  // The token is refused, not the message: the shared send code retries it a few times (TOKEN_REFUSED_ATTEMPTS), whatever Retry-After says.
  if (status === 401) return { kind: 'auth-failed', error: 'HTTP 401' };
  if (status === 429 || status === 408 || status >= 500) return { kind: 'retryable', error: `HTTP ${status}`, ...retryAfterOf(retryAfter, now) };
  return { kind: 'rejected', error: `HTTP ${status}` };
}

function retryAfterOf(value: string | null | undefined, now: Date): { retryAfterMs?: number } {
  const retryAfterMs = parseRetryAfter(value, now);
  return retryAfterMs !== undefined ? { retryAfterMs } : {};
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

/**
 * A campaign text as one client would get it (or with placeholders), and what it costs in SMS
 * segments. `extra`: the further variables the text may read, as checkTemplate takes them.
 */
export function previewSms(text: string, client?: PreviewClient, extra: readonly string[] | 'any' = []): SmsPreview {
  const use = checkTemplate(text, extra);
  const vars = previewVariables(use, client, true);
  let rendered: string;
  try {
    rendered = renderTemplate(text, vars, SMS_TEXT_LIMIT);
  } catch (error) {
    if (error instanceof TemplateRenderError) throw renderRefusal(error, SMS_TEXT_LIMIT);
    throw error;
  }
  return { text: rendered, ...smsCost(rendered) };
}

/** An SMS as the provider takes it (POST /send/{msgId}): the id is the provider's msgId. */
export interface SmsMessage extends OutgoingMessage {
  channel: 'sms';
  phone: string;
  text: string;
}

/**
 * A campaign message's text rendered from the variables the fan-out copied into the chunk (no client
 * is read), with the phone, no larger than an SMS (RenderedTooLargeError); a notice's comes rendered,
 * checked against the limit when it was posted.
 */
export function renderSms(content: MessageContent, message: MessageRecord): SmsMessage {
  // Fails the message as a template would, not its chunk: the fan-out writes none without a phone.
  if (message.phone === undefined) throw new TemplateRenderError('the message has no phone');
  const text = message.text ?? renderTemplate(content.text, { ...message.vars, phone: message.phone }, SMS_TEXT_LIMIT);
  return { channel: 'sms', id: message.id, phone: message.phone, text };
}

export const smsRules: ChannelRules<SmsMessage> = {
  channel: 'sms',
  render: renderSms,
  logFields: (message) => ({ phone: message.phone !== undefined ? maskPhone(message.phone) : '' }),
};
