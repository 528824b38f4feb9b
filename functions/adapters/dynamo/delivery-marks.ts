import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { EMAIL_DELIVERIES, type EmailDelivery } from '../../domain/channels/email-events.js';
import { addressOf } from '../../domain/messages.js';
import { noticeKey } from '../../domain/notice-ids.js';
import { NOTICE_CHUNK } from '../../domain/notices.js';
import type { DeliveryMarks, TaggedMessage } from '../../ports.js';
import { deliveryAttribute, type StoredChunk } from './chunk-codec.js';
import { isConditionFailure } from './errors.js';

/**
 * A message's delivery lives on its chunk (`d<position>`, chunk-codec.ts), moved forward only, in
 * one conditional write: a duplicate or late event finds it already there or further and writes
 * nothing. Its campaign's emailEvents follow from that write through the messages table's stream,
 * as the counts do (functions/delivery/tally.ts), so no message is counted twice and an event
 * costs one write, no read.
 */
export class DynamoDeliveryMarks implements DeliveryMarks {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly messagesTable: string,
  ) {}

  async mark(message: TaggedMessage, delivery: EmailDelivery): Promise<{ before?: EmailDelivery; after: EmailDelivery } | undefined> {
    const place = placeOf(message);
    if (!place) return undefined;
    // The states this one may follow (email-events.ts, deliveryAfter): none yet, or an earlier one.
    const earlier = EMAIL_DELIVERIES.slice(0, EMAIL_DELIVERIES.indexOf(delivery));
    try {
      const { Attributes } = await this.db.send(
        new UpdateCommand({
          TableName: this.messagesTable,
          Key: place.key,
          UpdateExpression: 'SET #d = :after',
          // A message at that position (the chunk exists and holds it), and not already this far.
          ConditionExpression: `size(m) > :position AND (attribute_not_exists(#d)${earlier.length ? ` OR #d IN (${earlier.map((_, i) => `:e${i}`).join(', ')})` : ''})`,
          ExpressionAttributeNames: { '#d': deliveryAttribute(place.position) },
          ExpressionAttributeValues: { ':after': delivery, ':position': place.position, ...Object.fromEntries(earlier.map((state, i) => [`:e${i}`, state])) },
          ReturnValues: 'UPDATED_OLD',
        }),
      );
      const before = (Attributes as Partial<StoredChunk> | undefined)?.[deliveryAttribute(place.position)];
      return { ...(before ? { before } : {}), after: delivery };
    } catch (error) {
      if (isConditionFailure(error)) return undefined;
      throw error;
    }
  }
}

/** Where a tagged message lives: a campaign's chunk and position (its id says which), or a notice's one chunk. */
function placeOf(message: TaggedMessage): { key: { campaignId: string; chunk: number }; position: number } | undefined {
  if (message.noticeId !== undefined) return { key: { campaignId: noticeKey(message.noticeId), chunk: NOTICE_CHUNK }, position: 0 };
  const address = addressOf(message.messageId);
  if (!address || address.campaignId !== message.campaignId) return undefined;
  return { key: { campaignId: address.campaignId, chunk: address.chunk }, position: address.position };
}
