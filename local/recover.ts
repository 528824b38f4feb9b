/**
 * After a restart of the local runtime: the SQS emulator keeps its queues in memory, so
 * they come back empty while DynamoDB Local still holds campaigns in the middle of
 * delivery. `recoverDelivery(deps)` puts back on the queues what DynamoDB says is due;
 * call it before the pollers start.
 *
 *   deps: { db, campaignsTable, messagesTable, fanoutQueue, sendQueue, clock, logger? }
 *   -> { campaigns, fanoutStarts, fanoutPages, chunks } (what it re-enqueued)
 *
 * For each campaign that is `running` and has not ended: the fan-out resumes where it
 * stands (`fanoutQueue.page(id, fanout.page)` while not done, `fanoutQueue.start(id)` when
 * it never started). For each campaign that may still have queued messages (running, or
 * cancelled with a queued count) every chunk with an open message goes back on the send
 * queue, ended campaigns included: the send handler turns their open messages expired or
 * cancelled without calling the provider, so the counts still add up. Redelivery is
 * safe: the send handler claims chunks and never sends a message twice.
 *
 * It reads the stored shape of functions/adapters/dynamo/*: campaigns with `status`,
 * `endAt`, `fanout`, `counts`; chunk items keyed by campaignId + chunk with `open`, the
 * number of their queued messages.
 */
import { QueryCommand, ScanCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Campaign } from '../functions/domain/campaigns.js';
import type { ChunkRef, Clock, FanoutQueue, SendQueue } from '../functions/ports.js';
import { silentLogger, type LocalLogger } from './ports.js';

export interface RecoverDeliveryDeps {
  db: DynamoDBDocumentClient;
  campaignsTable: string;
  messagesTable: string;
  fanoutQueue: FanoutQueue;
  sendQueue: SendQueue;
  clock: Clock;
  logger?: LocalLogger;
}

export interface RecoveredDelivery {
  /** Campaigns something was re-enqueued for. */
  campaigns: string[];
  fanoutStarts: number;
  fanoutPages: number;
  chunks: number;
}

type CampaignState = Pick<Campaign, 'id' | 'status' | 'endAt' | 'fanout' | 'counts'>;

async function campaignsInDelivery(db: DynamoDBDocumentClient, table: string): Promise<CampaignState[]> {
  const found: CampaignState[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await db.send(
      new ScanCommand({
        TableName: table,
        FilterExpression: '#status IN (:running, :cancelled)',
        ProjectionExpression: 'id, #status, endAt, fanout, counts',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':running': 'running', ':cancelled': 'cancelled' },
        ExclusiveStartKey: startKey,
        ConsistentRead: true,
      }),
    );
    found.push(...((page.Items ?? []) as CampaignState[]));
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return found;
}

/** Re-enqueues the chunks of a campaign that still hold a queued message, one query page at a time. */
async function enqueueOpenChunks(deps: RecoverDeliveryDeps, campaignId: string): Promise<number> {
  let enqueued = 0;
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await deps.db.send(
      new QueryCommand({
        TableName: deps.messagesTable,
        KeyConditionExpression: 'campaignId = :campaignId',
        FilterExpression: '#open > :zero',
        ProjectionExpression: 'chunk',
        ExpressionAttributeNames: { '#open': 'open' },
        ExpressionAttributeValues: { ':campaignId': campaignId, ':zero': 0 },
        ExclusiveStartKey: startKey,
        ConsistentRead: true,
      }),
    );
    const refs: ChunkRef[] = (page.Items ?? []).map((item) => ({ campaignId, chunk: Number(item.chunk) }));
    if (refs.length > 0) await deps.sendQueue.enqueue(refs);
    enqueued += refs.length;
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return enqueued;
}

export async function recoverDelivery(deps: RecoverDeliveryDeps): Promise<RecoveredDelivery> {
  const logger = deps.logger ?? silentLogger;
  const now = deps.clock.now().getTime();
  const result: RecoveredDelivery = { campaigns: [], fanoutStarts: 0, fanoutPages: 0, chunks: 0 };
  for (const campaign of await campaignsInDelivery(deps.db, deps.campaignsTable)) {
    const live = campaign.status === 'running' && Date.parse(campaign.endAt) > now;
    let fanout: 'start' | 'page' | undefined;
    if (live && !campaign.fanout) {
      await deps.fanoutQueue.start(campaign.id);
      result.fanoutStarts += 1;
      fanout = 'start';
    } else if (live && campaign.fanout && !campaign.fanout.done) {
      await deps.fanoutQueue.page(campaign.id, campaign.fanout.page);
      result.fanoutPages += 1;
      fanout = 'page';
    }
    const mayHaveQueued = campaign.status === 'running' || (campaign.counts?.queued ?? 0) > 0;
    const chunks = mayHaveQueued ? await enqueueOpenChunks(deps, campaign.id) : 0;
    result.chunks += chunks;
    if (fanout || chunks > 0) {
      result.campaigns.push(campaign.id);
      logger.info('delivery recovered after restart', { campaignId: campaign.id, fanout: fanout ?? 'none', chunks });
    }
  }
  return result;
}
