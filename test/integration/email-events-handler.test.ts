/** The SES event handler against DynamoDB Local: what each event does to messages, campaigns, the suppression list and clients. */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { logger } from '../../functions/telemetry/logger.js';
import { DynamoDeliveryMarks } from '../../functions/adapters/dynamo/delivery-marks.js';
import { DynamoSuppressionList } from '../../functions/adapters/dynamo/suppression-list.js';
import { DynamoNoticeStore } from '../../functions/adapters/dynamo/notice-store.js';
import { emailEventsEnvSchema, parseEnv } from '../../functions/adapters/config.js';
import { createEmailEventsHandler } from '../../functions/delivery/email-events.js';
import { emailTagsOf } from '../../functions/domain/channels/email.js';
import { simulatedEvent, type SesEmailEvent } from '../../functions/domain/channels/email-events.js';
import { noticeChunk } from '../../functions/domain/notices.js';
import { emailEventsDependencies, stores, systemClock } from '../../functions/handlers/wiring.js';
import type { Stores } from '../../functions/ports.js';
import { emailCampaign } from '../support/email.js';
import { createTestTables, documentClient, startTestTally, type TestTally, storeOutcome, uniqueSuffix, type TestTables } from '../support/aws.js';

let tables: TestTables;
let store: Stores;
/** The campaigns' emailEvents follow the chunks' deliveries through the tally, as on AWS. */
let tally: TestTally;
let handler: ReturnType<typeof createEmailEventsHandler>;

beforeAll(async () => {
  tables = await createTestTables();
  store = stores(tables.env as never, systemClock, documentClient());
  tally = startTestTally(tables.names.messages, store.campaigns);
  handler = createEmailEventsHandler(emailEventsDependencies(parseEnv(emailEventsEnvSchema, tables.env)));
});
afterAll(() => tally.stop());

const SUCCESS = 'success@simulator.amazonses.com';

/** The event SES publishes for mail to `to` (the simulator address decides which), about message `id`. */
function eventFor(id: number, to: string, eventId = uniqueSuffix()): SesEmailEvent {
  return simulatedEvent(
    { eventId, sesMessageId: uniqueSuffix(), from: 'herald@example.com', to, tags: emailTagsOf(id), configurationSetName: 'herald' },
    new Date(),
  );
}

/** The campaign's emailEvents once the tally has read every chunk write so far. */
const emailEventsOf = async (campaignId: string) => {
  await tally.settled();
  return (await store.campaigns.get(campaignId))?.emailEvents;
};
const deliveryOf = async (id: number) => (await store.messages.get(id))?.delivery;
/** Whether the address is on the suppression list. */
const isSuppressed = (address: string) => new DynamoSuppressionList(documentClient(), tables.names.uniques).isSuppressed(address, 'email');

/** A client holding `address`. */
const clientWithEmail = async (address: string) => (await store.clients.create({ email: address, timezone: 'UTC' })).id;
const optOutsOf = async (clientId: string) => (await store.clients.get(clientId))?.optOuts;

describe('SES events', () => {
  it('a Delivery marks the message delivered and counts it once, however often EventBridge brings it', async () => {
    const { campaign, ids } = await emailCampaign(store, 2);
    const event = eventFor(ids[0]!, SUCCESS);
    await handler(event);
    await handler(event);
    expect(await deliveryOf(ids[0]!)).toBe('delivered');
    expect(await deliveryOf(ids[1]!)).toBeUndefined();
    expect(await emailEventsOf(campaign.id)).toEqual({ delivered: 1, bounced: 0, complained: 0 });
    // Only a permanent bounce or a complaint suppresses.
    expect(await isSuppressed(SUCCESS)).toBe(false);
  });

  it('the same event delivered many times at once still counts once', async () => {
    const { campaign, ids } = await emailCampaign(store, 3);
    const twice = ids.map((id) => eventFor(id, SUCCESS));
    await Promise.all([...twice, ...twice, ...twice].map((event) => handler(event)));
    expect(await emailEventsOf(campaign.id)).toEqual({ delivered: 3, bounced: 0, complained: 0 });
  });

  it('a permanent Bounce suppresses the address and marks the message bounced; a transient one changes nothing', async () => {
    const { campaign, ids } = await emailCampaign(store, 2);
    const address = `bounce+${uniqueSuffix()}@simulator.amazonses.com`;
    const transient = eventFor(ids[1]!, address);
    transient.detail.bounce = { ...transient.detail.bounce!, bounceType: 'Transient' };
    await handler(transient);
    expect(await isSuppressed(address)).toBe(false);
    expect(await deliveryOf(ids[1]!)).toBeUndefined();
    expect(await emailEventsOf(campaign.id)).toBeUndefined();

    await handler(eventFor(ids[0]!, address));
    expect(await isSuppressed(address)).toBe(true);
    expect(await deliveryOf(ids[0]!)).toBe('bounced');
    expect(await emailEventsOf(campaign.id)).toEqual({ delivered: 0, bounced: 1, complained: 0 });
  });

  it('a Complaint suppresses the address, opts its client out of e-mail once, and moves a delivered message to complained', async () => {
    const { campaign, ids } = await emailCampaign(store, 1);
    const address = `complaint+${uniqueSuffix()}@simulator.amazonses.com`;
    const clientId = await clientWithEmail(address);
    await handler(eventFor(ids[0]!, SUCCESS));
    const complaint = eventFor(ids[0]!, address);
    await handler(complaint);
    await handler(complaint);
    expect(await isSuppressed(address)).toBe(true);
    expect(await optOutsOf(clientId)).toEqual(['email']);
    expect(await deliveryOf(ids[0]!)).toBe('complained');
    // One message, counted under its latest state.
    expect(await emailEventsOf(campaign.id)).toEqual({ delivered: 0, bounced: 0, complained: 1 });
    // A Delivery that EventBridge brings late does not undo the complaint.
    await handler(eventFor(ids[0]!, SUCCESS));
    expect(await deliveryOf(ids[0]!)).toBe('complained');
    expect(await emailEventsOf(campaign.id)).toEqual({ delivered: 0, bounced: 0, complained: 1 });
  });

  it('a Complaint about an address no client holds (any more) still suppresses it, and touches no client', async () => {
    const address = `complaint+${uniqueSuffix()}@simulator.amazonses.com`;
    const other = await clientWithEmail(`someone-${uniqueSuffix()}@example.com`);
    const { ids } = await emailCampaign(store, 1);
    await handler(eventFor(ids[0]!, address));
    expect(await isSuppressed(address)).toBe(true);
    expect(await optOutsOf(other)).toBeUndefined();
  });

  it("the sender's outcome, written after SES reported, keeps the message's delivery", async () => {
    const { campaign, ids, messages } = await emailCampaign(store, 2);
    await handler(eventFor(ids[0]!, SUCCESS));
    await storeOutcome(
      store.messages,
      campaign.id,
      0,
      messages.map((message) => ({ ...message, status: 'sent' as const, attempts: 1, sentAt: new Date().toISOString() })),
    );
    const listed = (await store.messages.list(campaign.id, { limit: 10 })).items;
    expect(listed.map((message) => [message.status, message.delivery])).toEqual([
      ['sent', 'delivered'],
      ['sent', undefined],
    ]);
  });

  it("a notice's e-mail is marked on the notice, and no campaign counts it", async () => {
    const notices = new DynamoNoticeStore(documentClient(), { messages: tables.names.messages, uniques: tables.names.uniques });
    const chunk = await notices.create((id) => noticeChunk(id, { id: 'c-notice', phone: '79120000001' }, 'hello', new Date(), 'email'));
    const id = chunk.messages[0]!.id;
    await handler(eventFor(id, SUCCESS));
    expect((await notices.get(id))?.delivery).toBe('delivered');
  });

  it("names the event on the line of an event step's e-mail (npm run logs -- --event), EventBridge's id apart", async () => {
    const notices = new DynamoNoticeStore(documentClient(), { messages: tables.names.messages, uniques: tables.names.uniques });
    const eventId = 'aB3dE5fG7hJ9kL1m';
    const chunk = await notices.create((id) => noticeChunk(id, { id: 'c-step', phone: '79120000002' }, 'hello', new Date(), 'email', { eventId, step: 0 }));
    const id = chunk.messages[0]!.id;
    const logged = vi.spyOn(logger, 'info').mockImplementation(() => undefined);
    try {
      const stepEvent = simulatedEvent(
        {
          eventId: 'eb-1',
          sesMessageId: uniqueSuffix(),
          from: 'herald@example.com',
          to: SUCCESS,
          tags: emailTagsOf(id, eventId),
          configurationSetName: 'herald',
        },
        new Date(),
      );
      await handler(stepEvent);
      await handler(eventFor(id, SUCCESS, 'eb-2'));
      const lines = logged.mock.calls.filter(([line]) => line === 'ses event').map(([, fields]) => fields as Record<string, unknown>);
      expect(lines.map((fields) => [fields.eventBridgeId, fields.eventId])).toEqual([
        ['eb-1', eventId],
        // Negative control: the same mail tagged without its event names none.
        ['eb-2', undefined],
      ]);
    } finally {
      logged.mockRestore();
    }
  });

  it("events about mail that is not Herald's, or no event record at all, change nothing and are not retried", async () => {
    const { campaign, ids } = await emailCampaign(store, 1);
    const foreign = eventFor(ids[0]!, SUCCESS);
    foreign.detail.mail.tags = { campaignId: [String(Number(campaign.id) + 1)], messageId: [String(ids[0])] };
    await handler(foreign);
    const untagged = eventFor(ids[0]!, SUCCESS);
    untagged.detail.mail.tags = {};
    await handler(untagged);
    await expect(handler({ detail: {} } as never)).resolves.toBeUndefined();
    expect(await deliveryOf(ids[0]!)).toBeUndefined();
    expect(await emailEventsOf(campaign.id)).toBeUndefined();
  });

  it('a message id past the end of its chunk is no message', async () => {
    const { campaign, ids } = await emailCampaign(store, 1);
    const marks = new DynamoDeliveryMarks(documentClient(), tables.names.messages);
    expect(await marks.mark({ messageId: ids[0]! + 1, campaignId: campaign.id }, 'delivered')).toBeUndefined();
    expect(await marks.mark({ messageId: ids[0]!, campaignId: campaign.id }, 'delivered')).toEqual({ after: 'delivered' });
  });
});
