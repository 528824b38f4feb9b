/** An e-mail campaign as the fan-out leaves it, for the tests of what comes after the send (SES's events). */
import { newCampaignRecord } from '../../functions/domain/campaigns.js';
import { chunksOfPage } from '../../functions/domain/messages.js';
import type { Stores } from '../../functions/ports.js';

/** A started e-mail campaign with one written chunk of `size` messages. */
export async function emailCampaign(store: Stores, size: number) {
  const now = new Date();
  const campaign = await store.campaigns.create((id) => ({
    ...newCampaignRecord({ text: 't', startAt: now.toISOString(), endAt: new Date(now.getTime() + 3_600_000).toISOString() }, id, now),
    channel: 'email' as const,
  }));
  await store.campaigns.start(campaign.id);
  const audience = Array.from({ length: size }, (_, i) => ({ id: `c${i}`, phone: `7912${String(i).padStart(7, '0')}` }));
  const { chunks } = await store.messages.writePage(campaign.id, 0, chunksOfPage(campaign.id, 0, audience, now, undefined, 'email'), null);
  const messages = chunks[0]?.messages ?? [];
  return { campaign, ids: messages.map((message) => message.id), messages };
}
