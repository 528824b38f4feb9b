import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import { CHUNK_LEASE_MS, functionSettings } from '../definitions/functions.js';
import { callTimeoutWithin, isPastCutoff, waitBudgetMs } from '../domain/cutoff.js';
import type { ChannelRules, OutgoingMessage } from '../domain/channels/channel.js';
import { afterOutcome, closed, DEFAULT_BACKOFF, planRetry, retryAfterMsOf, shortError, type SendOutcome } from '../domain/delivery.js';
import type { Campaign } from '../domain/campaigns.js';
import { LeaseLostError } from '../domain/errors.js';
import { countsDelta, FINAL_STATUSES, isOpen, logTagsOf, openZones, suppressibleAddress, type LogTags, type MessageRecord } from '../domain/messages.js';
import { earliestOpening, holdPlan, isInsideWindow, MAX_DELAY_SECONDS, nextOpening } from '../domain/send-window.js';
import { SENDER_START_WAIT_MS } from '../domain/start-timing.js';
import { isNoticeKey, NOTICE_OPTED_OUT } from '../domain/notice-ids.js';
import { TemplateRenderError } from '../domain/templates.js';
import { logger } from '../telemetry/logger.js';
import { metricNames, metrics, MetricUnit } from '../telemetry/metrics.js';
import type { CampaignStore, ChannelSender, ChunkRef, Clock, MessageStore, RateSlots, SendQueue, SendQuota, SuppressionList } from '../ports.js';
import { CampaignView } from './campaign-view.js';
import { parseChunkRef } from './events.js';
import { createLimiter } from './limiter.js';
import { RateGate } from './rate-gate.js';

/** The longest a call waits for a rate slot before its chunk is put back instead. */
const RATE_WAIT_MS = 10_000;

interface SendResult {
  message: MessageRecord;
  retryAfterMs: number;
  /** Not tried (the campaign is paused, or the client's window is closed): when to look again, epoch ms. */
  heldUntil?: number;
  /** Held because the campaign was paused (not by a window). */
  pausedHold?: true;
}

/** Thrown to leave a chunk on the queue: its visibility was already set to when it should come back. */
class RetryLater extends Error {}

/** One channel's send function: its queue, its sender and its rules; the rest is what every channel shares. */
export interface SendDependencies<M extends OutgoingMessage = OutgoingMessage> {
  clock: Clock;
  campaigns: CampaignStore;
  messages: MessageStore;
  /** This channel's send queue. */
  sendQueue: SendQueue;
  rateSlots: RateSlots;
  sender: ChannelSender<M>;
  rules: ChannelRules<M>;
  /** Read for notices only: a campaign's audience was checked against it at fan-out. */
  suppression: Pick<SuppressionList, 'isSuppressed'>;
  /**
   * A rate over every sender of the channel, beside each campaign's: the account's at its provider
   * (SES's MaxSendRate), its slots shared under `key` as a campaign's are under its id.
   */
  accountRate?: { key: string; quota: SendQuota };
  settings: { providerTimeoutMs: number; providerConcurrency: number; maxBackoffSeconds: number };
}

/**
 * Sends the open messages of each chunk in a batch, on one channel (the sender's): the same code
 * for every channel. A chunk is claimed first (no second worker sends it), its outcome is
 * written once per attempt (the campaign's counters follow from that write through the tally,
 * functions/delivery/tally.ts), and a chunk with retryable failures goes back to the queue with a backoff.
 */
export function createSendHandler<M extends OutgoingMessage>(deps: SendDependencies<M>) {
  const { campaigns, messages, sendQueue, sender, rules, clock, settings } = deps;
  if (sender.channel !== rules.channel) throw new Error(`the ${sender.channel} sender was given the ${rules.channel} channel's rules`);
  const limit = createLimiter(settings.providerConcurrency);
  const backoff = { ...DEFAULT_BACKOFF, maxMs: settings.maxBackoffSeconds * 1000 };
  const rateGate = new RateGate(deps.rateSlots, clock);
  // Kept across invocations, as a warm Lambda environment keeps it: its age bound is time, not the
  // invocation, and each invocation's first calls then need no read of the campaign before them.
  const view = new CampaignView(campaigns, clock);

  /** Why a message must not be sent now, checked right before its call: closed, or held with when to look again. */
  function blocker(message: MessageRecord, campaign: Campaign | undefined, now: Date): SendResult | undefined {
    if (!campaign || campaign.status === 'cancelled') return { message: closed(message, 'cancelled'), retryAfterMs: 0 };
    if (isPastCutoff(campaign.endAt, now)) return { message: closed(message, 'expired'), retryAfterMs: 0 };
    // Untouched: no attempt is counted for a message held by a pause or a closed window.
    if (campaign.status === 'paused') return { message, retryAfterMs: 0, heldUntil: now.getTime() + MAX_DELAY_SECONDS * 1000, pausedHold: true };
    if (campaign.sendWindow && message.timezone && !isInsideWindow(campaign.sendWindow, message.timezone, now)) {
      return { message, retryAfterMs: 0, heldUntil: nextOpening(campaign.sendWindow, message.timezone, now).getTime() };
    }
    return undefined;
  }

  /**
   * A campaign's fan-out begins a little before `startAt` (functions/domain/start-timing.ts),
   * so its first calls wait here for the start itself, re-reading the clock after each sleep:
   * none is early. False when the start is too far off to wait for in the handler.
   */
  async function waitForStart(startAt: string): Promise<boolean> {
    const at = Date.parse(startAt);
    if (at - clock.now().getTime() > SENDER_START_WAIT_MS) return false;
    for (let remaining = at - clock.now().getTime(); remaining > 0; remaining = at - clock.now().getTime()) await sleep(remaining);
    return true;
  }

  /** `outcomeBy`: epoch ms by which the chunk's outcome must be stored (the lease's end or the invocation's, the earlier). */
  async function sendOne(message: MessageRecord, view: CampaignView, campaignId: string, outcomeBy: number, tags: LogTags): Promise<SendResult> {
    return limit(async () => {
      // Checked inside the concurrency slot, right before the call: nothing starts after a cancel, a pause or the end.
      let campaign = await view.current(campaignId);
      let now = clock.now();
      const early = blocker(message, campaign, now);
      if (early || !campaign) return early ?? { message: closed(message, 'cancelled'), retryAfterMs: 0 };
      if (Date.parse(campaign.startAt) > now.getTime()) {
        if (!(await waitForStart(campaign.startAt))) return { message, retryAfterMs: 0, heldUntil: Date.parse(campaign.startAt) };
        // The wait may have crossed a cancel or a pause.
        campaign = await view.current(campaignId);
        now = clock.now();
        const late = blocker(message, campaign, now);
        if (late || !campaign) return late ?? { message: closed(message, 'cancelled'), retryAfterMs: 0 };
      }
      // The campaign's rate, and the channel's account-wide one (SES's MaxSendRate): each a shared slot per call.
      const limits: [string, number][] = [
        ...(campaign.maxPerSecond ? [[campaignId, campaign.maxPerSecond] as [string, number]] : []),
        ...(deps.accountRate ? [[deps.accountRate.key, await deps.accountRate.quota.maxPerSecond()] as [string, number]] : []),
      ];
      if (limits.length > 0) {
        for (const [key, maxPerSecond] of limits) {
          // No slot soon: the chunk comes back shortly rather than keep this invocation waiting,
          // and no wait runs past the last moment a call could still start.
          const waitMs = waitBudgetMs(outcomeBy, clock.now(), RATE_WAIT_MS);
          if (waitMs <= 0 || !(await rateGate.acquire(key, maxPerSecond, waitMs))) {
            return { message, retryAfterMs: 0, heldUntil: clock.now().getTime() + 1000 };
          }
        }
        // The wait may have crossed a cancel, a pause, the end or the window's close.
        campaign = await view.current(campaignId);
        now = clock.now();
        const late = blocker(message, campaign, now);
        if (late || !campaign) return late ?? { message: closed(message, 'cancelled'), retryAfterMs: 0 };
      }
      // A notice was checked when it was posted; its client may have opted out since (which suppresses the
      // address on the channel), or the address bounced. Never to an opted-out client or a suppressed address.
      const address = isNoticeKey(campaignId) ? suppressibleAddress(message, rules.channel) : undefined;
      if (address !== undefined && (await deps.suppression.isSuppressed(address.address, address.channel))) {
        logger.info('notice not sent: the client opted out', { campaignId, messageId: message.id, clientId: message.clientId, ...tags });
        return { message: closed(message, 'cancelled', NOTICE_OPTED_OUT), retryAfterMs: 0 };
      }
      let rendered: M;
      try {
        // Rendered from the variables the fan-out copied into the chunk: no client is read here. A notice comes
        // rendered, and checked against the limit when it was posted; a campaign message larger than its channel allows fails.
        rendered = rules.render(campaign, message);
      } catch (error) {
        if (!(error instanceof TemplateRenderError)) throw error;
        const failed = closed({ ...message, attempts: message.attempts + 1 }, 'failed', shortError(`template: ${error.message}`));
        logger.error('message failed: template did not render', {
          ...tags,
          campaignId,
          messageId: message.id,
          clientId: message.clientId,
          error: failed.lastError,
        });
        return { message: failed, retryAfterMs: 0 };
      }
      // Waits above (a slot, the start, a rate slot) may have used the lease or the invocation: a
      // call that could outlive either is not started, and the chunk goes back for a fresh claim,
      // no attempt counted.
      now = clock.now();
      const timeoutMs = callTimeoutWithin(outcomeBy, campaign.endAt, now, settings.providerTimeoutMs);
      if (timeoutMs === undefined) return { message, retryAfterMs: 0, heldUntil: now.getTime() };
      const started = performance.now();
      const outcome: SendOutcome = await sender.send(rendered, timeoutMs, tags);
      // Whole milliseconds: each value is a number in the invocation's EMF log line, and a double's digits are bytes ingested.
      metrics.addMetric(metricNames.providerLatency, MetricUnit.Milliseconds, Math.round(performance.now() - started));
      const next = afterOutcome(message, outcome, clock.now());
      // The token is wrong, not the message: counted for the alarm on it (lib/observability.ts).
      const tokenRefused = outcome.kind === 'auth-failed' && next.status === 'failed';
      if (tokenRefused) metrics.addMetric(metricNames.providerAuthFailures, MetricUnit.Count, 1);
      const log = {
        ...tags,
        campaignId,
        messageId: message.id,
        clientId: message.clientId,
        ...rules.logFields(message),
        outcome: outcome.kind,
        attempts: next.attempts,
      };
      if (outcome.kind === 'sent') logger.info('message sent', log);
      else if (tokenRefused) logger.error('message failed: the provider refused the token', { ...log, error: next.lastError });
      else logger.warn('message not sent', { ...log, error: outcome.error });
      return { message: next, retryAfterMs: retryAfterMsOf(outcome) };
    });
  }

  /**
   * A chunk that must wait (its campaign paused, or every open message's window closed) goes
   * back on the queue without using a retry: see holdPlan. Resume puts a paused campaign's
   * chunks back at once, so a pause's hold only has to bring the chunk back by the end.
   */
  async function hold(record: SQSRecord, ref: ChunkRef, untilMs: number, endAt: string, why: string): Promise<void> {
    const plan = holdPlan(untilMs, endAt, clock.now());
    logger.info('chunk held', { campaignId: ref.campaignId, chunk: ref.chunk, why, until: new Date(untilMs).toISOString(), plan });
    if (plan.kind === 'delay') return sendQueue.hold(ref, plan.seconds);
    await sendQueue.retryLater(record.receiptHandle, plan.seconds);
    throw new RetryLater(`chunk ${ref.campaignId}/${ref.chunk} held for ${plan.seconds} s`);
  }

  /** Before any claim: a paused campaign, or a window closed for every zone the chunk holds. */
  async function holdBeforeClaim(record: SQSRecord, ref: ChunkRef, view: CampaignView): Promise<boolean> {
    const now = clock.now();
    let campaign = await view.current(ref.campaignId);
    // A pause's hold lasts until resume puts the chunk back: a view from before that resume (up to a
    // second old) would hold the very copy resume sent for as long, so a pause is read again first.
    if (campaign?.status === 'paused') campaign = await view.fresh(ref.campaignId);
    if (!campaign || campaign.status === 'cancelled' || isPastCutoff(campaign.endAt, now)) return false;
    if (campaign.status === 'paused') {
      await hold(record, ref, now.getTime() + MAX_DELAY_SECONDS * 1000, campaign.endAt, 'paused');
      return true;
    }
    if (!campaign.sendWindow || !ref.zones?.length) return false;
    const opensAt = earliestOpening(campaign.sendWindow, ref.zones, now);
    if (opensAt <= now.getTime()) return false;
    await hold(record, ref, opensAt, campaign.endAt, 'send window closed');
    return true;
  }

  /** `invocationEndsAt`: epoch ms when Lambda ends this invocation, which then stores nothing more. */
  async function sendChunk(record: SQSRecord, view: CampaignView, invocationEndsAt: number): Promise<void> {
    const ref = parseChunkRef(record.body);
    // Held before the claim: no lease taken, no write at all.
    if (await holdBeforeClaim(record, ref, view)) return;
    const claim = await messages.claim(ref.campaignId, ref.chunk, CHUNK_LEASE_MS, clock.now());
    if (claim.kind === 'done' || claim.kind === 'missing') return;
    if (claim.kind === 'leased') {
      // Another worker holds the chunk (a duplicate delivery); look again when its lease ends.
      await sendQueue.retryLater(record.receiptHandle, (claim.until - clock.now().getTime()) / 1000 + 1);
      throw new RetryLater(`chunk ${ref.campaignId}/${ref.chunk} is leased`);
    }
    // Each channel's chunks come on its own queue: one on another's would be sent by the wrong sender.
    if (claim.chunk.channel !== sender.channel) throw new Error(`chunk ${ref.campaignId}/${ref.chunk} is on ${claim.chunk.channel}, not ${sender.channel}`);
    const before = claim.chunk.messages;
    // The outcome is stored only while the lease is still this claim's, and no call starts that could end too late to store it.
    const { lease } = claim;
    const tags = logTagsOf(claim.chunk);
    const outcomeBy = Math.min(lease.until, invocationEndsAt);
    const results: SendResult[] = await Promise.all(
      before.map((message) => (isOpen(message) ? sendOne(message, view, ref.campaignId, outcomeBy, tags) : { message, retryAfterMs: 0 })),
    );
    let after = results.map((result) => result.message);
    const campaign = await view.current(ref.campaignId);
    // Paused, or windows closed, while this chunk was being sent: what went out is kept below, the rest is held.
    const heldUntil = Math.min(...results.map((result) => result.heldUntil ?? Infinity));
    const held = Number.isFinite(heldUntil);
    const plan = held
      ? ({ kind: 'done' } as const)
      : planRetry(
          after.filter(isOpen),
          Math.max(0, ...results.map((result) => result.retryAfterMs)),
          claim.chunk.receives,
          campaign?.endAt ?? clock.now().toISOString(),
          clock.now(),
          backoff,
        );
    // A retry that would come after the end is no retry: those messages expire now.
    if (plan.kind === 'expire') after = after.map((message) => (isOpen(message) ? closed(message, 'expired') : message));
    try {
      // Retried until the invocation or the lease ends: a lost outcome would send this attempt's answered calls again after the lease.
      await messages.saveOutcome(ref.campaignId, ref.chunk, after, lease, outcomeBy - clock.now().getTime());
    } catch (error) {
      if (!(error instanceof LeaseLostError)) throw error;
      // Another worker claimed the chunk after this lease ended: its copy and its outcome stand, and
      // nothing of this attempt is counted. The calls made here were made within the lease. The
      // record is left on the queue, not deleted: SQS may let this older receipt delete the message
      // the other worker still holds. It comes back after its visibility timeout and finds the chunk done or leased.
      logger.error('chunk outcome refused: the lease ended first', { campaignId: ref.campaignId, chunk: ref.chunk, leaseUntil: lease.until });
      throw error;
    }
    // The campaign's counters follow from this write (the tally reads the messages table's stream).
    const delta = countsDelta(before, after);
    for (const status of FINAL_STATUSES) if (delta[status] > 0) metrics.addMetric(metricNames.messagesByStatus(status), MetricUnit.Count, delta[status]);
    if (held) {
      // Resumed while this chunk was being sent: resume's own copy of it met this lease and waits
      // for the lease to end, so this copy goes back at once (a closed window holds it again then).
      const resumed = results.some((result) => result.pausedHold) && (await view.fresh(ref.campaignId))?.status === 'running';
      const until = resumed ? clock.now().getTime() : heldUntil;
      return hold(record, { ...ref, zones: openZones(after) }, until, campaign?.endAt ?? clock.now().toISOString(), 'held while sending');
    }
    if (plan.kind === 'retry') {
      await sendQueue.retryLater(record.receiptHandle, plan.delayMs / 1000);
      throw new RetryLater(`chunk ${ref.campaignId}/${ref.chunk}: ${after.filter(isOpen).length} message(s) to retry in ${plan.delayMs} ms`);
    }
  }

  /** Without a context (a direct call), the invocation has the function's whole timeout, as on Lambda. */
  return async (event: SQSEvent, context?: Pick<Context, 'getRemainingTimeInMillis'>) => {
    view.forgetStale();
    await rules.ready?.();
    const invocationEndsAt = clock.now().getTime() + (context?.getRemainingTimeInMillis() ?? functionSettings.send.timeoutSeconds * 1000);
    try {
      return await processPartialResponse(event, (record: SQSRecord) => sendChunk(record, view, invocationEndsAt), new BatchProcessor(EventType.SQS), {
        throwOnFullBatchFailure: false,
      });
    } finally {
      metrics.publishStoredMetrics();
    }
  };
}
