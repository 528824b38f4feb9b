/**
 * The local stand-in for EventBridge Scheduler's recurring schedules (cron and rate, with
 * their time zone), kept in DynamoDB Local so they survive restarts.
 *
 * `new LocalRecurringScheduler(db, tableName, clock, options?)` implements `RecurringScheduler`:
 *   - `scheduleRecurring(campaignId, { recurrence, startAt, endAt })` creates or replaces the
 *     campaign's schedule; its next firing is the first occurrence after now (croner, through
 *     functions/domain/recurrence.ts);
 *   - `unscheduleRecurring(campaignId)` removes it (no error when there is none).
 *   `options`: `logger?`, `maxAttempts?` (failed fires of one occurrence before it is skipped, default 3).
 * `tick(fire)` fires every schedule that is due, once: after downtime that missed several
 * occurrences only the latest one fires, and only while its run's window
 * [occurrence, occurrence + runMinutes] is still open. The schedule is claimed by moving its
 * `nextFireAt` with a conditional write before `fire` runs, so two runtimes cannot fire one
 * occurrence twice; a schedule past its end is removed. `start({ fire, intervalMs? })` ticks
 * every `intervalMs` (default 1000) and once at once, creating the table first; it returns `stop()`.
 *
 * `recurringSchedulesTable` is the table's definition; it exists only locally (AWS has Scheduler).
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, PutCommand, ScanCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { TableDefinition } from '../functions/definitions/tables.js';
import { dueOccurrence, nextOccurrence, type Recurrence } from '../functions/domain/recurrence.js';
import type { Clock, RecurringSchedule, RecurringScheduler } from '../functions/ports.js';
import { createTables } from './dynamodb.js';
import { describeError, repeatEvery, silentLogger, type LocalLogger } from './ports.js';

export const recurringSchedulesTable = {
  name: 'recurring-schedules',
  envVar: 'RECURRING_SCHEDULES_TABLE',
  partitionKey: { name: 'campaignId', type: 'S' },
  indexes: [],
} as const satisfies TableDefinition;

interface RecurringScheduleItem {
  campaignId: string;
  recurrence: Recurrence;
  startAt: string;
  endAt: string;
  /** Epoch ms of the next occurrence to fire. */
  nextFireAt: number;
  /** Failed fires of the occurrence at nextFireAt. */
  attempts: number;
}

/** Asks for the run of `occurrence` (the latest due one) of the campaign. */
export type FireOccurrence = (campaignId: string, occurrence: Date) => Promise<void>;

export interface LocalRecurringSchedulerOptions {
  logger?: LocalLogger;
  maxAttempts?: number;
}

export class LocalRecurringScheduler implements RecurringScheduler {
  private readonly logger: LocalLogger;
  private readonly maxAttempts: number;

  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly clock: Clock,
    options: LocalRecurringSchedulerOptions = {},
  ) {
    this.logger = options.logger ?? silentLogger;
    this.maxAttempts = options.maxAttempts ?? 3;
  }

  async scheduleRecurring(campaignId: string, schedule: RecurringSchedule): Promise<void> {
    const next = nextOccurrence(schedule.recurrence, schedule.startAt, this.clock.now());
    const item: RecurringScheduleItem = {
      campaignId,
      recurrence: schedule.recurrence,
      startAt: schedule.startAt.toISOString(),
      endAt: schedule.endAt.toISOString(),
      nextFireAt: next.getTime(),
      attempts: 0,
    };
    await this.db.send(new PutCommand({ TableName: this.tableName, Item: item }));
  }

  async unscheduleRecurring(campaignId: string): Promise<void> {
    await this.db.send(new DeleteCommand({ TableName: this.tableName, Key: { campaignId } }));
  }

  async ensureTable(): Promise<void> {
    await createTables(this.db, [recurringSchedulesTable], () => this.tableName);
  }

  private async due(now: number): Promise<RecurringScheduleItem[]> {
    const items: RecurringScheduleItem[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.db.send(
        new ScanCommand({
          TableName: this.tableName,
          FilterExpression: 'nextFireAt <= :now',
          ExpressionAttributeValues: { ':now': now },
          ExclusiveStartKey: startKey,
          ConsistentRead: true,
        }),
      );
      items.push(...((page.Items ?? []) as RecurringScheduleItem[]));
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return items;
  }

  /** Moves the schedule from the firing it was read at to `next` (removes it past its end); false when another check moved it first. */
  private async advance(item: RecurringScheduleItem, next: Date | undefined, attempts = 0): Promise<boolean> {
    const condition = { ConditionExpression: 'nextFireAt = :read', ExpressionAttributeValues: { ':read': item.nextFireAt } };
    try {
      if (!next) {
        await this.db.send(new DeleteCommand({ TableName: this.tableName, Key: { campaignId: item.campaignId }, ...condition }));
      } else {
        await this.db.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: { campaignId: item.campaignId },
            UpdateExpression: 'SET nextFireAt = :next, attempts = :attempts',
            ConditionExpression: condition.ConditionExpression,
            ExpressionAttributeValues: { ...condition.ExpressionAttributeValues, ':next': next.getTime(), ':attempts': attempts },
          }),
        );
      }
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  /** Fires each due schedule's latest occurrence once (when its window is open); returns the campaign ids it fired. */
  async tick(fire: FireOccurrence): Promise<string[]> {
    const fired: string[] = [];
    const now = this.clock.now();
    for (const item of await this.due(now.getTime())) {
      const startAt = new Date(item.startAt);
      const endAt = new Date(item.endAt);
      const following = nextOccurrence(item.recurrence, startAt, now);
      const next = following.getTime() < endAt.getTime() ? following : undefined;
      if (!(await this.advance(item, next))) continue;
      const occurrence = dueOccurrence(item.recurrence, startAt, endAt, now);
      const lateMs = now.getTime() - item.nextFireAt;
      if (!occurrence) {
        this.logger.info('recurring schedule skipped occurrences whose windows have closed', { campaignId: item.campaignId, lateMs });
        continue;
      }
      try {
        await fire(item.campaignId, occurrence);
        fired.push(item.campaignId);
        this.logger.info('recurring schedule fired', { campaignId: item.campaignId, occurrence: occurrence.toISOString(), lateMs });
      } catch (error) {
        const attempts = (item.attempts ?? 0) + 1;
        this.logger.warn('recurring schedule fire failed', { campaignId: item.campaignId, attempts, ...describeError(error) });
        // Back to the occurrence that failed, unless the schedule was replaced or removed meanwhile.
        if (attempts < this.maxAttempts) await this.putBack(item, next, attempts);
      }
    }
    return fired;
  }

  private async putBack(item: RecurringScheduleItem, movedTo: Date | undefined, attempts: number): Promise<void> {
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...item, attempts },
          ...(movedTo
            ? { ConditionExpression: 'nextFireAt = :moved', ExpressionAttributeValues: { ':moved': movedTo.getTime() } }
            : { ConditionExpression: 'attribute_not_exists(campaignId)' }),
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }

  start({ fire, intervalMs = 1000 }: { fire: FireOccurrence; intervalMs?: number }): () => Promise<void> {
    let tableReady = false;
    const check = async () => {
      try {
        if (!tableReady) {
          await this.ensureTable();
          tableReady = true;
        }
        await this.tick(fire);
      } catch (error) {
        this.logger.warn('recurring scheduler check failed; trying again', describeError(error));
      }
    };
    return repeatEvery(intervalMs, check);
  }
}
