import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DeleteCommand, GetCommand, PutCommand, QueryCommand, ScanCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { CAMPAIGNS_BY_RECURRING, tables } from '../../definitions/tables.js';
import { isDrained, type Campaign, type CampaignStatus, type FanoutProgress, type StreamProgress } from '../../domain/campaigns.js';
import { ConflictError, NotFoundError } from '../../domain/errors.js';
import type { EmailEvents } from '../../domain/channels/email-events.js';
import { emptyCounts, MESSAGE_STATUSES, MAX_CAMPAIGN_SEQ, type Counts, type Tally } from '../../domain/messages.js';
import type { CampaignStore, Page, PageRequest } from '../../ports.js';
import { decodeCursor, encodeCursor, fromStartKey, isRecord, listCursor, startKeyFields } from './cursor.js';
import { failedConditions, isConditionFailure, itemOfConditionFailure } from './errors.js';

export interface CampaignTables {
  campaigns: string;
  uniques: string;
}

const SEQUENCE_KEY = 'sequence#campaign';
/** The counts over every campaign, one attribute per status. */
const TOTALS_KEY = 'totals#messages';
const statusNames = { '#status': 'status' };
type Key = Record<string, unknown>;
/** GET /campaigns and GET /stats page through this one list. */
const campaignsCursor = listCursor<Key>('campaigns', startKeyFields(tables.campaigns));

export class DynamoCampaignStore implements CampaignStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tables: CampaignTables,
  ) {}

  /** Campaign ids are numbers from a sequence: a message id embeds its campaign's number. */
  async create(build: (id: string) => Campaign): Promise<Campaign> {
    const campaign = build(await this.nextId());
    await this.db.send(new PutCommand({ TableName: this.tables.campaigns, Item: campaign, ConditionExpression: 'attribute_not_exists(id)' }));
    return campaign;
  }

  private async nextId(): Promise<string> {
    const { Attributes } = await this.db.send(
      new UpdateCommand({
        TableName: this.tables.uniques,
        Key: { key: SEQUENCE_KEY },
        UpdateExpression: 'ADD #v :one',
        ExpressionAttributeNames: { '#v': 'value' },
        ExpressionAttributeValues: { ':one': 1 },
        ReturnValues: 'UPDATED_NEW',
      }),
    );
    const seq = Number(Attributes?.value);
    if (seq > MAX_CAMPAIGN_SEQ) throw new ConflictError('campaign numbers are exhausted');
    return String(seq);
  }

  async get(id: string): Promise<Campaign | undefined> {
    const { Item } = await this.db.send(new GetCommand({ TableName: this.tables.campaigns, Key: { id }, ConsistentRead: true }));
    return Item as Campaign | undefined;
  }

  /** Only the editable fields are written: counters and fan-out progress move concurrently. */
  async replace(campaign: Campaign, expectedStatus: CampaignStatus): Promise<Campaign> {
    // Set when the campaign has them; otherwise a window, a rate or a recurrence stays as stored (a patch
    // cannot unset them), while the channel and the content fields are removed (SMS is stored as no channel,
    // and a patch to another channel drops the content fields only the old one took).
    const kept = {
      sendWindow: campaign.sendWindow || undefined,
      maxPerSecond: campaign.maxPerSecond || undefined,
      recurrence: campaign.recurrence || undefined,
    };
    const removable = { channel: campaign.channel, subject: campaign.subject, html: campaign.html, title: campaign.title, url: campaign.url };
    const set = Object.entries({ ...kept, ...removable }).filter(([, value]) => value !== undefined);
    const removed = Object.keys(removable).filter((field) => removable[field as keyof typeof removable] === undefined);
    try {
      const { Attributes } = await this.db.send(
        new UpdateCommand({
          TableName: this.tables.campaigns,
          Key: { id: campaign.id },
          UpdateExpression: `SET #text = :text, startAt = :startAt, endAt = :endAt, #filter = :filter, updatedAt = :updatedAt${set.map(([field]) => `, #${field} = :${field}`).join('')}${removed.length ? ` REMOVE ${removed.map((field) => `#${field}`).join(', ')}` : ''}`,
          ConditionExpression: '#status = :expected',
          ExpressionAttributeNames: {
            ...statusNames,
            '#text': 'text',
            '#filter': 'filter',
            ...Object.fromEntries([...set.map(([field]) => field), ...removed].map((field) => [`#${field}`, field])),
          },
          ExpressionAttributeValues: {
            ':text': campaign.text,
            ':startAt': campaign.startAt,
            ':endAt': campaign.endAt,
            ':filter': campaign.filter,
            ':updatedAt': campaign.updatedAt,
            ':expected': expectedStatus,
            ...Object.fromEntries(set.map(([field, value]) => [`:${field}`, value])),
          },
          ReturnValues: 'ALL_NEW',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return Attributes as Campaign;
    } catch (error) {
      throw this.conflictOrMissing(error, campaign.id);
    }
  }

  async remove(id: string): Promise<void> {
    try {
      await this.db.send(
        new DeleteCommand({
          TableName: this.tables.campaigns,
          Key: { id },
          ConditionExpression: '#status = :scheduled',
          ExpressionAttributeNames: statusNames,
          ExpressionAttributeValues: { ':scheduled': 'scheduled' },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
    } catch (error) {
      throw this.conflictOrMissing(error, id);
    }
  }

  async cancel(id: string): Promise<Campaign> {
    try {
      const { Attributes } = await this.db.send(
        new UpdateCommand({
          TableName: this.tables.campaigns,
          Key: { id },
          UpdateExpression: 'SET #status = :cancelled',
          ConditionExpression: '#status IN (:scheduled, :running, :paused)',
          ExpressionAttributeNames: statusNames,
          ExpressionAttributeValues: { ':cancelled': 'cancelled', ':scheduled': 'scheduled', ':running': 'running', ':paused': 'paused' },
          ReturnValues: 'ALL_NEW',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return Attributes as Campaign;
    } catch (error) {
      throw this.conflictOrMissing(error, id);
    }
  }

  pause(id: string, now: Date): Promise<Campaign> {
    return this.moveStatus(id, 'running', 'paused', now);
  }

  async resume(id: string, now: Date): Promise<Campaign> {
    const campaign = await this.moveStatus(id, 'paused', 'running', now);
    // Everything may have been sent before the pause landed: then there is nothing left to resume.
    await this.finishIfDrained(campaign);
    return campaign;
  }

  private async moveStatus(id: string, from: CampaignStatus, to: CampaignStatus, now: Date): Promise<Campaign> {
    try {
      const { Attributes } = await this.db.send(
        new UpdateCommand({
          TableName: this.tables.campaigns,
          Key: { id },
          UpdateExpression: 'SET #status = :to, updatedAt = :now',
          ConditionExpression: '#status = :from',
          ExpressionAttributeNames: statusNames,
          ExpressionAttributeValues: { ':to': to, ':from': from, ':now': now.toISOString() },
          ReturnValues: 'ALL_NEW',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return Attributes as Campaign;
    } catch (error) {
      throw this.conflictOrMissing(error, id);
    }
  }

  async list(request: PageRequest): Promise<Page<Campaign>> {
    const startKey = campaignsCursor.decode(request.cursor);
    const output = await fromStartKey(startKey, () =>
      this.db.send(new ScanCommand({ TableName: this.tables.campaigns, Limit: request.limit, ExclusiveStartKey: startKey })),
    );
    return { items: (output.Items ?? []) as Campaign[], nextCursor: campaignsCursor.encode(output.LastEvaluatedKey) };
  }

  async inDelivery(request: PageRequest): Promise<Page<Campaign>> {
    const output = await this.db.send(
      new ScanCommand({
        TableName: this.tables.campaigns,
        Limit: request.limit,
        ExclusiveStartKey: decodeCursor(request.cursor, isRecord),
        // A cancelled campaign that had started may still hold queued chunks, whatever its (possibly lagging) counters say.
        FilterExpression: '#status IN (:running, :paused) OR (#status = :cancelled AND attribute_exists(fanout))',
        ExpressionAttributeNames: statusNames,
        ExpressionAttributeValues: { ':running': 'running', ':paused': 'paused', ':cancelled': 'cancelled' },
        ConsistentRead: true,
      }),
    );
    return { items: (output.Items ?? []) as Campaign[], nextCursor: encodeCursor(output.LastEvaluatedKey) };
  }

  async start(id: string, plan?: { streams: number; unsharded?: boolean }): Promise<boolean> {
    const progress: FanoutProgress = {
      page: 0,
      done: false,
      ...(plan ? { streams: Array.from({ length: plan.streams }, () => ({ page: 0, done: false })), ...(plan.unsharded ? { unsharded: true } : {}) } : {}),
    };
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tables.campaigns,
          Key: { id },
          UpdateExpression: 'SET #status = :running, fanout = :progress',
          ConditionExpression: 'attribute_exists(id) AND attribute_not_exists(fanout) AND #status IN (:scheduled, :running)',
          ExpressionAttributeNames: statusNames,
          ExpressionAttributeValues: { ':running': 'running', ':scheduled': 'scheduled', ':progress': progress },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return true;
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      // Stored by this very write, whose answer was lost (the SDK's retry then met its own condition), or by
      // another start as it stood: the streams' first pages are asked for again (their queue ids deduplicate),
      // or a fan-out without streams writes its page 0, which the page's completion mark keeps to one copy.
      const stored = itemOfConditionFailure(error) as Campaign | undefined;
      return stored?.status === 'running' && stored.fanout !== undefined && isUnmovedStart(stored.fanout, progress);
    }
  }

  advanceFanout(id: string, page: number, next: FanoutProgress, written: number, suppressed = 0, unreachable = 0): Promise<boolean> {
    return this.advance(id, undefined, page, next, written, suppressed, unreachable);
  }

  /**
   * One stream's progress moves in the same single conditional write as a campaign's without
   * streams, so a page is counted once whichever stream wrote it; the fan-out is done when the
   * write that finishes the last stream lands (isFannedOut reads every stream), with no second write to lose.
   */
  advanceStream(id: string, stream: number, page: number, next: StreamProgress, written: number, suppressed = 0, unreachable = 0): Promise<boolean> {
    if (!Number.isInteger(stream) || stream < 0) throw new RangeError(`no stream ${stream}`);
    return this.advance(id, stream, page, next, written, suppressed, unreachable);
  }

  private async advance(
    id: string,
    stream: number | undefined,
    page: number,
    next: StreamProgress,
    written: number,
    suppressed: number,
    unreachable: number,
  ): Promise<boolean> {
    const path = stream === undefined ? 'fanout' : `fanout.streams[${stream}]`;
    // Only a page with unreachable clients writes the counter: an SMS campaign whose clients all have phones keeps its item as it was.
    const countUnreachable = unreachable > 0 ? ', unreachable = if_not_exists(unreachable, :zero) + :unreachable' : '';
    try {
      const { Attributes } = await this.db.send(
        new UpdateCommand({
          TableName: this.tables.campaigns,
          Key: { id },
          // Campaigns stored before these counters existed have none: if_not_exists starts them.
          UpdateExpression: `SET ${path} = :next, fannedOut = if_not_exists(fannedOut, :zero) + :written, suppressed = if_not_exists(suppressed, :zero) + :suppressed, audience = if_not_exists(audience, :zero) + :reached${countUnreachable}`,
          ConditionExpression: `${path}.page = :page`,
          ExpressionAttributeValues: {
            ':next': withoutUndefined(next),
            ':written': written,
            ':page': page,
            ':zero': 0,
            ':suppressed': suppressed,
            ':reached': written + suppressed + unreachable,
            ...(unreachable > 0 ? { ':unreachable': unreachable } : {}),
          },
          ReturnValues: 'ALL_NEW',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      await this.finishIfDrained(Attributes as Campaign);
      return true;
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      // Already where this write would take it: its own first attempt stored it and the answer was lost
      // (the SDK's retry then met the condition), or a replay of the page got there first. The page is
      // counted once either way, and its hand-off must still happen, or the stream would stop here.
      const stored = itemOfConditionFailure(error) as Campaign | undefined;
      const progress = stream === undefined ? stored?.fanout : stored?.fanout?.streams?.[stream];
      if (!stored || !progress || !isSameProgress(progress, next)) return false;
      await this.finishIfDrained(stored);
      return true;
    }
  }

  /**
   * Counters and totals move together or not at all, and only from the mark the tally was
   * computed against, so a replayed stream batch adds nothing twice. A transaction costs
   * double, but it runs once per campaign per stream batch, not once per chunk.
   */
  async applyTally(id: string, tally: Tally, applied: string | undefined, emailEvents?: EmailEvents): Promise<void> {
    const moved = MESSAGE_STATUSES.filter((status) => tally.delta[status] !== 0);
    const names = Object.fromEntries(moved.map((status) => [`#${status}`, status]));
    const values = Object.fromEntries(moved.map((status) => [`:${status}`, tally.delta[status]]));
    const counters = moved.map((status) => `counts.#${status} = counts.#${status} + :${status}`);
    try {
      await this.db.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Update: {
                TableName: this.tables.campaigns,
                Key: { id },
                UpdateExpression: `SET ${[...counters, 'tallied = :through', ...(emailEvents ? ['emailEvents = :emailEvents'] : [])].join(', ')}`,
                ConditionExpression: applied === undefined ? 'attribute_exists(id) AND attribute_not_exists(tallied)' : 'tallied = :applied',
                // A tally that moves only emailEvents names no status (DynamoDB refuses an empty map).
                ...(moved.length > 0 ? { ExpressionAttributeNames: names } : {}),
                ExpressionAttributeValues: {
                  ...values,
                  ':through': tally.through,
                  ...(applied === undefined ? {} : { ':applied': applied }),
                  ...(emailEvents ? { ':emailEvents': emailEvents } : {}),
                },
              },
            },
            ...(moved.length > 0
              ? [
                  {
                    Update: {
                      TableName: this.tables.uniques,
                      Key: { key: TOTALS_KEY },
                      UpdateExpression: `ADD ${moved.map((status) => `#${status} :${status}`).join(', ')}`,
                      ExpressionAttributeNames: names,
                      ExpressionAttributeValues: values,
                    },
                  },
                ]
              : []),
          ],
        }),
      );
    } catch (error) {
      if (failedConditions(error)?.includes(0)) throw new ConflictError(`campaign ${id}: the tally mark moved`);
      throw error;
    }
    await this.finishIfDrained(await this.get(id));
  }

  async totals(): Promise<Counts> {
    const { Item } = await this.db.send(new GetCommand({ TableName: this.tables.uniques, Key: { key: TOTALS_KEY }, ConsistentRead: true }));
    const totals = emptyCounts();
    for (const status of MESSAGE_STATUSES) totals[status] = Number(Item?.[status] ?? 0);
    return totals;
  }

  async transition(id: string, from: CampaignStatus[], to: CampaignStatus, now: Date): Promise<Campaign> {
    const names = from.map((_, index) => `:from${index}`);
    try {
      const { Attributes } = await this.db.send(
        new UpdateCommand({
          TableName: this.tables.campaigns,
          Key: { id },
          UpdateExpression: 'SET #status = :to, updatedAt = :now',
          ConditionExpression: `#status IN (${names.join(', ')})`,
          ExpressionAttributeNames: statusNames,
          ExpressionAttributeValues: { ':to': to, ':now': now.toISOString(), ...Object.fromEntries(from.map((status, index) => [names[index], status])) },
          ReturnValues: 'ALL_NEW',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return Attributes as Campaign;
    } catch (error) {
      throw this.conflictOrMissing(error, id);
    }
  }

  /**
   * The reservation `run#<recurringId>#<occurrence>` makes the run's identity: it, the run and a
   * check that the recurring campaign still takes runs go in one transaction (once per run, off
   * the hot path). Two workers racing for one occurrence both spend a campaign number; one run is stored.
   */
  async createRun(recurringId: string, occurrence: string, build: (id: string) => Campaign): Promise<{ run: Campaign; created: boolean }> {
    const key = `run#${recurringId}#${occurrence}`;
    const existing = await this.reservedRun(key);
    if (existing) return { run: existing, created: false };
    const run = build(await this.nextId());
    try {
      await this.db.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              ConditionCheck: {
                TableName: this.tables.campaigns,
                Key: { id: recurringId },
                ConditionExpression: '#status IN (:scheduled, :running)',
                ExpressionAttributeNames: statusNames,
                ExpressionAttributeValues: { ':scheduled': 'scheduled', ':running': 'running' },
              },
            },
            {
              Put: {
                TableName: this.tables.uniques,
                Item: { key, runId: run.id },
                ConditionExpression: 'attribute_not_exists(#key)',
                ExpressionAttributeNames: { '#key': 'key' },
              },
            },
            { Put: { TableName: this.tables.campaigns, Item: run, ConditionExpression: 'attribute_not_exists(id)' } },
          ],
        }),
      );
      return { run, created: true };
    } catch (error) {
      const failed = failedConditions(error);
      if (failed?.includes(1)) {
        const winner = await this.reservedRun(key);
        if (winner) return { run: winner, created: false };
      }
      if (failed?.includes(0)) throw new ConflictError(`campaign ${recurringId} takes no new run: it is paused, cancelled or gone`);
      throw error;
    }
  }

  private async reservedRun(key: string): Promise<Campaign | undefined> {
    const { Item } = await this.db.send(new GetCommand({ TableName: this.tables.uniques, Key: { key }, ConsistentRead: true }));
    return Item ? this.get(String(Item.runId)) : undefined;
  }

  async runs(recurringId: string, request: PageRequest): Promise<Page<Campaign>> {
    const cursor = listCursor<Key>(`campaigns.${CAMPAIGNS_BY_RECURRING}`, startKeyFields(tables.campaigns, CAMPAIGNS_BY_RECURRING, recurringId));
    const startKey = cursor.decode(request.cursor);
    const output = await fromStartKey(startKey, () =>
      this.db.send(
        new QueryCommand({
          TableName: this.tables.campaigns,
          IndexName: CAMPAIGNS_BY_RECURRING,
          KeyConditionExpression: 'recurringId = :id',
          ExpressionAttributeValues: { ':id': recurringId },
          Limit: request.limit,
          ExclusiveStartKey: startKey,
        }),
      ),
    );
    return { items: (output.Items ?? []) as Campaign[], nextCursor: cursor.encode(output.LastEvaluatedKey) };
  }

  /** A running campaign whose fan-out is done and whose written messages are all settled is finished. */
  private async finishIfDrained(campaign: Campaign | undefined): Promise<void> {
    if (!campaign || !isDrained(campaign)) return;
    await this.db
      .send(
        new UpdateCommand({
          TableName: this.tables.campaigns,
          Key: { id: campaign.id },
          UpdateExpression: 'SET #status = :finished',
          // Only from the state that was judged drained: a concurrent tally re-judges its own.
          ConditionExpression:
            '#status = :running AND counts.queued = :queued AND counts.sent = :sent AND counts.failed = :failed AND counts.expired = :expired AND counts.cancelled = :cancelled',
          ExpressionAttributeNames: statusNames,
          ExpressionAttributeValues: {
            ':finished': 'finished',
            ':running': 'running',
            ...Object.fromEntries(MESSAGE_STATUSES.map((status) => [`:${status}`, campaign.counts[status]])),
          },
        }),
      )
      .catch((error: unknown) => {
        if (!isConditionFailure(error)) throw error;
      });
  }

  private conflictOrMissing(error: unknown, id: string): unknown {
    if (!isConditionFailure(error)) return error;
    const current = itemOfConditionFailure(error);
    if (!current) return new NotFoundError(`campaign ${id} not found`);
    return new ConflictError(`campaign ${id} is ${String(current.status)}; the change is not allowed`);
  }
}

function isSameProgress(a: StreamProgress, b: StreamProgress): boolean {
  return a.page === b.page && a.done === b.done && (a.cursor ?? null) === (b.cursor ?? null);
}

/** The fan-out as `start` writes it, no stream moved yet. */
function isUnmovedStart(stored: FanoutProgress, started: FanoutProgress): boolean {
  const streams = stored.streams ?? [];
  return (
    isSameProgress(stored, started) &&
    Boolean(stored.unsharded) === Boolean(started.unsharded) &&
    streams.length === (started.streams?.length ?? 0) &&
    streams.every((progress) => isSameProgress(progress, { page: 0, done: false }))
  );
}

function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
