/**
 * The recurring campaign workflows against DynamoDB Local, with a recording scheduler and
 * fan-out queue: create schedules it (and asks for an occurrence already due), an occurrence
 * makes one run, pause stops new runs, resume asks again, PATCH replaces the schedule, and
 * DELETE cancels it, its schedule and the run still sending.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { stores } from '../../functions/handlers/wiring.js';
import type { Clock, FanoutQueue, RecurringSchedule, RecurringScheduler, Stores } from '../../functions/ports.js';
import { campaignService } from '../../functions/services/campaigns.js';
import { recurringService } from '../../functions/services/recurring.js';
import { createTestTables, documentClient } from '../support/aws.js';

class ManualClock implements Clock {
  constructor(public ms: number) {}
  now(): Date {
    return new Date(this.ms);
  }
}

const T0 = Date.parse('2030-01-07T07:00:00Z');

describe('recurring campaign workflows', () => {
  let store: Stores;
  const clock = new ManualClock(T0);
  const calls: string[] = [];
  const schedules: Record<string, RecurringSchedule> = {};
  const recurringScheduler: RecurringScheduler = {
    scheduleRecurring: async (id, schedule) => {
      calls.push(`schedule ${id}`);
      schedules[id] = schedule;
    },
    unscheduleRecurring: async (id) => void calls.push(`unschedule ${id}`),
  };
  const fanoutQueue: FanoutQueue = {
    start: async (id) => void calls.push(`start ${id}`),
    page: async () => undefined,
    resume: async (id) => void calls.push(`resume ${id}`),
    occurrence: async (id) => void calls.push(`occurrence ${id}`),
  };
  const noStartScheduler = { schedule: async () => void calls.push('one-time schedule'), unschedule: async () => undefined };
  let service: ReturnType<typeof campaignService>;
  let recurring: ReturnType<typeof recurringService>;

  beforeAll(async () => {
    const tables = await createTestTables();
    store = stores(tables.env as never, clock, documentClient());
    service = campaignService({ clock, campaigns: store.campaigns, clients: store.clients, fanoutQueue, scheduler: noStartScheduler, recurringScheduler });
    recurring = recurringService({ clock, campaigns: store.campaigns, fanoutQueue, recurringScheduler });
  });

  const input = (startAt: number) => ({
    text: 'Hourly',
    startAt: new Date(startAt).toISOString(),
    endAt: new Date(T0 + 86_400_000).toISOString(),
    recurrence: { rate: '1 hour', runMinutes: 30 },
  });

  it('schedules a future one without asking for an occurrence, and removes it before its start', async () => {
    calls.length = 0;
    const created = await service.create(input(T0 + 3_600_000));
    expect(created.status).toBe('scheduled');
    expect(calls).toEqual([`schedule ${created.id}`]);
    expect(schedules[created.id]).toEqual({
      recurrence: { rate: '1 hour', timezone: 'UTC', runMinutes: 30 },
      startAt: new Date(T0 + 3_600_000),
      endAt: new Date(T0 + 86_400_000),
    });
    await service.remove(created.id);
    expect(calls).toEqual([`schedule ${created.id}`, `unschedule ${created.id}`]);
    expect(await store.campaigns.get(created.id)).toBeUndefined();
  });

  it('runs the occurrence due at creation once; pause stops new runs; resume asks again; PATCH acts on the next run; DELETE cancels the running run', async () => {
    calls.length = 0;
    const created = await service.create(input(T0));
    expect(calls).toEqual([`schedule ${created.id}`, `occurrence ${created.id}`]);

    clock.ms = T0 + 20_000;
    const first = await recurring.startRun(created);
    expect(first).toMatchObject({ created: true, run: { recurringId: created.id, occurrence: new Date(T0).toISOString(), status: 'running' } });
    // The same occurrence again (a second firing): the same run.
    expect((await recurring.startRun(created))?.run.id).toBe(first!.run.id);

    const paused = await service.pause(created.id);
    expect(paused.status).toBe('paused');
    clock.ms = T0 + 3_600_000 + 5_000;
    expect(await recurring.startRun(await service.get(created.id))).toBeUndefined();

    calls.length = 0;
    const resumed = await service.resume(created.id);
    expect(resumed.status).toBe('running');
    expect(calls).toEqual([`occurrence ${created.id}`]);

    const patched = await service.change(created.id, { text: 'Changed', recurrence: { rate: '2 hours', runMinutes: 60 } });
    expect(patched.recurrence).toEqual({ rate: '2 hours', timezone: 'UTC', runMinutes: 60 });
    expect(calls).toContain(`schedule ${created.id}`);
    clock.ms = T0 + 2 * 3_600_000 + 1_000;
    const second = await recurring.startRun(await service.get(created.id));
    expect(second).toMatchObject({ created: true, run: { text: 'Changed', occurrence: new Date(T0 + 2 * 3_600_000).toISOString() } });
    // The first run kept its own text.
    expect((await store.campaigns.get(first!.run.id))?.text).toBe('Hourly');

    calls.length = 0;
    await service.remove(created.id);
    expect(calls).toEqual([`unschedule ${created.id}`]);
    expect((await store.campaigns.get(created.id))?.status).toBe('cancelled');
    expect((await store.campaigns.get(second!.run.id))?.status).toBe('cancelled');
    // A run already over stays as it was.
    expect((await store.campaigns.get(first!.run.id))?.status).toBe('running');
    expect(await recurring.startRun(await service.get(created.id))).toBeUndefined();
    await expect(service.remove(created.id)).rejects.toThrow(/cancelled/);
  });

  it('refuses to turn a one-off campaign recurring', async () => {
    clock.ms = T0;
    const oneOff = await service.create({ text: 'Once', startAt: new Date(T0 + 3_600_000).toISOString(), endAt: new Date(T0 + 7_200_000).toISOString() });
    await expect(service.change(oneOff.id, { recurrence: { rate: '1 hour' } })).rejects.toThrow(/only a recurring campaign/);
  });
});
