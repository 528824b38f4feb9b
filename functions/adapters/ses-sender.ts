import { SendEmailCommand, SESv2Client, type SendEmailCommandInput, type SESv2ClientConfig } from '@aws-sdk/client-sesv2';
import { classifySesFailure, emailTagsOf, type EmailMessage, type SesFailure } from '../domain/channels/email.js';
import type { SendOutcome } from '../domain/delivery.js';
import type { LogTags } from '../domain/messages.js';
import type { ChannelSender } from '../ports.js';
import { quietSdkLogger } from './sdk-logger.js';

export interface SesSenderSettings {
  /** `FromEmailAddress`: the stack's `emailFrom` (locally HERALD_EMAIL_FROM), an identity verified in SES. */
  from: string;
  /** The configuration set whose event destination (EventBridge) reports bounces, complaints and deliveries. */
  configurationSetName: string;
}

/**
 * An SES v2 client for the e-mail sender: one attempt per call, as the provider's client makes,
 * so every throttle, timeout and 5xx is an outcome the shared send code retries with its own
 * backoff inside the chunk's lease, never a wait hidden in the SDK.
 */
export function sesClient(config: SESv2ClientConfig = {}): SESv2Client {
  return new SESv2Client({ maxAttempts: 1, logger: quietSdkLogger, ...config });
}

/**
 * The one-click unsubscribe headers of RFC 8058 (Gmail and Yahoo require them of bulk senders):
 * the link, and that a POST to it unsubscribes without a page in between.
 */
export function unsubscribeHeaders(url: string): { Name: string; Value: string }[] {
  return [
    { Name: 'List-Unsubscribe', Value: `<${url}>` },
    { Name: 'List-Unsubscribe-Post', Value: 'List-Unsubscribe=One-Click' },
  ];
}

/** The SendEmail request for one rendered e-mail. */
export function sendEmailRequest(message: EmailMessage, settings: SesSenderSettings, tags: LogTags = {}): SendEmailCommandInput {
  return {
    FromEmailAddress: settings.from,
    Destination: { ToAddresses: [message.to] },
    ConfigurationSetName: settings.configurationSetName,
    EmailTags: emailTagsOf(message.id, tags.eventId),
    Content: {
      Simple: {
        Subject: { Data: message.subject, Charset: 'UTF-8' },
        Body: {
          Text: { Data: message.text, Charset: 'UTF-8' },
          ...(message.html !== undefined ? { Html: { Data: message.html, Charset: 'UTF-8' } } : {}),
        },
        Headers: unsubscribeHeaders(message.unsubscribeUrl),
      },
    },
  };
}

/** The e-mail channel's sender: SES v2 SendEmail, its answers classified by the e-mail rules (functions/domain/channels/email.ts). */
export class SesSender implements ChannelSender<EmailMessage> {
  readonly channel = 'email';

  constructor(
    private readonly ses: Pick<SESv2Client, 'send'>,
    private readonly settings: SesSenderSettings,
  ) {}

  async send(message: EmailMessage, timeoutMs: number, tags?: LogTags): Promise<SendOutcome> {
    if (timeoutMs <= 0) return { kind: 'retryable', error: 'no time left before the end' };
    try {
      // The signal is the hard deadline: the call is abandoned when the lease or the invocation would end first.
      await this.ses.send(new SendEmailCommand(sendEmailRequest(message, this.settings, tags)), { abortSignal: AbortSignal.timeout(timeoutMs) });
      return { kind: 'sent' };
    } catch (error) {
      return classifySesFailure(failureOf(error));
    }
  }
}

/** An SDK error's name and HTTP status (none when no answer came: a refused connection, a reset, a timeout). */
export function failureOf(error: unknown): SesFailure {
  if (!(error instanceof Error)) return { name: String(error) };
  const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  const code = (error as { code?: unknown }).code;
  // A socket's end carries its reason in `code` (ECONNREFUSED, ECONNRESET), whatever the SDK names the error (it calls a reset a TimeoutError).
  const name = typeof code === 'string' && /^E[A-Z]+$/.test(code) ? code : error.name;
  return { name, ...(status !== undefined ? { status } : {}), message: error.message };
}
