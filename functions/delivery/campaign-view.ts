import { STATUS_RECHECK_MS, type Campaign } from '../domain/campaigns.js';
import { isNoticeKey, NOTICE_DELIVERY } from '../domain/notices.js';
import type { CampaignStore, Clock } from '../ports.js';

/**
 * From this age on, a read of the campaign is started ahead, while the one in hand still serves:
 * late enough to add few reads (one every ~750 ms instead of every ~1 s while a long invocation
 * sends), early enough for the read to answer before the one in hand is too old.
 */
const REFRESH_AHEAD_MS = (STATUS_RECHECK_MS * 3) / 4;

interface Entry {
  readStartedAt: number;
  campaign: Promise<Campaign | undefined>;
}

/**
 * A sender's view of its campaigns, never older than STATUS_RECHECK_MS. Age counts from
 * when the read was sent, so a cancel stored before a read started is always seen by
 * any call that starts after the cancel's settle window.
 *
 * The next read starts when the one in hand is three quarters that old and replaces it once it has
 * answered, so a provider call does not wait for a read of its campaign (with a 500 ms
 * provider, every other wave of calls did); a call waits only when no answered read is young
 * enough, as at the start. The bound is time alone, so one view serves every invocation of an
 * environment (functions/delivery/send.ts): an invocation's first calls need no read when the last
 * one read the campaign less than that long ago. Time is the sender's clock (injected): a read
 * that seems to come from the future (the clock was set back) is as good as too old.
 */
export class CampaignView {
  private readonly entries = new Map<string, Entry>();
  private readonly refreshing = new Map<string, Entry>();

  constructor(
    private readonly campaigns: CampaignStore,
    private readonly clock: Clock,
  ) {}

  /** How long ago a read was sent; Infinity when it cannot serve as young (none, or stamped after now). */
  private ageOf(entry: Entry | undefined, now = this.clock.now().getTime()): number {
    if (!entry) return Infinity;
    const age = now - entry.readStartedAt;
    return age < 0 ? Infinity : age;
  }

  current(id: string): Promise<Campaign | undefined> {
    // A notice's chunk has no campaign: it is sent at once, under the notices' fixed rules.
    if (isNoticeKey(id)) return Promise.resolve(NOTICE_DELIVERY);
    const entry = this.entries.get(id);
    const age = this.ageOf(entry);
    if (entry && age < STATUS_RECHECK_MS) {
      if (age >= REFRESH_AHEAD_MS) this.refreshAhead(id);
      return entry.campaign;
    }
    // Too old: a read already under way is younger than any answered one, and is waited for.
    const pending = this.refreshing.get(id);
    if (pending) {
      this.refreshing.delete(id);
      this.entries.set(id, pending);
      return pending.campaign;
    }
    const fresh = this.read(id);
    this.entries.set(id, fresh);
    return fresh.campaign;
  }

  /** Drops the reads too old to serve (a read ahead still under way takes its place once answered): a long-lived view holds only campaigns in use. */
  forgetStale(): void {
    const now = this.clock.now().getTime();
    for (const [id, entry] of this.entries) if (this.ageOf(entry, now) >= STATUS_RECHECK_MS) this.entries.delete(id);
  }

  /** How many campaigns the view holds. */
  get size(): number {
    return this.entries.size;
  }

  /** A read started now, which the next calls share: for a decision a view up to a second old must not make alone. */
  fresh(id: string): Promise<Campaign | undefined> {
    if (isNoticeKey(id)) return Promise.resolve(NOTICE_DELIVERY);
    this.refreshing.delete(id);
    const entry = this.read(id);
    this.entries.set(id, entry);
    return entry.campaign;
  }

  private read(id: string): Entry {
    const entry: Entry = { readStartedAt: this.clock.now().getTime(), campaign: this.campaigns.get(id) };
    entry.campaign.catch(() => {
      if (this.entries.get(id) === entry) this.entries.delete(id);
      if (this.refreshing.get(id) === entry) this.refreshing.delete(id);
    });
    return entry;
  }

  private refreshAhead(id: string): void {
    if (this.refreshing.has(id)) return;
    const entry = this.read(id);
    this.refreshing.set(id, entry);
    entry.campaign.then(
      () => {
        if (this.refreshing.get(id) !== entry) return;
        this.refreshing.delete(id);
        this.entries.set(id, entry);
      },
      () => undefined,
    );
  }
}
