import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { CHUNK_LEASE_MS } from '../definitions/functions.js';
import { closed } from '../domain/delivery.js';
import { isOpen, logTagsOf } from '../domain/messages.js';
import { logger } from '../telemetry/logger.js';
import type { ChunkRef, Clock, MessageStore } from '../ports.js';
import { parseChunkRef } from './events.js';

export interface DeadLetterDependencies {
  clock: Clock;
  messages: MessageStore;
}

/** A chunk in the send DLQ has used up its receives: its open messages fail with their last error (the tally counts them). */
export function createDeadLetterHandler(deps: DeadLetterDependencies) {
  const { messages, clock } = deps;

  async function failChunk(record: SQSRecord): Promise<void> {
    let ref: ChunkRef;
    try {
      ref = parseChunkRef(record.body);
    } catch (error) {
      // Not a chunk reference: it can never be processed, and retrying it here would loop until retention ends.
      logger.error('dropping a dead letter that is not a chunk reference', { sqsMessageId: record.messageId, error: error as Error });
      return;
    }
    const claim = await messages.claim(ref.campaignId, ref.chunk, CHUNK_LEASE_MS, clock.now());
    if (claim.kind === 'done' || claim.kind === 'missing') return;
    if (claim.kind === 'leased') throw new Error(`chunk ${ref.campaignId}/${ref.chunk} is still being worked on`);
    const before = claim.chunk.messages;
    const after = before.map((message) => (isOpen(message) ? closed(message, 'failed', message.lastError ?? 'retries exhausted') : message));
    // Failed at once, but like the sender only under its own lease (a late write would undo another worker's outcome).
    await messages.saveOutcome(ref.campaignId, ref.chunk, after, claim.lease);
    for (const message of after.filter((m, i) => before[i]?.status !== m.status)) {
      logger.error('message failed: retries exhausted', {
        campaignId: ref.campaignId,
        messageId: message.id,
        clientId: message.clientId,
        attempts: message.attempts,
        error: message.lastError,
        ...logTagsOf(claim.chunk),
      });
    }
  }

  return (event: SQSEvent) => processPartialResponse(event, failChunk, new BatchProcessor(EventType.SQS), { throwOnFullBatchFailure: false });
}
