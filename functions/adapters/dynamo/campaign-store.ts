import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DeleteCommand, GetCommand, PutCommand, ScanCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Campaign, CampaignStatus, FanoutProgress } from '../../domain/campaigns.js';
import { ConflictError, NotFoundError } from '../../domain/errors.js';
import { MESSAGE_STATUSES, MAX_CAMPAIGN_SEQ, type Counts } from '../../domain/messages.js';
import type { CampaignStore, Page, PageRequest } from '../../ports.js';
import { decodeCursor, encodeCursor, isRecord } from './cursor.js';
import { isConditionFailure, itemOfConditionFailure } from './errors.js';

export interface CampaignTables {
  campaigns: string;
  uniques: string;
}

const SEQUENCE_KEY = 'sequence#campaign';
const statusNames = { '#status': 'status' };

export class DynamoCampaignStore implements CampaignStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tables: CampaignTables,
  ) {}

  /** Campaign ids are numbers from a sequence: a message id embeds its campaign's number. */
  async create(build: (id: string) => Campaign): Promise<Campaign> {
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
    const campaign = build(String(seq));
    await this.db.send(new PutCommand({ TableName: this.tables.campaigns, Item: campaign, ConditionExpression: 'attribute_not_exists(id)' }));
    return campaign;
  }

  async get(id: string): Promise<Campaign | undefined> {
    const { Item } = await this.db.send(new GetCommand({ TableName: this.tables.campaigns, Key: { id }, ConsistentRead: true }));
    return Item as Campaign | undefined;
  }

  /** Only the editable fields are written: counters and fan-out progress move concurrently. */
  async replace(campaign: Campaign, expectedStatus: CampaignStatus): Promise<Campaign> {
    try {
      const { Attributes } = await this.db.send(
        new UpdateCommand({
          TableName: this.tables.campaigns,
          Key: { id: campaign.id },
          UpdateExpression: `SET #text = :text, startAt = :startAt, endAt = :endAt, #filter = :filter, updatedAt = :updatedAt${campaign.sendWindow ? ', sendWindow = :sendWindow' : ''}${campaign.maxPerSecond ? ', maxPerSecond = :maxPerSecond' : ''}`,
          ConditionExpression: '#status = :expected',
          ExpressionAttributeNames: { ...statusNames, '#text': 'text', '#filter': 'filter' },
          ExpressionAttributeValues: {
            ':text': campaign.text,
            ':startAt': campaign.startAt,
            ':endAt': campaign.endAt,
            ':filter': campaign.filter,
            ':updatedAt': campaign.updatedAt,
            ':expected': expectedStatus,
            ...(campaign.sendWindow ? { ':sendWindow': campaign.sendWindow } : {}),
            ...(campaign.maxPerSecond ? { ':maxPerSecond': campaign.maxPerSecond } : {}),
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
    const output = await this.db.send(
      new ScanCommand({ TableName: this.tables.campaigns, Limit: request.limit, ExclusiveStartKey: decodeCursor(request.cursor, isRecord) }),
    );
    return { items: (output.Items ?? []) as Campaign[], nextCursor: encodeCursor(output.LastEvaluatedKey) };
  }

  async inDelivery(request: PageRequest): Promise<Page<Campaign>> {
    const output = await this.db.send(
      new ScanCommand({
        TableName: this.tables.campaigns,
        Limit: request.limit,
        ExclusiveStartKey: decodeCursor(request.cursor, isRecord),
        FilterExpression: '#status = :running OR (#status = :cancelled AND counts.queued > :zero)',
        ExpressionAttributeNames: statusNames,
        ExpressionAttributeValues: { ':running': 'running', ':cancelled': 'cancelled', ':zero': 0 },
        ConsistentRead: true,
      }),
    );
    return { items: (output.Items ?? []) as Campaign[], nextCursor: encodeCursor(output.LastEvaluatedKey) };
  }

  async start(id: string): Promise<boolean> {
    const progress: FanoutProgress = { page: 0, done: false };
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tables.campaigns,
          Key: { id },
          UpdateExpression: 'SET #status = :running, fanout = :progress',
          ConditionExpression: 'attribute_exists(id) AND attribute_not_exists(fanout) AND #status IN (:scheduled, :running)',
          ExpressionAttributeNames: statusNames,
          ExpressionAttributeValues: { ':running': 'running', ':scheduled': 'scheduled', ':progress': progress },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  async advanceFanout(id: string, page: number, next: FanoutProgress, queued: number): Promise<boolean> {
    try {
      const { Attributes } = await this.db.send(
        new UpdateCommand({
          TableName: this.tables.campaigns,
          Key: { id },
          UpdateExpression: 'SET fanout = :next, counts.queued = counts.queued + :queued',
          ConditionExpression: 'fanout.page = :page',
          ExpressionAttributeValues: { ':next': withoutUndefined(next), ':queued': queued, ':page': page },
          ReturnValues: 'ALL_NEW',
        }),
      );
      await this.finishIfDrained(Attributes as Campaign);
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  async addCounts(id: string, delta: Counts): Promise<void> {
    const moved = MESSAGE_STATUSES.filter((status) => delta[status] !== 0);
    if (moved.length === 0) return;
    const { Attributes } = await this.db.send(
      new UpdateCommand({
        TableName: this.tables.campaigns,
        Key: { id },
        UpdateExpression: `SET ${moved.map((status) => `counts.#${status} = counts.#${status} + :${status}`).join(', ')}`,
        ConditionExpression: 'attribute_exists(id)',
        ExpressionAttributeNames: Object.fromEntries(moved.map((status) => [`#${status}`, status])),
        ExpressionAttributeValues: Object.fromEntries(moved.map((status) => [`:${status}`, delta[status]])),
        ReturnValues: 'ALL_NEW',
      }),
    );
    await this.finishIfDrained(Attributes as Campaign);
  }

  /** A running campaign whose fan-out is done and which has nothing left queued is finished. */
  private async finishIfDrained(campaign: Campaign | undefined): Promise<void> {
    if (!campaign || campaign.status !== 'running' || !campaign.fanout?.done || campaign.counts.queued !== 0) return;
    await this.db
      .send(
        new UpdateCommand({
          TableName: this.tables.campaigns,
          Key: { id: campaign.id },
          UpdateExpression: 'SET #status = :finished',
          ConditionExpression: '#status = :running AND counts.queued = :zero AND fanout.done = :true',
          ExpressionAttributeNames: statusNames,
          ExpressionAttributeValues: { ':finished': 'finished', ':running': 'running', ':zero': 0, ':true': true },
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

function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
