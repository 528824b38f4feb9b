/**
 * Recurring campaigns and their runs. A recurring campaign sends nothing itself: each
 * occurrence of its recurrence between `startAt` and `endAt` starts a run, a campaign of
 * its own (own id, counts and messages) with `recurringId` set, whose window is
 * [occurrence, occurrence + runMinutes] capped at the recurring campaign's end, and which
 * copies the text, filter, send window and rate limit the recurring campaign has when the
 * run starts. So a PATCH acts on the runs to come, not on one already running.
 *
 * Its status: scheduled before `startAt`, running from `startAt` to `endAt` (whether or not
 * a run is sending), paused while paused (no run starts), finished after `endAt`, cancelled
 * after a DELETE. Its own `counts` stay at zero: each run carries its own.
 */
import { availableChannel, channelOf } from './channels/channel.js';
import { checkTimes, effectiveStatus, newCampaignRecord, withChannel, type Campaign, type CampaignPatch } from './campaigns.js';
import { ConflictError, ValidationError } from './errors.js';
import { normalizeRecurrence, runWindow } from './recurrence.js';
import { checkTemplateRendering } from './templates.js';

export const isRecurring = (campaign: Pick<Campaign, 'recurrence'>): boolean => campaign.recurrence !== undefined;

/** A one-off campaign (or a run) cannot become recurring: the schedule and the fan-out are different things. */
export function checkPatchKind(campaign: Campaign, patch: CampaignPatch): void {
  if (patch.recurrence !== undefined && !isRecurring(campaign)) {
    throw ValidationError.field('recurrence', 'only a recurring campaign has a recurrence; create a new campaign to send on a calendar');
  }
}

/**
 * A recurring campaign's PATCH: while scheduled, running or paused every field may change
 * (the runs to come follow), except `startAt` once it has passed; finished and cancelled
 * ones are read-only.
 */
export function patchedRecurring(campaign: Campaign, patch: CampaignPatch, now: Date): Campaign {
  const status = effectiveStatus(campaign, now);
  if (status === 'finished' || status === 'cancelled') throw new ConflictError(`campaign is ${status} and can no longer change`);
  if (patch.startAt !== undefined && status !== 'scheduled') {
    throw new ConflictError('startAt cannot change once a recurring campaign has started', [
      { field: 'startAt', message: `cannot change while the campaign is ${status}` },
    ]);
  }
  const startAt = patch.startAt ? new Date(patch.startAt).toISOString() : campaign.startAt;
  const endAt = patch.endAt ? new Date(patch.endAt).toISOString() : campaign.endAt;
  checkTimes(startAt, endAt, now);
  if (patch.channel !== undefined) availableChannel(patch.channel);
  if (patch.text !== undefined) checkTemplateRendering(patch.text);
  const recurrence = patch.recurrence !== undefined ? normalizeRecurrence(patch.recurrence, new Date(startAt)) : campaign.recurrence;
  return {
    ...withChannel(campaign, patch.channel),
    ...(patch.text !== undefined ? { text: patch.text } : {}),
    ...(patch.filter !== undefined ? { filter: patch.filter } : {}),
    ...(patch.sendWindow !== undefined ? { sendWindow: patch.sendWindow } : {}),
    ...(patch.maxPerSecond !== undefined ? { maxPerSecond: patch.maxPerSecond } : {}),
    ...(recurrence ? { recurrence } : {}),
    startAt,
    endAt,
    updatedAt: now.toISOString(),
  };
}

/** Whether an occurrence may start a run now: only while the recurring campaign runs (not paused, cancelled or ended). */
export function acceptsRuns(recurring: Campaign, now: Date): boolean {
  return isRecurring(recurring) && effectiveStatus(recurring, now) === 'running';
}

/** The run of one occurrence: a campaign of its own, running from the occurrence, with the recurring campaign's settings of now. */
export function runRecord(recurring: Campaign, occurrence: Date, id: string, now: Date): Campaign {
  const window = runWindow(occurrence, recurring.recurrence as NonNullable<Campaign['recurrence']>, new Date(recurring.endAt));
  const run = newCampaignRecord(
    {
      channel: channelOf(recurring),
      text: recurring.text,
      startAt: window.startAt.toISOString(),
      endAt: window.endAt.toISOString(),
      filter: recurring.filter,
      ...(recurring.sendWindow ? { sendWindow: recurring.sendWindow } : {}),
      ...(recurring.maxPerSecond ? { maxPerSecond: recurring.maxPerSecond } : {}),
    },
    id,
    now,
  );
  return { ...run, recurringId: recurring.id, occurrence: occurrence.toISOString() };
}
