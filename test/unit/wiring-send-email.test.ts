/** The e-mail send function as functions/handlers/wiring.ts builds it: SES (mocked: AWS only), its settings, the unsubscribe links and the account's rate. */
import { GetAccountCommand, SendEmailCommand, SESv2Client } from '@aws-sdk/client-sesv2';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { parseEnv, sendEmailEnvSchema } from '../../functions/adapters/config.js';
import { hmacSigner } from '../../functions/adapters/hmac-signer.js';
import { preparedLinks } from '../../functions/adapters/unsubscribe-links.js';
import { readUnsubscribeToken } from '../../functions/domain/unsubscribe.js';
import { SES_ACCOUNT_RATE_KEY, sendEmailDependencies } from '../../functions/handlers/wiring.js';

const ses = mockClient(SESv2Client);
const env = parseEnv(sendEmailEnvSchema, {
  CLIENTS_TABLE: 'Clients',
  UNIQUES_TABLE: 'Uniques',
  CAMPAIGNS_TABLE: 'Campaigns',
  MESSAGES_TABLE: 'Messages',
  SEND_EMAIL_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/123456789012/herald-send-email',
  EMAIL_FROM: 'news@herald.example',
  SES_CONFIGURATION_SET: 'herald-events',
  PUBLIC_BASE_URL: 'https://api.herald.example/prod',
  UNSUBSCRIBE_KEY_SECRET: 'herald/unsubscribe-key',
});
const signer = hmacSigner('k'.repeat(32));
const clock = { now: () => new Date('2030-05-01T09:00:00Z') };

beforeEach(() => ses.reset());

describe('sendEmailDependencies', () => {
  it('refuses to start without the unsubscribe key secret: every e-mail carries a signed link', () => {
    const { UNSUBSCRIBE_KEY_SECRET: _secret, ...withoutKey } = env;
    expect(() => sendEmailDependencies(withoutKey)).toThrow(/UNSUBSCRIBE_KEY_SECRET/);
  });

  it("renders with the client's signed link and sends from EMAIL_FROM through the configuration set, under the account's rate", async () => {
    ses.on(SendEmailCommand).resolves({ MessageId: 'm' });
    ses.on(GetAccountCommand).resolves({ SendQuota: { MaxSendRate: 14, Max24HourSend: 50_000, SentLast24Hours: 0 } });
    const deps = sendEmailDependencies(env, {
      clock,
      ses: new SESv2Client({ region: 'eu-west-1' }),
      unsubscribe: preparedLinks(async () => signer, env.PUBLIC_BASE_URL),
    });
    await deps.rules.ready?.();
    const rendered = deps.rules.render({ text: 'Bye: {{ unsubscribeUrl }}', subject: 'Hi {{ name }}' } as never, {
      id: 2 ** 31 + 5,
      clientId: 'c1',
      email: 'anna@example.com',
      status: 'queued',
      attempts: 0,
      vars: { name: 'Anna' },
    });
    expect(rendered.unsubscribeUrl.startsWith('https://api.herald.example/prod/unsubscribe/')).toBe(true);
    expect(readUnsubscribeToken(signer, rendered.unsubscribeUrl.split('/').pop() as string)).toEqual({ clientId: 'c1', channel: 'email' });
    expect(rendered).toMatchObject({ to: 'anna@example.com', subject: 'Hi Anna', text: `Bye: ${rendered.unsubscribeUrl}` });
    expect(await deps.sender.send(rendered, 1000)).toEqual({ kind: 'sent' });
    expect(ses.commandCalls(SendEmailCommand)[0]?.args[0].input).toMatchObject({
      FromEmailAddress: 'news@herald.example',
      ConfigurationSetName: 'herald-events',
      Destination: { ToAddresses: ['anna@example.com'] },
    });
    expect(deps.accountRate?.key).toBe(SES_ACCOUNT_RATE_KEY);
    expect(await deps.accountRate?.quota.maxPerSecond()).toBe(14);
  });
});
