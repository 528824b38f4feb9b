/** Campaigns as stored: their lifecycle, their fan-out's progress, their counters and a recurring campaign's runs. */
import type { Campaign, CampaignStatus, FanoutProgress, StreamProgress } from '../domain/campaigns.js';
import type { EmailEvents } from '../domain/channels/email-events.js';
import type { Counts, Tally } from '../domain/messages.js';
import type { Page, PageRequest } from './common.js';

export interface CampaignStore {
  /** Gives the campaign a new numeric id and stores it. */
  create(build: (id: string) => Campaign): Promise<Campaign>;
  get(id: string): Promise<Campaign | undefined>;
  /** Replaces the editable fields; fails with ConflictError when the stored status is no longer `expectedStatus`. */
  replace(campaign: Campaign, expectedStatus: Campaign['status']): Promise<Campaign>;
  /** Removes a campaign that is still `scheduled`; ConflictError otherwise. */
  remove(id: string): Promise<void>;
  /** Marks a scheduled, running or paused campaign cancelled; ConflictError otherwise. */
  cancel(id: string): Promise<Campaign>;
  /** Running -> paused, in one conditional write; ConflictError when it is not running. */
  pause(id: string, now: Date): Promise<Campaign>;
  /** Paused -> running (finished at once when nothing is left to send); ConflictError when it is not paused. */
  resume(id: string, now: Date): Promise<Campaign>;
  list(request: PageRequest): Promise<Page<Campaign>>;
  /** Campaigns that may still have delivery work: running and paused ones (a paused one's held chunks are held again), and cancelled ones that had started (a restart's recovery reads these). */
  inDelivery(request: PageRequest): Promise<Page<Campaign>>;
  /**
   * Starts the fan-out once: false when it had already started and moved on, or the campaign is
   * gone or cancelled; true again while the started fan-out has not moved (a start whose answer
   * was lost asks for its first pages again). With `plan`, the fan-out runs in `plan.streams`
   * parallel streams, each with its own progress.
   */
  start(id: string, plan?: { streams: number; unsharded?: boolean }): Promise<boolean>;
  /**
   * Moves the fan-out from `page` to `next` and adds the page's messages to `fannedOut`, its
   * clients suppressed on its channel to `suppressed`, those with no address on it to
   * `unreachable`, and all three to `audience`, in one conditional write: false
   * when the progress is elsewhere; true, adding nothing, when it already stands at `next` (this
   * write's answer was lost, or a replay of the page got there first), so the page is still handed off.
   */
  advanceFanout(id: string, page: number, next: FanoutProgress, written: number, suppressed?: number, unreachable?: number): Promise<boolean>;
  /** `advanceFanout` for one stream of a campaign started with streams: moves only that stream's progress. */
  advanceStream(id: string, stream: number, page: number, next: StreamProgress, written: number, suppressed?: number, unreachable?: number): Promise<boolean>;
  /**
   * Adds a tally to the campaign's counters and to the overall totals, in one transaction that
   * holds only while the campaign's `tallied` mark is still `applied` (ConflictError when another
   * worker moved it: read again and recount); then finishes the campaign when it is drained.
   * `emailEvents`, when the tally moved them, are the campaign's new ones (what it held as read, plus
   * the tally's): written whole, under the same mark, which only a tally moves.
   */
  applyTally(id: string, tally: Tally, applied: string | undefined, emailEvents?: EmailEvents): Promise<void>;
  /** The counts over every campaign, kept by `applyTally`. */
  totals(): Promise<Counts>;
  /** Moves the stored status from one of `from` to `to` in one conditional write; ConflictError otherwise (a recurring campaign's pause and resume). */
  transition(id: string, from: CampaignStatus[], to: CampaignStatus, now: Date): Promise<Campaign>;
  /**
   * The run of one occurrence of a recurring campaign, created once: its identity is
   * (recurringId, occurrence), so a second call for the same occurrence gets the stored run
   * back (`created` false) and spends no message on anyone. Created only while the recurring
   * campaign is stored scheduled or running (ConflictError when paused, cancelled or gone).
   */
  createRun(recurringId: string, occurrence: string, build: (id: string) => Campaign): Promise<{ run: Campaign; created: boolean }>;
  /** A recurring campaign's runs, oldest occurrence first. */
  runs(recurringId: string, request: PageRequest): Promise<Page<Campaign>>;
}
