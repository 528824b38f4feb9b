/**
 * The local stand-in for EventBridge Scheduler's one-time schedules: the start of each
 * scheduled campaign, kept in DynamoDB Local so it survives restarts.
 *
 * `new LocalScheduler(db, tableName, clock, options?)` implements `StartScheduler`:
 *   - `schedule(campaignId, startAt)` creates or moves the campaign's one schedule;
 *   - `unschedule(campaignId)` removes it (no error when there is none);
 *   - `isScheduled(name)` tells whether a schedule (a campaign's, or an event step's by its name) is still held.
 *   `options`: `logger?`, `maxAttempts?` (fires of one schedule that may fail before it is
 *   dropped, default 3; EventBridge retries a failed target too), `leadMs?` (fire this long
 *   before `startAt`, as the AWS adapter schedules it; default 0), `jitterMs?` (fire anywhere
 *   within this long after the schedule time, as EventBridge does within its minute; default
 *   0; a start already within the lead fires at once, as the AWS adapter then skips Scheduler),
 *   `random?` (the jitter's source, `Math.random` by default).
 * `start({ fire, intervalMs? })` checks every `intervalMs` (default 1000), and once at
 * once, for schedules that are due, so a schedule missed while the runtime was down
 * fires on the next start; it creates the table first. Returns `stop()`, which waits for
 * a check in progress. `tick(fire)` is one such check (tests call it directly).
 * Exactly once: a due schedule is claimed with a conditional DeleteItem on the fireAt
 * it was read with (ReturnValues ALL_OLD) before `fire` runs, so two runtimes, or a
 * schedule moved meanwhile, cannot fire it twice. When `fire` throws, the schedule is
 * put back, unless a new one took its place. Whether the campaign has ended is for
 * `fire` to judge (starting an ended campaign does nothing).
 *
 * `schedulesTable` is the table's definition; it exists only locally (AWS has Scheduler).
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, GetCommand, PutCommand, ScanCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { TableDefinition } from '../functions/definitions/tables.js';
import type { Clock, StartScheduler } from '../functions/ports.js';
import { createTables } from './dynamodb.js';
import { describeError, repeatEvery, silentLogger, type LocalLogger } from './ports.js';

export const schedulesTable = {
  name: 'schedules',
  envVar: 'SCHEDULES_TABLE',
  partitionKey: { name: 'campaignId', type: 'S' },
  indexes: [],
} as const satisfies TableDefinition;

interface ScheduleItem {
  campaignId: string;
  /** Epoch ms. */
  fireAt: number;
  startAt: string;
  /** Fires that failed so far. */
  attempts: number;
}

export type FireStart = (campaignId: string, startAt: Date) => Promise<void>;

export interface LocalSchedulerOptions {
  logger?: LocalLogger;
  maxAttempts?: number;
  leadMs?: number;
  jitterMs?: number;
  random?: () => number;
}

export class LocalScheduler implements StartScheduler {
  private readonly logger: LocalLogger;
  private readonly maxAttempts: number;
  private readonly leadMs: number;
  private readonly jitterMs: number;
  private readonly random: () => number;

  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly clock: Clock,
    options: LocalSchedulerOptions = {},
  ) {
    this.logger = options.logger ?? silentLogger;
    this.maxAttempts = options.maxAttempts ?? 3;
    this.leadMs = options.leadMs ?? 0;
    this.jitterMs = options.jitterMs ?? 0;
    this.random = options.random ?? Math.random;
  }

  async schedule(campaignId: string, startAt: Date): Promise<void> {
    await this.scheduleAt(campaignId, new Date(startAt.getTime() - this.leadMs), startAt);
  }

  /**
   * A schedule by name that fires at `scheduledFor` (plus the jitter) with `startAt`: a campaign's
   * (named by its id) or an event step's (functions/adapters/scheduler.ts, stepScheduleName).
   */
  async scheduleAt(name: string, scheduledFor: Date, startAt: Date): Promise<void> {
    // The imprecision is drawn once per schedule: EventBridge too fires a given schedule once, somewhere in its minute.
    const at = scheduledFor.getTime();
    const fireAt = at > this.clock.now().getTime() ? at + Math.floor(this.random() * this.jitterMs) : at;
    const item: ScheduleItem = { campaignId: name, fireAt, startAt: startAt.toISOString(), attempts: 0 };
    await this.db.send(new PutCommand({ TableName: this.tableName, Item: item }));
  }

  async unschedule(campaignId: string): Promise<void> {
    await this.db.send(new DeleteCommand({ TableName: this.tableName, Key: { campaignId } }));
  }

  /** Whether the schedule `name` is held, still to fire (or put back after a failed fire). */
  async isScheduled(name: string): Promise<boolean> {
    const { Item } = await this.db.send(new GetCommand({ TableName: this.tableName, Key: { campaignId: name }, ConsistentRead: true }));
    return Item !== undefined;
  }

  async ensureTable(): Promise<void> {
    await createTables(this.db, [schedulesTable], () => this.tableName);
  }

  /** Schedules whose time has come (a small local table: a Scan is fine). */
  private async due(now: number): Promise<ScheduleItem[]> {
    const items: ScheduleItem[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.db.send(
        new ScanCommand({
          TableName: this.tableName,
          FilterExpression: 'fireAt <= :now',
          ExpressionAttributeValues: { ':now': now },
          ExclusiveStartKey: startKey,
        }),
      );
      items.push(...((page.Items ?? []) as ScheduleItem[]));
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return items.sort((a, b) => a.fireAt - b.fireAt);
  }

  /** Takes the schedule as it was read; undefined when it was moved, removed or taken meanwhile. */
  private async claim(schedule: ScheduleItem): Promise<ScheduleItem | undefined> {
    try {
      const { Attributes } = await this.db.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: { campaignId: schedule.campaignId },
          ConditionExpression: 'fireAt = :fireAt',
          ExpressionAttributeValues: { ':fireAt': schedule.fireAt },
          ReturnValues: 'ALL_OLD',
        }),
      );
      return Attributes as ScheduleItem | undefined;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return undefined;
      throw error;
    }
  }

  /** After a failed fire: back in the table for the next check, unless a newer schedule replaced it. */
  private async putBack(schedule: ScheduleItem): Promise<void> {
    const attempts = (schedule.attempts ?? 0) + 1;
    if (attempts >= this.maxAttempts) {
      this.logger.error('schedule dropped after failed fires', { campaignId: schedule.campaignId, attempts });
      return;
    }
    try {
      await this.db.send(
        new PutCommand({ TableName: this.tableName, Item: { ...schedule, attempts }, ConditionExpression: 'attribute_not_exists(campaignId)' }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }

  /** Fires every due schedule once; returns the campaign ids it fired. */
  async tick(fire: FireStart): Promise<string[]> {
    const fired: string[] = [];
    for (const schedule of await this.due(this.clock.now().getTime())) {
      const claimed = await this.claim(schedule);
      if (!claimed) continue;
      try {
        await fire(claimed.campaignId, new Date(claimed.startAt));
        fired.push(claimed.campaignId);
        const lateMs = this.clock.now().getTime() - claimed.fireAt;
        this.logger.info('schedule fired', { campaignId: claimed.campaignId, startAt: claimed.startAt, lateMs });
      } catch (error) {
        this.logger.warn('schedule fire failed; it will be tried again', { campaignId: claimed.campaignId, ...describeError(error) });
        await this.putBack(claimed);
      }
    }
    return fired;
  }

  start({ fire, intervalMs = 1000 }: { fire: FireStart; intervalMs?: number }): () => Promise<void> {
    let tableReady = false;
    const check = async () => {
      try {
        if (!tableReady) {
          await this.ensureTable();
          tableReady = true;
        }
        await this.tick(fire);
      } catch (error) {
        this.logger.warn('scheduler check failed; trying again', describeError(error));
      }
    };
    return repeatEvery(intervalMs, check);
  }
}
