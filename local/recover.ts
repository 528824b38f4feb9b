/**
 * After a restart of the local runtime: the SQS emulator keeps its queues in memory, so
 * they come back empty while DynamoDB Local still holds campaigns in the middle of
 * delivery. `recoverDelivery(deps)` puts back on the queues what DynamoDB says is due;
 * call it before the pollers start.
 *
 *   deps: { campaigns, messages, fanoutQueue, sendQueue, clock, logger? } (the ports)
 *   -> { campaigns, fanoutStarts, fanoutPages, chunks } (what it re-enqueued)
 *
 * For each campaign that is `running` and has not ended, `fanoutQueue.start(id)` when its
 * fan-out never started. For each one that is not paused, the fan-out resumes where it stands
 * (`fanoutQueue.page(id, fanout.page)` while not done): after a cancel or the end that page
 * only closes the fan-out, with any chunks the restart's cut-off write left of it. For each
 * campaign that may still have queued messages (running, or cancelled after it started)
 * every chunk with an open message in a page whose write completed goes back on the send
 * queue, ended campaigns included: the send handler turns their open messages expired or
 * cancelled without calling the provider, so the counts still add up. Redelivery is safe:
 * the send handler claims chunks and never sends a message twice, and a page whose write
 * was cut off is queued only by its own replay, after it wrote the page again.
 *
 * With `notices`: every notice whose message is still queued goes back on the send queue (the
 * sender claims it as it does a campaign's chunk, so one that was in flight is not sent twice).
 *
 * With `startTimer` and `startLeadMs`: each `scheduled` campaign whose schedule has fired
 * already (its start is within the lead, local/scheduler.ts) goes back on the start timer,
 * whose in-flight message the restart lost; a second start, if the schedule still fires, does nothing.
 *
 * With `events` and `startTimer`: every event step still `scheduled` goes back on the start timer
 * (delay 0), unless `stepScheduled` says the local scheduler still holds its schedule (see recoverSteps).
 *
 * It reads through the stores' ports (`CampaignStore.inDelivery`, `MessageStore.openChunks`,
 * `EventStore.waitingSteps`), so it knows nothing of how they keep their items.
 */
import type { Campaign } from '../functions/domain/campaigns.js';
import { channelOf, storedChannel } from '../functions/domain/channels/channel.js';
import type { EventStepRef } from '../functions/domain/events.js';
import type {
  CampaignStore,
  ChunkQueues,
  Clock,
  EventStore,
  FanoutQueue,
  MessageStore,
  NoticeStore,
  Page,
  PageRequest,
  StartTimerQueue,
  StepTimerQueue,
} from '../functions/ports.js';
import { silentLogger, type LocalLogger } from './ports.js';

export interface RecoverDeliveryDeps {
  campaigns: CampaignStore;
  messages: MessageStore;
  fanoutQueue: FanoutQueue;
  /** Each channel's send queue. */
  sendQueue: ChunkQueues;
  clock: Clock;
  logger?: LocalLogger;
  startTimer?: StartTimerQueue & StepTimerQueue;
  startLeadMs?: number;
  /** With it, every notice whose message is still queued goes back on the send queue too. */
  notices?: NoticeStore;
  /** With it (and `startTimer`), every event step still waiting whose timer the restart may have lost goes back on the start timer. */
  events?: Pick<EventStore, 'waitingSteps'>;
  /** Whether the local scheduler still holds the step's one-time schedule (it fires on its own); without it every waiting step goes back. */
  stepScheduled?: (step: EventStepRef) => Promise<boolean>;
}

export interface RecoveredDelivery {
  /** Campaigns something was re-enqueued for. */
  campaigns: string[];
  fanoutStarts: number;
  fanoutPages: number;
  chunks: number;
  /** Scheduled campaigns put back on the start timer. */
  timedStarts?: number;
  /** Notices put back on the send queue. */
  notices?: number;
  /** Event steps put back on the start timer. */
  steps?: number;
}

/** Every page of a paginated port read, one page in memory at a time. */
async function* pages<T>(read: (request: PageRequest) => Promise<Page<T>>): AsyncGenerator<T[]> {
  let cursor: string | undefined;
  do {
    const page = await read({ limit: 100, ...(cursor ? { cursor } : {}) });
    yield page.items;
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
}

/** Re-enqueues the chunks of a campaign that still hold a queued message. */
async function enqueueOpenChunks(deps: RecoverDeliveryDeps, campaign: Campaign): Promise<number> {
  let enqueued = 0;
  const campaignId = campaign.id;
  for await (const chunks of pages((request) => deps.messages.openChunks(campaignId, request))) {
    if (chunks.length > 0) await deps.sendQueue.enqueue(chunks.map((chunk) => ({ campaignId, chunk, ...storedChannel(channelOf(campaign)) })));
    enqueued += chunks.length;
  }
  return enqueued;
}

export async function recoverDelivery(deps: RecoverDeliveryDeps): Promise<RecoveredDelivery> {
  const logger = deps.logger ?? silentLogger;
  const now = deps.clock.now().getTime();
  const result: RecoveredDelivery = { campaigns: [], fanoutStarts: 0, fanoutPages: 0, chunks: 0 };
  for await (const found of pages((request) => deps.campaigns.inDelivery(request))) {
    for (const campaign of found) {
      const live = campaign.status === 'running' && Date.parse(campaign.endAt) > now;
      // Ended or cancelled mid fan-out, the fan-out still takes its next page: that page only closes
      // the stream, with whatever chunks a write the restart cut off left of it (fanout.ts, writePage).
      const continues = campaign.status !== 'paused';
      let fanout: 'start' | 'page' | undefined;
      if (live && !campaign.fanout) {
        await deps.fanoutQueue.start(campaign.id);
        result.fanoutStarts += 1;
        fanout = 'start';
      } else if (continues && campaign.fanout?.streams) {
        // Each unfinished stream goes on from its own page, in its own group.
        const open = campaign.fanout.streams.flatMap((progress, stream) => (progress.done ? [] : [{ stream, page: progress.page }]));
        for (const { stream, page } of open) await deps.fanoutQueue.page(campaign.id, page, stream);
        result.fanoutPages += open.length;
        if (open.length) fanout = 'page';
      } else if (continues && campaign.fanout && !campaign.fanout.done) {
        await deps.fanoutQueue.page(campaign.id, campaign.fanout.page);
        result.fanoutPages += 1;
        fanout = 'page';
      }
      const chunks = await enqueueOpenChunks(deps, campaign);
      result.chunks += chunks;
      if (fanout || chunks > 0) {
        result.campaigns.push(campaign.id);
        logger.info('delivery recovered after restart', { campaignId: campaign.id, fanout: fanout ?? 'none', chunks });
      }
    }
  }
  if (deps.startTimer && deps.startLeadMs !== undefined) result.timedStarts = await recoverTimedStarts(deps, deps.startTimer, deps.startLeadMs, now);
  if (deps.notices) result.notices = await recoverNotices(deps, deps.notices);
  if (deps.events && deps.startTimer) result.steps = await recoverSteps(deps, deps.events, deps.startTimer);
  return result;
}

/** A notice's POST was answered 202 once its chunk was stored and queued: a queued one whose queue message the restart lost goes back. */
async function recoverNotices(deps: RecoverDeliveryDeps, notices: NoticeStore): Promise<number> {
  let put = 0;
  for await (const refs of pages((request) => notices.queued(request))) {
    if (refs.length === 0) continue;
    await deps.sendQueue.enqueue(refs);
    put += refs.length;
  }
  if (put > 0) (deps.logger ?? silentLogger).info('notices recovered after restart', { notices: put });
  return put;
}

async function recoverTimedStarts(deps: RecoverDeliveryDeps, startTimer: StartTimerQueue, leadMs: number, now: number): Promise<number> {
  let put = 0;
  for await (const found of pages((request) => deps.campaigns.list(request))) {
    for (const campaign of found) {
      if (campaign.status !== 'scheduled' || Date.parse(campaign.startAt) - leadMs > now) continue;
      await startTimer.put({ campaignId: campaign.id, startAt: campaign.startAt }, 0);
      put += 1;
      (deps.logger ?? silentLogger).info('start timer recovered after restart', { campaignId: campaign.id, startAt: campaign.startAt });
    }
  }
  return put;
}

/**
 * A waiting step's timer is on the start timer's queue (its SQS delay, or the hops after its schedule
 * fired), which the restart emptied, or in the local scheduler's table, which kept it and fires it on
 * its own: such a step is left to its schedule (a second timer would only hop beside it for up to a day).
 * Every other step still `scheduled` goes back with no delay; the start timer hops and waits to its
 * `dueAt` as usual, and releases one already overdue at once, judged then as any due step. Were a timer
 * to come twice all the same (an SQS emulator that outlived the runtime), the step still makes one
 * notice: its release takes it only while it is `scheduled`, in one transaction (functions/services/events.ts).
 */
async function recoverSteps(deps: RecoverDeliveryDeps, events: Pick<EventStore, 'waitingSteps'>, startTimer: StepTimerQueue): Promise<number> {
  let put = 0;
  for await (const steps of pages((request) => events.waitingSteps(request))) {
    for (const step of steps) {
      if (await deps.stepScheduled?.(step)) continue;
      await startTimer.putStep(step, 0);
      put += 1;
      (deps.logger ?? silentLogger).info('event step timer recovered after restart', { eventId: step.eventId, step: step.step, dueAt: step.dueAt });
    }
  }
  return put;
}
