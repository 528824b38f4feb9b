/**
 * The rate limit across senders: several gates (as separate send invocations would hold)
 * share one campaign's per-second slot counter in DynamoDB Local.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { DescribeTimeToLiveCommand } from '@aws-sdk/client-dynamodb';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoRateSlots, RATE_SLOT_TTL_SECONDS } from '../../functions/adapters/dynamo/rate-slots.js';
import { RateGate } from '../../functions/delivery/rate-gate.js';
import type { RateSlots } from '../../functions/ports.js';
import { createTestTables, documentClient, dynamoClient, uniqueSuffix } from '../support/aws.js';

let slots: DynamoRateSlots;
let uniquesTable: string;
beforeAll(async () => {
  const tables = await createTestTables();
  uniquesTable = tables.env.UNIQUES_TABLE as string;
  slots = new DynamoRateSlots(documentClient(), uniquesTable);
});

describe('rate slots', () => {
  it("expire: each counter carries the table's TTL attribute, an hour after its second, set by the taking write itself", async () => {
    const { TimeToLiveDescription } = await dynamoClient().send(new DescribeTimeToLiveCommand({ TableName: uniquesTable }));
    expect(TimeToLiveDescription).toMatchObject({ TimeToLiveStatus: 'ENABLED', AttributeName: 'expiration' });
    const campaignId = uniqueSuffix();
    const second = Math.floor(Date.now() / 1000);
    expect(await slots.take(campaignId, second, 4, 25)).toEqual({ first: 0, count: 4 });
    expect(await slots.take(campaignId, second, 4, 25)).toEqual({ first: 4, count: 4 });
    const { Item } = await documentClient().send(new GetCommand({ TableName: uniquesTable, Key: { key: `rate#${campaignId}#${second}` } }));
    expect(Item).toEqual({ key: `rate#${campaignId}#${second}`, used: 8, expiration: second + RATE_SLOT_TTL_SECONDS });
    expect(RATE_SLOT_TTL_SECONDS).toBeGreaterThanOrEqual(60);
  });

  it('never hands out more than the limit of one second, and hands out what is left', async () => {
    const campaignId = uniqueSuffix();
    expect(await slots.take(campaignId, 100, 10, 25)).toEqual({ first: 0, count: 10 });
    expect(await slots.take(campaignId, 100, 10, 25)).toEqual({ first: 10, count: 10 });
    expect(await slots.take(campaignId, 100, 10, 25)).toEqual({ first: 20, count: 5 });
    expect(await slots.take(campaignId, 100, 10, 25)).toEqual({ first: 0, count: 0 });
    expect(await slots.take(campaignId, 101, 10, 25)).toEqual({ first: 0, count: 10 });
  });

  it('holds three concurrent senders to 20 call starts a second together, evenly spread', async () => {
    const campaignId = uniqueSuffix();
    const time = virtualTime(Date.parse('2030-01-01T10:00:00Z'));
    const shared = time.counting(slots);
    const gates = [0, 1, 2].map(() => new RateGate(shared, time.clock, time.wait));
    const starts: number[] = [];
    const until = time.clock.now().getTime() + 3500;
    await Promise.all(
      gates.flatMap((gate) =>
        Array.from({ length: 8 }, async () => {
          while (time.clock.now().getTime() < until) if (await gate.acquire(campaignId, 20, 10_000)) starts.push(time.clock.now().getTime());
        }),
      ),
    );
    const perSecond = new Map<number, number>();
    for (const at of starts) perSecond.set(Math.floor(at / 1000), (perSecond.get(Math.floor(at / 1000)) ?? 0) + 1);
    expect(Math.max(...perSecond.values())).toBeLessThanOrEqual(20);
    // Any 1 s window, not just calendar seconds, stays near the limit: the slots are spread over the second.
    const sorted = [...starts].sort((a, b) => a - b);
    for (let i = 0; i + 22 < sorted.length; i++) expect((sorted[i + 22] as number) - (sorted[i] as number)).toBeGreaterThanOrEqual(950);
    // And the senders together use the slots of at least the three whole seconds (a negative control for a gate that just stalls).
    expect(starts.filter((at) => at < until).length).toBeGreaterThanOrEqual(60);
  });
});

/**
 * Time for gates that moves only when every sender is waiting for a moment and no slot counter
 * write is under way, straight to the earliest moment waited for: what the gates do is then the
 * same however slowly the machine runs them or DynamoDB Local answers.
 */
function virtualTime(start: number) {
  let now = start;
  let writing = 0;
  let scheduled = false;
  const sleepers: { at: number; wake: () => void }[] = [];
  const advance = () => {
    scheduled = false;
    if (writing > 0 || sleepers.length === 0) return;
    sleepers.sort((a, b) => a.at - b.at);
    const next = sleepers.shift() as (typeof sleepers)[number];
    now = Math.max(now, next.at);
    next.wake();
    schedule();
  };
  // After the callbacks already queued: whatever a woken sender does next starts before time moves again.
  const schedule = () => {
    if (scheduled) return;
    scheduled = true;
    setImmediate(advance);
  };
  return {
    clock: { now: () => new Date(now) },
    wait: (ms: number) =>
      new Promise<void>((wake) => {
        sleepers.push({ at: now + ms, wake });
        schedule();
      }),
    /** The slots, with time standing still while a take is under way. */
    counting: (inner: RateSlots): RateSlots => ({
      take: async (...args) => {
        writing += 1;
        try {
          return await inner.take(...args);
        } finally {
          writing -= 1;
          schedule();
        }
      },
    }),
  };
}
