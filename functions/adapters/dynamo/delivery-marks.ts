import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { GetCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { deliveryAfter, emailEventsDelta, emptyEmailEvents, EMAIL_DELIVERIES, type EmailDelivery } from '../../domain/channels/email-events.js';
import { addressOf } from '../../domain/messages.js';
import { noticeKey } from '../../domain/notice-ids.js';
import { NOTICE_CHUNK } from '../../domain/notices.js';
import type { DeliveryMarks, TaggedMessage } from '../../ports.js';
import { deliveryAttribute, type StoredChunk } from './chunk-codec.js';
import { failedConditions, isConditionFailure } from './errors.js';

export interface DeliveryMarkTables {
  messages: string;
  campaigns: string;
}

/**
 * Reads, then writes under a condition on what it read: another event of the same message may
 * land between the two (EventBridge delivers at least once, in any order), and then the read is
 * made again. A handful of tries settles any real race: only SES's few events per message meet.
 */
const MAX_ATTEMPTS = 5;

/**
 * A message's delivery lives on its chunk (`d<position>`, chunk-codec.ts) and a campaign's
 * emailEvents on its item, moved together in one transaction: a duplicate event finds the
 * chunk already moved and writes nothing, so no message is counted twice.
 */
export class DynamoDeliveryMarks implements DeliveryMarks {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tables: DeliveryMarkTables,
  ) {}

  async mark(message: TaggedMessage, delivery: EmailDelivery): Promise<{ before?: EmailDelivery; after: EmailDelivery } | undefined> {
    const place = placeOf(message);
    if (!place) return undefined;
    const attribute = deliveryAttribute(place.position);
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      const { Item } = await this.db.send(new GetCommand({ TableName: this.tables.messages, Key: place.key, ConsistentRead: true }));
      const chunk = Item as StoredChunk | undefined;
      if (!chunk || place.position >= chunk.m.length) return undefined;
      const before = chunk[attribute];
      const after = deliveryAfter(before, delivery);
      if (!after) return undefined;
      const chunkUpdate = {
        TableName: this.tables.messages,
        Key: place.key,
        UpdateExpression: 'SET #d = :after',
        ConditionExpression: before ? '#d = :before' : 'attribute_exists(chunk) AND attribute_not_exists(#d)',
        ExpressionAttributeNames: { '#d': attribute },
        ExpressionAttributeValues: { ':after': after, ...(before ? { ':before': before } : {}) },
      };
      try {
        if (message.campaignId === undefined) await this.db.send(new UpdateCommand(chunkUpdate));
        else
          await this.db.send(
            new TransactWriteCommand({ TransactItems: [{ Update: chunkUpdate }, { Update: this.counting(message.campaignId, before, after) }] }),
          );
        return { ...(before ? { before } : {}), after };
      } catch (error) {
        if (isConditionFailure(error) || failedConditions(error)?.includes(0)) continue;
        if (failedConditions(error)?.includes(1) && message.campaignId !== undefined) {
          await this.startCounting(message.campaignId);
          continue;
        }
        throw error;
      }
    }
    throw new Error(`message ${message.messageId}: its delivery kept changing under ${MAX_ATTEMPTS} attempts to mark it ${delivery}`);
  }

  /** The campaign's emailEvents moved by one message's change: each message counts once, under its latest delivery. */
  private counting(campaignId: string, before: EmailDelivery | undefined, after: EmailDelivery) {
    const delta = emailEventsDelta(before, after);
    const moved = EMAIL_DELIVERIES.filter((name) => delta[name] !== 0);
    return {
      TableName: this.tables.campaigns,
      Key: { id: campaignId },
      UpdateExpression: `SET ${moved.map((name) => `emailEvents.#${name} = emailEvents.#${name} + :${name}`).join(', ')}`,
      // The map is made on the campaign's first event (startCounting): a nested counter cannot be added to a map that is not there.
      ConditionExpression: 'attribute_exists(emailEvents)',
      ExpressionAttributeNames: Object.fromEntries(moved.map((name) => [`#${name}`, name])),
      ExpressionAttributeValues: Object.fromEntries(moved.map((name) => [`:${name}`, delta[name]])),
    };
  }

  /** A campaign's emailEvents at zero, unless another event made them first. */
  private async startCounting(campaignId: string): Promise<void> {
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tables.campaigns,
          Key: { id: campaignId },
          UpdateExpression: 'SET emailEvents = :zero',
          ConditionExpression: 'attribute_exists(id) AND attribute_not_exists(emailEvents)',
          ExpressionAttributeValues: { ':zero': emptyEmailEvents() },
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
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
