/**
 * Which content fields each channel takes: an e-mail's `subject` (required) and `html`, an in-app
 * message's `title` (required) and `url`; `text` on every channel. A field on the wrong channel, or
 * a required one missing, is a ValidationError naming it. Campaigns, notices and event steps all
 * judge their content by this one table, each under its own field prefix (`steps[2].` for a step).
 */
import { ValidationError } from '../errors.js';
import type { Channel } from './channel.js';

/** Every channel's content fields, each one a template. */
export interface ChannelContent {
  text?: string;
  subject?: string;
  html?: string;
  title?: string;
  url?: string;
}

export type ContentField = keyof ChannelContent;

/** The fields only one channel takes, and which. */
const ONLY_ON: Record<Exclude<ContentField, 'text'>, Channel> = { subject: 'email', html: 'email', title: 'inapp', url: 'inapp' };

/** What each channel cannot go without. */
const REQUIRED: Record<Channel, readonly ContentField[]> = { sms: ['text'], email: ['subject'], inapp: ['title'] };

/**
 * An in-app link the app can follow safely: `https:` or a path of the app's own (`/...`, not the
 * scheme-relative `//host`). Judged on the template as written, whose start is literal text.
 */
export function isSafeInappUrl(url: string): boolean {
  return url.startsWith('https://') || (url.startsWith('/') && !url.startsWith('//'));
}

/** The content fields `channel` takes, in the order they are checked. */
export function fieldsOf(channel: Channel): ContentField[] {
  return ['text', ...(Object.keys(ONLY_ON) as (keyof typeof ONLY_ON)[]).filter((field) => ONLY_ON[field] === channel)];
}

/**
 * The channel's field rules on `content`: a field of another channel, a required one missing or
 * blank, or an in-app `url` that is neither `https:` nor a relative path. Throws a ValidationError
 * naming `${prefix}${field}`. Templates are checked by the caller, which knows the variables.
 */
export function checkChannelFields(channel: Channel, content: ChannelContent, prefix = ''): void {
  for (const [field, only] of Object.entries(ONLY_ON) as [keyof typeof ONLY_ON, Channel][]) {
    if (content[field] !== undefined && only !== channel) throw ValidationError.field(`${prefix}${field}`, `is only for the ${only} channel, not ${channel}`);
  }
  for (const field of REQUIRED[channel]) {
    const value = content[field];
    if (value === undefined || value.trim() === '') throw ValidationError.field(`${prefix}${field}`, `is required for ${channel}`);
  }
  if (content.url !== undefined && !isSafeInappUrl(content.url)) {
    throw ValidationError.field(`${prefix}url`, 'must be an https: URL or a path relative to the app (starting with /)');
  }
}
