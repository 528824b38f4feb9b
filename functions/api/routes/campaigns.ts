/** Campaigns: POST/GET /campaigns, GET /campaigns/{id}. Changes and deletion are in campaign-changes.ts. */
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { checkTimes, newCampaignRecord, type Campaign } from '../../domain/campaigns.js';
import { NotFoundError } from '../../domain/errors.js';
import type { CampaignStore } from '../../ports.js';
import type { ApiDependencies } from '../app.js';
import { requestLogger, touched } from '../logging.js';
import { jsonBodyOf } from '../problem.js';
import { idParam, json, queryOf, withJsonBody, type ApiRoute } from '../respond.js';
import { CampaignIdParamsSchema, CampaignListQuerySchema, NewCampaignSchema } from '../schemas.js';
import { campaignView } from '../views.js';

/** The campaign the path names, or 404; its id goes into the request's log lines. */
export async function campaignOf(campaigns: CampaignStore, event: APIGatewayProxyEvent): Promise<Campaign> {
  const { id } = idParam(CampaignIdParamsSchema, event);
  touched(event, { campaignId: id });
  const campaign = await campaigns.get(id);
  if (!campaign) throw new NotFoundError(`campaign ${id} does not exist`);
  return campaign;
}

export function campaignRoutes({ clock, campaigns, fanoutQueue, scheduler }: ApiDependencies): ApiRoute[] {
  /** Starts the campaign now or at its start; a campaign that cannot be started is not left behind. */
  const launch = async (event: APIGatewayProxyEvent, campaign: Campaign) => {
    try {
      if (campaign.status === 'running') await fanoutQueue.start(campaign.id);
      else await scheduler.schedule(campaign.id, new Date(campaign.startAt));
    } catch (error) {
      const undo = campaign.status === 'running' ? campaigns.cancel(campaign.id) : campaigns.remove(campaign.id);
      await undo.catch((undoError: unknown) => requestLogger(event).error('could not undo a campaign that failed to start', undoError as Error));
      throw error;
    }
  };

  return [
    {
      method: 'POST',
      path: '/campaigns',
      handler: withJsonBody(async (event) => {
        const input = NewCampaignSchema.parse(jsonBodyOf(event));
        const now = clock.now();
        // Checked before create: the store takes a number from the campaign sequence first.
        checkTimes(input.startAt, input.endAt, now);
        const campaign = await campaigns.create((id) => newCampaignRecord(input, id, now));
        touched(event, { campaignId: campaign.id });
        await launch(event, campaign);
        return json(201, campaignView(campaign, now));
      }),
    },
    {
      method: 'GET',
      path: '/campaigns',
      handler: async (event) => {
        const page = await campaigns.list(queryOf(CampaignListQuerySchema, event));
        const now = clock.now();
        return json(200, { items: page.items.map((campaign) => campaignView(campaign, now)), nextCursor: page.nextCursor });
      },
    },
    {
      method: 'GET',
      path: '/campaigns/{id}',
      handler: async (event) => json(200, campaignView(await campaignOf(campaigns, event), clock.now())),
    },
  ];
}
