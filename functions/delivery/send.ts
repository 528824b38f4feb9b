import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { CHUNK_LEASE_MS } from '../definitions/functions.js';
import { maskPhone } from '../domain/clients.js';
import { callTimeoutMs, isPastCutoff } from '../domain/cutoff.js';
import { afterOutcome, closed, DEFAULT_BACKOFF, planRetry, shortError, type SendOutcome } from '../domain/delivery.js';
import { renderTemplate, TemplateRenderError } from '../domain/templates.js';
import { countsDelta, FINAL_STATUSES, isOpen, type MessageRecord } from '../domain/messages.js';
import { logger } from '../telemetry/logger.js';
import { metricNames, metrics, MetricUnit } from '../telemetry/metrics.js';
import type { CampaignStore, Clock, MessageStore, Provider, SendQueue } from '../ports.js';
import { CampaignView } from './campaign-view.js';
import { parseChunkRef } from './events.js';
import { createLimiter } from './limiter.js';

/** Thrown to leave a chunk on the queue: its visibility was already set to when it should come back. */
class RetryLater extends Error {}

export interface SendDependencies {
  clock: Clock;
  campaigns: CampaignStore;
  messages: MessageStore;
  sendQueue: SendQueue;
  provider: Provider;
  settings: { providerTimeoutMs: number; providerConcurrency: number; maxBackoffSeconds: number };
}

/**
 * Sends the open messages of each chunk in a batch. A chunk is claimed first (no second
 * worker sends it), its outcome is written once per attempt (the campaign's counters follow
 * from that write through the tally, functions/delivery/tally.ts),
 * and a chunk with retryable failures goes back to the queue with a backoff.
 */
export function createSendHandler(deps: SendDependencies) {
  const { campaigns, messages, sendQueue, provider, clock, settings } = deps;
  const limit = createLimiter(settings.providerConcurrency);
  const backoff = { ...DEFAULT_BACKOFF, maxMs: settings.maxBackoffSeconds * 1000 };

  async function sendOne(message: MessageRecord, view: CampaignView, campaignId: string): Promise<{ message: MessageRecord; retryAfterMs: number }> {
    return limit(async () => {
      // Checked inside the concurrency slot, right before the call: nothing starts after a cancel or the end.
      const campaign = await view.current(campaignId);
      const now = clock.now();
      if (!campaign || campaign.status === 'cancelled') return { message: closed(message, 'cancelled'), retryAfterMs: 0 };
      if (isPastCutoff(campaign.endAt, now)) return { message: closed(message, 'expired'), retryAfterMs: 0 };
      let text: string;
      try {
        // Rendered from the variables the fan-out copied into the chunk: no client is read here.
        text = renderTemplate(campaign.text, { ...message.vars, phone: message.phone });
      } catch (error) {
        if (!(error instanceof TemplateRenderError)) throw error;
        const failed = closed({ ...message, attempts: message.attempts + 1 }, 'failed', shortError(`template: ${error.message}`));
        logger.error('message failed: template did not render', {
          campaignId,
          messageId: message.id,
          clientId: message.clientId,
          error: failed.lastError,
        });
        return { message: failed, retryAfterMs: 0 };
      }
      const started = performance.now();
      const outcome: SendOutcome = await provider.send(
        { id: message.id, phone: message.phone, text },
        callTimeoutMs(campaign.endAt, now, settings.providerTimeoutMs),
      );
      metrics.addMetric(metricNames.providerLatency, MetricUnit.Milliseconds, performance.now() - started);
      const next = afterOutcome(message, outcome, clock.now());
      const log = {
        campaignId,
        messageId: message.id,
        clientId: message.clientId,
        phone: maskPhone(message.phone),
        outcome: outcome.kind,
        attempts: next.attempts,
      };
      if (outcome.kind === 'sent') logger.info('message sent', log);
      else logger.warn('message not sent', { ...log, error: outcome.error });
      return { message: next, retryAfterMs: outcome.kind === 'retryable' ? (outcome.retryAfterMs ?? 0) : 0 };
    });
  }

  async function sendChunk(record: SQSRecord, view: CampaignView): Promise<void> {
    const ref = parseChunkRef(record.body);
    const claim = await messages.claim(ref.campaignId, ref.chunk, CHUNK_LEASE_MS, clock.now());
    if (claim.kind === 'done' || claim.kind === 'missing') return;
    if (claim.kind === 'leased') {
      // Another worker holds the chunk (a duplicate delivery); look again when its lease ends.
      await sendQueue.retryLater(record.receiptHandle, (claim.until - clock.now().getTime()) / 1000 + 1);
      throw new RetryLater(`chunk ${ref.campaignId}/${ref.chunk} is leased`);
    }
    const before = claim.chunk.messages;
    const results = await Promise.all(before.map((message) => (isOpen(message) ? sendOne(message, view, ref.campaignId) : { message, retryAfterMs: 0 })));
    let after = results.map((result) => result.message);
    const campaign = await view.current(ref.campaignId);
    const plan = planRetry(
      after.filter(isOpen),
      Math.max(0, ...results.map((result) => result.retryAfterMs)),
      claim.chunk.receives,
      campaign?.endAt ?? clock.now().toISOString(),
      clock.now(),
      backoff,
    );
    // A retry that would come after the end is no retry: those messages expire now.
    if (plan.kind === 'expire') after = after.map((message) => (isOpen(message) ? closed(message, 'expired') : message));
    await messages.saveOutcome(ref.campaignId, ref.chunk, after);
    // The campaign's counters follow from this write (the tally reads the messages table's stream).
    const delta = countsDelta(before, after);
    for (const status of FINAL_STATUSES) if (delta[status] > 0) metrics.addMetric(metricNames.messagesByStatus(status), MetricUnit.Count, delta[status]);
    if (plan.kind === 'retry') {
      await sendQueue.retryLater(record.receiptHandle, plan.delayMs / 1000);
      throw new RetryLater(`chunk ${ref.campaignId}/${ref.chunk}: ${after.filter(isOpen).length} message(s) to retry in ${plan.delayMs} ms`);
    }
  }

  return async (event: SQSEvent) => {
    const view = new CampaignView(campaigns);
    try {
      return await processPartialResponse(event, (record: SQSRecord) => sendChunk(record, view), new BatchProcessor(EventType.SQS), {
        throwOnFullBatchFailure: false,
      });
    } finally {
      metrics.publishStoredMetrics();
    }
  };
}
