import { createHash, randomBytes } from 'node:crypto';
import { GetCommand, PutCommand, ScanCommand, TransactWriteCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { MAX_EVENT_STEPS, MAX_STEP_DELAY_SECONDS } from '../../domain/event-types.js';
import type { Event, SkipReason, StepState } from '../../domain/events.js';
import type { Chunk } from '../../domain/messages.js';
import type { EventStore, Page, PageRequest, StepTimerEvent } from '../../ports.js';
import { toStoredChunk } from './chunk-codec.js';
import { decodeCursor, encodeCursor, isRecord } from './cursor.js';
import { failedConditions, isConditionFailure, itemOfConditionFailure } from './errors.js';

export interface EventTables {
  events: string;
  /** Where a released step's notice is stored, as any notice (notice-store.ts). */
  messages: string;
}

/** How long an event is kept after its last step could have gone out: time enough to look at it. */
const KEPT_AFTER_SECONDS = 30 * 24 * 60 * 60;
/** An event with a step of any index still scheduled (a path past the list's end matches nothing). */
const ANY_STEP_SCHEDULED = Array.from({ length: MAX_EVENT_STEPS }, (_, index) => `steps[${index}].#status = :scheduled`).join(' OR ');

/** One item per event: the steps it was fired with and each step's state, updated in place (`steps[i]`). */
export class DynamoEventStore implements EventStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tables: EventTables,
    /** The notices' own sequence (DynamoNoticeStore.nextId): a step's notice is a notice like any. */
    private readonly nextNoticeId: () => Promise<number>,
  ) {}

  /** 96 bits: random, or the first of the key's SHA-256 (EVENT_ID_PATTERN either way). */
  newId(key?: string): string {
    return key === undefined ? randomBytes(12).toString('base64url') : createHash('sha256').update(`event:${key}`).digest('base64url').slice(0, 16);
  }

  async create(event: Event): Promise<{ event: Event; created: boolean }> {
    const expiration = Math.floor(Date.parse(event.createdAt) / 1000) + MAX_STEP_DELAY_SECONDS + KEPT_AFTER_SECONDS;
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.tables.events,
          Item: { ...event, expiration },
          ConditionExpression: 'attribute_not_exists(id)',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return { event, created: true };
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      const { expiration: _expiration, ...stored } = itemOfConditionFailure(error) ?? {};
      return { event: stored as unknown as Event, created: false };
    }
  }

  async get(id: string): Promise<Event | undefined> {
    const { Item } = await this.db.send(new GetCommand({ TableName: this.tables.events, Key: { id }, ConsistentRead: true }));
    if (!Item) return undefined;
    const { expiration: _expiration, ...event } = Item;
    return event as Event;
  }

  async queueStep(eventId: string, index: number, build: (noticeId: number) => Chunk): Promise<Chunk | undefined> {
    const chunk = build(await this.nextNoticeId());
    try {
      await this.db.send(
        new TransactWriteCommand({
          TransactItems: [
            { Put: { TableName: this.tables.messages, Item: toStoredChunk(chunk), ConditionExpression: 'attribute_not_exists(chunk)' } },
            {
              Update: {
                TableName: this.tables.events,
                Key: { id: eventId },
                UpdateExpression: `SET steps[${index}].#status = :queued, steps[${index}].messageId = :messageId`,
                ConditionExpression: `steps[${index}].#status = :scheduled`,
                ExpressionAttributeNames: { '#status': 'status' },
                ExpressionAttributeValues: { ':queued': 'queued', ':scheduled': 'scheduled', ':messageId': chunk.messages[0]?.id },
              },
            },
          ],
        }),
      );
      return chunk;
    } catch (error) {
      if (failedConditions(error)?.includes(1)) return undefined;
      throw error;
    }
  }

  async closeStep(eventId: string, index: number, outcome: { status: 'skipped'; reason: SkipReason } | { status: 'failed' }): Promise<boolean> {
    return this.moveStep(eventId, index, 'scheduled', outcome);
  }

  async settleStep(eventId: string, index: number, messageId: number, outcome: Pick<StepState, 'status' | 'reason'>): Promise<void> {
    await this.moveStep(eventId, index, 'queued', outcome, messageId);
  }

  /**
   * A Scan: the table is keyed by event id alone and has no index to the waiting steps. One would cost
   * every step's write on AWS, where SQS and Scheduler keep the timers through anything and nothing
   * reads this; only the local runtime does, once as it starts (local/recover.ts), never as a poll.
   */
  async waitingSteps(request: PageRequest): Promise<Page<StepTimerEvent>> {
    const output = await this.db.send(
      new ScanCommand({
        TableName: this.tables.events,
        FilterExpression: ANY_STEP_SCHEDULED,
        ProjectionExpression: 'id, steps',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':scheduled': 'scheduled' },
        Limit: request.limit,
        ExclusiveStartKey: decodeCursor(request.cursor, isRecord),
        ConsistentRead: true,
      }),
    );
    const steps = (output.Items ?? []).flatMap((item) =>
      (item.steps as StepState[]).flatMap((step) => (step.status === 'scheduled' ? [{ eventId: String(item.id), step: step.index, dueAt: step.dueAt }] : [])),
    );
    return { items: steps, nextCursor: encodeCursor(output.LastEvaluatedKey) };
  }

  /** Moves a step from `from` (and, when given, its message) to `outcome`; false when it was elsewhere already. */
  private async moveStep(
    eventId: string,
    index: number,
    from: 'scheduled' | 'queued',
    outcome: Pick<StepState, 'status' | 'reason'>,
    messageId?: number,
  ): Promise<boolean> {
    const step = `steps[${index}]`;
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tables.events,
          Key: { id: eventId },
          UpdateExpression: `SET ${step}.#status = :to${outcome.reason !== undefined ? `, ${step}.reason = :reason` : ''}`,
          ConditionExpression: `${step}.#status = :from${messageId !== undefined ? ` AND ${step}.messageId = :messageId` : ''}`,
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':to': outcome.status,
            ':from': from,
            ...(outcome.reason !== undefined ? { ':reason': outcome.reason } : {}),
            ...(messageId !== undefined ? { ':messageId': messageId } : {}),
          },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }
}
