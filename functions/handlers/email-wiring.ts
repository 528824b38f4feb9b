/**
 * The e-mail channel's send function, apart from functions/handlers/wiring.ts so that only its
 * bundle carries the SES client and the unsubscribe signer.
 */
import type { SendEmailEnv } from '../adapters/config.js';
import { DynamoRateSlots } from '../adapters/dynamo/rate-slots.js';
import { DynamoSuppressionList } from '../adapters/dynamo/suppression-list.js';
import { sesClient, SesSender } from '../adapters/ses-sender.js';
import { createSendHandler, type SendDependencies } from '../delivery/send.js';
import { createEmailRules, type EmailMessage } from '../domain/channels/email.js';
import { unsubscribeToken, unsubscribeUrl } from '../domain/unsubscribe.js';
import type { TokenSigner } from '../ports.js';
import { campaignStore, dynamoDocumentClient, messageStore, sendQueueOnFirstUse, systemClock, unsubscribeSigner } from './wiring.js';

/**
 * The e-mail channel's send function: SES v2, and the unsubscribe links' key read from Secrets
 * Manager (the only sender that reads it), or the local runtime's signer.
 */
export function sendEmailDependencies(
  env: SendEmailEnv,
  overrides: Partial<SendDependencies<EmailMessage>> & { signer: TokenSigner },
): SendDependencies<EmailMessage> {
  const clock = overrides.clock ?? systemClock;
  const { signer, ...rest } = overrides;
  return {
    clock,
    campaigns: campaignStore(env),
    messages: messageStore(env),
    sendQueue: sendQueueOnFirstUse(env.SEND_EMAIL_QUEUE_URL),
    rateSlots: new DynamoRateSlots(dynamoDocumentClient(), env.UNIQUES_TABLE),
    suppression: new DynamoSuppressionList(dynamoDocumentClient(), env.UNIQUES_TABLE),
    sender: new SesSender(sesClient(), { from: env.EMAIL_FROM, configurationSetName: env.SES_CONFIGURATION_SET }),
    rules: createEmailRules({
      unsubscribeUrl: (clientId) => unsubscribeUrl(env.PUBLIC_BASE_URL, unsubscribeToken(signer, { clientId, channel: 'email' })),
    }),
    settings: { providerTimeoutMs: env.EMAIL_TIMEOUT_MS, providerConcurrency: env.EMAIL_CONCURRENCY, maxBackoffSeconds: env.SEND_MAX_BACKOFF_SECONDS },
    ...rest,
  };
}

/** The e-mail send handler, built on its first invocation: the unsubscribe key comes from Secrets Manager (functions/handlers/wiring.ts, unsubscribeSigner). */
export function sendEmailHandler(env: SendEmailEnv): ReturnType<typeof createSendHandler<EmailMessage>> {
  let handler: ReturnType<typeof createSendHandler<EmailMessage>> | undefined;
  const signer = unsubscribeSigner(env.UNSUBSCRIBE_KEY_SECRET);
  return async (event) => {
    handler ??= createSendHandler(sendEmailDependencies(env, { signer: await signer() }));
    return handler(event);
  };
}
