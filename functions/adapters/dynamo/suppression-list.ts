import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { SuppressionList } from '../../ports.js';

/** The suppression list: one uniques item per opted-out phone, kept when its client is deleted. */
export const suppressedKey = (phone: string) => `suppressed#${phone}`;

export class DynamoSuppressionList implements SuppressionList {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly uniquesTable: string,
  ) {}

  async isSuppressed(phone: string): Promise<boolean> {
    const { Item } = await this.db.send(
      new GetCommand({
        TableName: this.uniquesTable,
        Key: { key: suppressedKey(phone) },
        ConsistentRead: true,
        ProjectionExpression: '#k',
        ExpressionAttributeNames: { '#k': 'key' },
      }),
    );
    return Item !== undefined;
  }
}
