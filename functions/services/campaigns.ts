/**
 * The campaign workflows the API runs: each keeps the stored campaign and its start
 * (schedule or fan-out) in agreement, undoing its own first step when the second fails.
 * Written against ports only; routes parse, call these, and shape the answer.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import {
  audienceOf,
  CANCEL_SETTLE_MS,
  checkNewCampaign,
  checkTransition,
  deletion,
  hasStarted,
  newCampaignRecord,
  patchedCampaign,
  type Campaign,
  type CampaignPatch,
  type NewCampaign,
} from '../domain/campaigns.js';
import { ConflictError, NotFoundError } from '../domain/errors.js';
import { checkPatchKind } from '../domain/recurring.js';
import { checkTemplate } from '../domain/templates.js';
import type { CampaignStore, ClientStore, Clock, FanoutQueue, RecurringScheduler, StartScheduler } from '../ports.js';
import { recurringService } from './recurring.js';

export interface CampaignServiceDependencies {
  clock: Clock;
  campaigns: CampaignStore;
  clients: ClientStore;
  fanoutQueue: FanoutQueue;
  scheduler: StartScheduler;
  /** Needed only by recurring campaigns (functions/services/recurring.ts). */
  recurringScheduler?: RecurringScheduler;
  /** Where an undo that itself failed is reported; the original error is still what the caller sees. */
  onUndoFailure?: (error: unknown) => void;
}

export function campaignService(deps: CampaignServiceDependencies) {
  const { clock, campaigns, clients, fanoutQueue, scheduler } = deps;
  const recurring = recurringService(deps);

  async function get(id: string): Promise<Campaign> {
    const campaign = await campaigns.get(id);
    if (!campaign) throw new NotFoundError(`campaign ${id} does not exist`);
    return campaign;
  }

  /** Starts the campaign now or at its start; a campaign that cannot be started is not left behind. */
  async function launch(campaign: Campaign): Promise<void> {
    try {
      if (campaign.status === 'running') await fanoutQueue.start(campaign.id);
      else await scheduler.schedule(campaign.id, new Date(campaign.startAt));
    } catch (error) {
      const undo = campaign.status === 'running' ? campaigns.cancel(campaign.id) : campaigns.remove(campaign.id);
      await undo.catch((undoError: unknown) => deps.onUndoFailure?.(undoError));
      throw error;
    }
  }

  /** A scheduled campaign's start moved: schedule the new start, or start now when it is already reached. */
  async function followStart(campaign: Campaign, now: Date): Promise<void> {
    if (!hasStarted(campaign, now)) return scheduler.schedule(campaign.id, new Date(campaign.startAt));
    await fanoutQueue.start(campaign.id);
    await scheduler.unschedule(campaign.id);
  }

  /** Stopped means no provider call starts after this returns: senders re-check the status within CANCEL_SETTLE_MS. */
  async function stop(id: string, wasPaused: boolean): Promise<void> {
    await campaigns.cancel(id);
    // Chunks held by a pause would otherwise come back only when their hold ends.
    if (wasPaused) await fanoutQueue.resume(id, clock.now().toISOString());
    await sleep(CANCEL_SETTLE_MS);
  }

  return {
    get,

    /** A recurring campaign's runs (404 for an unknown campaign; a one-off has none). */
    async runs(id: string, request: { limit: number; cursor?: string }) {
      // The page first: its cursor is checked before anything is read.
      const page = await recurring.runs(id, request);
      await get(id);
      return page;
    },

    /** The campaign and its audience: the fan-out's count once done, a COUNT on the filter's index before that. */
    async getWithAudience(id: string): Promise<{ campaign: Campaign; audience: number }> {
      const campaign = await get(id);
      return { campaign, audience: await audienceOf(campaign, () => clients.countAudience(campaign.filter)) };
    },

    /** Create-or-start: stored first (the store spends a campaign number), then scheduled or started, or removed again. */
    async create(input: NewCampaign): Promise<Campaign> {
      const now = clock.now();
      // Checked before create: the store takes a number from the campaign sequence first.
      checkNewCampaign(input, now);
      if (input.recurrence) return recurring.create(input);
      const campaign = await campaigns.create((id) => newCampaignRecord(input, id, now));
      await launch(campaign);
      return campaign;
    },

    /** Reschedule with rollback: the stored start and the schedule must not disagree, so the old campaign goes back if the schedule cannot follow. */
    async change(id: string, patch: CampaignPatch): Promise<Campaign> {
      // A text that is no template is refused before anything is read.
      if (patch.text !== undefined) checkTemplate(patch.text);
      const current = await get(id);
      checkPatchKind(current, patch);
      if (current.recurrence) return recurring.change(current, patch);
      const now = clock.now();
      const stored = await campaigns.replace(patchedCampaign(current, patch, now), current.status);
      if (current.status === 'scheduled' && stored.startAt !== current.startAt) {
        await followStart(stored, now).catch(async (error: unknown) => {
          await campaigns.replace(current, 'scheduled').catch((undoError: unknown) => deps.onUndoFailure?.(undoError));
          throw error;
        });
      }
      return stored;
    },

    /**
     * Pause: stored first, then answered only after the senders' settle window, so no
     * provider call for the campaign starts after the answer. Chunks that come up while it
     * is paused are held on the send queue, and the fan-out stops at the page it reached.
     */
    async pause(id: string): Promise<Campaign> {
      const current = await get(id);
      if (current.recurrence) return recurring.pause(current);
      checkTransition(current, 'paused', clock.now());
      const paused = await campaigns.pause(id, clock.now());
      await sleep(CANCEL_SETTLE_MS);
      return paused;
    },

    /** Resume: running again, then the fan-out queue is asked to put the held chunks back and go on with the fan-out. */
    async resume(id: string): Promise<Campaign> {
      const current = await get(id);
      if (current.recurrence) return recurring.resume(current);
      checkTransition(current, 'running', clock.now());
      const resumed = await campaigns.resume(id, clock.now());
      await fanoutQueue.resume(id, resumed.updatedAt).catch(async (error: unknown) => {
        // Running with nothing asked to go on would stall the fan-out: back to paused, so a second resume can try again.
        await campaigns.pause(id, clock.now()).catch((undoError: unknown) => deps.onUndoFailure?.(undoError));
        throw error;
      });
      return resumed;
    },

    /** Delete: a scheduled campaign goes with its schedule; a running one is stopped (the cancel wait) and kept for its statistics. */
    async remove(id: string): Promise<void> {
      const campaign = await get(id);
      if (campaign.recurrence) return recurring.remove(campaign);
      if (deletion(campaign, clock.now()) === 'stop') return stop(campaign.id, campaign.status === 'paused');
      try {
        await campaigns.remove(campaign.id);
      } catch (error) {
        // It started between our read and the removal: stopping is what deleting it means now.
        if (!(error instanceof ConflictError)) throw error;
        return stop(campaign.id, false);
      }
      await scheduler.unschedule(campaign.id);
    },
  };
}

export type CampaignService = ReturnType<typeof campaignService>;
