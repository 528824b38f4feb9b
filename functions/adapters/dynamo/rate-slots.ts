import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { RateSlots, TakenSlots } from '../../ports.js';
import { isConditionFailure, itemOfConditionFailure } from './errors.js';

/** How long a slot counter outlives its second before the table's TTL may remove it (TTL deletes lazily, within days). */
export const RATE_SLOT_TTL_SECONDS = 3600;

/**
 * One small item per campaign and second in the uniques table, `rate#<campaignId>#<epochSecond>`,
 * whose `used` grows by conditional ADDs: a write never takes the count past the limit, so
 * the limit holds however many senders run at once. Each carries `expiration` (the table's
 * TTL attribute, functions/definitions/tables.ts), set in the same write at no extra cost.
 */
export class DynamoRateSlots implements RateSlots {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async take(campaignId: string, second: number, count: number, maxPerSecond: number): Promise<TakenSlots> {
    try {
      const { Attributes } = await this.db.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { key: `rate#${campaignId}#${second}` },
          UpdateExpression: 'ADD used :n SET expiration = :expiration',
          ConditionExpression: 'attribute_not_exists(used) OR used <= :room',
          ExpressionAttributeValues: { ':n': count, ':room': maxPerSecond - count, ':expiration': second + RATE_SLOT_TTL_SECONDS },
          ReturnValues: 'UPDATED_NEW',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      const used = Number(Attributes?.used);
      return { first: used - count, count };
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      // Fewer left than asked for: take what is left, if anything.
      const left = maxPerSecond - Number(itemOfConditionFailure(error)?.used ?? maxPerSecond);
      if (left <= 0 || left >= count) return { first: 0, count: 0 };
      return this.take(campaignId, second, left, maxPerSecond);
    }
  }
}
