/**
 * What SES's events cost Herald per e-mail: the emailEvents function's invocation (EventBridge
 * invokes it once per event), its one conditional write of the message's chunk, the suppression
 * list's writes of a bounce or complaint, and the tally's share of moving the campaign's
 * emailEvents from the chunks' writes. Metered as the cost run meters the pipeline (bench/meter.ts):
 * the real handler and tally against DynamoDB Local, every call's capacity counted, priced by
 * priceUsage. The e-mails' mix is SES's mailbox simulator's: mostly deliveries, 1 in 100 a
 * permanent bounce, 1 in 1000 a complaint. EventBridge's part is free: SES's events reach the
 * default bus as AWS service events, and a rule's delivery to Lambda is not billed.
 */
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { emailEventsEnvSchema, parseEnv } from '../functions/adapters/config.js';
import { chunkChangeOf } from '../functions/adapters/dynamo/message-store.js';
import { quietSdkLogger } from '../functions/adapters/sdk-logger.js';
import { tableList, tables } from '../functions/definitions/tables.js';
import { createEmailEventsHandler } from '../functions/delivery/email-events.js';
import { createTallyHandler } from '../functions/delivery/tally.js';
import { newCampaignRecord } from '../functions/domain/campaigns.js';
import { emailTagsOf } from '../functions/domain/channels/email.js';
import { simulatedEvent } from '../functions/domain/channels/email-events.js';
import { chunksOfPage, PAGE_SIZE } from '../functions/domain/messages.js';
import { emailEventsDependencies, stores } from '../functions/handlers/wiring.js';
import { createTables, localDynamoClient } from '../local/dynamodb.js';
import { startStreamPoller } from '../local/streams.js';
import { priceUsage, type CostBreakdown } from './cost.js';
import { awsEnvironment, type Endpoints } from './emulators.js';
import { figure, type Figure } from './figures.js';
import { handlerClientsMeter } from './meter.js';

/** The simulator address an e-mail of the run goes to: 1 in 100 bounces, 1 in 1000 complains, the rest are delivered. */
export function simulatedRecipient(index: number): string {
  if (index % 1000 === 999) return `complaint+${index}@simulator.amazonses.com`;
  if (index % 100 === 99) return `bounce+${index}@simulator.amazonses.com`;
  return `success+${index}@simulator.amazonses.com`;
}

/** Events handled at once: EventBridge invokes the function for each event as it comes. */
const CONCURRENT_EVENTS = 4;

export async function measureEmailEvents(endpoints: Endpoints, messages: number): Promise<CostBreakdown> {
  Object.assign(process.env, awsEnvironment(endpoints));
  const meter = await handlerClientsMeter();
  const suffix = `email-events-${Date.now()}`;
  const admin = localDynamoClient(endpoints.dynamoEndpoint);
  const names = (await createTables(admin, tableList, (table) => `${table.name}-${suffix}`)) as Record<string, string>;
  admin.destroy();
  const env = Object.fromEntries(Object.values(tables).map((table) => [table.envVar, names[table.name] as string]));
  const store = stores(env as never);

  // Seeding is no function's call: the meter leaves it unpriced.
  const now = new Date();
  const campaign = await store.campaigns.create((id) => ({
    ...newCampaignRecord({ text: 't', startAt: now.toISOString(), endAt: new Date(now.getTime() + 3_600_000).toISOString() }, id, now),
    channel: 'email' as const,
  }));
  await store.campaigns.start(campaign.id);
  const ids: number[] = [];
  for (let page = 0; page * PAGE_SIZE < messages; page++) {
    const audience = Array.from({ length: Math.min(PAGE_SIZE, messages - page * PAGE_SIZE) }, (_, i) => ({
      id: `c${page * PAGE_SIZE + i}`,
      phone: '79000000000',
    }));
    const { chunks } = await store.messages.writePage(campaign.id, page, chunksOfPage(campaign.id, page, audience, now, undefined, 'email'), null);
    ids.push(...chunks.flatMap((chunk) => chunk.messages.map((message) => message.id)));
  }

  const streamClients = {
    streams: new DynamoDBStreamsClient({ endpoint: endpoints.dynamoEndpoint, logger: quietSdkLogger }),
    dynamo: localDynamoClient(endpoints.dynamoEndpoint),
  };
  const tally = startStreamPoller({
    ...streamClients,
    tableName: names.messages as string,
    batchSize: 1000,
    batchWindowMs: 1000,
    handler: meter.instrument('tally', createTallyHandler({ campaigns: store.campaigns, changeOf: chunkChangeOf })),
  });
  try {
    // The writes of the seeding reach the tally first, unpriced.
    await tally.idle();
    meter.reset();
    const handler = meter.instrument('emailEvents', createEmailEventsHandler(emailEventsDependencies(parseEnv(emailEventsEnvSchema, env))));
    let next = 0;
    await Promise.all(
      Array.from({ length: CONCURRENT_EVENTS }, async () => {
        for (let index = next++; index < ids.length; index = next++) {
          const mail = {
            eventId: `e${index}`,
            sesMessageId: `m${index}`,
            from: 'herald@example.com',
            to: simulatedRecipient(index),
            configurationSetName: 'herald',
          };
          await handler(simulatedEvent({ ...mail, tags: emailTagsOf(ids[index] as number) }, new Date()));
        }
      }),
    );
    await tally.idle();
    const counted = (await store.campaigns.get(campaign.id))?.emailEvents;
    const total = counted ? counted.delivered + counted.bounced + counted.complained : 0;
    if (total !== ids.length) throw new Error(`emailEvents count ${total} messages of ${ids.length}`);
    return priceUsage(meter.snapshot(), ids.length, { latencyMs: 0, concurrency: 1 });
  } finally {
    await tally.stop();
    streamClients.streams.destroy();
    streamClients.dynamo.destroy();
  }
}

/** The target's part of an e-mail's cost that is not its SES event: the send pipeline, which is one copy for every channel. */
export function emailCostFigures(events: CostBreakdown, sending: CostBreakdown, command: string): Figure[] {
  const perEvent = events.dollarsPerMillion;
  return [
    figure({
      id: 'cost.emailDollarsPerMillion',
      section: 'cost',
      figure: "AWS cost per million e-mails, SES's own price aside",
      value: sending.dollarsPerMillion.total + perEvent.total,
      unit: '$',
      target: { op: '<=', limit: 0.35 },
      command,
      note: `the send pipeline's (fan-out, sender, tally: the SMS run's, the same code for every channel, SES's call in place of the provider's) plus each e-mail's SES event below`,
    }),
    figure({
      id: 'cost.emailEventsPerMillion',
      section: 'cost',
      figure: "  of which SES's events (one a message)",
      value: perEvent.total,
      unit: '$',
      command,
      note: `${events.messages} events (1 % bounces, 0.1 % complaints): ${events.perMessage.wru.toFixed(2)} WRU, ${events.perMessage.rru.toFixed(2)} RRU and ${events.perMessage.invocations.toFixed(3)} invocations a message; Lambda requests $${perEvent.lambdaRequests.toFixed(3)}, duration $${perEvent.lambdaDuration.toFixed(3)}, DynamoDB writes $${perEvent.dynamodbWrites.toFixed(3)}`,
    }),
  ];
}
