/** The dead-letter handler against DynamoDB Local: a chunk that used up its receives. */
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DynamoNoticeStore } from '../../functions/adapters/dynamo/notice-store.js';
import { noticeChunk } from '../../functions/domain/notices.js';
import { logger } from '../../functions/telemetry/logger.js';
import { stores, systemClock } from '../../functions/handlers/wiring.js';
import type { Stores } from '../../functions/ports.js';
import { newCampaignRecord } from '../../functions/domain/campaigns.js';
import { chunksOfPage } from '../../functions/domain/messages.js';
import { createDeadLetterHandler } from '../../functions/delivery/dead-letter.js';
import { createTestTables, documentClient, startTestTally, storeOutcome, type TestTally } from '../support/aws.js';

let store: Stores;
let handler: ReturnType<typeof createDeadLetterHandler>;
let tally: TestTally;
let notices: DynamoNoticeStore;

beforeAll(async () => {
  const tables = await createTestTables();
  store = stores(tables.env as never, systemClock, documentClient());
  notices = new DynamoNoticeStore(documentClient(), { messages: tables.names.messages, uniques: tables.names.uniques });
  handler = createDeadLetterHandler({ clock: systemClock, messages: store.messages });
  tally = startTestTally(tables.names.messages, store.campaigns);
});
afterAll(() => tally.stop());

const record = (body: string, messageId = body): SQSRecord =>
  ({
    messageId,
    receiptHandle: 'r',
    body,
    attributes: { ApproximateReceiveCount: '1' },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:herald-send-dlq',
    awsRegion: 'us-east-1',
  }) as SQSRecord;
const event = (...records: SQSRecord[]): SQSEvent => ({ Records: records });
/** A store's methods as plain functions, so a test can replace one and keep the rest. */
const bound = <T extends object>(target: T): T =>
  Object.fromEntries(
    Object.getOwnPropertyNames(Object.getPrototypeOf(target))
      .filter((name) => name !== 'constructor')
      .map((name) => [name, (target as Record<string, (...args: unknown[]) => unknown>)[name]?.bind(target)]),
  ) as T;

async function campaignWithChunk(size: number) {
  const now = new Date();
  const campaign = await store.campaigns.create((id) =>
    newCampaignRecord({ text: 't', startAt: now.toISOString(), endAt: new Date(now.getTime() + 60_000).toISOString() }, id, now),
  );
  await store.campaigns.start(campaign.id);
  const audience = Array.from({ length: size }, (_, i) => ({ id: `c${i}`, phone: `7911${String(i).padStart(7, '0')}` }));
  const { chunks } = await store.messages.writePage(campaign.id, 0, chunksOfPage(campaign.id, 0, audience, now), null);
  await store.campaigns.advanceFanout(campaign.id, 0, { page: 1, done: true }, size);
  return { campaign, chunk: chunks[0] as NonNullable<(typeof chunks)[0]> };
}

describe('dead-letter handler', () => {
  it('fails the open messages with their last error and leaves final ones alone', async () => {
    const { campaign, chunk } = await campaignWithChunk(3);
    const [a, b, c] = chunk.messages;
    if (!a || !b || !c) throw new Error('three messages expected');
    await storeOutcome(store.messages, campaign.id, 0, [{ ...a, status: 'sent', attempts: 1 }, { ...b, attempts: 8, lastError: 'HTTP 503' }, c]);
    const result = await handler(event(record(JSON.stringify({ campaignId: campaign.id, chunk: 0 }))));
    expect(result.batchItemFailures).toEqual([]);
    const messages = (await store.messages.list(campaign.id, { limit: 10 })).items;
    expect(messages.map((m) => [m.status, m.lastError])).toEqual([
      ['sent', undefined],
      ['failed', 'HTTP 503'],
      ['failed', 'retries exhausted'],
    ]);
    await tally.settled();
    const after = await store.campaigns.get(campaign.id);
    expect(after?.counts).toEqual({ queued: 0, sent: 1, failed: 2, expired: 0, cancelled: 0 });
    expect(after?.status).toBe('finished');
  });

  it('changes nothing for a chunk already done, and twice delivered fails once', async () => {
    const { campaign } = await campaignWithChunk(2);
    const body = JSON.stringify({ campaignId: campaign.id, chunk: 0 });
    await handler(event(record(body, 'first')));
    const result = await handler(event(record(body, 'again')));
    expect(result.batchItemFailures).toEqual([]);
    await tally.settled();
    expect((await store.campaigns.get(campaign.id))?.counts).toMatchObject({ queued: 0, failed: 2 });
  });

  it('a crash right after the outcome write leaves counts that add up, and the campaign finishes on redelivery', async () => {
    const { campaign } = await campaignWithChunk(4);
    // The process dies after the chunk's outcome is stored, before anything else it would do.
    const crashing = createDeadLetterHandler({
      clock: systemClock,
      messages: {
        ...bound(store.messages),
        saveOutcome: async (...args: Parameters<Stores['messages']['saveOutcome']>) => {
          await store.messages.saveOutcome(...args);
          throw new Error('killed after the outcome write');
        },
      },
    });
    const body = JSON.stringify({ campaignId: campaign.id, chunk: 0 });
    expect((await crashing(event(record(body, 'first')))).batchItemFailures).toEqual([{ itemIdentifier: 'first' }]);
    // The redelivery finds the chunk settled and does nothing more.
    expect((await handler(event(record(body, 'again')))).batchItemFailures).toEqual([]);
    await tally.settled();
    const after = await store.campaigns.get(campaign.id);
    expect(after?.counts).toEqual({ queued: 0, sent: 0, failed: 4, expired: 0, cancelled: 0 });
    expect(after?.status).toBe('finished');
  });

  it('waits while a sender still holds the chunk', async () => {
    const { campaign } = await campaignWithChunk(1);
    await store.messages.claim(campaign.id, 0, 60_000, new Date());
    const result = await handler(event(record(JSON.stringify({ campaignId: campaign.id, chunk: 0 }), 'held')));
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: 'held' }]);
    await tally.settled();
    expect((await store.campaigns.get(campaign.id))?.counts.queued).toBe(1);
  });

  it("names the event on the failure line of an event step's notice (npm run logs -- --event), and none on a campaign's", async () => {
    const logged = vi.spyOn(logger, 'error').mockImplementation(() => undefined);
    try {
      const step = await notices.create((id) =>
        noticeChunk(id, { id: 'c-step', phone: '79110000001' }, 'Hi', new Date(), 'sms', { eventId: 'ev-0000000000042', step: 1 }),
      );
      const { campaign } = await campaignWithChunk(1);
      const refs = [step, { campaignId: campaign.id, chunk: 0 }].map(({ campaignId, chunk }) => JSON.stringify({ campaignId, chunk }));
      expect((await handler(event(...refs.map((body) => record(body))))).batchItemFailures).toEqual([]);
      const failures = logged.mock.calls
        .filter(([line]) => line === 'message failed: retries exhausted')
        .map(([, fields]) => fields as Record<string, unknown>);
      // The batch's records are handled side by side: their lines come in either order.
      const byChunk = (pairs: unknown[][]) => pairs.sort(([a], [b]) => String(a).localeCompare(String(b)));
      expect(byChunk(failures.map((fields) => [fields.campaignId, fields.eventId]))).toEqual(
        byChunk([
          [step.campaignId, 'ev-0000000000042'],
          [campaign.id, undefined],
        ]),
      );
    } finally {
      logged.mockRestore();
    }
  });

  it('drops a body that is not a chunk reference instead of retrying it forever', async () => {
    const result = await handler(event(record('{"not":"a chunk"}', 'junk'), record('not json', 'worse')));
    expect(result.batchItemFailures).toEqual([]);
  });
});
