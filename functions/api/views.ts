/** Domain records as the API shows them: campaigns with their effective status and counts, messages without phones. */
import { effectiveStatus, type Campaign } from '../domain/campaigns.js';
import type { Client } from '../domain/clients.js';
import { emptyCounts, totalOf, type Counts, type Message } from '../domain/messages.js';
import type { CampaignView, ClientView, MessageView } from './schemas.js';

export function clientView(client: Client): ClientView {
  return {
    id: client.id,
    phone: client.phone,
    operatorCode: client.operatorCode,
    ...(client.tag !== undefined ? { tag: client.tag } : {}),
    timezone: client.timezone,
    createdAt: client.createdAt,
    updatedAt: client.updatedAt,
  };
}

/** Every status present, zeros included, whatever the store left out. */
export function fullCounts(counts: Partial<Counts> | undefined): Counts {
  return { ...emptyCounts(), ...counts };
}

export function campaignView(campaign: Campaign, now: Date): CampaignView {
  const counts = fullCounts(campaign.counts);
  return {
    id: campaign.id,
    text: campaign.text,
    startAt: campaign.startAt,
    endAt: campaign.endAt,
    filter: campaign.filter,
    ...(campaign.sendWindow ? { sendWindow: campaign.sendWindow } : {}),
    ...(campaign.maxPerSecond ? { maxPerSecond: campaign.maxPerSecond } : {}),
    status: effectiveStatus(campaign, now),
    counts,
    total: totalOf(counts),
    createdAt: campaign.createdAt,
    updatedAt: campaign.updatedAt,
  };
}

export function messageView(message: Message): MessageView {
  return {
    id: message.id,
    campaignId: message.campaignId,
    clientId: message.clientId,
    status: message.status,
    attempts: message.attempts,
    ...(message.lastError !== undefined ? { lastError: message.lastError } : {}),
    createdAt: message.createdAt,
    ...(message.sentAt !== undefined ? { sentAt: message.sentAt } : {}),
  };
}
