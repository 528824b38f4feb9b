import { DeleteMessageCommand, ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoCampaignStore } from '../../functions/adapters/dynamo/campaign-store.js';
import { DynamoMessageStore } from '../../functions/adapters/dynamo/message-store.js';
import { DynamoNoticeStore } from '../../functions/adapters/dynamo/notice-store.js';
import { SqsFanoutQueue, SqsSendQueue, SqsStartTimerQueue } from '../../functions/adapters/sqs.js';
import { newCampaignRecord } from '../../functions/domain/campaigns.js';
import { chunksOfPage, type AudienceMember, type MessageStatus } from '../../functions/domain/messages.js';
import { isNoticeKey, NOTICE_CHUNK, noticeChunk } from '../../functions/domain/notices.js';
import type { Clock } from '../../functions/ports.js';
import { recoverDelivery } from '../../local/recover.js';
import { createTestQueues, createTestTables, documentClient, sqsClient, storeOutcome, type TestQueues, type TestTables } from '../support/aws.js';

const HOUR = 3_600_000;
const clock: Clock = { now: () => new Date() };

function audience(count: number, from = 0): AudienceMember[] {
  return Array.from({ length: count }, (_, i) => ({ id: `client-${from + i}`, phone: String(79_000_000_000 + from + i) }));
}

/** Every message body on a queue, deleting as it goes (a FIFO group shows one message at a time). */
async function drain(sqs: SQSClient, queueUrl: string): Promise<unknown[]> {
  const bodies: unknown[] = [];
  for (;;) {
    const { Messages } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }));
    if (!Messages?.length) return bodies;
    for (const message of Messages) {
      bodies.push(JSON.parse(message.Body ?? 'null'));
      await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: message.ReceiptHandle }));
    }
  }
}

describe('recoverDelivery after a restart emptied the queues', () => {
  let db: DynamoDBDocumentClient;
  let sqs: SQSClient;
  let tables: TestTables;
  let queues: TestQueues;
  let campaigns: DynamoCampaignStore;
  let messages: DynamoMessageStore;

  beforeAll(async () => {
    db = documentClient();
    sqs = sqsClient();
    [tables, queues] = await Promise.all([createTestTables(), createTestQueues()]);
    campaigns = new DynamoCampaignStore(db, { campaigns: tables.names.campaigns, uniques: tables.names.uniques });
    messages = new DynamoMessageStore(db, tables.names.messages);
  });
  afterAll(() => {
    db.destroy();
    sqs.destroy();
  });

  async function campaign(startOffsetMs: number, endOffsetMs: number, createdOffsetMs = 0): Promise<string> {
    const now = Date.now();
    const created = await campaigns.create((id) =>
      newCampaignRecord(
        { text: 'hello', startAt: new Date(now + startOffsetMs).toISOString(), endAt: new Date(now + endOffsetMs).toISOString() },
        id,
        new Date(now + createdOffsetMs),
      ),
    );
    return created.id;
  }

  /** Writes a page's chunks; `settle` gives some chunks' messages a final status. */
  async function writePage(campaignId: string, page: number, size: number, settle: Record<number, MessageStatus[]> = {}): Promise<void> {
    const chunks = chunksOfPage(campaignId, page, audience(size, page * 100), new Date());
    await messages.writePage(campaignId, page, chunks, null);
    for (const [chunk, statuses] of Object.entries(settle)) {
      const stored = chunks.find((candidate) => candidate.chunk === Number(chunk));
      if (!stored) throw new Error(`no chunk ${chunk}`);
      await storeOutcome(
        messages,
        campaignId,
        stored.chunk,
        stored.messages.map((message, i) => ({ ...message, status: statuses[i] ?? message.status })),
      );
    }
  }

  it('resumes each fan-out where it stands and re-enqueues exactly the chunks with queued messages', async () => {
    // Started (running) but its fan-out never began.
    const notStarted = await campaign(-60_000, HOUR);
    // Fan-out halfway: pages 0 and 1 written, page 2 next; chunk 0 fully sent.
    const halfway = await campaign(-60_000, HOUR);
    await campaigns.start(halfway);
    await writePage(halfway, 0, 20, { 0: Array(10).fill('sent') });
    await campaigns.advanceFanout(halfway, 0, { page: 1, cursor: 'c1', done: false }, 20);
    await writePage(halfway, 1, 10);
    await campaigns.advanceFanout(halfway, 1, { page: 2, cursor: 'c2', done: false }, 10);
    // Page 2's write cut off by the restart: a chunk of it stored, not its mark (chunk 20); the replay writes it again.
    await messages.writePage(halfway, 2, chunksOfPage(halfway, 2, audience(20, 200), new Date()).slice(1), null);
    // Fan-out done; chunk 0 all final, chunk 1 partly sent.
    const fannedOut = await campaign(-60_000, HOUR);
    await campaigns.start(fannedOut);
    await writePage(fannedOut, 0, 15, { 0: Array(10).fill('failed'), 1: ['sent', 'sent'] });
    await campaigns.advanceFanout(fannedOut, 0, { page: 1, done: true }, 15);
    // Ended while down, mid fan-out: no more fan-out, but its open chunks go back so they end expired.
    const ended = await campaign(-2 * HOUR, -HOUR, -2 * HOUR);
    await campaigns.start(ended);
    await writePage(ended, 0, 5);
    await campaigns.advanceFanout(ended, 0, { page: 1, cursor: 'c', done: false }, 5);
    // Cancelled with queued messages left: they go back so they end cancelled.
    const cancelledWithQueued = await campaign(-60_000, HOUR);
    await campaigns.start(cancelledWithQueued);
    await writePage(cancelledWithQueued, 0, 3);
    await campaigns.advanceFanout(cancelledWithQueued, 0, { page: 1, done: true }, 3);
    await campaigns.cancel(cancelledWithQueued);
    // Nothing to do for these.
    const cancelledEmpty = await campaign(-60_000, HOUR);
    await campaigns.cancel(cancelledEmpty);
    const scheduled = await campaign(HOUR, 2 * HOUR);
    // Its schedule fired before the restart (a minute ahead, within the two-minute lead): the start timer's message was lost.
    const timed = await campaign(60_000, HOUR);

    const result = await recoverDelivery({
      campaigns,
      messages,
      fanoutQueue: new SqsFanoutQueue(sqs, queues.fanout.url),
      sendQueue: new SqsSendQueue(sqs, queues.send.url),
      clock,
      startTimer: new SqsStartTimerQueue(sqs, queues.startTimer.url),
      startLeadMs: 120_000,
    });

    // Only the one within the lead; the hour-ahead one still has its schedule.
    const timers = (await drain(sqs, queues.startTimer.url)) as { campaignId: string }[];
    expect(timers.map((timer) => timer.campaignId).filter((id) => [timed, scheduled].includes(id))).toEqual([timed]);
    expect(result.timedStarts).toBeGreaterThanOrEqual(1);

    const fanoutEvents = await drain(sqs, queues.fanout.url);
    expect(fanoutEvents).toHaveLength(3);
    expect(fanoutEvents).toEqual(
      expect.arrayContaining([
        { type: 'start', campaignId: notStarted },
        { type: 'page', campaignId: halfway, page: 2 },
        // Its next page only closes the fan-out, with what a cut-off write left of it.
        { type: 'page', campaignId: ended, page: 1 },
      ]),
    );
    const chunkRefs = (await drain(sqs, queues.send.url)) as { campaignId: string; chunk: number }[];
    const key = (ref: { campaignId: string; chunk: number }) => `${ref.campaignId}/${ref.chunk}`;
    expect(chunkRefs.map(key).sort()).toEqual(
      [
        { campaignId: halfway, chunk: 1 },
        { campaignId: halfway, chunk: 10 },
        { campaignId: fannedOut, chunk: 1 },
        { campaignId: ended, chunk: 0 },
        { campaignId: cancelledWithQueued, chunk: 0 },
      ]
        .map(key)
        .sort(),
    );
    // Not chunk 21: its page is queued by its replay, after writing it again.
    expect(await messages.chunksOfPage(halfway, 2)).toHaveLength(1);
    expect(result).toMatchObject({ fanoutStarts: 1, fanoutPages: 2, chunks: 5 });
    expect([...result.campaigns].sort()).toEqual([notStarted, halfway, fannedOut, ended, cancelledWithQueued].sort());
    expect(result.campaigns).not.toContain(scheduled);
    expect(result.campaigns).not.toContain(cancelledEmpty);
  });

  it('puts back the notices still queued, and only those', async () => {
    const notices = new DynamoNoticeStore(db, { messages: tables.names.messages, uniques: tables.names.uniques });
    const client = { id: 'client-n', phone: '79000000777' };
    const [queued, sent, failed] = await Promise.all(
      ['queued', 'sent', 'failed'].map((text) => notices.create((id) => noticeChunk(id, client, text, new Date()))),
    );
    for (const [chunk, status] of [
      [sent, 'sent'],
      [failed, 'failed'],
    ] as const) {
      await storeOutcome(messages, chunk!.campaignId, chunk!.chunk, [{ ...chunk!.messages[0]!, status }]);
    }
    const recover = (withNotices: boolean) =>
      recoverDelivery({
        campaigns,
        messages,
        fanoutQueue: new SqsFanoutQueue(sqs, queues.fanout.url),
        sendQueue: new SqsSendQueue(sqs, queues.send.url),
        clock,
        ...(withNotices ? { notices } : {}),
      });
    const noticeRefs = async () =>
      ((await drain(sqs, queues.send.url)) as { campaignId: string; chunk: number }[]).filter((ref) => isNoticeKey(ref.campaignId));

    // The negative control: without the notice store nothing brings a notice back.
    await recover(false);
    expect(await noticeRefs()).toEqual([]);
    await drain(sqs, queues.fanout.url);

    const result = await recover(true);
    expect(await noticeRefs()).toEqual([{ campaignId: queued!.campaignId, chunk: NOTICE_CHUNK }]);
    expect(result.notices).toBe(1);
  });
});
