/**
 * The local recurring scheduler against DynamoDB Local with an injected clock: cron and rate
 * firings, persistence across a new scheduler on the same table (a restart), one firing for
 * many missed occurrences and none when the run's window has closed; and the store's runs,
 * created once per (recurring campaign, occurrence).
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newCampaignRecord } from '../../functions/domain/campaigns.js';
import { runRecord } from '../../functions/domain/recurring.js';
import { stores } from '../../functions/handlers/wiring.js';
import type { Clock, Stores } from '../../functions/ports.js';
import { LocalRecurringScheduler } from '../../local/recurring-scheduler.js';
import { createTestTables, documentClient, uniqueSuffix } from '../support/aws.js';

const T0 = Date.parse('2030-01-07T06:00:00.000Z'); // a Monday, 09:00 in Moscow

class ManualClock implements Clock {
  constructor(public ms: number) {}
  now(): Date {
    return new Date(this.ms);
  }
}

describe('LocalRecurringScheduler against DynamoDB Local', () => {
  let db: DynamoDBDocumentClient;
  beforeAll(() => {
    db = documentClient();
  });
  afterAll(() => db.destroy());

  async function setup(clock = new ManualClock(T0), tableName = `recurring-${uniqueSuffix()}`) {
    const scheduler = new LocalRecurringScheduler(db, tableName, clock);
    await scheduler.ensureTable();
    const fired: [string, string][] = [];
    const fire = async (campaignId: string, occurrence: Date) => void fired.push([campaignId, occurrence.toISOString()]);
    return { scheduler, clock, fired, fire, tableName };
  }

  it('fires a cron in its zone at each occurrence, once, and not before', async () => {
    const { scheduler, clock, fired, fire } = await setup();
    // Mondays 10:00 Moscow = 07:00 UTC.
    await scheduler.scheduleRecurring('1', {
      recurrence: { cron: '0 10 * * 1', timezone: 'Europe/Moscow', runMinutes: 60 },
      startAt: new Date(T0),
      endAt: new Date(T0 + 30 * 86_400_000),
    });
    clock.ms = Date.parse('2030-01-07T06:59:59Z');
    expect(await scheduler.tick(fire)).toEqual([]);
    clock.ms = Date.parse('2030-01-07T07:00:00Z');
    expect(await scheduler.tick(fire)).toEqual(['1']);
    expect(await scheduler.tick(fire)).toEqual([]);
    clock.ms = Date.parse('2030-01-14T07:00:20Z');
    expect(await scheduler.tick(fire)).toEqual(['1']);
    expect(fired).toEqual([
      ['1', '2030-01-07T07:00:00.000Z'],
      ['1', '2030-01-14T07:00:00.000Z'],
    ]);
  });

  it('after downtime fires only the latest missed occurrence, once, and survives a restart (a new scheduler on the same table)', async () => {
    const first = await setup();
    await first.scheduler.scheduleRecurring('2', {
      recurrence: { rate: '1 hour', timezone: 'UTC', runMinutes: 30 },
      startAt: new Date(T0),
      endAt: new Date(T0 + 86_400_000),
    });
    // Down from before the first firing until 3 h 10 min later: occurrences at +1 h, +2 h and +3 h were missed.
    const restarted = await setup(new ManualClock(T0 + 3 * 3_600_000 + 600_000), first.tableName);
    expect(await restarted.scheduler.tick(restarted.fire)).toEqual(['2']);
    expect(await restarted.scheduler.tick(restarted.fire)).toEqual([]);
    expect(restarted.fired).toEqual([['2', new Date(T0 + 3 * 3_600_000).toISOString()]]);
    // And goes on at the next occurrence.
    restarted.clock.ms = T0 + 4 * 3_600_000;
    expect(await restarted.scheduler.tick(restarted.fire)).toEqual(['2']);
  });

  it('fires nothing for a missed occurrence whose window has closed, then the next one', async () => {
    const { scheduler, clock, fired, fire } = await setup();
    await scheduler.scheduleRecurring('3', {
      recurrence: { rate: '1 hour', timezone: 'UTC', runMinutes: 30 },
      startAt: new Date(T0),
      endAt: new Date(T0 + 86_400_000),
    });
    clock.ms = T0 + 3_600_000 + 31 * 60_000;
    expect(await scheduler.tick(fire)).toEqual([]);
    clock.ms = T0 + 2 * 3_600_000;
    expect(await scheduler.tick(fire)).toEqual(['3']);
    expect(fired).toEqual([['3', new Date(T0 + 2 * 3_600_000).toISOString()]]);
  });

  it('fires each occurrence once when two runtimes tick the same table at once; removes a schedule past its end', async () => {
    const clock = new ManualClock(T0);
    const one = await setup(clock);
    const two = await setup(clock, one.tableName);
    await one.scheduler.scheduleRecurring('4', {
      recurrence: { rate: '5 minutes', timezone: 'UTC', runMinutes: 5 },
      startAt: new Date(T0),
      endAt: new Date(T0 + 7 * 60_000),
    });
    clock.ms = T0 + 5 * 60_000;
    const [a, b] = await Promise.all([one.scheduler.tick(one.fire), two.scheduler.tick(two.fire)]);
    expect([...a, ...b]).toEqual(['4']);
    // The next occurrence (+10 min) is past the end: nothing is left to fire.
    clock.ms = T0 + 10 * 60_000;
    expect([...(await one.scheduler.tick(one.fire)), ...(await two.scheduler.tick(two.fire))]).toEqual([]);
  });

  it('fires nothing after unscheduleRecurring, and tries a failed fire again', async () => {
    const { scheduler, clock, fire } = await setup();
    const schedule = { recurrence: { rate: '1 minute', timezone: 'UTC', runMinutes: 1 }, startAt: new Date(T0), endAt: new Date(T0 + 3_600_000) };
    await scheduler.scheduleRecurring('5', schedule);
    clock.ms = T0 + 60_000;
    let failures = 1;
    const flaky = async (campaignId: string, occurrence: Date) => {
      if (failures-- > 0) throw new Error('queue down');
      await fire(campaignId, occurrence);
    };
    expect(await scheduler.tick(flaky)).toEqual([]);
    expect(await scheduler.tick(flaky)).toEqual(['5']);
    await scheduler.unscheduleRecurring('5');
    clock.ms = T0 + 120_000;
    expect(await scheduler.tick(fire)).toEqual([]);
  });
});

describe('runs in the campaign store', () => {
  let store: Stores;
  const now = new Date('2030-01-07T07:00:30Z');
  beforeAll(async () => {
    const tables = await createTestTables();
    store = stores(tables.env as never, { now: () => now }, documentClient());
  });

  const recurringInput = {
    text: 'Weekly',
    startAt: '2030-01-01T00:00:00Z',
    endAt: '2030-03-01T00:00:00Z',
    recurrence: { cron: '0 10 * * 1', timezone: 'Europe/Moscow', runMinutes: 60 },
  };

  it('creates one run per occurrence however often, or however concurrently, it is asked', async () => {
    const recurring = await store.campaigns.create((id) => newCampaignRecord(recurringInput, id, now));
    const occurrence = new Date('2030-01-07T07:00:00Z');
    const attempts = await Promise.all(
      Array.from({ length: 4 }, () => store.campaigns.createRun(recurring.id, occurrence.toISOString(), (id) => runRecord(recurring, occurrence, id, now))),
    );
    expect(attempts.filter((attempt) => attempt.created)).toHaveLength(1);
    expect(new Set(attempts.map((attempt) => attempt.run.id)).size).toBe(1);
    const again = await store.campaigns.createRun(recurring.id, occurrence.toISOString(), (id) => runRecord(recurring, occurrence, id, now));
    expect(again).toEqual({ run: attempts[0]!.run, created: false });
    const next = new Date('2030-01-14T07:00:00Z');
    const later = await store.campaigns.createRun(recurring.id, next.toISOString(), (id) => runRecord(recurring, next, id, now));
    expect(later.created).toBe(true);
    const page = await store.campaigns.runs(recurring.id, { limit: 1 });
    expect(page.items.map((run) => run.occurrence)).toEqual(['2030-01-07T07:00:00.000Z']);
    const rest = await store.campaigns.runs(recurring.id, { limit: 10, cursor: page.nextCursor! });
    expect(rest.items.map((run) => run.occurrence)).toEqual(['2030-01-14T07:00:00.000Z']);
    expect(rest.nextCursor).toBeNull();
  });

  it('creates no run while the recurring campaign is paused or cancelled', async () => {
    const recurring = await store.campaigns.create((id) => newCampaignRecord(recurringInput, id, now));
    const occurrence = new Date('2030-01-07T07:00:00Z');
    const build = (id: string) => runRecord(recurring, occurrence, id, now);
    await store.campaigns.transition(recurring.id, ['scheduled', 'running'], 'paused', now);
    await expect(store.campaigns.createRun(recurring.id, occurrence.toISOString(), build)).rejects.toThrow(/takes no new run/);
    await store.campaigns.cancel(recurring.id);
    await expect(store.campaigns.createRun(recurring.id, occurrence.toISOString(), build)).rejects.toThrow(/takes no new run/);
    expect((await store.campaigns.runs(recurring.id, { limit: 10 })).items).toEqual([]);
  });
});
