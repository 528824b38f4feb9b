import { describe, expect, it } from 'vitest';
import {
  CANCEL_SETTLE_MS,
  checkTimes,
  deletion,
  effectiveStatus,
  hasStarted,
  matchesFilter,
  newCampaignRecord,
  patchedCampaign,
  STATUS_RECHECK_MS,
  type Campaign,
  type CampaignStatus,
} from '../../functions/domain/campaigns.js';
import { ConflictError, ValidationError } from '../../functions/domain/errors.js';

const now = new Date('2030-06-01T12:00:00.000Z');
const at = (offsetMinutes: number) => new Date(now.getTime() + offsetMinutes * 60_000).toISOString();

function campaign(status: CampaignStatus, overrides: Partial<Campaign> = {}): Campaign {
  return {
    ...newCampaignRecord({ text: 'hello', startAt: at(10), endAt: at(70), filter: { tags: ['vip'] } }, '7', new Date(now.getTime() - 60_000)),
    status,
    ...overrides,
  };
}

function fieldsOf(run: () => unknown): { kind: string; fields: string[] } {
  try {
    run();
  } catch (error) {
    if (error instanceof ValidationError || error instanceof ConflictError) {
      return { kind: error.constructor.name, fields: error.fields.map((problem) => problem.field) };
    }
    throw error;
  }
  throw new Error('expected an error');
}

describe('effectiveStatus', () => {
  it('is the stored status before the end', () => {
    expect(effectiveStatus({ status: 'scheduled', endAt: at(1) }, now)).toBe('scheduled');
    expect(effectiveStatus({ status: 'running', endAt: at(1) }, now)).toBe('running');
  });
  it('is finished from the end on, for scheduled and running campaigns', () => {
    expect(effectiveStatus({ status: 'running', endAt: at(0) }, now)).toBe('finished');
    expect(effectiveStatus({ status: 'scheduled', endAt: at(-1) }, now)).toBe('finished');
  });
  it('leaves cancelled and finished campaigns as they are', () => {
    expect(effectiveStatus({ status: 'cancelled', endAt: at(-1) }, now)).toBe('cancelled');
    expect(effectiveStatus({ status: 'cancelled', endAt: at(1) }, now)).toBe('cancelled');
    expect(effectiveStatus({ status: 'finished', endAt: at(1) }, now)).toBe('finished');
  });
});

describe('hasStarted', () => {
  it('is true from startAt on', () => {
    expect(hasStarted({ startAt: at(0) }, now)).toBe(true);
    expect(hasStarted({ startAt: at(-1) }, now)).toBe(true);
    expect(hasStarted({ startAt: new Date(now.getTime() + 1).toISOString() }, now)).toBe(false);
  });
});

describe('checkTimes', () => {
  it('accepts an end after the start and in the future', () => {
    expect(() => checkTimes(at(-10), at(1), now)).not.toThrow();
  });
  it('names endAt when it is not after startAt', () => {
    expect(fieldsOf(() => checkTimes(at(10), at(10), now))).toEqual({ kind: 'ValidationError', fields: ['endAt'] });
    expect(fieldsOf(() => checkTimes(at(10), at(5), now))).toEqual({ kind: 'ValidationError', fields: ['endAt'] });
  });
  it('names endAt when it is not in the future', () => {
    expect(fieldsOf(() => checkTimes(at(-10), at(0), now))).toEqual({ kind: 'ValidationError', fields: ['endAt'] });
    expect(fieldsOf(() => checkTimes(at(-10), at(-1), now))).toEqual({ kind: 'ValidationError', fields: ['endAt'] });
  });
  it('compares instants, not strings, across offsets', () => {
    // 14:30+03:00 is 11:30Z, before 12:00Z: the end is not after the start.
    expect(fieldsOf(() => checkTimes('2030-06-01T12:00:00Z', '2030-06-01T14:30:00+03:00', new Date('2030-06-01T10:00:00Z'))).fields).toEqual(['endAt']);
  });
});

describe('newCampaignRecord', () => {
  it('is scheduled when the start is ahead', () => {
    const record = newCampaignRecord({ text: 't', startAt: at(1), endAt: at(2) }, '3', now);
    expect(record).toMatchObject({ id: '3', text: 't', status: 'scheduled', filter: {}, counts: { queued: 0, sent: 0, failed: 0, expired: 0, cancelled: 0 } });
    expect(record.fanout).toBeUndefined();
    expect(record.createdAt).toBe(now.toISOString());
    expect(record.updatedAt).toBe(now.toISOString());
  });
  it('is running when the start is reached', () => {
    expect(newCampaignRecord({ text: 't', startAt: at(0), endAt: at(2) }, '3', now).status).toBe('running');
    expect(newCampaignRecord({ text: 't', startAt: at(-60), endAt: at(2) }, '3', now).status).toBe('running');
  });
  it('stores times in UTC', () => {
    const record = newCampaignRecord({ text: 't', startAt: '2030-06-01T18:00:00+03:00', endAt: '2030-06-01T19:00:00+03:00' }, '3', now);
    expect(record.startAt).toBe('2030-06-01T15:00:00.000Z');
    expect(record.endAt).toBe('2030-06-01T16:00:00.000Z');
  });
  it('keeps the filter', () => {
    expect(newCampaignRecord({ text: 't', startAt: at(1), endAt: at(2), filter: { operatorCodes: ['900'] } }, '3', now).filter).toEqual({
      operatorCodes: ['900'],
    });
  });
  it('refuses bad times', () => {
    expect(fieldsOf(() => newCampaignRecord({ text: 't', startAt: at(2), endAt: at(1) }, '3', now)).fields).toEqual(['endAt']);
    expect(fieldsOf(() => newCampaignRecord({ text: 't', startAt: at(-2), endAt: at(-1) }, '3', now)).fields).toEqual(['endAt']);
  });
});

describe('a campaign text is rendered once when written', () => {
  /** Ten thousand characters with placeholders. */
  const flood = '{% for i in (1..1000) %}xxxxxxxxxx{% endfor %}';
  it('refuses a text that renders past an SMS, on create and on change, naming text', () => {
    expect(fieldsOf(() => newCampaignRecord({ text: flood, startAt: at(1), endAt: at(2) }, '3', now))).toEqual({ kind: 'ValidationError', fields: ['text'] });
    expect(fieldsOf(() => patchedCampaign(campaign('scheduled'), { text: flood }, now))).toEqual({ kind: 'ValidationError', fields: ['text'] });
    // Control: the same loop, short enough.
    expect(newCampaignRecord({ text: '{% for i in (1..160) %}xxxxxxxxxx{% endfor %}', startAt: at(1), endAt: at(2) }, '3', now).status).toBe('scheduled');
  });
  it('refuses a text whose rendering runs past the render limit', () => {
    const slow = `{% assign a = "${'x'.repeat(100)}" | split: "" %}{% for i in a %}{% for j in a %}{% for k in a %}{% for l in a %}{% endfor %}{% endfor %}{% endfor %}{% endfor %}`;
    expect(fieldsOf(() => newCampaignRecord({ text: slow, startAt: at(1), endAt: at(2) }, '3', now))).toEqual({ kind: 'ValidationError', fields: ['text'] });
  });
});

describe('patchedCampaign', () => {
  it('lets every field of a scheduled campaign change', () => {
    const next = patchedCampaign(campaign('scheduled'), { text: 'new', startAt: at(20), endAt: at(90), filter: { operatorCodes: ['900'] } }, now);
    expect(next).toMatchObject({
      text: 'new',
      startAt: at(20),
      endAt: at(90),
      filter: { operatorCodes: ['900'] },
      status: 'scheduled',
      updatedAt: now.toISOString(),
    });
  });
  it('keeps what the patch leaves out', () => {
    const before = campaign('scheduled');
    const next = patchedCampaign(before, { text: 'new' }, now);
    expect(next).toMatchObject({ startAt: before.startAt, endAt: before.endAt, filter: before.filter, id: before.id, createdAt: before.createdAt });
  });
  it('lets only endAt of a running campaign change', () => {
    const next = patchedCampaign(campaign('running', { startAt: at(-5) }), { endAt: at(120) }, now);
    expect(next.endAt).toBe(at(120));
    expect(next.status).toBe('running');
  });
  it('names each locked field of a running campaign', () => {
    const result = fieldsOf(() => patchedCampaign(campaign('running', { startAt: at(-5) }), { text: 'x', filter: {}, endAt: at(100) }, now));
    expect(result).toEqual({ kind: 'ConflictError', fields: ['text', 'filter'] });
  });
  it.each(['finished', 'cancelled'] as const)('refuses any change to a %s campaign', (status) => {
    expect(fieldsOf(() => patchedCampaign(campaign(status), { endAt: at(200) }, now)).kind).toBe('ConflictError');
  });
  it('treats a campaign past its end as finished', () => {
    expect(fieldsOf(() => patchedCampaign(campaign('running', { startAt: at(-60), endAt: at(-1) }), { endAt: at(60) }, now)).kind).toBe('ConflictError');
  });
  it('checks the resulting times', () => {
    expect(fieldsOf(() => patchedCampaign(campaign('scheduled'), { startAt: at(80) }, now))).toEqual({ kind: 'ValidationError', fields: ['endAt'] });
    expect(fieldsOf(() => patchedCampaign(campaign('running', { startAt: at(-5) }), { endAt: at(-1) }, now))).toEqual({
      kind: 'ValidationError',
      fields: ['endAt'],
    });
  });
  it('stores patched times in UTC', () => {
    expect(patchedCampaign(campaign('scheduled'), { endAt: '2030-06-01T18:00:00+03:00' }, now).endAt).toBe('2030-06-01T15:00:00.000Z');
  });
});

describe('deletion', () => {
  it('removes a scheduled campaign and stops a running one', () => {
    expect(deletion(campaign('scheduled'), now)).toBe('remove');
    expect(deletion(campaign('running', { startAt: at(-5) }), now)).toBe('stop');
  });
  it.each(['finished', 'cancelled'] as const)('refuses a %s campaign', (status) => {
    expect(() => deletion(campaign(status), now)).toThrow(ConflictError);
  });
  it('refuses a campaign whose end has passed', () => {
    expect(() => deletion(campaign('running', { startAt: at(-60), endAt: at(-1) }), now)).toThrow(ConflictError);
  });
});

describe('matchesFilter', () => {
  const vip900 = { operatorCode: '900', tag: 'vip' };
  const untagged916 = { operatorCode: '916' };
  it('matches every client without a filter or with empty lists', () => {
    expect(matchesFilter(vip900, {})).toBe(true);
    expect(matchesFilter(untagged916, { tags: [], operatorCodes: [] })).toBe(true);
  });
  it('matches by operator code', () => {
    expect(matchesFilter(vip900, { operatorCodes: ['900', '901'] })).toBe(true);
    expect(matchesFilter(untagged916, { operatorCodes: ['900'] })).toBe(false);
  });
  it('matches by tag, never an untagged client', () => {
    expect(matchesFilter(vip900, { tags: ['vip'] })).toBe(true);
    expect(matchesFilter(vip900, { tags: ['new'] })).toBe(false);
    expect(matchesFilter(untagged916, { tags: ['vip'] })).toBe(false);
  });
  it('needs every list given to match', () => {
    expect(matchesFilter(vip900, { tags: ['vip'], operatorCodes: ['900'] })).toBe(true);
    expect(matchesFilter(vip900, { tags: ['vip'], operatorCodes: ['916'] })).toBe(false);
  });
});

describe('cancel settle window', () => {
  it('is longer than the senders’ status re-check interval', () => {
    expect(CANCEL_SETTLE_MS).toBeGreaterThan(STATUS_RECHECK_MS);
  });
});
