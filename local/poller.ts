/**
 * An imitation of Lambda's SQS event source mapping, for running the same handlers
 * in the local runtime.
 *
 * `startPoller(options)` -> `{ stop(): Promise<void> }`
 *   - `sqs`, `queueUrl`, `queueArn`: where to read (the ARN goes into each record's eventSourceARN).
 *   - `batchSize`: at most this many records per invocation (1-10, as ReceiveMessage allows).
 *   - `maxConcurrency`: at most this many invocations in flight (the mapping's MaximumConcurrency).
 *   - `handler(event: SQSEvent, context)`: the Lambda handler's body; may return an SQSBatchResponse.
 *     `context.getRemainingTimeInMillis()` counts down from `timeoutSeconds`, the consumer
 *     function's timeout, as Lambda's does (nothing here ends an invocation at zero).
 *   - `waitTimeSeconds?` long-poll wait (default 1), `logger?` (default silent).
 *
 * Each of `maxConcurrency` workers long-polls, builds a real SQSEvent, invokes the handler
 * and then, as Lambda does with ReportBatchItemFailures:
 *   - handler resolves without batchItemFailures: every record is deleted;
 *   - with batchItemFailures: every record except those is deleted; the failed ones come
 *     back after their visibility timeout (or whatever the handler set it to);
 *   - throws, or names an id that is not in the batch: nothing is deleted.
 * A worker receives only when it is free, so received messages never wait for a slot
 * while their visibility timeout runs. `stop()` starts no new invocation (a long poll still
 * open when it is called ends within `waitTimeSeconds` and hands back what it got) and
 * resolves when the in-flight invocations have finished and their records are deleted
 * (graceful SIGTERM). A batch's records are deleted while the worker polls again, as Lambda's
 * mapping does, not before.
 */
import type { Context, SQSBatchResponse, SQSEvent, SQSMessageAttributes, SQSRecord } from 'aws-lambda';
import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageBatchCommand,
  ReceiveMessageCommand,
  type Message,
  type MessageAttributeValue,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { describeError, silentLogger, type LocalLogger } from './ports.js';

/** What the handlers read of Lambda's context: the time left before the function's timeout ends the invocation. */
export type InvocationContext = Pick<Context, 'getRemainingTimeInMillis'>;

export type SqsEventHandler = (event: SQSEvent, context: InvocationContext) => Promise<SQSBatchResponse | void>;

export interface PollerOptions {
  sqs: SQSClient;
  queueUrl: string;
  queueArn: string;
  batchSize: number;
  maxConcurrency: number;
  handler: SqsEventHandler;
  /** The consumer function's timeout (functionSettings): where each invocation's remaining time starts. */
  timeoutSeconds: number;
  waitTimeSeconds?: number;
  logger?: LocalLogger;
}

export interface Poller {
  stop(): Promise<void>;
}

/** `arn:aws:sqs:us-east-1:000000000000:name` -> `us-east-1`. */
function regionOf(arn: string): string {
  return arn.split(':')[3] || 'us-east-1';
}

function recordAttributes(message: Message): SQSRecord['attributes'] {
  const attributes = message.Attributes ?? {};
  const now = String(Date.now());
  return {
    ...attributes,
    ApproximateReceiveCount: attributes.ApproximateReceiveCount ?? '1',
    SentTimestamp: attributes.SentTimestamp ?? now,
    SenderId: attributes.SenderId ?? '000000000000',
    ApproximateFirstReceiveTimestamp: attributes.ApproximateFirstReceiveTimestamp ?? now,
  };
}

/** SDK message attributes (`StringValue`) in the Lambda event's shape (`stringValue`). */
function recordMessageAttributes(attributes: Record<string, MessageAttributeValue> | undefined): SQSMessageAttributes {
  const result: SQSMessageAttributes = {};
  for (const [name, value] of Object.entries(attributes ?? {})) {
    result[name] = {
      dataType: value.DataType ?? 'String',
      ...(value.StringValue !== undefined ? { stringValue: value.StringValue } : {}),
      ...(value.BinaryValue !== undefined ? { binaryValue: Buffer.from(value.BinaryValue).toString('base64') } : {}),
      stringListValues: value.StringListValues ?? [],
      binaryListValues: (value.BinaryListValues ?? []).map((item) => Buffer.from(item).toString('base64')),
    };
  }
  return result;
}

export function toSqsEvent(messages: Message[], queueArn: string): SQSEvent {
  const awsRegion = regionOf(queueArn);
  return {
    Records: messages.map((message) => ({
      messageId: message.MessageId ?? '',
      receiptHandle: message.ReceiptHandle ?? '',
      body: message.Body ?? '',
      attributes: recordAttributes(message),
      messageAttributes: recordMessageAttributes(message.MessageAttributes),
      md5OfBody: message.MD5OfBody ?? '',
      ...(message.MD5OfMessageAttributes ? { md5OfMessageAttributes: message.MD5OfMessageAttributes } : {}),
      eventSource: 'aws:sqs',
      eventSourceARN: queueArn,
      awsRegion,
    })),
  };
}

/**
 * Which records to delete after an invocation, by Lambda's rules for ReportBatchItemFailures:
 * all of them on an empty response, none when an item identifier is missing or unknown.
 */
export function recordsToDelete(event: SQSEvent, response: SQSBatchResponse | void): SQSRecord[] {
  const failures = response?.batchItemFailures ?? [];
  const ids = new Set(event.Records.map((record) => record.messageId));
  const failed = new Set<string>();
  for (const failure of failures) {
    if (!failure.itemIdentifier || !ids.has(failure.itemIdentifier)) return [];
    failed.add(failure.itemIdentifier);
  }
  return event.Records.filter((record) => !failed.has(record.messageId));
}

export function startPoller(options: PollerOptions): Poller {
  const { sqs, queueUrl, queueArn, handler } = options;
  const logger = options.logger ?? silentLogger;
  const batchSize = Math.min(Math.max(Math.trunc(options.batchSize), 1), 10);
  const workers = Math.max(Math.trunc(options.maxConcurrency), 1);
  const waitTimeSeconds = options.waitTimeSeconds ?? 1;
  let stopping = false;
  const pendingDeletes = new Set<Promise<void>>();

  async function deleteRecords(records: SQSRecord[]): Promise<void> {
    for (let start = 0; start < records.length; start += 10) {
      const entries = records.slice(start, start + 10).map((record, index) => ({ Id: String(index), ReceiptHandle: record.receiptHandle }));
      const result = await sqs.send(new DeleteMessageBatchCommand({ QueueUrl: queueUrl, Entries: entries }));
      for (const failed of result.Failed ?? []) logger.warn('poller could not delete a message', { queueUrl, code: failed.Code, reason: failed.Message });
    }
  }

  /** Messages that arrived after stop(): back to the queue at once rather than after their visibility timeout. */
  async function release(messages: Message[]): Promise<void> {
    const entries = messages.map((message, index) => ({ Id: String(index), ReceiptHandle: message.ReceiptHandle ?? '', VisibilityTimeout: 0 }));
    await sqs.send(new ChangeMessageVisibilityBatchCommand({ QueueUrl: queueUrl, Entries: entries })).catch(() => undefined);
  }

  async function invoke(messages: Message[]): Promise<void> {
    const event = toSqsEvent(messages, queueArn);
    const endsAt = performance.now() + options.timeoutSeconds * 1000;
    let response: SQSBatchResponse | void;
    try {
      response = await handler(event, { getRemainingTimeInMillis: () => Math.max(0, Math.round(endsAt - performance.now())) });
    } catch (error) {
      logger.error('handler failed; the whole batch returns after its visibility timeout', { queueUrl, records: messages.length, ...describeError(error) });
      return;
    }
    const deletable = recordsToDelete(event, response);
    const failed = response?.batchItemFailures?.length ?? 0;
    if (failed > 0 && deletable.length === 0 && failed < event.Records.length) {
      logger.warn('batchItemFailures named an unknown record; the whole batch is retried', { queueUrl, records: event.Records.length });
    }
    logger.debug('invocation done', { queueUrl, records: event.Records.length, deleted: deletable.length });
    // As Lambda's event source mapping does, the worker goes back to polling while the batch's
    // records are deleted: the delete is not on the path to the next invocation (at 500 ms of
    // provider latency it was a round trip in every 2.5 s invocation cycle). stop() waits for it.
    const deleting = deleteRecords(deletable).catch((error: unknown) =>
      logger.error('poller could not delete a batch; its records come back after their visibility timeout', { queueUrl, ...describeError(error) }),
    );
    pendingDeletes.add(deleting);
    void deleting.finally(() => pendingDeletes.delete(deleting));
  }

  async function worker(): Promise<void> {
    while (!stopping) {
      let messages: Message[];
      try {
        const received = await sqs.send(
          new ReceiveMessageCommand({
            QueueUrl: queueUrl,
            MaxNumberOfMessages: batchSize,
            WaitTimeSeconds: waitTimeSeconds,
            AttributeNames: ['All'],
            MessageSystemAttributeNames: ['All'],
            MessageAttributeNames: ['All'],
          }),
        );
        messages = received.Messages ?? [];
      } catch (error) {
        if (stopping) return;
        logger.warn('poller could not receive; trying again', { queueUrl, ...describeError(error) });
        await new Promise((wake) => setTimeout(wake, 1000));
        continue;
      }
      if (messages.length === 0) continue;
      if (stopping) {
        await release(messages);
        return;
      }
      try {
        await invoke(messages);
      } catch (error) {
        logger.error('poller failed after the handler ran', { queueUrl, ...describeError(error) });
      }
    }
  }

  const running = Promise.all(Array.from({ length: workers }, () => worker()));
  return {
    async stop() {
      stopping = true;
      await running;
      await Promise.all([...pendingDeletes]);
    },
  };
}
