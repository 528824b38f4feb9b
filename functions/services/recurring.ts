/**
 * Recurring campaigns' workflows: create (stored, then its recurring schedule, then the run
 * of an occurrence already due), change, pause, resume and delete, each acting on the runs to
 * come (delete also stops the runs still sending); and `startRun`, what an occurrence does
 * when the fan-out receives it. Written against ports only; the rules are in
 * functions/domain/recurring.ts and functions/domain/recurrence.ts.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import {
  CANCEL_SETTLE_MS,
  checkNewCampaign,
  deletion,
  effectiveStatus,
  newCampaignRecord,
  type Campaign,
  type CampaignPatch,
  type NewCampaign,
} from '../domain/campaigns.js';
import { ConflictError } from '../domain/errors.js';
import { dueOccurrence, type Recurrence } from '../domain/recurrence.js';
import { acceptsRuns, patchedRecurring, runRecord } from '../domain/recurring.js';
import type { CampaignStore, Clock, FanoutQueue, Page, PageRequest, RecurringScheduler, RecurringSchedule } from '../ports.js';

export interface RecurringServiceDependencies {
  clock: Clock;
  campaigns: CampaignStore;
  fanoutQueue: FanoutQueue;
  recurringScheduler?: RecurringScheduler;
  onUndoFailure?: (error: unknown) => void;
}

const scheduleOf = (campaign: Campaign): RecurringSchedule => ({
  recurrence: campaign.recurrence as Recurrence,
  startAt: new Date(campaign.startAt),
  endAt: new Date(campaign.endAt),
});

/** Every item of a paginated read. */
async function all<T>(read: (request: PageRequest) => Promise<Page<T>>): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | undefined;
  do {
    const page = await read({ limit: 100, ...(cursor ? { cursor } : {}) });
    items.push(...page.items);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return items;
}

export function recurringService(deps: RecurringServiceDependencies) {
  const { clock, campaigns, fanoutQueue } = deps;
  const scheduler = (): RecurringScheduler => {
    if (!deps.recurringScheduler) throw new Error('no recurring scheduler is wired');
    return deps.recurringScheduler;
  };

  /** An occurrence already due (the start has passed and its window is open) starts its run now, not at the next firing. */
  async function askForDueRun(campaign: Campaign): Promise<void> {
    const now = clock.now();
    if (effectiveStatus(campaign, now) !== 'running') return;
    if (dueOccurrence(campaign.recurrence as Recurrence, new Date(campaign.startAt), new Date(campaign.endAt), now)) {
      await fanoutQueue.occurrence(campaign.id, now.toISOString());
    }
  }

  /** Stops a run still sending: no provider call starts for it after this returns (with the settle wait of the caller). */
  async function cancelRun(run: Campaign, now: Date): Promise<boolean> {
    const status = effectiveStatus(run, now);
    if (status !== 'running' && status !== 'paused' && status !== 'scheduled') return false;
    try {
      await campaigns.cancel(run.id);
    } catch (error) {
      if (error instanceof ConflictError) return false;
      throw error;
    }
    if (status === 'paused') await fanoutQueue.resume(run.id, now.toISOString());
    return true;
  }

  return {
    /** Stored first (scheduled: effectiveStatus runs it from startAt), then its schedule; removed again when the schedule fails. */
    async create(input: NewCampaign): Promise<Campaign> {
      const now = clock.now();
      checkNewCampaign(input, now);
      const campaign = await campaigns.create((id) => newCampaignRecord(input, id, now));
      try {
        await scheduler().scheduleRecurring(campaign.id, scheduleOf(campaign));
      } catch (error) {
        await campaigns.remove(campaign.id).catch((undoError: unknown) => deps.onUndoFailure?.(undoError));
        throw error;
      }
      await askForDueRun(campaign);
      return campaign;
    },

    /** The runs to come follow the change; the schedule follows a new recurrence, start or end (the old campaign goes back if it cannot). */
    async change(current: Campaign, patch: CampaignPatch): Promise<Campaign> {
      const now = clock.now();
      const stored = await campaigns.replace(patchedRecurring(current, patch, now), current.status);
      const moved =
        stored.startAt !== current.startAt || stored.endAt !== current.endAt || JSON.stringify(stored.recurrence) !== JSON.stringify(current.recurrence);
      if (moved) {
        await scheduler()
          .scheduleRecurring(stored.id, scheduleOf(stored))
          .catch(async (error: unknown) => {
            await campaigns.replace(current, stored.status).catch((undoError: unknown) => deps.onUndoFailure?.(undoError));
            throw error;
          });
        await askForDueRun(stored);
      }
      return stored;
    },

    /** No run starts while paused (an occurrence that fires then is skipped); a run already sending goes on. */
    async pause(current: Campaign): Promise<Campaign> {
      const now = clock.now();
      if (effectiveStatus(current, now) !== 'running')
        throw new ConflictError(`campaign is ${effectiveStatus(current, now)}; only a running campaign can be paused`);
      return campaigns.transition(current.id, ['scheduled', 'running'], 'paused', now);
    },

    /** Runs start again from the next occurrence on (or now, when the latest one's window is still open). */
    async resume(current: Campaign): Promise<Campaign> {
      const now = clock.now();
      if (effectiveStatus(current, now) !== 'paused')
        throw new ConflictError(`campaign is ${effectiveStatus(current, now)}; only a paused campaign can be resumed`);
      const resumed = await campaigns.transition(current.id, ['paused'], 'running', now);
      await askForDueRun(resumed);
      return resumed;
    },

    /** Before its start it goes with its schedule; after, it is cancelled, its schedule removed and every run still sending stopped. */
    async remove(current: Campaign): Promise<void> {
      const now = clock.now();
      deletion(current, now);
      if (effectiveStatus(current, now) === 'scheduled') {
        try {
          await campaigns.remove(current.id);
          return await scheduler().unscheduleRecurring(current.id);
        } catch (error) {
          if (!(error instanceof ConflictError)) throw error;
        }
      }
      // Cancelled first: a run created from here on is refused by the store, one created before is listed below.
      await campaigns.cancel(current.id);
      await scheduler().unscheduleRecurring(current.id);
      let stopped = 0;
      for (const run of await all((request) => campaigns.runs(current.id, request))) if (await cancelRun(run, now)) stopped += 1;
      if (stopped > 0) await sleep(CANCEL_SETTLE_MS);
    },

    runs: (id: string, request: PageRequest) => campaigns.runs(id, request),

    /**
     * What an occurrence does: the run of the latest occurrence at or before now, created once
     * for (recurring campaign, occurrence), while the campaign runs and the run's window is open.
     * Returns the run to start, or undefined when there is none to start.
     */
    async startRun(recurring: Campaign): Promise<{ run: Campaign; created: boolean } | undefined> {
      const now = clock.now();
      if (!acceptsRuns(recurring, now)) return undefined;
      const occurrence = dueOccurrence(recurring.recurrence as Recurrence, new Date(recurring.startAt), new Date(recurring.endAt), now);
      if (!occurrence) return undefined;
      try {
        return await campaigns.createRun(recurring.id, occurrence.toISOString(), (id) => runRecord(recurring, occurrence, id, now));
      } catch (error) {
        // Paused or cancelled between the read and the write.
        if (error instanceof ConflictError) return undefined;
        throw error;
      }
    },
  };
}

export type RecurringService = ReturnType<typeof recurringService>;
