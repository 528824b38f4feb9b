/** GET /campaigns/{id}/stats (counts and the messages themselves) and GET /stats (every campaign, and totals). */
import { effectiveStatus, type Campaign } from '../../domain/campaigns.js';
import { MESSAGE_STATUSES, totalOf } from '../../domain/messages.js';
import { onFirstUse } from '../../domain/lazy-packages.js';
import type { ApiDependencies } from '../app.js';
import { json, queryOf, type ApiRoute } from '../respond.js';
import type { CampaignStatsView, OverallStatsView } from '../response-schemas.js';
import { fullCounts, messageView } from '../views.js';
import { NotFoundError } from '../../domain/errors.js';
import { campaignIdOf } from './campaigns.js';

// Built on the group's first request, not at load (functions/api/schemas.ts).
const schemas = onFirstUse(() => import('../schemas/stats.js'));

export function statsRoutes({ clock, campaigns, messages }: ApiDependencies): ApiRoute[] {
  return [
    {
      method: 'GET',
      path: '/campaigns/{id}/stats',
      handler: async (event) => {
        const id = await campaignIdOf(event);
        const { verify, ...query } = queryOf((await schemas()).CampaignStatsQuerySchema, event);
        // The page first: its cursor is checked before anything is read.
        const page = await messages.list(id, query);
        const [campaign, recount] = await Promise.all([campaigns.get(id), verify ? messages.recount(id) : undefined]);
        if (!campaign) throw new NotFoundError(`campaign ${id} does not exist`);
        const counts = fullCounts(campaign.counts);
        const stats: CampaignStatsView = {
          campaignId: campaign.id,
          status: effectiveStatus(campaign, clock.now()),
          counts,
          total: totalOf(counts),
          messages: { items: page.items.map(messageView), nextCursor: page.nextCursor },
          ...(recount ? { recount, consistent: MESSAGE_STATUSES.every((status) => recount[status] === counts[status]) } : {}),
        };
        return json(200, stats);
      },
    },
    {
      method: 'GET',
      path: '/stats',
      // Constant work whatever the number of campaigns: one page of them, and the totals item.
      handler: async (event) => {
        const now = clock.now();
        const [page, totals] = await Promise.all([campaigns.list(queryOf((await schemas()).OverallStatsQuerySchema, event)), campaigns.totals()]);
        const stats: OverallStatsView = {
          campaigns: page.items.map((campaign) => summaryOf(campaign, now)),
          nextCursor: page.nextCursor,
          counts: totals,
          total: totalOf(totals),
        };
        return json(200, stats);
      },
    },
  ];
}

function summaryOf(campaign: Campaign, now: Date): OverallStatsView['campaigns'][number] {
  const counts = fullCounts(campaign.counts);
  return { id: campaign.id, status: effectiveStatus(campaign, now), startAt: campaign.startAt, endAt: campaign.endAt, counts, total: totalOf(counts) };
}
