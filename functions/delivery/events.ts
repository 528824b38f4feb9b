import * as z from 'zod';
import type { ChunkRef, FanoutEvent } from '../ports.js';

const campaignId = z.string().regex(/^\d+$/);

const fanoutEvent = z.discriminatedUnion('type', [
  z.object({ type: z.literal('start'), campaignId }),
  z.object({ type: z.literal('page'), campaignId, page: z.number().int().min(0), stream: z.number().int().min(0).max(15).optional() }),
  z.object({
    type: z.literal('resume'),
    campaignId,
    resumedAt: z.string().max(40),
    walk: z.object({ step: z.number().int().min(1), cursor: z.string().max(2048) }).optional(),
  }),
]);

const chunkRef = z.object({ campaignId, chunk: z.number().int().min(0), zones: z.array(z.string().max(64)).max(10).optional() });

/** Queue bodies are checked like any input: a malformed one fails its record, not the batch. */
export function parseFanoutEvent(body: string): FanoutEvent {
  return fanoutEvent.parse(JSON.parse(body));
}

export function parseChunkRef(body: string): ChunkRef {
  return chunkRef.parse(JSON.parse(body));
}
