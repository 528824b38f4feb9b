/**
 * How large a rendered message may be, by channel and part: an SMS renders to at most 1,600
 * characters, counted as the preview counts them (GSM-7 septets, an extension character
 * taking two, or UTF-16 code units). Each channel's parts get their limits here, beside the SMS's.
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

export const RENDER_LIMITS = {
  sms: {
    text: { field: 'text', of: 'an SMS', max: 1600, unit: 'characters', size: (text: string) => smsCost(text).characters },
  },
} as const satisfies Record<string, Record<string, RenderLimit>>;

export const SMS_TEXT_LIMIT: RenderLimit = RENDER_LIMITS.sms.text;

/** Whether a rendered text is over the limit; a text longer than `max` is not measured further. */
export function isOverLimit(text: string, limit: RenderLimit): boolean {
  return text.length > limit.max || limit.size(text) > limit.max;
}

/** Short enough to be a message's last error with a prefix (functions/domain/delivery.ts, shortError). */
export function overLimitReason(limit: RenderLimit): string {
  return `renders to more than ${limit.max.toLocaleString('en-US')} ${limit.unit}`;
}
