import { ScanCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Clock } from '../../functions/ports.js';
import { LocalScheduler } from '../../local/scheduler.js';
import { documentClient, uniqueSuffix } from '../support/aws.js';

const T0 = Date.parse('2030-01-01T10:00:00.000Z');

class ManualClock implements Clock {
  constructor(public ms: number) {}
  now(): Date {
    return new Date(this.ms);
  }
}

describe('LocalScheduler against DynamoDB Local', () => {
  let db: DynamoDBDocumentClient;
  beforeAll(() => {
    db = documentClient();
  });
  afterAll(() => db.destroy());

  /** A scheduler on a table of its own, and a recorder of what it fired. */
  async function setup(clock = new ManualClock(T0), tableName = `schedules-${uniqueSuffix()}`) {
    const scheduler = new LocalScheduler(db, tableName, clock);
    await scheduler.ensureTable();
    const fired: string[] = [];
    const fire = async (campaignId: string) => {
      fired.push(campaignId);
    };
    return { scheduler, clock, fired, fire, tableName };
  }

  it('fires a schedule once, when it is due and not before', async () => {
    const { scheduler, clock, fired, fire } = await setup();
    await scheduler.schedule('1', new Date(T0 + 60_000));
    expect(await scheduler.tick(fire)).toEqual([]);
    clock.ms = T0 + 59_999;
    expect(await scheduler.tick(fire)).toEqual([]);
    clock.ms = T0 + 60_000;
    expect(await scheduler.tick(fire)).toEqual(['1']);
    clock.ms = T0 + 120_000;
    expect(await scheduler.tick(fire)).toEqual([]);
    expect(fired).toEqual(['1']);
  });

  it('fires each schedule exactly once when two runtimes check the same table at the same time', async () => {
    const clock = new ManualClock(T0);
    const first = await setup(clock);
    const second = await setup(clock, first.tableName);
    const ids = Array.from({ length: 20 }, (_, i) => String(i + 1));
    for (const id of ids) await first.scheduler.schedule(id, new Date(T0 - 1000));
    await Promise.all([first.scheduler.tick(first.fire), second.scheduler.tick(second.fire), first.scheduler.tick(first.fire)]);
    expect([...first.fired, ...second.fired].sort()).toEqual([...ids].sort());
  });

  it('fires a moved schedule at its new time only', async () => {
    const { scheduler, clock, fired, fire } = await setup();
    await scheduler.schedule('2', new Date(T0 + 10_000));
    await scheduler.schedule('2', new Date(T0 + 50_000));
    clock.ms = T0 + 20_000;
    expect(await scheduler.tick(fire)).toEqual([]);
    clock.ms = T0 + 50_000;
    expect(await scheduler.tick(fire)).toEqual(['2']);
    // Moved earlier: fires at the earlier time.
    await scheduler.schedule('3', new Date(T0 + 500_000));
    await scheduler.schedule('3', new Date(T0 + 60_000));
    clock.ms = T0 + 60_000;
    expect(await scheduler.tick(fire)).toEqual(['3']);
    expect(fired).toEqual(['2', '3']);
  });

  it('never fires an unscheduled campaign, and unscheduling nothing is fine', async () => {
    const { scheduler, clock, fired, fire, tableName } = await setup();
    await scheduler.schedule('4', new Date(T0 + 1000));
    await scheduler.unschedule('4');
    await scheduler.unschedule('never-scheduled');
    clock.ms = T0 + 3_600_000;
    expect(await scheduler.tick(fire)).toEqual([]);
    expect(fired).toEqual([]);
    expect((await db.send(new ScanCommand({ TableName: tableName }))).Items).toEqual([]);
  });

  it('fires on the next start what came due while the runtime was down, once', async () => {
    const clock = new ManualClock(T0);
    const before = await setup(clock);
    await before.scheduler.schedule('5', new Date(T0 + 1000));
    await before.scheduler.schedule('6', new Date(T0 + 3_600_000));
    // Down for a minute; a new runtime starts on the same table.
    clock.ms = T0 + 61_000;
    const after = new LocalScheduler(db, before.tableName, clock);
    const fired: string[] = [];
    const stop = after.start({ fire: async (id) => void fired.push(id), intervalMs: 20 });
    try {
      await vi.waitFor(() => expect(fired).toEqual(['5']), { timeout: 10_000 });
      // It keeps checking: the later schedule fires when its time comes, and nothing twice.
      clock.ms = T0 + 3_600_000;
      await vi.waitFor(() => expect(fired).toEqual(['5', '6']), { timeout: 10_000 });
    } finally {
      await stop();
    }
    expect(fired).toEqual(['5', '6']);
  });

  it('creates its table on start', async () => {
    const clock = new ManualClock(T0);
    const tableName = `schedules-${uniqueSuffix()}`;
    const scheduler = new LocalScheduler(db, tableName, clock);
    const fired: string[] = [];
    const stop = scheduler.start({ fire: async (id) => void fired.push(id), intervalMs: 20 });
    try {
      await vi.waitFor(
        async () => {
          await scheduler.schedule('7', new Date(T0));
        },
        { timeout: 10_000 },
      );
      await vi.waitFor(() => expect(fired).toEqual(['7']), { timeout: 10_000 });
    } finally {
      await stop();
    }
  });

  it('puts a schedule back when fire fails, and drops it after maxAttempts failed fires', async () => {
    const clock = new ManualClock(T0);
    const tableName = `schedules-${uniqueSuffix()}`;
    const scheduler = new LocalScheduler(db, tableName, clock, { maxAttempts: 2 });
    await scheduler.ensureTable();
    await scheduler.schedule('8', new Date(T0));
    await scheduler.schedule('9', new Date(T0));
    const calls: string[] = [];
    const flaky = async (id: string) => {
      calls.push(id);
      if (id === '9' || calls.filter((call) => call === id).length === 1) throw new Error('fan-out queue unavailable');
    };
    // '8' fails once then fires; '9' fails twice and is dropped.
    const firstTick = await scheduler.tick(flaky);
    const secondTick = await scheduler.tick(flaky);
    const thirdTick = await scheduler.tick(flaky);
    expect([...firstTick, ...secondTick, ...thirdTick]).toEqual(['8']);
    expect(calls.sort()).toEqual(['8', '8', '9', '9']);
    expect((await db.send(new ScanCommand({ TableName: tableName }))).Items).toEqual([]);
  });
});
