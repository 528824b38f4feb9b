import { describe, expect, it } from 'vitest';
import type { Campaign } from '../../functions/domain/campaigns.js';
import { STATUS_RECHECK_MS } from '../../functions/domain/campaigns.js';
import type { CampaignStore } from '../../functions/ports.js';
import { CampaignView } from '../../functions/delivery/campaign-view.js';

/** A store whose reads answer only when the test says so, each with the status of that moment. */
function controlledStore() {
  const reads: { answer: (status: string) => void }[] = [];
  const store = {
    get: () =>
      new Promise<Campaign | undefined>((resolve) => {
        reads.push({ answer: (status) => resolve({ id: '1', status } as unknown as Campaign) });
      }),
  } as unknown as CampaignStore;
  return { store, reads };
}

/** A clock that moves only when the test moves it: the view's ages are exactly what each case says. */
function manualClock() {
  let at = Date.parse('2030-01-01T10:00:00Z');
  return { now: () => new Date(at), advance: (ms: number) => void (at += ms) };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));
/** The promise's value if it has one by the time pending callbacks have run, else 'waiting'. */
const valueNow = <T>(promise: Promise<T>) => Promise.race([promise, settle().then(() => 'waiting' as const)]);

describe('CampaignView', () => {
  it('reads ahead at three quarters of the recheck age, so a call does not wait, and never serves a read older than the recheck age', async () => {
    const { store, reads } = controlledStore();
    const clock = manualClock();
    const view = new CampaignView(store, clock);
    const first = view.current('1');
    expect(reads).toHaveLength(1);
    reads[0]!.answer('running');
    expect((await first)?.status).toBe('running');
    // Young: the same read serves, no new one.
    expect((await view.current('1'))?.status).toBe('running');
    expect(reads).toHaveLength(1);

    clock.advance(STATUS_RECHECK_MS * 0.8);
    // Old enough to read ahead: the call gets the answered read at once, one read starts.
    const ahead = await valueNow(view.current('1'));
    expect(ahead).toMatchObject({ status: 'running' });
    expect(reads).toHaveLength(2);
    view.current('1');
    expect(reads).toHaveLength(2);

    // The read ahead has not answered when the one in hand turns too old: now a call waits for it.
    clock.advance(STATUS_RECHECK_MS * 0.3);
    const late = view.current('1');
    expect(await valueNow(late)).toBe('waiting');
    reads[1]!.answer('paused');
    expect((await late)?.status).toBe('paused');
    expect(reads).toHaveLength(2);
  });

  it('replaces the read in hand as soon as the read ahead answers', async () => {
    const { store, reads } = controlledStore();
    const clock = manualClock();
    const view = new CampaignView(store, clock);
    const first = view.current('1');
    reads[0]!.answer('running');
    await first;
    clock.advance(STATUS_RECHECK_MS * 0.8);
    await view.current('1');
    reads[1]!.answer('cancelled');
    await settle();
    expect((await view.current('1'))?.status).toBe('cancelled');
  });

  it('forgets a campaign once its read is too old to serve, and keeps one that can still serve', async () => {
    const { store, reads } = controlledStore();
    const clock = manualClock();
    const view = new CampaignView(store, clock);
    const old = view.current('1');
    reads[0]!.answer('running');
    await old;
    clock.advance(STATUS_RECHECK_MS * 0.6);
    const young = view.current('2');
    reads[1]!.answer('running');
    await young;
    clock.advance(STATUS_RECHECK_MS * 0.5);
    view.forgetStale();
    expect(view.size).toBe(1);
    await view.current('2');
    expect(reads).toHaveLength(2);
  });

  it('takes a read from what the clock now calls the future (the clock was set back) as too old: the next call reads again', async () => {
    const { store, reads } = controlledStore();
    const clock = manualClock();
    const view = new CampaignView(store, clock);
    const first = view.current('1');
    reads[0]!.answer('running');
    await first;
    clock.advance(-60_000);
    const again = view.current('1');
    expect(reads).toHaveLength(2);
    reads[1]!.answer('cancelled');
    expect((await again)?.status).toBe('cancelled');
  });
});
