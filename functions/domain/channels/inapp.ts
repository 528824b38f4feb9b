/**
 * The in-app channel's own rules: a campaign's or notice's `title` (required), `text` and `url`
 * render for one client as templates, each under its limit (render-limits.ts: a title at most 200
 * characters, a text 2,000); the url must come out `https:` or a path on the app's own site. What
 * is rendered becomes an item of the client's inbox (functions/domain/inbox.ts); every client has
 * an inbox, so every client is reachable in the app.
 */
import { ValidationError } from '../errors.js';
import type { InboxContent } from '../inbox.js';
import { addressOf, type MessageRecord } from '../messages.js';
import { RENDER_LIMITS } from '../render-limits.js';
import {
  checkTemplate,
  checkTemplateParts,
  previewVariables,
  RenderedTooLargeError,
  renderTemplate,
  TemplateRenderError,
  type PreviewClient,
  type TemplateUse,
  type TemplateVariables,
} from '../templates.js';
import type { ChannelRules, MessageContent, OutgoingMessage } from './channel.js';

/** What an in-app campaign or notice says; each part a template. */
export interface InappContent {
  title: string;
  text: string;
  url?: string;
}

export type InappPart = keyof InappContent;

/**
 * The variables every in-app part uses, or a ValidationError naming the part at fault. `extra`:
 * the names a notice's caller gives beside the client's ('any' for an event type's step, whose
 * variables come with each event).
 */
export function checkInappContent(content: Partial<InappContent>, extra: readonly string[] | 'any' = []): TemplateUse {
  if (content.title === undefined || content.title.trim() === '') throw ValidationError.field('title', 'is required for in-app');
  return checkTemplateParts(['title', 'text', 'url'] as const, content, (text) => checkTemplate(text, extra));
}

/** A part that did not render, rendered too large, or (the url) to no link an app may open: the message fails with it; a notice is 400 naming `part`. */
export class InappPartError extends TemplateRenderError {
  constructor(
    readonly part: InappPart,
    message: string,
  ) {
    super(`${part}: ${message}`);
  }
}

export const INAPP_URL_RULE = 'must be an https: URL or a path starting with /';

/**
 * Where an item may lead: an `https:` URL, or a path on the app's own site (`/orders/7`, not
 * `//host`, which a browser reads as another host). Nothing else: `javascript:` and `data:`
 * would run in the app's page.
 */
export function isInappUrl(url: string): boolean {
  if ([...url].some((char) => char <= ' ' || char === '\x7f' || char === '\\')) return false;
  if (url.startsWith('/')) return !url.startsWith('//');
  if (!URL.canParse(url)) return false;
  return new URL(url).protocol === 'https:';
}

/** A title is one line in the app's list. */
const LINE_BREAKS = /[\r\n\u2028\u2029]+/g;

function renderPart(part: InappPart, template: string, vars: TemplateVariables): string {
  let rendered: string;
  try {
    rendered = renderTemplate(template, vars, RENDER_LIMITS.inapp[part]);
  } catch (error) {
    if (error instanceof RenderedTooLargeError) throw new InappPartError(part, error.message);
    if (error instanceof TemplateRenderError) throw new InappPartError(part, `does not render: ${error.message}`);
    throw error;
  }
  if (part === 'title') return rendered.replace(LINE_BREAKS, ' ').trim();
  if (part === 'url') {
    const url = rendered.trim();
    if (!isInappUrl(url)) throw new InappPartError('url', INAPP_URL_RULE);
    return url;
  }
  return rendered;
}

/** One client's item: every part rendered with the client's variables. Throws InappPartError. */
export function renderInappContent(content: InappContent, vars: TemplateVariables | undefined): InappContent {
  const all = { ...vars } as TemplateVariables;
  const title = renderPart('title', content.title, all);
  if (title === '') throw new InappPartError('title', 'renders empty');
  return {
    title,
    text: renderPart('text', content.text, all),
    ...(content.url !== undefined ? { url: renderPart('url', content.url, all) } : {}),
  };
}

/** A notice's item, rendered when it is posted: what does not render is a ValidationError naming the part. */
export function renderInappNotice(content: InappContent, vars: TemplateVariables): InappContent {
  try {
    return renderInappContent(content, vars);
  } catch (error) {
    if (error instanceof InappPartError) throw ValidationError.field(error.part, error.message.slice(error.part.length + 2));
    throw error;
  }
}

/**
 * A campaign's item as one client would see it, or with each variable as a placeholder: POST
 * /campaigns/preview on in-app. `extra` as checkInappContent takes it. The phone is not among the
 * values: an in-app message does not carry one (snapshotOf).
 */
export function previewInapp(content: Partial<InappContent>, client?: PreviewClient, extra: readonly string[] | 'any' = []): InappContent {
  const use = checkInappContent(content, extra);
  const vars = previewVariables(use, client, false);
  return renderInappNotice({ title: content.title as string, text: content.text ?? '', ...(content.url !== undefined ? { url: content.url } : {}) }, vars);
}

/** An in-app message as the inbox takes it. */
export interface InappMessage extends OutgoingMessage, InboxContent {
  channel: 'inapp';
  clientId: string;
}

/** What an in-app message record carries beyond every channel's; a notice's parts come rendered. */
export type InappMessageRecord = MessageRecord & { title?: string; url?: string };
/** What a campaign's content carries on the in-app channel. */
export type InappCampaignContent = MessageContent & { title?: string; url?: string };

/**
 * Whose the item is: a notice's message id is the notice's id (functions/domain/notice-ids.ts), a
 * campaign message's names its campaign (functions/domain/messages.ts, messageId).
 */
export function ownerOf(messageId: number): Pick<InboxContent, 'campaignId' | 'noticeId'> {
  const address = addressOf(messageId);
  return address ? { campaignId: address.campaignId } : { noticeId: String(messageId) };
}

/**
 * The in-app channel's rules for the shared send code. A campaign message renders the campaign's
 * parts from the variables the fan-out copied; a notice's come rendered. A campaign without a
 * title fails its messages as a template would.
 */
export const inappRules: ChannelRules<InappMessage> = {
  channel: 'inapp',
  render(content: InappCampaignContent, message: InappMessageRecord): InappMessage {
    let rendered: InappContent;
    if (message.title !== undefined) {
      rendered = { title: message.title, text: message.text ?? '', ...(message.url !== undefined ? { url: message.url } : {}) };
    } else {
      if (content.title === undefined) throw new InappPartError('title', 'the campaign has none');
      rendered = renderInappContent({ title: content.title, text: content.text, ...(content.url !== undefined ? { url: content.url } : {}) }, message.vars);
    }
    return { channel: 'inapp', id: message.id, clientId: message.clientId, ...rendered, ...ownerOf(message.id) };
  },
  // The client id is the in-app address, and already on every log line about a message.
  logFields: () => ({}),
};
