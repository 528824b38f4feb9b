import { GetQueueAttributesCommand, SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { queues, type QueueDefinition } from '../../functions/definitions/queues.js';
import { recordsToDelete, startPoller, type Poller } from '../../local/poller.js';
import type { CreatedQueue } from '../../local/sqs.js';
import { createTestQueues, sqsClient } from '../support/aws.js';

const sleep = (ms: number) => new Promise((wake) => setTimeout(wake, ms));

async function until(condition: () => boolean, what: string, limitMs = 30_000): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await sleep(10);
  }
}

const VISIBILITY_SECONDS = 2;

async function workQueue(): Promise<CreatedQueue> {
  const definition: QueueDefinition = {
    ...queues.send,
    name: 'poller-work',
    visibilityTimeoutSeconds: VISIBILITY_SECONDS,
    deadLetter: { name: 'poller-work-dlq', maxReceiveCount: 5 },
  };
  return (await createTestQueues({ work: definition })).work;
}

async function sendBodies(sqs: SQSClient, queueUrl: string, bodies: string[]): Promise<void> {
  for (let start = 0; start < bodies.length; start += 10) {
    await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: bodies.slice(start, start + 10).map((body, index) => ({ Id: String(index), MessageBody: body })),
      }),
    );
  }
}

async function queueDepth(sqs: SQSClient, queueUrl: string): Promise<{ visible: number; inFlight: number }> {
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }),
  );
  return { visible: Number(Attributes?.ApproximateNumberOfMessages), inFlight: Number(Attributes?.ApproximateNumberOfMessagesNotVisible) };
}

interface Invocation {
  at: number;
  records: SQSRecord[];
}

describe('startPoller (Lambda SQS event source mapping)', () => {
  let sqs: SQSClient;
  let poller: Poller | undefined;
  beforeAll(() => {
    sqs = sqsClient();
  });
  afterEach(async () => {
    await poller?.stop();
    poller = undefined;
  });
  afterAll(() => sqs.destroy());

  it("hands each invocation a context whose remaining time counts down from the function's timeout, afresh each time", async () => {
    const queue = await workQueue();
    await sendBodies(sqs, queue.url, ['first']);
    const remaining: number[][] = [];
    poller = startPoller({
      sqs,
      queueUrl: queue.url,
      queueArn: queue.arn,
      batchSize: 1,
      maxConcurrency: 1,
      timeoutSeconds: 7,
      handler: async (event, context) => {
        const atStart = context.getRemainingTimeInMillis();
        await sleep(300);
        remaining.push([atStart, context.getRemainingTimeInMillis()]);
        if (event.Records[0]?.body === 'first') await sendBodies(sqs, queue.url, ['second']);
      },
    });
    await until(() => remaining.length >= 2, 'two invocations');
    for (const [atStart, later] of remaining as [number, number][]) {
      expect(atStart).toBeGreaterThan(6_900);
      expect(atStart).toBeLessThanOrEqual(7_000);
      expect(atStart - later).toBeGreaterThanOrEqual(290);
      expect(atStart - later).toBeLessThan(1_000);
    }
  });

  it('delivers a real SQSEvent and, on a partial batch failure, deletes all but the failed records, which return after the visibility timeout', async () => {
    const queue = await workQueue();
    await sendBodies(sqs, queue.url, ['ok-1', 'fail-1', 'ok-2', 'fail-2', 'ok-3']);
    const invocations: Invocation[] = [];
    poller = startPoller({
      sqs,
      queueUrl: queue.url,
      queueArn: queue.arn,
      batchSize: 10,
      maxConcurrency: 1,
      timeoutSeconds: 30,
      handler: async (event: SQSEvent): Promise<SQSBatchResponse> => {
        invocations.push({ at: Date.now(), records: event.Records });
        return { batchItemFailures: event.Records.filter((record) => record.body.startsWith('fail')).map((record) => ({ itemIdentifier: record.messageId })) };
      },
    });
    await until(() => invocations.length >= 2, 'the failed records to come back');
    await poller.stop();
    poller = undefined;

    const [first, second] = invocations as [Invocation, Invocation];
    expect(first.records.map((record) => record.body)).toEqual(['ok-1', 'fail-1', 'ok-2', 'fail-2', 'ok-3']);
    for (const record of first.records) {
      expect(record).toMatchObject({ eventSource: 'aws:sqs', eventSourceARN: queue.arn, awsRegion: 'us-east-1', attributes: { ApproximateReceiveCount: '1' } });
      expect(record.messageId).toMatch(/\S/);
      expect(record.receiptHandle).toMatch(/\S/);
      expect(Number(record.attributes.SentTimestamp)).toBeGreaterThan(0);
    }
    expect(second.records.map((record) => record.body).sort()).toEqual(['fail-1', 'fail-2']);
    expect(second.records.map((record) => record.attributes.ApproximateReceiveCount)).toEqual(['2', '2']);
    expect(second.records.map((record) => record.messageId).sort()).toEqual(
      first.records
        .filter((record) => record.body.startsWith('fail'))
        .map((record) => record.messageId)
        .sort(),
    );
    // Not redelivered before the visibility timeout ran out (a lower bound cannot flake).
    expect(second.at - first.at).toBeGreaterThanOrEqual(VISIBILITY_SECONDS * 1000 - 50);
    // Only the two failed records are left (in flight again after the second receive).
    expect(await queueDepth(sqs, queue.url)).toEqual({ visible: 0, inFlight: 2 });
  });

  it('deletes nothing when the handler throws: the whole batch comes back', async () => {
    const queue = await workQueue();
    await sendBodies(sqs, queue.url, ['a', 'b', 'c']);
    const invocations: Invocation[] = [];
    poller = startPoller({
      sqs,
      queueUrl: queue.url,
      queueArn: queue.arn,
      batchSize: 10,
      maxConcurrency: 1,
      timeoutSeconds: 30,
      handler: async (event) => {
        invocations.push({ at: Date.now(), records: event.Records });
        if (invocations.length === 1) throw new Error('the function crashed');
      },
    });
    await until(() => invocations.length >= 2, 'the batch to come back');
    await poller.stop();
    poller = undefined;
    expect(invocations[1]?.records.map((record) => record.body).sort()).toEqual(['a', 'b', 'c']);
    expect(invocations[1]?.records.map((record) => record.attributes.ApproximateReceiveCount)).toEqual(['2', '2', '2']);
    // The second invocation succeeded without failures: everything is gone.
    expect(await queueDepth(sqs, queue.url)).toEqual({ visible: 0, inFlight: 0 });
  });

  it('keeps at most maxConcurrency invocations in flight', async () => {
    const queue = await workQueue();
    const total = 12;
    await sendBodies(
      sqs,
      queue.url,
      Array.from({ length: total }, (_, i) => `m${i}`),
    );
    let inFlight = 0;
    let started = 0;
    let most = 0;
    const seen: string[] = [];
    poller = startPoller({
      sqs,
      queueUrl: queue.url,
      queueArn: queue.arn,
      batchSize: 1,
      maxConcurrency: 3,
      timeoutSeconds: 30,
      handler: async (event) => {
        inFlight += 1;
        started += 1;
        most = Math.max(most, inFlight);
        seen.push(...event.Records.map((record) => record.body));
        // Hold every invocation until three run at once (or no message is left to start),
        // so a poller without a bound would show more than three here.
        await until(() => inFlight >= 3 || started >= total, 'three invocations at once');
        await sleep(20);
        inFlight -= 1;
      },
    });
    await until(() => seen.length >= total && inFlight === 0, 'every message to be handled');
    await poller.stop();
    poller = undefined;
    expect(most).toBe(3);
    expect(seen.sort()).toEqual(Array.from({ length: total }, (_, i) => `m${i}`).sort());
    expect(await queueDepth(sqs, queue.url)).toEqual({ visible: 0, inFlight: 0 });
  });

  it('stop() starts no new invocation and resolves only after the in-flight one finished and its records were deleted', async () => {
    const queue = await workQueue();
    await sendBodies(sqs, queue.url, ['first']);
    let release!: () => void;
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    const bodies: string[] = [];
    const running = startPoller({
      sqs,
      queueUrl: queue.url,
      queueArn: queue.arn,
      batchSize: 10,
      maxConcurrency: 2,
      timeoutSeconds: 30,
      handler: async (event) => {
        bodies.push(...event.Records.map((record) => record.body));
        await released;
      },
    });
    await until(() => bodies.length === 1, 'the first invocation');
    let stopped = false;
    const stopping = running.stop().then(() => {
      stopped = true;
    });
    await sendBodies(sqs, queue.url, ['after stop']);
    // Longer than a long poll: an idle worker would have picked the new message up by now.
    await sleep(1500);
    expect(stopped).toBe(false);
    release();
    await stopping;
    expect(bodies).toEqual(['first']);
    expect(await queueDepth(sqs, queue.url)).toEqual({ visible: 1, inFlight: 0 });
  });
});

describe('recordsToDelete (ReportBatchItemFailures rules)', () => {
  const event = { Records: [{ messageId: 'a' }, { messageId: 'b' }, { messageId: 'c' }] as SQSRecord[] };
  const ids = (records: SQSRecord[]) => records.map((record) => record.messageId);

  it('deletes every record on an empty or void response', () => {
    expect(ids(recordsToDelete(event, undefined))).toEqual(['a', 'b', 'c']);
    expect(ids(recordsToDelete(event, { batchItemFailures: [] }))).toEqual(['a', 'b', 'c']);
  });

  it('keeps the failed records', () => {
    expect(ids(recordsToDelete(event, { batchItemFailures: [{ itemIdentifier: 'b' }] }))).toEqual(['a', 'c']);
  });

  it('deletes nothing when a failure names an empty or unknown id, as Lambda does', () => {
    expect(recordsToDelete(event, { batchItemFailures: [{ itemIdentifier: 'zzz' }] })).toEqual([]);
    expect(recordsToDelete(event, { batchItemFailures: [{ itemIdentifier: '' }] })).toEqual([]);
  });
});
