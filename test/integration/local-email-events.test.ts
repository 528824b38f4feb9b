/** SES's events locally: the mailbox simulator's event after each e-mail sent, carried to the SES event handler as EventBridge would. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emailEventsEnvSchema, parseEnv } from '../../functions/adapters/config.js';
import { createEmailEventsHandler } from '../../functions/delivery/email-events.js';
import { DynamoSuppressionList } from '../../functions/adapters/dynamo/suppression-list.js';
import type { EmailMessage } from '../../functions/domain/channels/email.js';
import type { SesEmailEvent } from '../../functions/domain/channels/email-events.js';
import { emailEventsDependencies, stores, systemClock } from '../../functions/handlers/wiring.js';
import type { ChannelSender, Stores } from '../../functions/ports.js';
import { startEmailEvents } from '../../local/email-events.js';
import type { LocalLogger } from '../../local/ports.js';
import { simulateMailbox } from '../../local/ses.js';
import { emailCampaign } from '../support/email.js';
import { createTestTables, documentClient, startTestTally, type TestTally, uniqueSuffix, type TestTables } from '../support/aws.js';

let tables: TestTables;
let store: Stores;
/** The campaigns' emailEvents follow the chunks' deliveries through the tally, as on AWS. */
let tally: TestTally;

beforeAll(async () => {
  tables = await createTestTables();
  store = stores(tables.env as never, systemClock, documentClient());
  tally = startTestTally(tables.names.messages, store.campaigns);
});
afterAll(() => tally.stop());

/** What a logger was told, by level. */
function recordingLogger() {
  const lines: { level: string; message: string }[] = [];
  const at = (level: string) => (message: string) => void lines.push({ level, message });
  const logger: LocalLogger = { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
  return { logger, lines };
}

/** An SES that takes every e-mail (the simulator decides what becomes of it). */
const acceptingSes: ChannelSender<EmailMessage> = { channel: 'email', send: async () => ({ kind: 'sent' }) };

const mail = (id: number, to: string): EmailMessage => ({ channel: 'email', id, to, subject: 's', text: 't', unsubscribeUrl: 'https://herald.invalid/u' });

describe('local SES events', () => {
  it('each e-mail the simulator takes yields its event, which the SES event handler applies after the send', async () => {
    const { logger } = recordingLogger();
    const handler = createEmailEventsHandler(emailEventsDependencies(parseEnv(emailEventsEnvSchema, tables.env)));
    const events = startEmailEvents({ handler, logger });
    const sender = simulateMailbox(acceptingSes, { from: 'herald@example.com', configurationSetName: 'herald' }, events.publish, systemClock);
    const { campaign, ids } = await emailCampaign(store, 3);
    const bounce = `bounce+${uniqueSuffix()}@simulator.amazonses.com`;
    const complaint = `complaint+${uniqueSuffix()}@simulator.amazonses.com`;
    await sender.send(mail(ids[0]!, 'jane@example.com'), 1_000);
    await sender.send(mail(ids[1]!, bounce), 1_000);
    await sender.send(mail(ids[2]!, complaint), 1_000);
    await events.settled();

    const messages = (await store.messages.list(campaign.id, { limit: 10 })).items;
    expect(messages.map((message) => message.delivery)).toEqual(['delivered', 'bounced', 'complained']);
    await tally.settled();
    expect((await store.campaigns.get(campaign.id))?.emailEvents).toEqual({ delivered: 1, bounced: 1, complained: 1 });
    const isSuppressed = (address: string) => new DynamoSuppressionList(documentClient(), tables.names.uniques).isSuppressed(address, 'email');
    expect([await isSuppressed(bounce), await isSuppressed(complaint), await isSuppressed('jane@example.com')]).toEqual([true, true, false]);
    await events.stop();
  });

  it('an e-mail SES refused yields no event', async () => {
    const published: SesEmailEvent[] = [];
    const refusing: ChannelSender<EmailMessage> = { channel: 'email', send: async () => ({ kind: 'rejected', error: 'MessageRejected' }) };
    const sender = simulateMailbox(refusing, { from: 'herald@example.com', configurationSetName: 'herald' }, (event) => published.push(event), systemClock);
    await sender.send(mail(2 ** 31, 'jane@example.com'), 1_000);
    expect(published).toEqual([]);
  });

  it('a failed event is tried again, as Lambda retries an asynchronous invocation, then given up and logged', async () => {
    const { logger, lines } = recordingLogger();
    const seen: string[] = [];
    let failures = 1;
    const events = startEmailEvents({
      handler: async (event) => {
        seen.push(event.id);
        if (event.id === 'always' || failures-- > 0) throw new Error('DynamoDB unavailable');
      },
      logger,
      retryDelaysMs: [0, 0],
    });
    const event = (id: string) => ({ id, detail: { eventType: 'Delivery' } }) as SesEmailEvent;
    events.publish(event('once'));
    await events.settled();
    expect(seen).toEqual(['once', 'once']);
    events.publish(event('always'));
    await events.settled();
    await events.stop();
    expect(seen.filter((id) => id === 'always')).toHaveLength(3);
    expect(lines.filter((line) => line.level === 'error').map((line) => line.message)).toEqual(['an SES event was given up after its retries']);
    // Stopped: nothing more is taken.
    events.publish(event('late'));
    await events.settled();
    expect(seen).not.toContain('late');
  });
});
