/** Campaigns: POST/GET /campaigns, POST /campaigns/preview and /audience, GET/PATCH/DELETE /campaigns/{id}, POST /campaigns/{id}/pause and /resume, GET /campaigns/{id}/runs. The workflows are in functions/services/campaigns.ts. */
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { NotFoundError } from '../../domain/errors.js';
import { DEFAULT_CHANNEL } from '../../domain/channels/channel.js';
import { previewContent } from '../../domain/channels/content.js';
import { campaignService } from '../../services/campaigns.js';
import { onFirstUse } from '../../domain/lazy-packages.js';
import type { ApiDependencies } from '../app.js';
import { requestLogger, touched } from '../logging.js';
import { jsonBodyOf } from '../problem.js';
import { idParam, json, noContent, queryOf, withJsonBody, type ApiRoute } from '../respond.js';
import { campaignView } from '../views.js';

// Built on the group's first request, not at load (functions/api/schemas.ts).
const schemas = onFirstUse(() => import('../schemas/campaigns.js'));

/** The campaign id the path names; it goes into the request's log lines. */
export async function campaignIdOf(event: APIGatewayProxyEvent): Promise<string> {
  const { id } = idParam((await schemas()).CampaignIdParamsSchema, event);
  touched(event, { campaignId: id });
  return id;
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
        const campaign = await serviceFor(event).create((await schemas()).NewCampaignSchema.parse(jsonBodyOf(event)));
        touched(event, { campaignId: campaign.id });
        return json(201, campaignView(campaign, clock.now()));
      }),
    },
    {
      method: 'GET',
      path: '/campaigns',
      handler: async (event) => {
        const page = await campaigns.list(queryOf((await schemas()).CampaignListQuerySchema, event));
        const now = clock.now();
        return json(200, { items: page.items.map((campaign) => campaignView(campaign, now)), nextCursor: page.nextCursor });
      },
    },
    {
      method: 'POST',
      path: '/campaigns/preview',
      handler: withJsonBody(async (event) => {
        const { channel, clientId, eventStep, ...content } = (await schemas()).PreviewRequestSchema.parse(jsonBodyOf(event));
        // Any channel previews, whether its sender exists yet or not: nothing is sent.
        const on = channel ?? DEFAULT_CHANNEL;
        const extra = eventStep ? 'any' : [];
        if (clientId === undefined) return json(200, previewContent(on, content, undefined, extra));
        touched(event, { clientId });
        const client = await clients.get(clientId);
        if (!client) throw new NotFoundError(`client ${clientId} does not exist`);
        return json(200, previewContent(on, content, client, extra));
      }),
    },
    {
      method: 'POST',
      path: '/campaigns/audience',
      handler: withJsonBody(async (event) => {
        const { filter } = (await schemas()).AudienceRequestSchema.parse(jsonBodyOf(event));
        return json(200, { audience: await clients.countAudience(filter ?? {}) });
      }),
    },
    {
      method: 'GET',
      path: '/campaigns/{id}',
      handler: async (event) => {
        const { campaign, audience } = await serviceFor(event).getWithAudience(await campaignIdOf(event));
        return json(200, campaignView(campaign, clock.now(), audience));
      },
    },
    {
      method: 'PATCH',
      path: '/campaigns/{id}',
      handler: withJsonBody(async (event) => {
        const id = await campaignIdOf(event);
        const stored = await serviceFor(event).change(id, (await schemas()).CampaignPatchSchema.parse(jsonBodyOf(event)));
        return json(200, campaignView(stored, clock.now()));
      }),
    },
    {
      method: 'POST',
      path: '/campaigns/{id}/pause',
      handler: async (event) => json(200, campaignView(await serviceFor(event).pause(await campaignIdOf(event)), clock.now())),
    },
    {
      method: 'POST',
      path: '/campaigns/{id}/resume',
      handler: async (event) => json(200, campaignView(await serviceFor(event).resume(await campaignIdOf(event)), clock.now())),
    },
    {
      method: 'GET',
      path: '/campaigns/{id}/runs',
      handler: async (event) => {
        const id = await campaignIdOf(event);
        const query = queryOf((await schemas()).CampaignListQuerySchema, event);
        const page = await serviceFor(event).runs(id, query);
        const now = clock.now();
        return json(200, { items: page.items.map((run) => campaignView(run, now)), nextCursor: page.nextCursor });
      },
    },
    {
      method: 'DELETE',
      path: '/campaigns/{id}',
      handler: async (event) => {
        await serviceFor(event).remove(await campaignIdOf(event));
        return noContent();
      },
    },
  ];
}
