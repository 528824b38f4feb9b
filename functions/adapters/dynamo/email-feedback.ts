import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { NotFoundError } from '../../domain/errors.js';
import type { AddressSuppression, EmailOptOuts } from '../../ports.js';
import { LATEST_OPT_OUT_KEY } from './client-keys.js';
import { isConditionFailure } from './errors.js';

export interface EmailFeedbackTables {
  clients: string;
  uniques: string;
}

/** An address's reservation, as a phone's (`phone#<phone>`): the client that holds it. */
export const emailKey = (address: string) => `email#${address}`;
/** An e-mail address's entry on the suppression list, beside the phones' `suppressed#<phone>`. */
export const suppressedEmailKey = (address: string) => `suppressed#email#${address}`;

/** What a bounce and a complaint write: the suppression list, the latest-opt-out mark and the client's optOuts. */
export class DynamoEmailFeedback implements AddressSuppression, EmailOptOuts {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tables: EmailFeedbackTables,
    private readonly now: () => Date,
  ) {}

  /**
   * The address's entry, then the latest-opt-out mark: a fan-out page read from an index that may
   * not have caught up yet looks its addresses up on the list (functions/adapters/dynamo/audience-reader.ts).
   */
  async suppress(address: string): Promise<void> {
    const at = this.now().getTime();
    await this.db.send(new PutCommand({ TableName: this.tables.uniques, Item: { key: suppressedEmailKey(address), at } }));
    await this.db.send(new PutCommand({ TableName: this.tables.uniques, Item: { key: LATEST_OPT_OUT_KEY, at } }));
  }

  async findByEmail(email: string): Promise<{ id: string } | undefined> {
    const { Item } = await this.db.send(new GetCommand({ TableName: this.tables.uniques, Key: { key: emailKey(email) }, ConsistentRead: true }));
    const clientId = (Item as { clientId?: string } | undefined)?.clientId;
    return clientId === undefined ? undefined : { id: clientId };
  }

  async optOut(id: string, channel: 'email'): Promise<void> {
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tables.clients,
          Key: { id },
          UpdateExpression: 'SET optOuts = list_append(if_not_exists(optOuts, :none), :channels), updatedAt = :now',
          ConditionExpression: 'attribute_exists(id) AND NOT contains(optOuts, :channel)',
          ExpressionAttributeValues: { ':none': [], ':channels': [channel], ':channel': channel, ':now': this.now().toISOString() },
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      const { Item } = await this.db.send(new GetCommand({ TableName: this.tables.clients, Key: { id }, ConsistentRead: true }));
      if (!Item) throw new NotFoundError(`client ${id} not found`);
    }
  }
}
