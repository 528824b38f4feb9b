/** Domain records as the API shows them: campaigns with their effective status and counts, messages without phones. */
import { effectiveStatus, isFannedOut, type Campaign } from '../domain/campaigns.js';
import { channelOf } from '../domain/channels/channel.js';
import { emptyEmailEvents } from '../domain/channels/email-events.js';
import type { Client } from '../domain/clients.js';
import { emptyCounts, totalOf, type Counts, type Message } from '../domain/messages.js';
import type { CampaignView, ClientView, MessageView } from './response-schemas.js';

export function clientView(client: Client): ClientView {
  return {
    id: client.id,
    ...(client.phone !== undefined ? { phone: client.phone } : {}),
    ...(client.email !== undefined ? { email: client.email } : {}),
    ...(client.operatorCode !== undefined ? { operatorCode: client.operatorCode } : {}),
    ...(client.tag !== undefined ? { tag: client.tag } : {}),
    timezone: client.timezone,
    ...(client.name !== undefined ? { name: client.name } : {}),
    ...(client.attributes !== undefined ? { attributes: client.attributes } : {}),
    optedOut: Boolean(client.optedOut),
    optOuts: client.optOuts ?? [],
    createdAt: client.createdAt,
    updatedAt: client.updatedAt,
  };
}

/** Every status present, zeros included, whatever the store left out. */
export function fullCounts(counts: Partial<Counts> | undefined): Counts {
  return { ...emptyCounts(), ...counts };
}

/** `audience` when known: GET /campaigns/{id} passes it (counted or estimated); lists show the fan-out's count once it is done. */
export function campaignView(campaign: Campaign, now: Date, audience?: number): CampaignView {
  const counts = fullCounts(campaign.counts);
  return {
    id: campaign.id,
    channel: channelOf(campaign),
    text: campaign.text,
    ...(campaign.subject !== undefined ? { subject: campaign.subject } : {}),
    ...(campaign.html !== undefined ? { html: campaign.html } : {}),
    ...(campaign.title !== undefined ? { title: campaign.title } : {}),
    ...(campaign.url !== undefined ? { url: campaign.url } : {}),
    startAt: campaign.startAt,
    endAt: campaign.endAt,
    filter: campaign.filter,
    ...(campaign.sendWindow ? { sendWindow: campaign.sendWindow } : {}),
    ...(campaign.maxPerSecond ? { maxPerSecond: campaign.maxPerSecond } : {}),
    status: effectiveStatus(campaign, now),
    counts,
    total: totalOf(counts),
    suppressed: campaign.suppressed ?? 0,
    unreachable: campaign.unreachable ?? 0,
    ...(channelOf(campaign) === 'email' ? { emailEvents: { ...emptyEmailEvents(), ...campaign.emailEvents } } : {}),
    ...(audience !== undefined ? { audience } : isFannedOut(campaign.fanout) && campaign.audience !== undefined ? { audience: campaign.audience } : {}),
    ...(campaign.recurrence ? { recurrence: campaign.recurrence } : {}),
    ...(campaign.recurringId ? { recurringId: campaign.recurringId, ...(campaign.occurrence ? { occurrence: campaign.occurrence } : {}) } : {}),
    createdAt: campaign.createdAt,
    updatedAt: campaign.updatedAt,
  };
}

export function messageView(message: Message): MessageView {
  return {
    id: message.id,
    campaignId: message.campaignId,
    channel: message.channel,
    clientId: message.clientId,
    status: message.status,
    attempts: message.attempts,
    ...(message.lastError !== undefined ? { lastError: message.lastError } : {}),
    createdAt: message.createdAt,
    ...(message.sentAt !== undefined ? { sentAt: message.sentAt } : {}),
    ...(message.delivery !== undefined ? { delivery: message.delivery } : {}),
  };
}
