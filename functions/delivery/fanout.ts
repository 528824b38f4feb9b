import { processPartialResponse, SqsFifoPartialProcessorAsync } from '@aws-lambda-powertools/batch';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { audiencePlan, type Campaign, type FanoutProgress, type StreamProgress } from '../domain/campaigns.js';
import { channelOf, storedChannel, type Channel } from '../domain/channels/channel.js';
import { templateUseOf } from '../domain/channels/content.js';
import { isPastCutoff } from '../domain/cutoff.js';
import {
  addressField,
  chunksOfPage,
  groupedChunksOfPage,
  isOpen,
  openZones,
  PAGE_SIZE,
  splitAudience,
  type AudienceMember,
  type AudienceSplit,
  type Chunk,
} from '../domain/messages.js';
import { utcOffsetMinutes } from '../domain/send-window.js';
import { storedPage } from '../domain/shards.js';
import { DEFAULT_START_TIMING, earlyStartAction, type StartTiming } from '../domain/start-timing.js';
import type { TemplateUse } from '../domain/templates.js';
import { recurringService } from '../services/recurring.js';
import { logger } from '../telemetry/logger.js';
import type { AudienceStream, ChunkQueues, ChunkRef, Clock, FanoutEvent, FanoutQueue, StartTimerQueue, Stores } from '../ports.js';
import { parseFanoutEvent } from './events.js';

export interface FanoutDependencies extends Stores {
  clock: Clock;
  fanoutQueue: FanoutQueue;
  /** Each channel's send queue: a campaign's chunks go on its channel's. */
  sendQueue: ChunkQueues;
  /** Where a start that came before `startAt` waits (functions/delivery/start-timer.ts); without it such a start fails and comes back later. */
  startTimer?: StartTimerQueue;
  startTiming?: StartTiming;
  /**
   * How many parallel streams a campaign started from now on is fanned out in (a divisor of
   * SHARD_COUNT, functions/domain/shards.ts; the settings' FANOUT_STREAMS). Without it a
   * campaign is fanned out as one chain of pages, as before streams existed.
   */
  streams?: number;
}

/** A chunk as its channel's send queue carries it: with its open messages' zones, when they are known. */
function refOf(chunk: Chunk): ChunkRef {
  const zones = openZones(chunk.messages);
  return { campaignId: chunk.campaignId, chunk: chunk.chunk, ...storedChannel(chunk.channel), ...(zones.length ? { zones } : {}) };
}

/** Members grouped by their zone's UTC offset now, in offset order. */
function byUtcOffset(members: AudienceMember[], now: Date): AudienceMember[][] {
  const offsets = new Map<string, number>();
  const groups = new Map<number, AudienceMember[]>();
  for (const member of members) {
    const zone = member.timezone ?? 'UTC';
    let offset = offsets.get(zone);
    if (offset === undefined) offsets.set(zone, (offset = utcOffsetMinutes(zone, now)));
    groups.set(offset, [...(groups.get(offset) ?? []), member]);
  }
  return [...groups.entries()].sort(([a], [b]) => a - b).map(([, group]) => group);
}

/**
 * One page of a campaign's audience per message: its chunks are written once (a replayed
 * page gets back what was stored, and the cursor stored with it), the fan-out advances with one conditional write that
 * also counts the page's messages as queued, then the chunks go to the send queue and
 * the next page onto this FIFO queue. Memory holds one page, whatever the audience.
 */
export function createFanoutHandler(deps: FanoutDependencies) {
  const { campaigns, clients, messages, sendQueue, fanoutQueue, clock, suppression } = deps;

  /**
   * Who of a page gets a message on the campaign's channel. SMS reads nothing more: an opted-out
   * phone is on the client itself. An e-mail address can be suppressed without its client opting
   * out (a bounce), so an e-mail page's addresses are looked up on the list, one batch per page.
   */
  async function split(members: AudienceMember[], channel: Channel): Promise<AudienceSplit> {
    if (channel !== 'email') return splitAudience(members, channel);
    const addresses = members.flatMap((member) => {
      const { email } = addressField(member, channel);
      return email !== undefined ? [email] : [];
    });
    return splitAudience(members, channel, addresses.length ? await suppression.suppressedAmong(addresses, channel) : new Set());
  }

  /**
   * One page of a campaign's fan-out, or of one of its streams (`lane`): a stream's pages are
   * stored under interleaved page numbers (storedPage), so no two streams share a chunk or a
   * message id, and its progress moves on its own.
   */
  async function writePage(campaign: Campaign, progress: StreamProgress, lane?: AudienceStream): Promise<void> {
    const page = progress.page;
    const stored = lane ? storedPage(page, lane.stream, lane.streams) : page;
    // Paused: the page waits where it is; resume asks for it again (see resumeDelivery).
    if (campaign.status === 'paused') return logger.info('fan-out held while paused', { campaignId: campaign.id, page, stream: lane?.stream });
    if (campaign.status === 'cancelled' || isPastCutoff(campaign.endAt, clock.now())) {
      // Nothing more is written after a cancel or the end. A write of this page that a crash cut off
      // before it advanced may have left chunks that no replay will complete or queue now: they go to
      // the senders, which close their messages, and count as written, so the campaign can still drain.
      // Queued before the advance: a crash in between finds them again on the replay, counted once.
      const left = await messages.chunksOfPage(campaign.id, stored);
      await sendQueue.enqueue(left.filter((chunk) => chunk.messages.some(isOpen)).map(refOf));
      await advance(
        campaign.id,
        lane,
        page,
        { page, done: true },
        left.reduce((sum, chunk) => sum + chunk.messages.length, 0),
      );
      return;
    }
    const audience = await clients.audience(campaign.filter, { limit: PAGE_SIZE, ...(progress.cursor ? { cursor: progress.cursor } : {}) }, lane);
    // Opted-out, suppressed and unreachable clients are decided here, whatever the filter: they get no message, only a count.
    const channel = channelOf(campaign);
    const { deliver, suppressed, unreachable } = await split(audience.items, channel);
    // With a send window, clients with the same UTC offset share chunks, so a chunk waits for its window as one.
    const now = clock.now();
    const use = variablesOf(campaign);
    const pageChunks = campaign.sendWindow
      ? groupedChunksOfPage(campaign.id, stored, byUtcOffset(deliver, now), now, use, channel)
      : chunksOfPage(campaign.id, stored, deliver, now, use, channel);
    const { chunks, nextCursor } = await messages.writePage(campaign.id, stored, pageChunks, audience.nextCursor);
    const queued = chunks.reduce((sum, chunk) => sum + chunk.messages.filter(isOpen).length, 0);
    const next: FanoutProgress = nextCursor ? { page: page + 1, cursor: nextCursor, done: false } : { page: page + 1, done: true };
    if (!(await advance(campaign.id, lane, page, next, queued, suppressed, unreachable))) return;
    logger.info('fan-out page written', {
      campaignId: campaign.id,
      page,
      ...(lane ? { stream: lane.stream } : {}),
      chunks: chunks.length,
      messages: queued,
      suppressed,
      unreachable,
      done: next.done,
    });
    await handOff(campaign.id, page, chunks, next, lane);
  }

  function advance(campaignId: string, lane: AudienceStream | undefined, page: number, next: StreamProgress, written: number, suppressed = 0, unreachable = 0) {
    return lane
      ? campaigns.advanceStream(campaignId, lane.stream, page, next, written, suppressed, unreachable)
      : campaigns.advanceFanout(campaignId, page, next, written, suppressed, unreachable);
  }

  /** The stream a page event names, as the campaign's stored progress describes it. */
  function laneOf(campaign: Campaign, stream: number): { lane: AudienceStream; progress: StreamProgress } | undefined {
    const progress = campaign.fanout?.streams?.[stream];
    if (!progress || !campaign.fanout?.streams) return undefined;
    return { lane: { stream, streams: campaign.fanout.streams.length, ...(campaign.fanout.unsharded ? { unsharded: true } : {}) }, progress };
  }

  /**
   * Starts the fan-out of a campaign: with streams, in one conditional write that gives each
   * stream its progress, then one page event per stream onto its own FIFO group. A filter is
   * read on the sharded indexes only once every stored client has its shard (the
   * backfill's mark, functions/adapters/dynamo/client-shards.ts); until then on the old ones.
   */
  async function begin(campaign: Campaign): Promise<void> {
    if (deps.streams === undefined) {
      if (!(await campaigns.start(campaign.id))) return;
      logger.info('campaign started', { campaignId: campaign.id });
      return writePage({ ...campaign, status: 'running' }, { page: 0, done: false });
    }
    const unsharded = audiencePlan(campaign.filter).index !== undefined && !(await clients.shardsReady());
    if (!(await campaigns.start(campaign.id, { streams: deps.streams, unsharded }))) return;
    logger.info('campaign started', { campaignId: campaign.id, streams: deps.streams, unsharded });
    await askForStreams(
      campaign.id,
      Array.from({ length: deps.streams }, () => ({ page: 0, done: false })),
    );
  }

  /** One page event for each stream not done yet, at the page it stands at. */
  async function askForStreams(campaignId: string, streams: StreamProgress[], request?: string): Promise<void> {
    await Promise.all(streams.map((progress, stream) => (progress.done ? undefined : fanoutQueue.page(campaignId, progress.page, stream, request))));
  }

  /** What the campaign's templates read; content the checks would now refuse copies nothing, and the sender fails its messages. */
  function variablesOf(campaign: Campaign): TemplateUse | undefined {
    try {
      return templateUseOf(channelOf(campaign), campaign);
    } catch (error) {
      logger.error('campaign text is not a valid template', { campaignId: campaign.id, error: error as Error });
      return undefined;
    }
  }

  async function handOff(campaignId: string, page: number, chunks: Chunk[], next: StreamProgress, lane?: AudienceStream): Promise<void> {
    // Both at once: the next page need not wait for this page's chunks to be queued (one round trip
    // less per page, and a stream is one page at a time). Should either fail, the replayed page
    // hands off both again: the claim sends a chunk once, and the next page's id deduplicates it.
    await Promise.all([
      sendQueue.enqueue(chunks.filter((chunk) => chunk.messages.some(isOpen)).map(refOf)),
      next.done ? undefined : fanoutQueue.page(campaignId, page + 1, lane?.stream),
    ]);
  }

  /**
   * A resumed campaign: one page of its open chunks back on the send queue per event (the
   * chunks held while it was paused, and any a sender let go), then the fan-out goes on from
   * the page it stopped at. A chunk put back twice is harmless: the claim lets only one
   * worker send it, and never a message already sent.
   */
  async function resumeDelivery(event: Extract<FanoutEvent, { type: 'resume' }>, campaign: Campaign): Promise<void> {
    // Paused again: the next resume sends its own event. Cancelled while paused: the chunks
    // still go back, so the senders close their open messages as cancelled now, not when the hold ends.
    if (campaign.status === 'paused') return;
    const open = await messages.openChunks(campaign.id, { limit: PAGE_SIZE, ...(event.walk ? { cursor: event.walk.cursor } : {}) });
    // Without their zones: a sender claims them and holds them by their messages' zones if a window is closed.
    await sendQueue.enqueue(open.items.map((chunk) => ({ campaignId: campaign.id, chunk, ...storedChannel(channelOf(campaign)) })));
    if (open.nextCursor) return fanoutQueue.resume(campaign.id, event.resumedAt, { step: (event.walk?.step ?? 0) + 1, cursor: open.nextCursor });
    logger.info('held chunks released', { campaignId: campaign.id, status: campaign.status, page: campaign.fanout?.page ?? 0 });
    if (!campaign.fanout) {
      // Paused before its fan-out began.
      if (isPastCutoff(campaign.endAt, clock.now())) return;
      return begin(campaign);
    }
    // Each stream's page is asked for again in its own group (never written here), so it cannot run beside that stream's own next page.
    if (campaign.fanout.streams) return askForStreams(campaign.id, campaign.fanout.streams, event.resumedAt);
    if (!campaign.fanout.done) return writePage(campaign, campaign.fanout);
  }

  /** An occurrence of a recurring campaign: its run is created once and started here, as a start event would. */
  async function startRun(recurring: Campaign): Promise<void> {
    const started = await recurringService({ clock, campaigns, fanoutQueue }).startRun(recurring);
    if (!started) return logger.info('occurrence starts no run', { campaignId: recurring.id, status: recurring.status });
    const { run, created } = started;
    logger.info(created ? 'run created' : 'run of this occurrence already exists', {
      campaignId: run.id,
      recurringId: recurring.id,
      occurrence: run.occurrence,
    });
    // A run that exists but never started (a crash after its creation) starts now; one that started is left alone.
    return handle({ type: 'start', campaignId: run.id }, false);
  }

  /** A run whose recurring campaign was cancelled (a DELETE racing the run's creation) is cancelled before it sends. */
  async function recurringCancelled(run: Campaign): Promise<boolean> {
    if (!run.recurringId || (await campaigns.get(run.recurringId))?.status !== 'cancelled') return false;
    await campaigns.cancel(run.id).catch(() => undefined);
    logger.info('run cancelled with its recurring campaign', { campaignId: run.id, recurringId: run.recurringId });
    return true;
  }

  /** A start before `startAt` (a timer whose campaign was moved later, or clocks apart) never begins sending early. */
  async function heldAsEarly(campaign: Campaign): Promise<boolean> {
    const action = earlyStartAction(new Date(campaign.startAt), clock.now(), deps.startTiming ?? DEFAULT_START_TIMING);
    if (action === 'proceed') return false;
    logger.info('start before startAt held', { campaignId: campaign.id, startAt: campaign.startAt, action });
    if (action === 'drop') return true;
    if (!deps.startTimer) throw new Error(`start of campaign ${campaign.id} came before its startAt ${campaign.startAt}`);
    await deps.startTimer.put({ campaignId: campaign.id, startAt: campaign.startAt }, 0);
    return true;
  }

  async function handle(event: FanoutEvent, redelivered: boolean): Promise<void> {
    const campaign = await campaigns.get(event.campaignId);
    if (!campaign) return logger.info('fan-out for a campaign that no longer exists', { campaignId: event.campaignId });
    if (event.type === 'occurrence') return startRun(campaign);
    // A recurring campaign sends nothing itself (a start or resume for it, e.g. from a restart's recovery, does nothing).
    if (campaign.recurrence) return logger.info('a recurring campaign has no fan-out of its own', { campaignId: campaign.id, type: event.type });
    if (event.type === 'resume') return resumeDelivery(event, campaign);
    if (event.type === 'start' && !campaign.fanout) {
      if (isPastCutoff(campaign.endAt, clock.now()) || campaign.status === 'cancelled') return;
      if (await recurringCancelled(campaign)) return;
      if (await heldAsEarly(campaign)) return;
      return begin(campaign);
    }
    // A second start does nothing; a redelivered one is page 0 again (of each stream still there: a crash may have come before they were asked for).
    if (event.type === 'start' && !redelivered) return logger.info('campaign already started', { campaignId: campaign.id });
    if (event.type === 'start' && campaign.fanout?.streams) {
      return askForStreams(
        campaign.id,
        campaign.fanout.streams.map((progress) => (progress.page === 0 ? progress : { ...progress, done: true })),
      );
    }
    if (event.type === 'page' && event.stream !== undefined) return streamPage(campaign, event.stream, event.page, redelivered);
    // A page without a stream belongs to a campaign fanned out as one chain; its pages' numbers would collide with stream 0's.
    if (campaign.fanout?.streams) return logger.warn('fan-out page without a stream for a campaign with streams', { campaignId: campaign.id });
    const page = event.type === 'start' ? 0 : event.page;
    const progress = campaign.fanout;
    if (!progress || (progress.done && page >= progress.page)) return;
    if (page === progress.page) return writePage(campaign, progress);
    // A redelivery of a page that advanced but may not have handed off (a crash in between): hand off again.
    if (redelivered && page === progress.page - 1) {
      await handOff(campaign.id, page, await messages.chunksOfPage(campaign.id, page), progress);
    }
  }

  /** A stream's page event: as a campaign's page without streams, on that stream's progress. */
  async function streamPage(campaign: Campaign, stream: number, page: number, redelivered: boolean): Promise<void> {
    const found = laneOf(campaign, stream);
    if (!found) return logger.warn('fan-out page of a stream the campaign does not have', { campaignId: campaign.id, stream });
    const { lane, progress } = found;
    if (progress.done && page >= progress.page) return;
    if (page === progress.page) return writePage(campaign, progress, lane);
    if (redelivered && page === progress.page - 1) {
      await handOff(campaign.id, page, await messages.chunksOfPage(campaign.id, storedPage(page, lane.stream, lane.streams)), progress, lane);
    }
  }

  const recordHandler = (record: SQSRecord) => handle(parseFanoutEvent(record.body), Number(record.attributes.ApproximateReceiveCount) > 1);
  return (event: SQSEvent) => processPartialResponse(event, recordHandler, new SqsFifoPartialProcessorAsync());
}
