/** PATCH and DELETE /campaigns/{id}: the rules by status are the domain's; here the schedule follows. */
import { setTimeout as sleep } from 'node:timers/promises';
import { CANCEL_SETTLE_MS, deletion, hasStarted, patchedCampaign, type Campaign } from '../../domain/campaigns.js';
import { ConflictError } from '../../domain/errors.js';
import type { ApiDependencies } from '../app.js';
import { jsonBodyOf } from '../problem.js';
import { json, noContent, withJsonBody, type ApiRoute } from '../respond.js';
import { CampaignPatchSchema } from '../schemas.js';
import { campaignView } from '../views.js';
import { campaignOf } from './campaigns.js';

export function campaignChangeRoutes({ clock, campaigns, fanoutQueue, scheduler }: ApiDependencies): ApiRoute[] {
  /** A scheduled campaign's start moved: schedule the new start, or start now when it is already reached. */
  const followStart = async (campaign: Campaign, now: Date) => {
    if (!hasStarted(campaign, now)) return scheduler.schedule(campaign.id, new Date(campaign.startAt));
    await fanoutQueue.start(campaign.id);
    await scheduler.unschedule(campaign.id);
  };

  /** Stopped means no provider call starts after we answer: senders re-check the status within CANCEL_SETTLE_MS. */
  const stop = async (id: string) => {
    await campaigns.cancel(id);
    await sleep(CANCEL_SETTLE_MS);
  };

  return [
    {
      method: 'PATCH',
      path: '/campaigns/{id}',
      handler: withJsonBody(async (event) => {
        const current = await campaignOf(campaigns, event);
        const patch = CampaignPatchSchema.parse(jsonBodyOf(event));
        const now = clock.now();
        const stored = await campaigns.replace(patchedCampaign(current, patch, now), current.status);
        if (current.status === 'scheduled' && stored.startAt !== current.startAt) {
          // The stored start and the schedule must not disagree: put the old start back if the schedule cannot follow.
          await followStart(stored, now).catch(async (error: unknown) => {
            await campaigns.replace(current, 'scheduled').catch(() => undefined);
            throw error;
          });
        }
        return json(200, campaignView(stored, now));
      }),
    },
    {
      method: 'DELETE',
      path: '/campaigns/{id}',
      handler: async (event) => {
        const campaign = await campaignOf(campaigns, event);
        if (deletion(campaign, clock.now()) === 'stop') {
          await stop(campaign.id);
          return noContent();
        }
        try {
          await campaigns.remove(campaign.id);
        } catch (error) {
          // It started between our read and the removal: stopping is what deleting it means now.
          if (!(error instanceof ConflictError)) throw error;
          await stop(campaign.id);
          return noContent();
        }
        await scheduler.unschedule(campaign.id);
        return noContent();
      },
    },
  ];
}
