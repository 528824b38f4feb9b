/**
 * A campaign's content judged by its channel: the channel's fields (fields.ts), then its
 * templates, each rendered once with placeholders under its channel's limits (render-limits.ts),
 * so a campaign that could never be sent is refused when it is written. The fan-out asks here
 * which client variables a campaign's messages carry.
 */
import { ValidationError } from '../errors.js';
import { TEMPLATE_MAX_LENGTH } from '../render-limits.js';
import { checkTemplate, checkTemplateRendering, type PreviewClient, type TemplateUse } from '../templates.js';
import type { Channel } from './channel.js';
import { checkEmailContent, previewEmail, type RenderedEmail } from './email.js';
import { checkChannelFields, type ChannelContent } from './fields.js';
import { checkInappContent, previewInapp, type InappContent } from './inapp.js';
import { previewSms, type SmsPreview } from './sms.js';

/** Throws a ValidationError naming the field at fault: one of another channel, a required one missing, a template that does not check or renders too large. */
export function checkCampaignContent(channel: Channel, content: ChannelContent): void {
  checkChannelFields(channel, content);
  const max = TEMPLATE_MAX_LENGTH[channel];
  if (content.text !== undefined && content.text.length > max)
    throw ValidationError.field('text', `must be at most ${max.toLocaleString('en-US')} characters on ${channel}`);
  if (channel === 'sms') checkTemplateRendering(content.text as string);
  else if (channel === 'email') previewEmail(content);
  else previewInapp(content);
}

/** What a campaign's templates read of a client (copied into each message at fan-out). Throws a ValidationError when a template no longer checks. */
export function templateUseOf(channel: Channel, content: ChannelContent): TemplateUse {
  if (channel === 'sms') return checkTemplate(content.text ?? '');
  if (channel === 'email') return checkEmailContent(content);
  return checkInappContent(content);
}

export type ChannelPreview = SmsPreview | RenderedEmail | InappContent;

/**
 * POST /campaigns/preview: the content rendered for one client, or with placeholders; an SMS with
 * its encoding and segments. `extra` is `'any'` for an event type's step, whose templates may read
 * any variable an event gives (as PUT /event-types judges them, event-types.ts), each shown as a
 * placeholder such as `<orderId>`.
 */
export function previewContent(channel: Channel, content: ChannelContent, client?: PreviewClient, extra: readonly string[] | 'any' = []): ChannelPreview {
  checkChannelFields(channel, content);
  if (channel === 'sms') return previewSms(content.text as string, client, extra);
  if (channel === 'email') return previewEmail(content, client, extra);
  return previewInapp(content, client, extra);
}
