/**
 * What a POST /notices that dies half-way leaves, on DynamoDB Local and the SQS emulator: the
 * notice's check-back (a second, delayed message for its chunk) is on the send queue before the
 * notice is written, so a request that dies between the write and the enqueue still leaves the
 * notice a message that sends it; one that dies before the write leaves a message that finds no
 * chunk, which the sender drops. "Dies" is a queue that throws at that point, as a killed Lambda stops there.
 */
import { GetQueueAttributesCommand, PurgeQueueCommand } from '@aws-sdk/client-sqs';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DynamoNoticeStore } from '../../functions/adapters/dynamo/notice-store.js';
import { DynamoSuppressionList } from '../../functions/adapters/dynamo/suppression-list.js';
import { SqsSendQueue } from '../../functions/adapters/sqs.js';
import { stores } from '../../functions/handlers/wiring.js';
import { createNotice, type NoticeDependencies } from '../../functions/services/notices.js';
import { createTestQueues, createTestTables, documentClient, sqsClient, type TestQueues } from '../support/aws.js';

const sqs = sqsClient();
let queues: TestQueues;
let deps: NoticeDependencies;
let notices: DynamoNoticeStore;
/** The enqueue that dies: the first (the check-back) or the second (the notice's own). */
let dieOnEnqueue: number | undefined;
let enqueues = 0;
let phoneSeq = 0;

beforeAll(async () => {
  const [tables, created] = await Promise.all([createTestTables(), createTestQueues()]);
  queues = created;
  const db = documentClient();
  const clock = { now: () => new Date() };
  notices = new DynamoNoticeStore(db, { messages: tables.names.messages, uniques: tables.names.uniques });
  const sendQueue = new SqsSendQueue(sqs, queues.send.url);
  deps = {
    ...stores(tables.env as never, clock, db),
    clock,
    notices,
    suppression: new DynamoSuppressionList(db, tables.names.uniques),
    sendQueue: {
      enqueue: async (chunks, delaySeconds) => {
        if (++enqueues === dieOnEnqueue) throw new Error('killed before this enqueue');
        await sendQueue.enqueue(chunks, delaySeconds);
      },
    },
  };
});

beforeEach(async () => {
  dieOnEnqueue = undefined;
  enqueues = 0;
  await sqs.send(new PurgeQueueCommand({ QueueUrl: queues.send.url }));
});

async function onSendQueue(): Promise<{ visible: number; delayed: number }> {
  const { Attributes = {} } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: queues.send.url, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesDelayed'] }),
  );
  return { visible: Number(Attributes.ApproximateNumberOfMessages), delayed: Number(Attributes.ApproximateNumberOfMessagesDelayed) };
}

const newClient = () => deps.clients.create({ phone: `7912500${String(phoneSeq++).padStart(4, '0')}`, timezone: 'UTC' });

describe('a POST /notices that dies half-way', () => {
  it('answered: the notice is on the send queue, and its check-back waits delayed behind it', async () => {
    const client = await newClient();
    const notice = await createNotice(deps, { clientId: client.id, text: 'Your receipt' });
    expect(notice.status).toBe('queued');
    expect(await onSendQueue()).toEqual({ visible: 1, delayed: 1 });
  });

  it('dying after the write, before the enqueue: the notice is stored queued and its check-back is on the queue to send it', async () => {
    const client = await newClient();
    dieOnEnqueue = 2;
    await expect(createNotice(deps, { clientId: client.id, text: 'Your receipt' })).rejects.toThrow(/killed/);
    const stored = (await notices.queued({ limit: 100 })).items;
    expect(stored.length).toBeGreaterThan(0);
    expect(await onSendQueue()).toEqual({ visible: 0, delayed: 1 });
  });

  it('dying before the check-back is queued: nothing is written, nothing waits', async () => {
    const client = await newClient();
    const before = (await notices.queued({ limit: 100 })).items.length;
    dieOnEnqueue = 1;
    await expect(createNotice(deps, { clientId: client.id, text: 'Your receipt' })).rejects.toThrow(/killed/);
    expect((await notices.queued({ limit: 100 })).items).toHaveLength(before);
    expect(await onSendQueue()).toEqual({ visible: 0, delayed: 0 });
  });
});
