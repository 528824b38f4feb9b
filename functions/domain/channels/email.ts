/**
 * The e-mail channel's own rules: what an address is, how it is masked in logs, how a campaign's
 * `subject`, `text` and `html` render for one client (every output in `html` HTML-escaped, so a
 * client's name or attribute can never inject markup), how large a part may render, how an e-mail
 * is tagged, and what SES's answers mean. The SES adapter (functions/adapters/ses-sender.ts) sends
 * what these rules render.
 */
import { ValidationError } from '../errors.js';
import type { MessageRecord } from '../messages.js';
import { addressOf } from '../messages.js';
import { isNoticeKey } from '../notice-ids.js';
import { EVENT_ID_PATTERN } from '../events.js';
import { shortError, type SendOutcome } from '../delivery.js';
import { EMAIL_PART_MAX_BYTES, RENDER_LIMITS, utf8Length } from '../render-limits.js';
import {
  checkTemplate,
  checkTemplateParts,
  createTemplateEngine,
  previewVariables,
  RenderedTooLargeError,
  renderTemplate,
  TemplateRenderError,
  type PreviewClient,
  type TemplateUse,
  type TemplateVariables,
} from '../templates.js';
import type { ChannelRules, MessageContent, OutgoingMessage } from './channel.js';

/** RFC 5321's limit on a forward path, less its angle brackets. */
export const EMAIL_MAX_LENGTH = 254;
/** A part's size limit is in render-limits.ts, beside every channel's. */
export { EMAIL_PART_MAX_BYTES, utf8Length };

/**
 * An address SES takes as it is: a dot-atom local part of at most 64 characters and a domain of
 * letters, digits and hyphens with a top-level label of letters (an internationalised domain in
 * its `xn--` form). Quoted local parts, comments, IP literals and non-ASCII are refused: nothing
 * that could carry a comma, a bracket or a line break into a header.
 */
const LOCAL_PART = /^[a-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;
const DOMAIN_LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const TOP_LABEL = /^(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59})$/;

/** The address as Herald stores it (lower-cased), or undefined when it is not one. */
export function normalizeEmail(value: string): string | undefined {
  if (value.length === 0 || value.length > EMAIL_MAX_LENGTH) return undefined;
  const address = value.toLowerCase();
  const at = address.lastIndexOf('@');
  if (at <= 0) return undefined;
  const local = address.slice(0, at);
  const labels = address.slice(at + 1).split('.');
  if (local.length > 64 || !LOCAL_PART.test(local)) return undefined;
  if (labels.length < 2 || !labels.every((label) => DOMAIN_LABEL.test(label))) return undefined;
  return TOP_LABEL.test(labels[labels.length - 1] as string) ? address : undefined;
}

/** The address lower-cased, or a ValidationError naming `field`. */
export function checkEmail(value: string, field = 'email'): string {
  const address = normalizeEmail(value);
  if (address === undefined) {
    const why = value.length > EMAIL_MAX_LENGTH ? `is longer than ${EMAIL_MAX_LENGTH} characters` : 'is not an e-mail address';
    throw ValidationError.field(field, why);
  }
  return address;
}

/** Logs never carry a whole address: `jane.doe@example.com` -> `j***@e***.com`. */
export function maskEmail(address: string): string {
  const at = address.lastIndexOf('@');
  if (at < 0) return '***';
  const domain = address.slice(at + 1);
  const dot = domain.lastIndexOf('.');
  const top = dot >= 0 ? domain.slice(dot) : '';
  return `${address.slice(0, Math.min(1, at))}***@${domain.slice(0, Math.min(1, Math.max(dot, 0)))}***${top}`;
}

/** What an e-mail campaign or notice says: `subject` and `text` (the plain part) are templates, and so is `html` when given. */
export interface EmailContent {
  subject: string;
  text: string;
  html?: string;
}

export type EmailPart = keyof EmailContent;

/** What every e-mail template may read beside the client's variables. */
export const EMAIL_VARIABLES = ['unsubscribeUrl'] as const;

/**
 * The html part's engine: the same sandbox as every other text, with LiquidJS's `outputEscape`
 * appending `escape` to every `{{ }}` and `{% echo %}`. `raw` is LiquidJS's one way past that
 * escape; here it is a filter like any other, so its output is escaped too.
 */
const htmlEngine = createTemplateEngine({ outputEscape: 'escape', parseLimit: EMAIL_PART_MAX_BYTES, memoryLimit: 4 * EMAIL_PART_MAX_BYTES }, (liquid) =>
  liquid.registerFilter('raw', (value: unknown) => value),
);

/** The variables every e-mail part uses, or a ValidationError naming the part at fault. */
export function checkEmailContent(content: Partial<EmailContent>, extra: readonly string[] | 'any' = []): TemplateUse {
  if (content.subject === undefined || content.subject.trim() === '') throw ValidationError.field('subject', 'is required for e-mail');
  return checkTemplateParts(['subject', 'text', 'html'] as const, content, (text, part) =>
    checkTemplate(text, extra === 'any' ? extra : [...EMAIL_VARIABLES, ...extra], part === 'html' ? htmlEngine : undefined),
  );
}

/** A part that did not render, or rendered larger than a part may be: the message fails with this reason; a notice is 400 naming `part`. */
export class EmailPartError extends TemplateRenderError {
  constructor(
    readonly part: EmailPart,
    message: string,
  ) {
    super(`${part}: ${message}`);
  }
}

/** A header carries one line: a subject with a client's line break in it would not be one. */
const LINE_BREAKS = /[\r\n\u2028\u2029]+/g;

/** One part rendered under its limit (render-limits.ts), the rendering stopped once past it. */
function renderPart(part: EmailPart, template: string, vars: TemplateVariables): string {
  let rendered: string;
  try {
    rendered = renderTemplate(template, vars, RENDER_LIMITS.email[part], part === 'html' ? htmlEngine : undefined);
  } catch (error) {
    if (error instanceof RenderedTooLargeError) throw new EmailPartError(part, error.message);
    if (error instanceof TemplateRenderError) throw new EmailPartError(part, `does not render: ${error.message}`);
    throw error;
  }
  return part === 'subject' ? rendered.replace(LINE_BREAKS, ' ').trim() : rendered;
}

export interface RenderedEmail {
  subject: string;
  text: string;
  html?: string;
}

/** One client's e-mail: every part rendered with the client's variables and `unsubscribeUrl`. Throws EmailPartError. */
export function renderEmailContent(content: EmailContent, vars: TemplateVariables | undefined, unsubscribeUrl: string): RenderedEmail {
  const all = { ...vars, unsubscribeUrl } as TemplateVariables;
  return {
    subject: renderPart('subject', content.subject, all),
    text: renderPart('text', content.text, all),
    ...(content.html !== undefined ? { html: renderPart('html', content.html, all) } : {}),
  };
}

/** A notice's e-mail, rendered when it is posted: what does not render, or renders too large, is a ValidationError naming the part. */
export function renderEmailNotice(content: EmailContent, vars: TemplateVariables, unsubscribeUrl: string): RenderedEmail {
  try {
    return renderEmailContent(content, vars, unsubscribeUrl);
  } catch (error) {
    if (error instanceof EmailPartError) throw ValidationError.field(error.part, error.message.slice(error.part.length + 2));
    throw error;
  }
}

/** What a preview shows for `{{ unsubscribeUrl }}`: no token is made for a preview. */
export const UNSUBSCRIBE_PLACEHOLDER = 'https://herald.invalid/unsubscribe/preview';

/**
 * A campaign's e-mail as one client would get it, or with each variable as a placeholder
 * (`<name>`, `<attributes.city>`, escaped in html like any value): what POST /campaigns/preview
 * answers on the e-mail channel. `extra` as checkEmailContent takes it. A part at fault is a
 * ValidationError naming it.
 */
export function previewEmail(content: Partial<EmailContent>, client?: PreviewClient, extra: readonly string[] | 'any' = []): RenderedEmail {
  const use = checkEmailContent(content, extra);
  const vars = previewVariables(use, client, true);
  return renderEmailNotice(
    { subject: content.subject as string, text: content.text ?? '', ...(content.html !== undefined ? { html: content.html } : {}) },
    vars,
    UNSUBSCRIBE_PLACEHOLDER,
  );
}

/** An e-mail as SES takes it, with what it is tagged by. */
export interface EmailMessage extends OutgoingMessage, RenderedEmail {
  channel: 'email';
  to: string;
  /** Where `List-Unsubscribe` points, and `{{ unsubscribeUrl }}`. */
  unsubscribeUrl: string;
}

/** What an e-mail message record carries beyond every channel's; a notice's parts come rendered. */
export type EmailMessageRecord = MessageRecord & { email?: string; subject?: string; html?: string };
/** What a campaign's content carries on the e-mail channel. */
export type EmailCampaignContent = MessageContent & { subject?: string; html?: string };

export interface EmailRulesSettings {
  /** The client's unsubscribe link: `{base}/unsubscribe/{token}` (functions/domain/unsubscribe.ts). */
  unsubscribeUrl(clientId: string): string;
}

/**
 * The e-mail channel's rules for the shared send code. A campaign message renders the campaign's
 * parts from the variables the fan-out copied; a notice's come rendered. A message without an
 * address, or a campaign without a subject, fails as a template would: the message, not its chunk.
 */
export function createEmailRules(settings: EmailRulesSettings): ChannelRules<EmailMessage> {
  return {
    channel: 'email',
    render(content: EmailCampaignContent, message: EmailMessageRecord): EmailMessage {
      if (!message.email) throw new TemplateRenderError('the message has no e-mail address');
      const unsubscribeUrl = settings.unsubscribeUrl(message.clientId);
      let rendered: RenderedEmail;
      if (message.text !== undefined) {
        if (message.subject === undefined) throw new TemplateRenderError('the notice has no subject');
        rendered = { subject: message.subject, text: message.text, ...(message.html !== undefined ? { html: message.html } : {}) };
      } else {
        if (content.subject === undefined) throw new EmailPartError('subject', 'the campaign has none');
        rendered = renderEmailContent(
          { subject: content.subject, text: content.text, ...(content.html !== undefined ? { html: content.html } : {}) },
          message.vars,
          unsubscribeUrl,
        );
      }
      return { channel: 'email', id: message.id, to: message.email, unsubscribeUrl, ...rendered };
    },
    logFields: (message: EmailMessageRecord) => ({ email: message.email ? maskEmail(message.email) : '' }),
  };
}

/** SES tags: letters, digits, `_`, `-` and `.`; ids are digits. */
export interface EmailTag {
  Name: 'campaignId' | 'noticeId' | 'messageId' | 'eventId';
  Value: string;
}

/**
 * What an e-mail is tagged with, so its SES events lead back to it: the campaign's id or the
 * notice's, and the message id. A notice's message id is its id (functions/domain/notice-ids.ts);
 * a campaign message's id names its campaign (functions/domain/messages.ts, messageId). A notice
 * sent as an event's step names its event too, so the SES events' log lines do (npm run logs -- --event).
 */
export function emailTagsOf(messageId: number, eventId?: string): EmailTag[] {
  const address = addressOf(messageId);
  const owner: EmailTag = address ? { Name: 'campaignId', Value: address.campaignId } : { Name: 'noticeId', Value: String(messageId) };
  const event: EmailTag[] = !address && eventId !== undefined && EVENT_ID_PATTERN.test(eventId) ? [{ Name: 'eventId', Value: eventId }] : [];
  return [owner, { Name: 'messageId', Value: String(messageId) }, ...event];
}

/** What an SES tag set leads back to (the inverse of emailTagsOf), or undefined when it is not Herald's. */
export function messageOfTags(
  tags: Record<string, readonly string[] | undefined>,
): { messageId: number; campaignId?: string; noticeId?: number; eventId?: string } | undefined {
  const messageId = Number(tags.messageId?.[0]);
  if (!Number.isSafeInteger(messageId) || messageId < 1) return undefined;
  const address = addressOf(messageId);
  if (address) return tags.campaignId?.[0] === address.campaignId ? { messageId, campaignId: address.campaignId } : undefined;
  if (tags.noticeId?.[0] !== String(messageId) || !isNoticeKey(`notice#${messageId}`)) return undefined;
  const eventId = tags.eventId?.[0];
  return { messageId, noticeId: messageId, ...(eventId !== undefined && EVENT_ID_PATTERN.test(eventId) ? { eventId } : {}) };
}

/** What came of an SES call that did not answer with a MessageId: the error's name, and its HTTP status when there was an answer. */
export interface SesFailure {
  name: string;
  status?: number;
  message?: string;
}

/** Too fast for the account or the endpoint: worth another try. */
const THROTTLED = new Set(['TooManyRequestsException', 'LimitExceededException', 'ThrottlingException', 'Throttling']);
/** The message itself is refused (its content, its address, the sandbox's unverified recipient): trying again cannot help. */
const REJECTED = new Set(['MessageRejected', 'BadRequestException', 'MailFromDomainNotVerifiedException', 'InvalidParameterValue']);
/**
 * SES refuses Herald itself, not the message: its credentials or permissions, a missing
 * configuration set, or an account or configuration set whose sending is paused or suspended.
 * Nothing is wrong with the message, and an operator can lift each of these: the message is
 * tried again like a throttled one, up to the campaign's end, not failed for good.
 */
const REFUSED_SENDER = new Set([
  'AccountSuspendedException',
  'SendingPausedException',
  'NotFoundException',
  'AccessDeniedException',
  'UnrecognizedClientException',
  'InvalidClientTokenId',
  'InvalidSignatureException',
  'SignatureDoesNotMatch',
  'ExpiredTokenException',
]);
/** What the SDK calls a call it gave up on: the deadline's abort, its own timeouts, a socket's end. */
const TIMED_OUT = new Set(['AbortError', 'TimeoutError', 'RequestTimeout', 'RequestTimeoutException']);

/** SES's answers as every channel's outcomes: throttling, timeouts, network errors and 5xx are retried; a refused message is not. */
export function classifySesFailure(failure: SesFailure): SendOutcome {
  if (TIMED_OUT.has(failure.name)) return { kind: 'retryable', error: 'timeout' };
  // No answer at all: the connection failed before SES said anything.
  if (failure.status === undefined && !THROTTLED.has(failure.name) && !REJECTED.has(failure.name) && !REFUSED_SENDER.has(failure.name)) {
    return { kind: 'retryable', error: shortError(`network: ${failure.name}`) };
  }
  const error = shortError(failure.status !== undefined ? `${failure.name} (HTTP ${failure.status})` : failure.name);
  if (THROTTLED.has(failure.name) || failure.status === 429) return { kind: 'retryable', error };
  if (REFUSED_SENDER.has(failure.name)) return { kind: 'auth-failed', error };
  if (REJECTED.has(failure.name)) return { kind: 'rejected', error };
  if (failure.status !== undefined && (failure.status >= 500 || failure.status === 408)) return { kind: 'retryable', error };
  // Any other 4xx names a request SES will not take as it is: it would answer the same again.
  return { kind: 'rejected', error };
}
