/**
 * The tally against DynamoDB Local's stream: counters equal what the chunks hold, however
 * often a stream batch is replayed and wherever one fails half-way.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { newCampaignRecord } from '../../functions/domain/campaigns.js';
import { chunksOfPage, emptyCounts } from '../../functions/domain/messages.js';
import { stores, systemClock } from '../../functions/handlers/wiring.js';
import type { Stores } from '../../functions/ports.js';
import { createTestTables, documentClient, startTestTally, storeOutcome, type TestTables } from '../support/aws.js';

let tables: TestTables;
let store: Stores;

beforeAll(async () => {
  tables = await createTestTables();
  store = stores(tables.env as never, systemClock, documentClient());
});

/** A running campaign with `size` queued messages written as one fan-out page. */
async function fannedOut(size: number) {
  const now = new Date();
  const campaign = await store.campaigns.create((id) =>
    newCampaignRecord({ text: 't', startAt: now.toISOString(), endAt: new Date(now.getTime() + 600_000).toISOString() }, id, now),
  );
  await store.campaigns.start(campaign.id);
  const audience = Array.from({ length: size }, (_, i) => ({ id: `c${i}`, phone: `7912${String(i).padStart(7, '0')}` }));
  const { chunks } = await store.messages.writePage(campaign.id, 0, chunksOfPage(campaign.id, 0, audience, now), null);
  await store.campaigns.advanceFanout(campaign.id, 0, { page: 1, done: true }, size);
  return { id: campaign.id, chunks };
}

async function sendAll(campaign: Awaited<ReturnType<typeof fannedOut>>) {
  for (const chunk of campaign.chunks) {
    await storeOutcome(
      store.messages,
      campaign.id,
      chunk.chunk,
      chunk.messages.map((message) => ({ ...message, status: 'sent', attempts: 1 })),
    );
  }
}

describe('tally', () => {
  it('counts every batch once when each batch is handed over twice', async () => {
    const tally = startTestTally(tables.names.messages, store.campaigns, (handler) => async (event) => {
      await handler(event);
      return handler(event);
    });
    try {
      const campaign = await fannedOut(25);
      await tally.settled();
      expect((await store.campaigns.get(campaign.id))?.counts).toEqual({ ...emptyCounts(), queued: 25 });
      await sendAll(campaign);
      await tally.settled();
      const done = await store.campaigns.get(campaign.id);
      expect(done?.counts).toEqual({ ...emptyCounts(), sent: 25 });
      expect(done?.status).toBe('finished');
      expect(await store.messages.recount(campaign.id)).toEqual(done?.counts);
    } finally {
      await tally.stop();
    }
  });

  it('a batch that fails for one campaign after another was applied is retried without double counting', async () => {
    const first = await fannedOut(12);
    const second = await fannedOut(7);
    let failures = 0;
    const flaky = Object.assign(Object.create(store.campaigns) as Stores['campaigns'], {
      applyTally: async (...args: Parameters<Stores['campaigns']['applyTally']>) => {
        // The second campaign's update fails the first two times: the process died between the two campaigns.
        if (args[0] === second.id && failures < 2) {
          failures += 1;
          throw new Error('killed between two campaigns');
        }
        return store.campaigns.applyTally(...args);
      },
    });
    await sendAll(first);
    await sendAll(second);
    const tally = startTestTally(tables.names.messages, flaky);
    try {
      await tally.settled();
      await tally.settled();
      expect(failures).toBe(2);
      for (const campaign of [first, second]) {
        const stored = await store.campaigns.get(campaign.id);
        expect(stored?.counts).toEqual(await store.messages.recount(campaign.id));
        expect(stored?.status).toBe('finished');
      }
      expect((await store.campaigns.get(first.id))?.counts).toEqual({ ...emptyCounts(), sent: 12 });
    } finally {
      await tally.stop();
    }
  });
});
