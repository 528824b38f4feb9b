import { performance } from 'node:perf_hooks';
import { STATUS_RECHECK_MS, type Campaign } from '../domain/campaigns.js';
import { isNoticeKey, NOTICE_DELIVERY } from '../domain/notices.js';
import type { CampaignStore } from '../ports.js';

/**
 * A sender's view of its campaigns, never older than STATUS_RECHECK_MS. Age counts from
 * when the read was sent, so a cancel stored before a read started is always seen by
 * any call that starts after the cancel's settle window.
 */
export class CampaignView {
  private readonly entries = new Map<string, { readStartedAt: number; campaign: Promise<Campaign | undefined> }>();

  constructor(private readonly campaigns: CampaignStore) {}

  current(id: string): Promise<Campaign | undefined> {
    // A notice's chunk has no campaign: it is sent at once, under the notices' fixed rules.
    if (isNoticeKey(id)) return Promise.resolve(NOTICE_DELIVERY);
    const entry = this.entries.get(id);
    if (entry && performance.now() - entry.readStartedAt < STATUS_RECHECK_MS) return entry.campaign;
    const fresh = { readStartedAt: performance.now(), campaign: this.campaigns.get(id) };
    fresh.campaign.catch(() => this.entries.delete(id));
    this.entries.set(id, fresh);
    return fresh.campaign;
  }
}
