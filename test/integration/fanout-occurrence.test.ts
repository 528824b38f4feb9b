/**
 * An occurrence of a recurring campaign through the fan-out handler (DynamoDB Local, the SQS
 * emulator): the firing delivered twice, or two firings of one occurrence, make one run whose
 * fan-out writes each client one message; a start for the recurring campaign itself writes nothing.
 */
import { DeleteMessageCommand, PurgeQueueCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { beforeAll, describe, expect, it } from 'vitest';
import { SqsFanoutQueue, SqsSendQueue } from '../../functions/adapters/sqs.js';
import { newCampaignRecord } from '../../functions/domain/campaigns.js';
import { createFanoutHandler } from '../../functions/delivery/fanout.js';
import { stores, systemClock } from '../../functions/handlers/wiring.js';
import type { FanoutEvent, Stores } from '../../functions/ports.js';
import { createTestQueues, createTestTables, documentClient, sqsClient, uniqueSuffix, type TestQueues } from '../support/aws.js';

let store: Stores;
let queues: TestQueues;
let handler: (event: SQSEvent) => Promise<SQSBatchResponse>;
const sqs = sqsClient();

beforeAll(async () => {
  store = stores((await createTestTables()).env as never, systemClock, documentClient());
  queues = await createTestQueues();
  handler = createFanoutHandler({
    ...store,
    clock: systemClock,
    fanoutQueue: new SqsFanoutQueue(sqs, queues.fanout.url),
    sendQueue: new SqsSendQueue(sqs, queues.send.url),
  });
  await sqs.send(new PurgeQueueCommand({ QueueUrl: queues.send.url }));
});

const record = (event: FanoutEvent, receiveCount = 1) =>
  ({
    messageId: uniqueSuffix(),
    receiptHandle: 'r',
    body: JSON.stringify(event),
    attributes: { ApproximateReceiveCount: String(receiveCount), MessageGroupId: event.campaignId },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: queues.fanout.arn,
    awsRegion: 'us-east-1',
  }) as unknown as SQSEvent['Records'][number];

async function sendQueueBodies(): Promise<{ campaignId: string; chunk: number }[]> {
  const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queues.send.url, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }));
  return Messages.map((message) => JSON.parse(message.Body ?? '{}'));
}

describe('occurrences in the fan-out', () => {
  it('makes one run per occurrence however often it fires, each client one message', async () => {
    const tag = `occ-${uniqueSuffix()}`;
    for (let i = 0; i < 3; i++) await store.clients.create({ phone: `7956${String(Math.floor(Math.random() * 1e7)).padStart(7, '0')}`, timezone: 'UTC', tag });
    const now = new Date();
    const recurring = await store.campaigns.create((id) =>
      newCampaignRecord(
        {
          text: 'Hi',
          startAt: new Date(now.getTime() - 1_000).toISOString(),
          endAt: new Date(now.getTime() + 3_600_000).toISOString(),
          filter: { tags: [tag] },
          recurrence: { rate: '1 hour', runMinutes: 30 },
        },
        id,
        now,
      ),
    );
    // A start for the recurring campaign itself (e.g. a restart's recovery) writes nothing.
    expect((await handler({ Records: [record({ type: 'start', campaignId: recurring.id })] })).batchItemFailures).toEqual([]);
    expect(await store.campaigns.get(recurring.id)).not.toHaveProperty('fanout');

    const firing = { type: 'occurrence', campaignId: recurring.id, scheduledAt: now.toISOString() } as const;
    expect((await handler({ Records: [record(firing)] })).batchItemFailures).toEqual([]);
    expect((await handler({ Records: [record(firing, 2)] })).batchItemFailures).toEqual([]);
    expect((await handler({ Records: [record({ type: 'occurrence', campaignId: recurring.id })] })).batchItemFailures).toEqual([]);

    const runs = (await store.campaigns.runs(recurring.id, { limit: 10 })).items;
    expect(runs).toHaveLength(1);
    const run = runs[0]!;
    expect(run).toMatchObject({ recurringId: recurring.id, occurrence: new Date(recurring.startAt).toISOString(), status: 'running', fannedOut: 3 });
    const chunks = await sendQueueBodies();
    expect(chunks.map((chunk) => chunk.campaignId)).toEqual([run.id]);
    const messages = await store.messages.list(run.id, { limit: 100 });
    expect(messages.items).toHaveLength(3);
    expect(new Set(messages.items.map((message) => message.clientId)).size).toBe(3);
  });
  it('fans a run out in streams when the handler has them: each stream its own pages, each client one message', async () => {
    const streamed = createFanoutHandler({
      ...store,
      clock: systemClock,
      fanoutQueue: new SqsFanoutQueue(sqs, queues.fanout.url),
      sendQueue: new SqsSendQueue(sqs, queues.send.url),
      streams: 4,
    });
    const tag = `occs-${uniqueSuffix()}`;
    for (let i = 0; i < 12; i++) await store.clients.create({ phone: `7957${String(Math.floor(Math.random() * 1e7)).padStart(7, '0')}`, timezone: 'UTC', tag });
    const now = new Date();
    const recurring = await store.campaigns.create((id) =>
      newCampaignRecord(
        {
          text: 'Hi',
          startAt: new Date(now.getTime() - 1_000).toISOString(),
          endAt: new Date(now.getTime() + 3_600_000).toISOString(),
          filter: { tags: [tag] },
          recurrence: { rate: '1 hour', runMinutes: 30 },
        },
        id,
        now,
      ),
    );
    expect((await streamed({ Records: [record({ type: 'occurrence', campaignId: recurring.id, scheduledAt: now.toISOString() })] })).batchItemFailures).toEqual(
      [],
    );
    const run = (await store.campaigns.runs(recurring.id, { limit: 10 })).items[0]!;
    expect(run.fanout?.streams).toHaveLength(4);
    // The streams' page events, as the fan-out queue delivers them, until every stream is done.
    const streamsSeen = new Set<number>();
    for (let round = 0; round < 20; round++) {
      const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queues.fanout.url, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }));
      for (const message of Messages) {
        await sqs.send(new DeleteMessageCommand({ QueueUrl: queues.fanout.url, ReceiptHandle: message.ReceiptHandle! }));
        const event = JSON.parse(message.Body ?? '{}') as FanoutEvent;
        if (event.campaignId !== run.id) continue;
        if (event.type === 'page' && event.stream !== undefined) streamsSeen.add(event.stream);
        expect((await streamed({ Records: [record(event)] })).batchItemFailures).toEqual([]);
      }
      if ((await store.campaigns.get(run.id))?.fanout?.streams?.every((stream) => stream.done)) break;
    }
    expect([...streamsSeen].sort()).toEqual([0, 1, 2, 3]);
    const after = await store.campaigns.get(run.id);
    expect(after?.fanout?.streams?.every((stream) => stream.done)).toBe(true);
    const messages = await store.messages.list(run.id, { limit: 100 });
    expect(messages.items).toHaveLength(12);
    expect(new Set(messages.items.map((message) => message.clientId)).size).toBe(12);
  });
});
