/** Campaigns: POST/GET /campaigns, POST /campaigns/preview and /audience, GET/PATCH/DELETE /campaigns/{id}, POST /campaigns/{id}/pause and /resume, GET /campaigns/{id}/runs. The workflows are in functions/services/campaigns.ts. */
import type { APIGatewayProxyEvent } from 'aws-lambda';
import type { Campaign } from '../../domain/campaigns.js';
import { NotFoundError } from '../../domain/errors.js';
import { preview } from '../../domain/templates.js';
import { campaignService, type CampaignService } from '../../services/campaigns.js';
import type { ApiDependencies } from '../app.js';
import { requestLogger, touched } from '../logging.js';
import { jsonBodyOf } from '../problem.js';
import { idParam, json, noContent, queryOf, withJsonBody, type ApiRoute } from '../respond.js';
import {
  AudienceRequestSchema,
  CampaignIdParamsSchema,
  CampaignListQuerySchema,
  CampaignPatchSchema,
  NewCampaignSchema,
  PreviewRequestSchema,
} from '../schemas.js';
import { campaignView } from '../views.js';

/** The campaign id the path names; it goes into the request's log lines. */
export function campaignIdOf(event: APIGatewayProxyEvent): string {
  const { id } = idParam(CampaignIdParamsSchema, event);
  touched(event, { campaignId: id });
  return id;
}

/** The campaign the path names, or 404. */
export function campaignOf(service: CampaignService, event: APIGatewayProxyEvent): Promise<Campaign> {
  return service.get(campaignIdOf(event));
}

export function campaignRoutes(deps: ApiDependencies): ApiRoute[] {
  const { clock, campaigns, clients, fanoutQueue, scheduler, recurringScheduler } = deps;
  const serviceFor = (event: APIGatewayProxyEvent) =>
    campaignService({
      clock,
      campaigns,
      clients,
      fanoutQueue,
      scheduler,
      ...(recurringScheduler ? { recurringScheduler } : {}),
      onUndoFailure: (error) => requestLogger(event).error('could not undo a campaign change that failed half-way', error as Error),
    });

  return [
    {
      method: 'POST',
      path: '/campaigns',
      handler: withJsonBody(async (event) => {
        const campaign = await serviceFor(event).create(NewCampaignSchema.parse(jsonBodyOf(event)));
        touched(event, { campaignId: campaign.id });
        return json(201, campaignView(campaign, clock.now()));
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
      method: 'POST',
      path: '/campaigns/preview',
      handler: withJsonBody(async (event) => {
        const { text, clientId } = PreviewRequestSchema.parse(jsonBodyOf(event));
        if (clientId === undefined) return json(200, preview(text));
        touched(event, { clientId });
        const client = await clients.get(clientId);
        if (!client) throw new NotFoundError(`client ${clientId} does not exist`);
        return json(200, preview(text, client));
      }),
    },
    {
      method: 'POST',
      path: '/campaigns/audience',
      handler: withJsonBody(async (event) => {
        const { filter } = AudienceRequestSchema.parse(jsonBodyOf(event));
        return json(200, { audience: await clients.countAudience(filter ?? {}) });
      }),
    },
    {
      method: 'GET',
      path: '/campaigns/{id}',
      handler: async (event) => {
        const { campaign, audience } = await serviceFor(event).getWithAudience(campaignIdOf(event));
        return json(200, campaignView(campaign, clock.now(), audience));
      },
    },
    {
      method: 'PATCH',
      path: '/campaigns/{id}',
      handler: withJsonBody(async (event) => {
        const id = campaignIdOf(event);
        const stored = await serviceFor(event).change(id, CampaignPatchSchema.parse(jsonBodyOf(event)));
        return json(200, campaignView(stored, clock.now()));
      }),
    },
    {
      method: 'POST',
      path: '/campaigns/{id}/pause',
      handler: async (event) => json(200, campaignView(await serviceFor(event).pause(campaignIdOf(event)), clock.now())),
    },
    {
      method: 'POST',
      path: '/campaigns/{id}/resume',
      handler: async (event) => json(200, campaignView(await serviceFor(event).resume(campaignIdOf(event)), clock.now())),
    },
    {
      method: 'GET',
      path: '/campaigns/{id}/runs',
      handler: async (event) => {
        const id = campaignIdOf(event);
        const query = queryOf(CampaignListQuerySchema, event);
        const page = await serviceFor(event).runs(id, query);
        const now = clock.now();
        return json(200, { items: page.items.map((run) => campaignView(run, now)), nextCursor: page.nextCursor });
      },
    },
    {
      method: 'DELETE',
      path: '/campaigns/{id}',
      handler: async (event) => {
        await serviceFor(event).remove(campaignIdOf(event));
        return noContent();
      },
    },
  ];
}
