import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { addEmailEvents, emptyEmailEvents } from '../domain/channels/email-events.js';
import { ConflictError } from '../domain/errors.js';
import { stepOutcomeOf, type StepNoticeChange } from '../domain/events.js';
import { tallyOf, type ChunkChange } from '../domain/messages.js';
import { logger } from '../telemetry/logger.js';
import type { CampaignStore, EventStore } from '../ports.js';

export interface TallyDependencies {
  campaigns: CampaignStore;
  /** Reads a stream record as the chunk change it is (the store knows its items' shape). */
  changeOf: (record: DynamoDBRecord) => ChunkChange | undefined;
  /** Events whose steps' notices it follows; with `stepChangeOf`, which reads a record as such a change. */
  events?: Pick<EventStore, 'settleStep'>;
  stepChangeOf?: (record: DynamoDBRecord) => StepNoticeChange | undefined;
}

/** How often one campaign's tally is recomputed when other workers keep moving its mark. */
const MAX_TRIES = 5;

/**
 * Keeps every campaign's counters from the messages table's stream: each chunk write
 * arrives once with the statuses before and after it, and the counters move by exactly that,
 * once per campaign per batch. A replayed batch finds the campaign's mark past its records
 * and adds nothing; a crash between two campaigns' updates leaves the first applied and the
 * second to the retry. So the counters always equal what the chunks hold, whatever crashed;
 * an e-mail campaign's emailEvents follow the chunks' deliveries the same way.
 */
export function createTallyHandler(deps: TallyDependencies) {
  const { campaigns, changeOf } = deps;

  async function tallyCampaign(campaignId: string, changes: ChunkChange[]): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      const campaign = await campaigns.get(campaignId);
      // A campaign removed while scheduled never had chunks; nothing is left to count for it.
      if (!campaign) return logger.warn('tally for a campaign that no longer exists', { campaignId, changes: changes.length });
      const tally = tallyOf(changes, campaign.tallied);
      if (!tally) return;
      // Only a tally moves emailEvents, always with the mark: what was read is what the mark's condition keeps.
      const emailEvents = tally.emailEvents ? addEmailEvents(campaign.emailEvents ?? emptyEmailEvents(), tally.emailEvents) : undefined;
      try {
        return await campaigns.applyTally(campaignId, tally, campaign.tallied, emailEvents);
      } catch (error) {
        if (!(error instanceof ConflictError) || attempt >= MAX_TRIES) throw error;
      }
    }
  }

  /**
   * An event step's notice reached a final status: the step follows. Each write moves a step once
   * (only from `queued` with that message), so a replayed batch changes nothing more.
   */
  async function settleStep(change: StepNoticeChange): Promise<void> {
    const outcome = stepOutcomeOf(change.status, change.lastError);
    if (!outcome || !deps.events) return;
    await deps.events.settleStep(change.eventId, change.step, change.messageId, outcome);
    logger.info('event step settled', { eventId: change.eventId, step: change.step, messageId: change.messageId, ...outcome });
  }

  return async (event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> => {
    const byCampaign = new Map<string, { changes: ChunkChange[]; first: string }>();
    const steps: { change: StepNoticeChange; sequence: string }[] = [];
    for (const record of event.Records) {
      const step = deps.stepChangeOf?.(record);
      if (step) steps.push({ change: step, sequence: record.dynamodb?.SequenceNumber ?? '' });
      const change = changeOf(record);
      if (!change) continue;
      const group = byCampaign.get(change.campaignId) ?? { changes: [], first: change.sequence };
      group.changes.push(change);
      byCampaign.set(change.campaignId, group);
    }
    const results = await Promise.allSettled([...byCampaign].map(([campaignId, { changes }]) => tallyCampaign(campaignId, changes)));
    // The stream resumes from the earliest record of a campaign that failed; what was applied is skipped by its mark.
    const failed = [...byCampaign.values()].filter((_, i) => results[i]?.status === 'rejected').map((group) => group.first);
    for (const result of results)
      if (result.status === 'rejected') logger.error("tally failed; the stream retries from the campaign's first record", result.reason as Error);
    const settled = await Promise.allSettled(steps.map(({ change }) => settleStep(change)));
    settled.forEach((result, i) => {
      if (result.status !== 'rejected') return;
      logger.error('event step not settled; the stream retries from its record', { ...steps[i]?.change, error: result.reason as Error });
      failed.push(steps[i]?.sequence ?? '');
    });
    return { batchItemFailures: failed.map((itemIdentifier) => ({ itemIdentifier })) };
  };
}
