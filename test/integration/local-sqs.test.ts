import { DeleteMessageCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queues } from '../../functions/definitions/queues.js';
import { localSqsClient, startSqs, withSuffix, type LocalSqs } from '../../local/sqs.js';
import { createTestQueues, sqsClient, type TestQueues } from '../support/aws.js';

const silentSdkLogger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

async function receiveOnce(sqs: SQSClient, queueUrl: string) {
  // Visibility 0: the message is visible again at once, so each call is one more receive.
  const { Messages } = await sqs.send(
    new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, VisibilityTimeout: 0, WaitTimeSeconds: 0, MessageSystemAttributeNames: ['All'] }),
  );
  return Messages ?? [];
}

describe('startSqs', () => {
  let local: LocalSqs;
  let sqs: SQSClient;
  beforeAll(async () => {
    local = await startSqs();
    sqs = localSqsClient(local.endpoint);
  });
  afterAll(async () => {
    sqs.destroy();
    await local.stop();
  });

  it('creates every queue with its dead-letter queue and the redrive policy of the definition', async () => {
    expect(Object.keys(local.queueUrls).sort()).toEqual(Object.keys(queues).sort());
    for (const [key, definition] of Object.entries(queues) as [keyof typeof queues, (typeof queues)[keyof typeof queues]][]) {
      const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: local.queueUrls[key], AttributeNames: ['All'] }));
      expect(Attributes?.QueueArn).toBe(local.queueArns[key]);
      expect(local.queueUrls[key]).toBe(`http://sqs.us-east-1.localhost:${new URL(local.endpoint).port}/000000000000/${definition.name}`);
      expect(Attributes?.VisibilityTimeout).toBe(String(definition.visibilityTimeoutSeconds));
      expect(Attributes?.FifoQueue === 'true').toBe(definition.fifo);
      if (definition.fifo) expect(Attributes?.ContentBasedDeduplication).toBe(String(definition.contentBasedDeduplication ?? false));
      const redrive = JSON.parse(Attributes?.RedrivePolicy ?? '{}');
      expect(redrive).toEqual({ deadLetterTargetArn: local.dlqArns[key], maxReceiveCount: definition.deadLetter.maxReceiveCount });

      const dlq = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: local.dlqUrls[key], AttributeNames: ['All'] }));
      expect(dlq.Attributes?.QueueArn).toBe(local.dlqArns[key]);
      expect(local.dlqArns[key].endsWith(`:${definition.deadLetter.name}`)).toBe(true);
      expect(dlq.Attributes?.FifoQueue === 'true').toBe(definition.fifo);
    }
  });

  it('is reachable by a client configured only through AWS_ENDPOINT_URL_SQS, as the handlers are', async () => {
    const saved = process.env.AWS_ENDPOINT_URL_SQS;
    process.env.AWS_ENDPOINT_URL_SQS = local.endpoint;
    const fromEnv = new SQSClient({ region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' }, logger: silentSdkLogger });
    try {
      await fromEnv.send(new SendMessageCommand({ QueueUrl: local.queueUrls.send, MessageBody: 'hello' }));
      const { Messages } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: local.queueUrls.send, WaitTimeSeconds: 0 }));
      expect(Messages?.map((message) => message.Body)).toEqual(['hello']);
    } finally {
      fromEnv.destroy();
      process.env.AWS_ENDPOINT_URL_SQS = saved;
    }
  });
});

describe('redrive and deduplication as on AWS', () => {
  let created: TestQueues;
  let sqs: SQSClient;
  beforeAll(async () => {
    created = await createTestQueues();
    sqs = sqsClient();
  });
  afterAll(() => sqs.destroy());

  it('keeps the FIFO suffix last in unique test names', () => {
    expect(withSuffix('herald-fanout.fifo', 'ab12')).toBe('herald-fanout-ab12.fifo');
    expect(withSuffix('herald-send', 'ab12')).toBe('herald-send-ab12');
    expect(created.fanout.name.endsWith('.fifo')).toBe(true);
  });

  it('moves a send message to the DLQ after exactly maxReceiveCount receives without delete', async () => {
    const { url, deadLetter, definition } = created.send;
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: '{"campaignId":"1","chunk":0}' }));
    const counts: string[] = [];
    for (let i = 0; i < definition.deadLetter.maxReceiveCount; i++) {
      const messages = await receiveOnce(sqs, url);
      expect(messages).toHaveLength(1);
      counts.push(messages[0]?.Attributes?.ApproximateReceiveCount ?? '');
      expect(await receiveOnce(sqs, deadLetter.url)).toHaveLength(0);
    }
    expect(counts).toEqual(Array.from({ length: definition.deadLetter.maxReceiveCount }, (_, i) => String(i + 1)));
    // The next receive finds it over the limit: it moves instead of being delivered.
    expect(await receiveOnce(sqs, url)).toHaveLength(0);
    const dead = await receiveOnce(sqs, deadLetter.url);
    expect(dead.map((message) => message.Body)).toEqual(['{"campaignId":"1","chunk":0}']);
  });

  it('moves a fan-out FIFO message to its FIFO DLQ after maxReceiveCount receives', async () => {
    const { url, deadLetter, definition } = created.fanout;
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'start 7', MessageGroupId: '7', MessageDeduplicationId: 'start-7' }));
    for (let i = 0; i < definition.deadLetter.maxReceiveCount; i++) expect(await receiveOnce(sqs, url)).toHaveLength(1);
    expect(await receiveOnce(sqs, url)).toHaveLength(0);
    expect((await receiveOnce(sqs, deadLetter.url)).map((message) => message.Body)).toEqual(['start 7']);
  });

  it('drops a FIFO message whose MessageDeduplicationId was seen, and keeps one with a new id', async () => {
    const { url } = created.fanout;
    const send = (body: string, dedup: string) =>
      sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: body, MessageGroupId: 'dedup', MessageDeduplicationId: dedup }));
    await send('page 1', 'page-1');
    await send('page 1 again', 'page-1');
    await send('page 2', 'page-2');
    const bodies: string[] = [];
    // One message of a group is in flight at a time: delete each to see the next.
    for (let i = 0; i < 4; i++) {
      const { Messages } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }));
      for (const message of Messages ?? []) {
        bodies.push(message.Body ?? '');
        await sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: message.ReceiptHandle }));
      }
    }
    expect(bodies).toEqual(['page 1', 'page 2']);
  });

  it('deduplicates the fan-out queue by content when no id is given, as EventBridge Scheduler sends it', async () => {
    expect(queues.fanout.contentBasedDeduplication).toBe(true);
    const { url } = created.fanout;
    const body = JSON.stringify({ type: 'start', campaignId: '77' });
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: body, MessageGroupId: '77' }));
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: body, MessageGroupId: '77' }));
    const { Messages } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }));
    expect(Messages?.map((message) => message.Body)).toEqual([body]);
    await sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: Messages?.[0]?.ReceiptHandle }));
    const again = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }));
    expect(again.Messages ?? []).toEqual([]);
  });

  it('refuses a FIFO message without a deduplication id where content-based deduplication is off, as AWS does', async () => {
    const strict = await createTestQueues({
      strict: { ...queues.fanout, name: 'strict.fifo', contentBasedDeduplication: false, deadLetter: { name: 'strict-dlq.fifo', maxReceiveCount: 2 } },
    });
    await expect(sqs.send(new SendMessageCommand({ QueueUrl: strict.strict.url, MessageBody: 'x', MessageGroupId: 'g' }))).rejects.toThrow(
      /MessageDeduplicationId/,
    );
  });
});
