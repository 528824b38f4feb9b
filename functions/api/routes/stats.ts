/** GET /campaigns/{id}/stats (counts and the messages themselves) and GET /stats (every campaign, and totals). */
import { effectiveStatus, type Campaign } from '../../domain/campaigns.js';
import { addCounts, emptyCounts, totalOf } from '../../domain/messages.js';
import type { ApiDependencies } from '../app.js';
import { json, queryOf, type ApiRoute } from '../respond.js';
import { CampaignStatsQuerySchema, type CampaignStatsView, type OverallStatsView } from '../schemas.js';
import { fullCounts, messageView } from '../views.js';
import { NotFoundError } from '../../domain/errors.js';
import { campaignIdOf } from './campaigns.js';

/** Campaigns are read a page at a time, the largest page the store serves. */
const CAMPAIGN_PAGE = 100;

export function statsRoutes({ clock, campaigns, messages }: ApiDependencies): ApiRoute[] {
  return [
    {
      method: 'GET',
      path: '/campaigns/{id}/stats',
      handler: async (event) => {
        const id = campaignIdOf(event);
        const campaign = await campaigns.get(id);
        if (!campaign) throw new NotFoundError(`campaign ${id} does not exist`);
        const query = queryOf(CampaignStatsQuerySchema, event);
        const page = await messages.list(campaign.id, query);
        const counts = fullCounts(campaign.counts);
        const stats: CampaignStatsView = {
          campaignId: campaign.id,
          status: effectiveStatus(campaign, clock.now()),
          counts,
          total: totalOf(counts),
          messages: { items: page.items.map(messageView), nextCursor: page.nextCursor },
        };
        return json(200, stats);
      },
    },
    {
      method: 'GET',
      path: '/stats',
      handler: async () => {
        const now = clock.now();
        const stats: OverallStatsView = { campaigns: [], counts: emptyCounts(), total: 0 };
        let cursor: string | undefined;
        do {
          const page = await campaigns.list({ limit: CAMPAIGN_PAGE, ...(cursor ? { cursor } : {}) });
          for (const campaign of page.items) stats.campaigns.push(summaryOf(campaign, now));
          cursor = page.nextCursor ?? undefined;
        } while (cursor);
        for (const summary of stats.campaigns) stats.counts = addCounts(stats.counts, summary.counts);
        stats.total = totalOf(stats.counts);
        return json(200, stats);
      },
    },
  ];
}

function summaryOf(campaign: Campaign, now: Date): OverallStatsView['campaigns'][number] {
  const counts = fullCounts(campaign.counts);
  return { id: campaign.id, status: effectiveStatus(campaign, now), startAt: campaign.startAt, endAt: campaign.endAt, counts, total: totalOf(counts) };
}
