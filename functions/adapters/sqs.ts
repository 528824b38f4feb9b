import { ChangeMessageVisibilityCommand, SendMessageBatchCommand, SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { DEFAULT_CHANNEL } from '../domain/channels/channel.js';
import type { ChunkRef, FanoutEvent, FanoutQueue, ResumeWalk, SendQueue, StartTimerEvent, StartTimerQueue, StepTimerEvent, StepTimerQueue } from '../ports.js';

const SQS_BATCH = 10;
const MAX_VISIBILITY_SECONDS = 43_200;
const MAX_DELAY_SECONDS = 900;

/**
 * The fan-out queue is FIFO, grouped by campaign (and by stream for a campaign fanned out in
 * parallel streams): one page of a stream is in flight at a time, and the deduplication id drops
 * a page asked for twice within five minutes.
 */
export class SqsFanoutQueue implements FanoutQueue {
  constructor(
    private readonly sqs: SQSClient,
    private readonly url: string,
  ) {}

  start(campaignId: string, deduplicationKey?: string): Promise<void> {
    return this.put({ type: 'start', campaignId }, `${campaignId}:start${deduplicationKey ? `:${deduplicationKey}` : ''}`);
  }

  page(campaignId: string, page: number, stream?: number, request?: string): Promise<void> {
    if (stream === undefined) return this.put({ type: 'page', campaignId, page }, `${campaignId}:page:${page}${request ? `:${request}` : ''}`);
    return this.put(
      { type: 'page', campaignId, page, stream },
      `${campaignId}:page:${stream}:${page}${request ? `:${request}` : ''}`,
      `${campaignId}#${stream}`,
    );
  }

  /** Its own deduplication id: a resume must not be dropped as a repeat of the page or start it follows. */
  resume(campaignId: string, resumedAt: string, walk?: ResumeWalk): Promise<void> {
    return this.put({ type: 'resume', campaignId, resumedAt, ...(walk ? { walk } : {}) }, `${campaignId}:resume:${resumedAt}:${walk?.step ?? 0}`);
  }

  occurrence(campaignId: string, firedAt: string): Promise<void> {
    return this.put({ type: 'occurrence', campaignId, scheduledAt: firedAt }, `${campaignId}:occurrence:${firedAt}`);
  }

  /** A stream's pages go in a group of their own (`<campaign>#<stream>`); everything else in the campaign's group. */
  private async put(event: FanoutEvent, deduplicationId: string, group = event.campaignId): Promise<void> {
    await this.sqs.send(
      new SendMessageCommand({
        QueueUrl: this.url,
        MessageBody: JSON.stringify(event),
        MessageGroupId: group,
        MessageDeduplicationId: deduplicationId.slice(0, 128),
      }),
    );
  }
}

/** An SMS chunk's body says nothing of its channel, as before channels existed. */
function bodyOf(ref: ChunkRef): string {
  return JSON.stringify({
    campaignId: ref.campaignId,
    chunk: ref.chunk,
    ...(ref.channel !== undefined && ref.channel !== DEFAULT_CHANNEL ? { channel: ref.channel } : {}),
    ...(ref.zones?.length ? { zones: ref.zones } : {}),
  });
}

export class SqsSendQueue implements SendQueue {
  constructor(
    private readonly sqs: SQSClient,
    private readonly url: string,
  ) {}

  async enqueue(chunks: ChunkRef[], delaySeconds?: number): Promise<void> {
    const delay = delaySeconds === undefined ? {} : { DelaySeconds: Math.min(MAX_DELAY_SECONDS, Math.max(0, Math.ceil(delaySeconds))) };
    for (let start = 0; start < chunks.length; start += SQS_BATCH) {
      const batch = chunks.slice(start, start + SQS_BATCH);
      const { Failed } = await this.sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: this.url,
          Entries: batch.map((ref, index) => ({ Id: String(index), MessageBody: bodyOf(ref), ...delay })),
        }),
      );
      if (Failed?.length) throw new Error(`send queue refused ${Failed.length} chunk(s): ${Failed.map((entry) => entry.Message ?? entry.Code).join('; ')}`);
    }
  }

  async retryLater(receiptHandle: string, delaySeconds: number): Promise<void> {
    const seconds = Math.min(MAX_VISIBILITY_SECONDS, Math.max(0, Math.ceil(delaySeconds)));
    await this.sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: this.url, ReceiptHandle: receiptHandle, VisibilityTimeout: seconds }));
  }

  async hold(chunk: ChunkRef, delaySeconds: number): Promise<void> {
    const seconds = Math.min(MAX_DELAY_SECONDS, Math.max(0, Math.ceil(delaySeconds)));
    await this.sqs.send(new SendMessageCommand({ QueueUrl: this.url, MessageBody: bodyOf(chunk), DelaySeconds: seconds }));
  }
}

/** The start timer: a standard queue, so each start can carry its own delay (a FIFO queue takes none per message). */
export class SqsStartTimerQueue implements StartTimerQueue, StepTimerQueue {
  constructor(
    private readonly sqs: SQSClient,
    private readonly url: string,
  ) {}

  async put(event: StartTimerEvent, delaySeconds: number): Promise<void> {
    const body = JSON.stringify({ campaignId: event.campaignId, startAt: event.startAt });
    await this.send(body, delaySeconds);
  }

  async putStep(event: StepTimerEvent, delaySeconds: number): Promise<void> {
    await this.send(JSON.stringify({ eventId: event.eventId, step: event.step, dueAt: event.dueAt }), delaySeconds);
  }

  private async send(body: string, delaySeconds: number): Promise<void> {
    const seconds = Math.min(MAX_DELAY_SECONDS, Math.max(0, Math.ceil(delaySeconds)));
    await this.sqs.send(new SendMessageCommand({ QueueUrl: this.url, MessageBody: body, DelaySeconds: seconds }));
  }
}
