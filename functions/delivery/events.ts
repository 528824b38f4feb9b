import * as z from 'zod/mini';
import { CHANNELS } from '../domain/channels/channel.js';
import type { ChunkRef, FanoutEvent, StartTimerEvent, StepTimerEvent } from '../ports.js';

const campaignId = z.string().check(z.regex(/^\d+$/));

const fanoutEvent = z.discriminatedUnion('type', [
  z.object({ type: z.literal('start'), campaignId }),
  z.object({
    type: z.literal('page'),
    campaignId,
    page: z.number().check(z.int(), z.minimum(0)),
    stream: z.optional(z.number().check(z.int(), z.minimum(0), z.maximum(15))),
  }),
  z.object({
    type: z.literal('resume'),
    campaignId,
    resumedAt: z.string().check(z.maxLength(40)),
    walk: z.optional(z.object({ step: z.number().check(z.int(), z.minimum(1)), cursor: z.string().check(z.maxLength(2048)) })),
  }),
  z.object({ type: z.literal('occurrence'), campaignId, scheduledAt: z.optional(z.string().check(z.maxLength(40))) }),
]);

/** A send-queue chunk belongs to a campaign or is a notice's (functions/domain/notices.ts). */
const chunkOwner = z.string().check(z.regex(/^(\d+|notice#[1-9]\d{0,9})$/));

const chunkRef = z.object({
  campaignId: chunkOwner,
  chunk: z.number().check(z.int(), z.minimum(0)),
  channel: z.optional(z.enum(CHANNELS)),
  zones: z.optional(z.array(z.string().check(z.maxLength(64))).check(z.maxLength(10))),
});

/** Queue bodies are checked like any input: a malformed one fails its record, not the batch. */
export function parseFanoutEvent(body: string): FanoutEvent {
  return fanoutEvent.parse(JSON.parse(body));
}

const startTimerEvent = z.object({ campaignId, startAt: z.iso.datetime({ offset: true }) });

export function parseStartTimerEvent(body: string): StartTimerEvent {
  return startTimerEvent.parse(JSON.parse(body));
}

const stepTimerEvent = z.object({
  eventId: z.string().check(z.regex(/^[A-Za-z0-9_-]{16}$/)),
  step: z.number().check(z.int(), z.minimum(0), z.maximum(4)),
  dueAt: z.iso.datetime({ offset: true }),
});

/** The start timer queue carries campaign starts and event steps; a step's body names its event. */
export function parseTimerEvent(body: string): { start: StartTimerEvent } | { step: StepTimerEvent } {
  const value: unknown = JSON.parse(body);
  if (typeof value === 'object' && value !== null && 'eventId' in value) return { step: stepTimerEvent.parse(value) };
  return { start: startTimerEvent.parse(value) };
}

export function parseChunkRef(body: string): ChunkRef {
  return chunkRef.parse(JSON.parse(body));
}
