/**
 * How large a rendered message may be, by channel and part: an SMS renders to at most 1,600
 * characters, counted as the preview counts them (GSM-7 septets, an extension character
 * taking two, or UTF-16 code units); each part of an e-mail (subject, text, html) to at most
 * 100 KB of UTF-8; an in-app title to 200 and its text to 2,000 characters. Each channel's
 * parts get their limits here.
 *
 * A notice over its limit is refused when it is posted, a campaign text when it is written
 * (rendered once with placeholders), a preview when it is asked for; a campaign message
 * that renders larger for its client fails at send time with the reason as its last error
 * (functions/domain/templates.ts renders under the limit and stops as soon as it is passed).
 */
import { smsCost } from './channels/sms-segments.js';

export interface RenderLimit {
  /** The request field a text over the limit is refused by. */
  field: string;
  /** What the limit is of, as a sentence names it: "an SMS". */
  of: string;
  max: number;
  unit: string;
  /**
   * The text's size in `unit`. Never less than its length in UTF-16 code units, so a rendering
   * whose output grows longer than `max` is over the limit and can stop there.
   */
  size(text: string): number;
}

/** UTF-8 bytes of a string, without encoding it: never less than its UTF-16 code units. */
export function utf8Length(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x80) bytes += 1;
    else if (code < 0x800) bytes += 2;
    else if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length) {
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  return bytes;
}

/** An e-mail part (subject, text or html) renders to at most this many bytes of UTF-8. */
export const EMAIL_PART_MAX_BYTES = 100 * 1024;

const emailPart = (field: 'subject' | 'text' | 'html'): RenderLimit => ({
  field,
  of: 'an e-mail part',
  max: EMAIL_PART_MAX_BYTES,
  unit: 'bytes',
  size: utf8Length,
});

/** An in-app part, counted in UTF-16 code units as a browser's string length counts it. */
const inappPart = (field: 'title' | 'text' | 'url', max: number): RenderLimit => ({
  field,
  of: `an in-app ${field}`,
  max,
  unit: 'characters',
  size: (text) => text.length,
});

export const RENDER_LIMITS = {
  sms: {
    text: { field: 'text', of: 'an SMS', max: 1600, unit: 'characters', size: (text: string) => smsCost(text).characters },
  },
  email: { subject: emailPart('subject'), text: emailPart('text'), html: emailPart('html') },
  inapp: { title: inappPart('title', 200), text: inappPart('text', 2000), url: inappPart('url', 2048) },
} as const satisfies Record<string, Record<string, RenderLimit>>;

/** How long a campaign's `text` template may be on each channel: an SMS's a thousand characters, an in-app text's 4,000, an e-mail part's up to its render limit. */
export const TEMPLATE_MAX_LENGTH = { sms: 1000, email: EMAIL_PART_MAX_BYTES, inapp: 4000 } as const;

export const SMS_TEXT_LIMIT: RenderLimit = RENDER_LIMITS.sms.text;

/** Whether a rendered text is over the limit; a text longer than `max` is not measured further. */
export function isOverLimit(text: string, limit: RenderLimit): boolean {
  return text.length > limit.max || limit.size(text) > limit.max;
}

/** Short enough to be a message's last error with a prefix (functions/domain/delivery.ts, shortError). */
export function overLimitReason(limit: RenderLimit): string {
  return `renders to more than ${limit.max.toLocaleString('en-US')} ${limit.unit}`;
}
