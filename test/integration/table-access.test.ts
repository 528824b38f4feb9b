/**
 * The stack grants each function the DynamoDB actions functions/definitions/access.ts lists, and
 * nothing else (lib/data.ts; test/infra/cases/functions.ts pins the template). Here the handlers
 * run as functions/handlers/wiring.ts builds them for Lambda, against DynamoDB Local and the SQS
 * emulator, with every request recorded as IAM sees it: each one is among the granted actions
 * (on AWS it would otherwise be refused), and each granted action is used by some path below (a
 * grant no path needs is wider than the code).
 */
import { DeleteMessageBatchCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  deadLetterEnvSchema,
  emailEventsEnvSchema,
  fanoutEnvSchema,
  parseEnv,
  sendEnvSchema,
  sendInappEnvSchema,
  startTimerEnvSchema,
  tallyEnvSchema,
  wsConnectionsEnvSchema,
} from '../../functions/adapters/config.js';
import { createWsConnectHandler, createWsDisconnectHandler, type WebSocketEvent } from '../../functions/api/websocket.js';
import { createEmailEventsHandler } from '../../functions/delivery/email-events.js';
import { emailTagsOf } from '../../functions/domain/channels/email.js';
import { simulatedEvent } from '../../functions/domain/channels/email-events.js';
import { DynamoConnectionStore } from '../../functions/adapters/dynamo/connection-store.js';
import { DynamoInboxStore } from '../../functions/adapters/dynamo/inbox-store.js';
import { newConnection } from '../../functions/domain/connections.js';
import type { InboxFrame } from '../../functions/domain/inbox-frames.js';
import { DynamoEventStore } from '../../functions/adapters/dynamo/event-store.js';
import { DynamoNoticeStore } from '../../functions/adapters/dynamo/notice-store.js';
import { createStartTimerHandler } from '../../functions/delivery/start-timer.js';
import { newEvent } from '../../functions/domain/events.js';
import { SqsFanoutQueue } from '../../functions/adapters/sqs.js';
import { coversIndexes, tableAccess } from '../../functions/definitions/access.js';
import { createDeadLetterHandler } from '../../functions/delivery/dead-letter.js';
import { createFanoutHandler } from '../../functions/delivery/fanout.js';
import { createSendHandler } from '../../functions/delivery/send.js';
import { newCampaignRecord, type CampaignFilter, type NewCampaign } from '../../functions/domain/campaigns.js';
import { chunksOfPage } from '../../functions/domain/messages.js';
import { NOTICE_CHUNK, noticeChunk } from '../../functions/domain/notices.js';
import {
  deadLetterDependencies,
  dynamoDocumentClient,
  emailEventsDependencies,
  fanoutDependencies,
  framePublisher,
  sendDependencies,
  sendInappDependencies,
  startTimerDependencies,
  stores,
  systemClock,
  tallyDependencies,
  wsConnectionsDependencies,
} from '../../functions/handlers/wiring.js';
import type { Stores } from '../../functions/ports.js';
import { startFakeProvider, type FakeProvider } from '../../local/fake-provider.js';
import { toSqsEvent } from '../../local/poller.js';
import {
  createTestQueues,
  createTestTables,
  documentClient,
  sqsClient,
  startTestTally,
  uniqueSuffix,
  type TestQueues,
  type TestTables,
} from '../support/aws.js';
import { recordTableAccess, type TableAccessRecorder, type TableUse } from '../support/table-access.js';

const TOKEN = 'table-access-jwt';
const sqs = sqsClient();
let tables: TestTables;
let queues: TestQueues;
let provider: FakeProvider;
/** The test's own reads and writes, on a client of its own: only the handlers' client is recorded. */
let store: Stores;
let recorder: TableAccessRecorder;

beforeAll(async () => {
  tables = await createTestTables();
  queues = await createTestQueues();
  provider = await startFakeProvider({ token: TOKEN, latencyMs: 0 });
  store = stores(tables.env as never, systemClock, documentClient());
  // The process's one client, which every dependency builder of functions/handlers/wiring.ts uses.
  recorder = recordTableAccess(dynamoDocumentClient(), tables.names);
});
afterAll(() => provider.stop());

/** What a function did outside its grant, and what of its grant it never did. */
function againstGrant(name: keyof typeof tableAccess, uses: TableUse[]): { refused: TableUse[]; unused: string[] } {
  const granted = tableAccess[name];
  const refused = uses.filter((use) => {
    const actions = granted[use.table];
    return !actions?.includes(use.action) || (use.index !== undefined && !coversIndexes(use.table, actions));
  });
  const unused = Object.entries(granted).flatMap(([table, actions]) =>
    actions.filter((action) => !uses.some((use) => use.table === table && use.action === action)).map((action) => `${table}: ${action}`),
  );
  return { refused, unused };
}

let phoneSeq = 0;
const phone = () => `7958${String(phoneSeq++).padStart(7, '0')}`;

async function campaign(fields: Partial<NewCampaign> & { filter?: CampaignFilter } = {}) {
  const now = new Date();
  return store.campaigns.create((id) =>
    newCampaignRecord({ text: 'Hi {{ name }}', startAt: now.toISOString(), endAt: new Date(now.getTime() + 3_600_000).toISOString(), ...fields }, id, now),
  );
}

/** A started campaign with one written page of `size` messages, as the fan-out leaves it. */
async function fannedOut(size: number, fields: Partial<NewCampaign> = {}) {
  const created = await campaign(fields);
  await store.campaigns.start(created.id);
  const audience = Array.from({ length: size }, (_, i) => ({ id: `c${i}`, phone: phone() }));
  const { chunks } = await store.messages.writePage(created.id, 0, chunksOfPage(created.id, 0, audience, new Date()), null);
  await store.campaigns.advanceFanout(created.id, 0, { page: 1, done: true }, size);
  return { campaign: created, chunks };
}

const eventStore = () => {
  const notices = new DynamoNoticeStore(documentClient(), { messages: tables.names.messages, uniques: tables.names.uniques });
  return new DynamoEventStore(documentClient(), { events: tables.names.events, messages: tables.names.messages }, () => notices.nextId());
};

/** An event whose one step's notice is queued, as a released step leaves it. */
async function queuedStep(): Promise<{ eventId: string; notice: string }> {
  const client = await store.clients.create({ phone: phone(), timezone: 'UTC' });
  const at = new Date();
  const type = {
    key: 'receipt',
    steps: [{ channel: 'sms' as const, text: 'Receipt', delaySeconds: 0 }],
    createdAt: at.toISOString(),
    updatedAt: at.toISOString(),
  };
  const event = (await eventStore().create(newEvent(eventStore().newId(), type, client, undefined, at))).event;
  const chunk = await eventStore().queueStep(event.id, 0, (id) => noticeChunk(id, client, 'Receipt', at, 'sms', { eventId: event.id, step: 0 }));
  if (!chunk) throw new Error('step not queued');
  return { eventId: event.id, notice: chunk.campaignId };
}

const chunkRecord = (ref: { campaignId: string; chunk: number }, arn: string): SQSRecord =>
  ({
    messageId: uniqueSuffix(),
    receiptHandle: 'r',
    body: JSON.stringify(ref),
    attributes: { ApproximateReceiveCount: '1' },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: arn,
    awsRegion: 'us-east-1',
  }) as SQSRecord;

/** Everything on the fan-out queue now, received as Lambda would get it, and deleted. */
async function drainFanout(): Promise<SQSRecord[]> {
  const records: SQSRecord[] = [];
  for (;;) {
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queues.fanout.url, MaxNumberOfMessages: 10, WaitTimeSeconds: 0, MessageSystemAttributeNames: ['All'] }),
    );
    if (Messages.length === 0) return records;
    records.push(...toSqsEvent(Messages, queues.fanout.arn).Records);
    await sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: queues.fanout.url,
        Entries: Messages.map((message, i) => ({ Id: String(i), ReceiptHandle: message.ReceiptHandle ?? '' })),
      }),
    );
  }
}

describe('every DynamoDB request of a function is one its role grants, and its role grants no action it never makes', () => {
  it('send: reads campaigns and never writes them; claims and outcomes; rate slots; the suppression list for a notice', async () => {
    const env = parseEnv(sendEnvSchema, { ...tables.env, PROVIDER_URL: provider.url, SEND_QUEUE_URL: queues.send.url });
    const handler = createSendHandler(sendDependencies(env, { token: async () => TOKEN }));
    const { campaign: limited } = await fannedOut(3, { maxPerSecond: 50 });
    const client = await store.clients.create({ phone: phone(), timezone: 'UTC' });
    const notices = new DynamoNoticeStore(documentClient(), { messages: tables.names.messages, uniques: tables.names.uniques });
    const notice = await notices.create((id) => noticeChunk(id, client, 'Your receipt', new Date()));
    recorder.reset();

    const event: SQSEvent = {
      Records: [
        chunkRecord({ campaignId: limited.id, chunk: 0 }, queues.send.arn),
        chunkRecord({ campaignId: notice.campaignId, chunk: NOTICE_CHUNK }, queues.send.arn),
      ],
    };
    expect((await handler(event)).batchItemFailures).toEqual([]);
    expect(provider.sentMsgIds()).toHaveLength(4);
    expect(againstGrant('send', recorder.uses())).toEqual({ refused: [], unused: [] });
    expect(recorder.uses().filter((use) => use.table === 'campaigns')).toEqual([{ table: 'campaigns', action: 'GetItem' }]);
  });

  it("send in-app: the claim and outcome, each message's inbox item and counter, frames to the client's connections (a gone one deleted)", async () => {
    const env = parseEnv(sendInappEnvSchema, { ...tables.env, SEND_INAPP_QUEUE_URL: queues.sendInapp.url });
    const posted: [string, InboxFrame][] = [];
    const poster = {
      post: async (connectionId: string, frame: InboxFrame) => (posted.push([connectionId, frame]), connectionId === 'gone' ? 'gone' : 'sent'),
    } as const;
    const frames = framePublisher({ CONNECTIONS_TABLE: tables.names.connections }, poster);
    const handler = createSendHandler(sendInappDependencies(env, { frames }));
    // A campaign with a rate: its view and its slots (its messages fail: an in-app campaign needs a title).
    const created = await campaign({ maxPerSecond: 50 });
    await store.campaigns.start(created.id);
    await store.messages.writePage(created.id, 0, chunksOfPage(created.id, 0, [{ id: 'c0', phone: phone() }], new Date(), undefined, 'inapp'), null);
    const client = await store.clients.create({ phone: phone(), timezone: 'UTC' });
    const connections = new DynamoConnectionStore(documentClient(), tables.names.connections);
    for (const id of ['live', 'gone']) await connections.add(newConnection(client.id, id, new Date()));
    const notices = new DynamoNoticeStore(documentClient(), { messages: tables.names.messages, uniques: tables.names.uniques });
    const notice = await notices.create((id) => {
      const chunk = noticeChunk(id, client, 'Your order shipped', new Date(), 'inapp');
      chunk.messages[0]!.title = 'Shipped';
      chunk.messages[0]!.url = '/orders/7';
      return chunk;
    });
    recorder.reset();

    const event: SQSEvent = {
      Records: [
        chunkRecord({ campaignId: created.id, chunk: 0 }, queues.sendInapp.arn),
        chunkRecord({ campaignId: notice.campaignId, chunk: NOTICE_CHUNK }, queues.sendInapp.arn),
      ],
    };
    expect((await handler(event)).batchItemFailures).toEqual([]);
    expect(againstGrant('sendInapp', recorder.uses())).toEqual({ refused: [], unused: [] });

    const inbox = new DynamoInboxStore(documentClient(), tables.names.inbox, systemClock, 90);
    const page = await inbox.list(client.id, { limit: 10, status: 'all' });
    expect(page.items).toEqual([
      expect.objectContaining({ title: 'Shipped', text: 'Your order shipped', url: '/orders/7', noticeId: notice.campaignId.split('#')[1], readAt: null }),
    ]);
    expect(page.unreadCount).toBe(1);
    expect(posted.filter(([id]) => id === 'live').map(([, frame]) => frame)).toEqual([
      { type: 'notification', item: page.items[0] },
      { type: 'unread', count: 1 },
    ]);
    expect(await connections.ofClient(client.id)).toEqual(['live']);
    expect((await notices.get(Number(notice.campaignId.split('#')[1])))?.status).toBe('sent');

    // The same chunk again (a redelivery after the outcome): no second item, no frame.
    posted.length = 0;
    expect((await handler({ Records: [chunkRecord({ campaignId: notice.campaignId, chunk: NOTICE_CHUNK }, queues.sendInapp.arn)] })).batchItemFailures).toEqual(
      [],
    );
    expect((await inbox.list(client.id, { limit: 10, status: 'all' })).items).toHaveLength(1);
    expect(posted).toEqual([]);
  });

  it('dead letter: fails a chunk through its claim and outcome, and touches no campaign', async () => {
    const handler = createDeadLetterHandler(deadLetterDependencies(parseEnv(deadLetterEnvSchema, tables.env)));
    const { campaign: exhausted } = await fannedOut(2);
    recorder.reset();

    expect((await handler({ Records: [chunkRecord({ campaignId: exhausted.id, chunk: 0 }, queues.send.deadLetter.arn)] })).batchItemFailures).toEqual([]);
    expect(againstGrant('deadLetter', recorder.uses())).toEqual({ refused: [], unused: [] });
    expect((await store.messages.list(exhausted.id, { limit: 10 })).items.map((message) => message.status)).toEqual(['failed', 'failed']);
  });

  it('$connect and $disconnect: a connection put and deleted, nothing else; $default and the authorizer touch no table', async () => {
    const dependencies = wsConnectionsDependencies(parseEnv(wsConnectionsEnvSchema, tables.env));
    const event = (routeKey: string) =>
      ({
        isBase64Encoded: false,
        requestContext: { routeKey, connectionId: `conn-${uniqueSuffix()}`, authorizer: { clientId: 'ws-client' } },
      }) as WebSocketEvent;
    const connected = event('$connect');
    recorder.reset();
    expect(await createWsConnectHandler(dependencies)(connected)).toEqual({ statusCode: 200 });
    expect(againstGrant('wsConnect', recorder.uses())).toEqual({ refused: [], unused: [] });
    recorder.reset();
    expect(await createWsDisconnectHandler(dependencies)({ ...connected, requestContext: { ...connected.requestContext, routeKey: '$disconnect' } })).toEqual({
      statusCode: 200,
    });
    expect(againstGrant('wsDisconnect', recorder.uses())).toEqual({ refused: [], unused: [] });
    expect(tableAccess.wsDefault).toEqual({});
    expect(tableAccess.wsAuthorizer).toEqual({});
  });

  it("email events: a delivery and a complaint (twice), the message's chunk and its campaign's emailEvents, the suppression list, the client's opt-out", async () => {
    const handler = createEmailEventsHandler(emailEventsDependencies(parseEnv(emailEventsEnvSchema, tables.env)));
    const { chunks } = await fannedOut(1);
    const id = chunks[0]!.messages[0]!.id;
    const address = `complaint+${uniqueSuffix()}@simulator.amazonses.com`;
    await store.clients.create({ phone: phone(), email: address, timezone: 'UTC' });
    const event = (to: string) =>
      simulatedEvent(
        { eventId: uniqueSuffix(), sesMessageId: 'm', from: 'herald@example.com', to, tags: emailTagsOf(id), configurationSetName: 'herald' },
        new Date(),
      );
    recorder.reset();

    await handler(event('success@simulator.amazonses.com'));
    await handler(event(address));
    // Again, as EventBridge may bring it: the client has opted out already.
    await handler(event(address));
    expect(againstGrant('emailEvents', recorder.uses())).toEqual({ refused: [], unused: [] });
    expect((await store.messages.get(id))?.delivery).toBe('complained');
  });

  it("tally: the counters and mark of a campaign, the overall totals, the finish; an event step's notice settles its step", async () => {
    const { campaign: settled, chunks } = await fannedOut(2);
    const step = await queuedStep();
    const deps = tallyDependencies(parseEnv(tallyEnvSchema, tables.env));
    const tally = startTestTally(tables.names.messages, deps.campaigns, undefined, deps);
    try {
      // Claimed as the sender would: an outcome is stored only under its claim's lease.
      const claim = await store.messages.claim(settled.id, 0, 60_000, new Date());
      const stepClaim = await store.messages.claim(step.notice, NOTICE_CHUNK, 60_000, new Date());
      if (claim.kind !== 'claimed' || stepClaim.kind !== 'claimed') throw new Error(`chunk not claimed: ${claim.kind}, ${stepClaim.kind}`);
      await tally.settled();
      recorder.reset();
      const sent = (chunks[0]?.messages ?? []).map((message) => ({ ...message, status: 'sent' as const, attempts: 1 }));
      await store.messages.saveOutcome(settled.id, 0, sent, claim.lease);
      await store.messages.saveOutcome(step.notice, NOTICE_CHUNK, [{ ...stepClaim.chunk.messages[0]!, status: 'sent', attempts: 1 }], stepClaim.lease);
      await tally.settled();
    } finally {
      await tally.stop();
    }
    expect(againstGrant('tally', recorder.uses())).toEqual({ refused: [], unused: [] });
    expect((await store.campaigns.get(settled.id))?.status).toBe('finished');
    expect((await eventStore().get(step.eventId))?.steps[0]?.status).toBe('sent');
  });

  it("start timer: a due event step's event, client, suppression entry, an earlier in-app item's read, notice id and notice; a campaign start touches no table", async () => {
    const env = parseEnv(startTimerEnvSchema, {
      ...tables.env,
      FANOUT_QUEUE_URL: queues.fanout.url,
      START_TIMER_QUEUE_URL: queues.startTimer.url,
      SEND_QUEUE_URL: queues.send.url,
    });
    const handler = createStartTimerHandler(startTimerDependencies(env));
    const client = await store.clients.create({ phone: phone(), timezone: 'UTC' });
    const at = new Date();
    const type = {
      key: 'due',
      steps: [
        { channel: 'inapp' as const, title: 'Now', text: 'In the inbox', delaySeconds: 0 },
        { channel: 'sms' as const, text: 'Due now', delaySeconds: 0, unlessRead: true as const },
      ],
      createdAt: at.toISOString(),
      updatedAt: at.toISOString(),
    };
    // The in-app step went out earlier (its notice never made an item here): the SMS step asks whether it was read.
    const built = newEvent(eventStore().newId(), type, client, undefined, at);
    const event = (await eventStore().create({ ...built, steps: [{ ...built.steps[0]!, status: 'queued' as const, messageId: 1 }, built.steps[1]!] })).event;
    recorder.reset();
    const timer = (body: unknown) => ({ ...chunkRecord({ campaignId: '1', chunk: 0 }, queues.startTimer.arn), body: JSON.stringify(body) });
    const records = [timer({ eventId: event.id, step: 1, dueAt: at.toISOString() }), timer({ campaignId: '1', startAt: at.toISOString() })];
    expect((await handler({ Records: records })).batchItemFailures).toEqual([]);
    expect(againstGrant('startTimer', recorder.uses())).toEqual({ refused: [], unused: [] });
    expect((await eventStore().get(event.id))?.steps[1]?.status).toBe('queued');
  });

  it('fan-out: the audience by index and by Scan, a recent opt-out, a page of several chunks, a resume, a recurring run', async () => {
    const env = parseEnv(fanoutEnvSchema, {
      ...tables.env,
      ...queues.env,
      FANOUT_QUEUE_URL: queues.fanout.url,
      SEND_QUEUE_URL: queues.send.url,
      START_TIMER_QUEUE_URL: queues.startTimer.url,
      FANOUT_STREAMS: '1',
    });
    const handler = createFanoutHandler(fanoutDependencies(env));
    const run = async (first: () => Promise<void>) => {
      await first();
      for (let records = await drainFanout(); records.length > 0; records = await drainFanout()) {
        for (const record of records) expect((await handler({ Records: [record] })).batchItemFailures).toEqual([]);
      }
    };
    const fanoutQueue = new SqsFanoutQueue(sqs, queues.fanout.url);
    const tag = `access-${uniqueSuffix()}`;
    const clients = await Promise.all(Array.from({ length: 25 }, () => store.clients.create({ phone: phone(), timezone: 'UTC', tag })));
    // Just now: the page's phones are looked up on the suppression list, as the index may lag.
    await store.clients.update(clients[0]!.id, { optedOut: true });
    const byTag = await campaign({ filter: { tags: [tag] } });
    const everyone = await campaign();
    const now = new Date();
    const recurring = await campaign({
      startAt: new Date(now.getTime() - 1_000).toISOString(),
      recurrence: { rate: '1 hour', runMinutes: 30 },
      filter: { tags: [tag] },
    });
    recorder.reset();

    await run(() => fanoutQueue.start(byTag.id));
    await run(() => fanoutQueue.start(everyone.id));
    await run(() => fanoutQueue.resume(byTag.id, new Date().toISOString()));
    await run(() => fanoutQueue.occurrence(recurring.id, now.toISOString()));

    expect((await store.campaigns.get(byTag.id))?.fannedOut).toBe(24);
    expect((await store.campaigns.runs(recurring.id, { limit: 10 })).items).toHaveLength(1);
    expect(againstGrant('fanout', recorder.uses())).toEqual({ refused: [], unused: [] });
  });
});
