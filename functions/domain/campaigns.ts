/** Campaign rules: what may change in which state, when a campaign starts, who it reaches. */
import { availableChannel, channelOf, storedChannel, type Channel } from './channels/channel.js';
import { checkCampaignContent } from './channels/content.js';
import { fieldsOf, type ChannelContent } from './channels/fields.js';
import type { EmailEvents } from './channels/email-events.js';
import type { Client } from './clients.js';
import { ConflictError, ValidationError } from './errors.js';
import { emptyCounts, settledOf, type Counts } from './messages.js';
import type { SendWindow } from './send-window.js';
import { normalizeRecurrence, type Recurrence, type RecurrenceInput } from './recurrence.js';

export const CAMPAIGN_STATUSES = ['scheduled', 'running', 'paused', 'finished', 'cancelled'] as const;
export type CampaignStatus = (typeof CAMPAIGN_STATUSES)[number];

export interface CampaignFilter {
  operatorCodes?: string[];
  tags?: string[];
}

/** Where one fan-out stream stands: the next page to write and the directory cursor it starts at. */
export interface StreamProgress {
  page: number;
  cursor?: string;
  done: boolean;
}

/**
 * Where the fan-out stands. A campaign started with parallel streams keeps one progress per
 * stream in `streams` (the top-level `page` and `done` then stay as started); one started
 * before streams existed has no `streams` and is its top-level progress alone.
 */
export interface FanoutProgress extends StreamProgress {
  streams?: StreamProgress[];
  /** Read the filter's audience on the indexes without shards (clients stored before shards may lack them). */
  unsharded?: boolean;
}

/** Every stream has written its last page (or stopped at the end, a cancel). */
export function isFannedOut(progress: FanoutProgress | undefined): boolean {
  if (!progress) return false;
  return progress.streams ? progress.streams.every((stream) => stream.done) : progress.done;
}

export interface Campaign extends ChannelContent {
  id: string;
  /** What its messages go out on; absent on campaigns stored before channels existed, which are SMS (channelOf). */
  channel?: Channel;
  /** An SMS's text; an e-mail's plain-text part or an in-app message's text ('' when the campaign has none). */
  text: string;
  startAt: string;
  endAt: string;
  filter: CampaignFilter;
  /** When set, a message goes out only while its client's local time is inside it. */
  sendWindow?: SendWindow;
  /** Provider calls for the campaign start at no more than this many a second, over every sender. */
  maxPerSecond?: number;
  /** As stored; read it through `effectiveStatus`, which also knows the clock. */
  status: CampaignStatus;
  counts: Counts;
  /** Matching clients the fan-out skipped because they opted out of its channel or their address for it is suppressed (not a message status). */
  suppressed?: number;
  /** Matching clients the fan-out skipped because they have no address on its channel (no e-mail for an e-mail campaign). */
  unreachable?: number;
  /** Matching clients the fan-out has reached, suppressed ones included; final once the fan-out is done. */
  audience?: number;
  createdAt: string;
  updatedAt: string;
  /** Absent until the campaign has started. */
  fanout?: FanoutProgress;
  /** Messages the fan-out has written so far (absent on campaigns fanned out before it was counted). */
  fannedOut?: number;
  /** An e-mail campaign's messages by what SES reported of them, each counted once (functions/adapters/dynamo/delivery-marks.ts); absent until the first report. */
  emailEvents?: EmailEvents;
  /** The last position of the messages table's stream that `counts` hold. */
  tallied?: string;
  /** A recurring campaign sends nothing itself: each occurrence starts a run (functions/domain/recurring.ts). */
  recurrence?: Recurrence;
  /** On a run: the recurring campaign it belongs to, and the occurrence it is the run of. */
  recurringId?: string;
  occurrence?: string;
}

export interface NewCampaign extends ChannelContent {
  /** Default SMS. */
  channel?: Channel;
  startAt: string;
  endAt: string;
  filter?: CampaignFilter;
  sendWindow?: SendWindow;
  maxPerSecond?: number;
  recurrence?: RecurrenceInput;
}

export type CampaignPatch = Partial<NewCampaign>;

const ms = (iso: string) => Date.parse(iso);

/**
 * A campaign whose end has passed is finished, whatever its stored status says: a paused one too.
 * A recurring campaign is stored scheduled and runs from its start on, without a start of its own.
 */
export function effectiveStatus(campaign: Pick<Campaign, 'status' | 'endAt'> & Partial<Pick<Campaign, 'startAt' | 'recurrence'>>, now: Date): CampaignStatus {
  if ((campaign.status === 'scheduled' || campaign.status === 'running' || campaign.status === 'paused') && now.getTime() >= ms(campaign.endAt))
    return 'finished';
  if (campaign.recurrence && campaign.status === 'scheduled' && campaign.startAt && now.getTime() >= ms(campaign.startAt)) return 'running';
  return campaign.status;
}

export function hasStarted(campaign: Pick<Campaign, 'startAt'>, now: Date): boolean {
  return now.getTime() >= ms(campaign.startAt);
}

/**
 * `endAt` after `startAt` and still ahead. Exported so the API can refuse a campaign
 * before the store spends a campaign number on it.
 */
export function checkTimes(startAt: string, endAt: string, now: Date): void {
  if (ms(endAt) <= ms(startAt)) throw ValidationError.field('endAt', 'must be after startAt');
  if (ms(endAt) <= now.getTime()) throw ValidationError.field('endAt', 'must be in the future');
}

/** Every rule a new campaign's fields must pass, checked before the store spends a campaign number. */
export function checkNewCampaign(input: NewCampaign, now: Date): void {
  const channel = availableChannel(input.channel);
  checkTimes(input.startAt, input.endAt, now);
  checkCampaignContent(channel, input);
  if (input.recurrence) normalizeRecurrence(input.recurrence, new Date(input.startAt));
}

export function newCampaignRecord(input: NewCampaign, id: string, now: Date): Campaign {
  checkNewCampaign(input, now);
  const stamp = now.toISOString();
  return {
    id,
    ...storedChannel(availableChannel(input.channel)),
    ...contentOf(input),
    text: input.text ?? '',
    startAt: new Date(input.startAt).toISOString(),
    endAt: new Date(input.endAt).toISOString(),
    filter: input.filter ?? {},
    ...(input.sendWindow ? { sendWindow: input.sendWindow } : {}),
    ...(input.maxPerSecond ? { maxPerSecond: input.maxPerSecond } : {}),
    ...(input.recurrence ? { recurrence: normalizeRecurrence(input.recurrence, new Date(input.startAt)) } : {}),
    // A recurring campaign starts no fan-out of its own: it stays stored scheduled (effectiveStatus runs it).
    status: hasStarted(input, now) && !input.recurrence ? 'running' : 'scheduled',
    counts: emptyCounts(),
    suppressed: 0,
    createdAt: stamp,
    updatedAt: stamp,
  };
}

/**
 * The campaign a PATCH asks for. While scheduled anything may change; once running
 * only `endAt`; finished and cancelled campaigns are read-only.
 */
export function patchedCampaign(campaign: Campaign, patch: CampaignPatch, now: Date): Campaign {
  const status = effectiveStatus(campaign, now);
  if (status === 'finished' || status === 'cancelled') throw new ConflictError(`campaign is ${status} and can no longer change`);
  if (status === 'running' || status === 'paused') {
    const locked = Object.keys(patch).filter((field) => field !== 'endAt');
    if (locked.length > 0) {
      throw new ConflictError(
        `only endAt can change once a campaign is ${status}`,
        locked.map((field) => ({ field, message: `cannot change while the campaign is ${status}` })),
      );
    }
  }
  const startAt = patch.startAt ? new Date(patch.startAt).toISOString() : campaign.startAt;
  const endAt = patch.endAt ? new Date(patch.endAt).toISOString() : campaign.endAt;
  checkTimes(startAt, endAt, now);
  if (patch.channel !== undefined) availableChannel(patch.channel);
  const channel = patch.channel ?? channelOf(campaign);
  const content = patchedContent(campaign, channel, patch);
  if (patch.channel !== undefined || Object.keys(contentOf(patch)).length > 0) checkCampaignContent(channel, content);
  const { subject: _subject, html: _html, title: _title, url: _url, ...rest } = withChannel(campaign, patch.channel);
  return {
    ...rest,
    ...content,
    text: content.text ?? '',
    ...(patch.filter !== undefined ? { filter: patch.filter } : {}),
    ...(patch.sendWindow !== undefined ? { sendWindow: patch.sendWindow } : {}),
    ...(patch.maxPerSecond !== undefined ? { maxPerSecond: patch.maxPerSecond } : {}),
    startAt,
    endAt,
    updatedAt: now.toISOString(),
  };
}

/** The content fields given, and only those. */
function contentOf(input: ChannelContent): ChannelContent {
  const { text, subject, html, title, url } = input;
  return Object.fromEntries(Object.entries({ text, subject, html, title, url }).filter(([, value]) => value !== undefined));
}

/**
 * The content after a patch: the stored fields the (new) channel takes, the patch's over them.
 * A patch that moves a campaign to another channel drops the fields only the old one took.
 */
function patchedContent(campaign: Campaign, channel: Channel, patch: CampaignPatch): ChannelContent {
  const kept = fieldsOf(channel);
  const stored = Object.fromEntries(Object.entries(contentOf(campaign)).filter(([field]) => kept.includes(field as keyof ChannelContent)));
  return { ...stored, ...contentOf(patch) };
}

/** The campaign on the channel a patch names (as stored: SMS as no channel at all), or as it is when the patch names none. */
export function withChannel(campaign: Campaign, channel: Channel | undefined): Campaign {
  if (channel === undefined) return campaign;
  const { channel: _stored, ...rest } = campaign;
  return { ...rest, ...storedChannel(channel) };
}

/** A scheduled campaign is removed with its schedule; a running one is stopped and kept for its statistics. */
export function deletion(campaign: Campaign, now: Date): 'remove' | 'stop' {
  const status = effectiveStatus(campaign, now);
  if (status === 'scheduled') return 'remove';
  if (status === 'running' || status === 'paused') return 'stop';
  throw new ConflictError(`campaign is ${status} and can no longer change`);
}

/** Pause takes a running campaign, resume a paused one; anything else is a conflict. */
export function checkTransition(campaign: Campaign, to: 'paused' | 'running', now: Date): void {
  const status = effectiveStatus(campaign, now);
  const from = to === 'paused' ? 'running' : 'paused';
  if (status !== from) throw new ConflictError(`campaign is ${status}; only a ${from} campaign can be ${to === 'paused' ? 'paused' : 'resumed'}`);
}

/**
 * How a filter's audience is read: one index value at a time (tags first, since a tag is
 * usually the narrower list), or every client without a filter. Whatever the index returns
 * still goes through `matchesFilter`, so the rule lives in one place.
 */
export interface AudiencePlan {
  index?: 'tag' | 'operatorCode';
  values: string[];
}

export function audiencePlan(filter: CampaignFilter): AudiencePlan {
  const tags = [...new Set(filter.tags ?? [])];
  const codes = [...new Set(filter.operatorCodes ?? [])];
  if (tags.length) return { index: 'tag', values: tags };
  if (codes.length) return { index: 'operatorCode', values: codes };
  return { values: [''] };
}

/**
 * A running campaign is done when its fan-out has finished and every message it wrote is
 * settled. The written count comes from the fan-out and the settled ones from the tally, so
 * a tally that lags behind the fan-out can never finish a campaign early.
 */
export function isDrained(campaign: Pick<Campaign, 'status' | 'fanout' | 'counts' | 'fannedOut'>): boolean {
  if (campaign.status !== 'running' || !isFannedOut(campaign.fanout)) return false;
  const written = campaign.fannedOut;
  return written === undefined ? campaign.counts.queued === 0 : settledOf(campaign.counts) === written && campaign.counts.queued === 0;
}

/**
 * The audience a campaign shows: counted by the fan-out once it is done, estimated from the
 * directory before that (`estimate` is only called then).
 */
export async function audienceOf(campaign: Pick<Campaign, 'fanout' | 'audience' | 'status'>, estimate: () => Promise<number>): Promise<number> {
  if (isFannedOut(campaign.fanout) || campaign.status === 'cancelled' || campaign.status === 'finished') return campaign.audience ?? 0;
  return estimate();
}

/** A client matches when it matches every list the filter gives; no filter means every client. */
export function matchesFilter(client: Pick<Client, 'operatorCode' | 'tag'>, filter: CampaignFilter): boolean {
  if (filter.operatorCodes?.length && (client.operatorCode === undefined || !filter.operatorCodes.includes(client.operatorCode))) return false;
  if (filter.tags?.length && (client.tag === undefined || !filter.tags.includes(client.tag))) return false;
  return true;
}

/**
 * A sender re-reads a campaign's status before a provider call when its copy is older
 * than this; so once a cancel is stored, waiting this long (plus a margin) guarantees
 * that no call for the campaign starts afterwards.
 */
export const STATUS_RECHECK_MS = 1000;
export const CANCEL_SETTLE_MS = STATUS_RECHECK_MS + 250;
