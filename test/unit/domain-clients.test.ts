import { describe, expect, it } from 'vitest';
import {
  isTimeZone,
  newClientRecord,
  OPERATOR_CODE_PATTERN,
  operatorCodeOf,
  patchedClient,
  PHONE_PATTERN,
  suppressionChange,
  type Client,
} from '../../functions/domain/clients.js';

const created = new Date('2030-01-01T00:00:00.000Z');
const later = new Date('2030-01-02T00:00:00.000Z');

describe('phone and operator code patterns', () => {
  it.each(['79001234567', '70000000000', '79999999999'])('accepts %s', (phone) => {
    expect(PHONE_PATTERN.test(phone)).toBe(true);
  });
  it.each(['89001234567', '7900123456', '790012345678', '+79001234567', '7900123456a', ' 79001234567', ''])('rejects %j', (phone) => {
    expect(PHONE_PATTERN.test(phone)).toBe(false);
  });
  it('takes exactly three digits as an operator code', () => {
    expect(OPERATOR_CODE_PATTERN.test('900')).toBe(true);
    expect(OPERATOR_CODE_PATTERN.test('90')).toBe(false);
    expect(OPERATOR_CODE_PATTERN.test('9000')).toBe(false);
    expect(OPERATOR_CODE_PATTERN.test('9a0')).toBe(false);
  });
});

describe('operatorCodeOf', () => {
  it('is the phone digits 2 to 4', () => {
    expect(operatorCodeOf('79161234567')).toBe('916');
    expect(operatorCodeOf('70001234567')).toBe('000');
  });
});

describe('isTimeZone', () => {
  it.each(['Europe/Moscow', 'UTC', 'Asia/Vladivostok', 'America/Argentina/Buenos_Aires', 'Etc/GMT+3'])('accepts %s', (zone) => {
    expect(isTimeZone(zone)).toBe(true);
  });
  it.each(['Mars/Olympus_Mons', 'Moscow', '', 'Europe/', 'not a zone'])('rejects %j', (zone) => {
    expect(isTimeZone(zone)).toBe(false);
  });
});

describe('newClientRecord', () => {
  it('derives the operator code from the phone when none is given', () => {
    const client = newClientRecord({ phone: '79161234567', timezone: 'Europe/Moscow' }, 'c1', created);
    expect(client).toEqual({
      id: 'c1',
      phone: '79161234567',
      operatorCode: '916',
      timezone: 'Europe/Moscow',
      optedOut: false,
      createdAt: created.toISOString(),
      updatedAt: created.toISOString(),
    });
    expect('tag' in client).toBe(false);
  });
  it('keeps a given operator code and tag', () => {
    const client = newClientRecord({ phone: '79161234567', timezone: 'UTC', operatorCode: '999', tag: 'vip' }, 'c2', created);
    expect(client.operatorCode).toBe('999');
    expect(client.tag).toBe('vip');
  });
});

describe('patchedClient', () => {
  const derived: Client = newClientRecord({ phone: '79161234567', timezone: 'Europe/Moscow', tag: 'vip' }, 'c1', created);
  const manual: Client = newClientRecord({ phone: '79161234567', timezone: 'Europe/Moscow', operatorCode: '123' }, 'c2', created);

  it('re-derives a derived operator code when the phone changes', () => {
    expect(patchedClient(derived, { phone: '79261234567' }, later).operatorCode).toBe('926');
  });
  it('keeps a hand-set operator code when the phone changes', () => {
    expect(patchedClient(manual, { phone: '79261234567' }, later).operatorCode).toBe('123');
  });
  it('takes the operator code the patch sets, whatever the phone', () => {
    expect(patchedClient(derived, { phone: '79261234567', operatorCode: '555' }, later).operatorCode).toBe('555');
    expect(patchedClient(derived, { operatorCode: '555' }, later).operatorCode).toBe('555');
  });
  it('removes the tag on null and keeps it when absent', () => {
    const removed = patchedClient(derived, { tag: null }, later);
    expect('tag' in removed).toBe(false);
    expect(patchedClient(derived, { timezone: 'UTC' }, later).tag).toBe('vip');
    expect(patchedClient(derived, { tag: 'new' }, later).tag).toBe('new');
  });
  it('keeps id and createdAt and moves updatedAt', () => {
    const next = patchedClient(derived, { timezone: 'Asia/Tokyo' }, later);
    expect(next).toMatchObject({ id: 'c1', timezone: 'Asia/Tokyo', phone: '79161234567', createdAt: created.toISOString(), updatedAt: later.toISOString() });
  });
  it('does not change the client it was given', () => {
    const before = structuredClone(derived);
    patchedClient(derived, { phone: '79261234567', tag: null }, later);
    expect(derived).toEqual(before);
  });
});

describe('name, attributes and opt-out', () => {
  const base = newClientRecord({ phone: '79161234567', timezone: 'UTC', name: 'Ann', attributes: { city: 'Kazan', plan: 'gold' } }, 'c9', created);
  it('a new client is opted in, unless its phone is suppressed or it says otherwise', () => {
    expect(base.optedOut).toBe(false);
    expect(newClientRecord({ phone: '79161234567', timezone: 'UTC' }, 'c', created, true).optedOut).toBe(true);
    expect(newClientRecord({ phone: '79161234567', timezone: 'UTC', optedOut: false }, 'c', created, true).optedOut).toBe(false);
    expect(newClientRecord({ phone: '79161234567', timezone: 'UTC', optedOut: true }, 'c', created, false).optedOut).toBe(true);
  });
  it('merges attributes key by key; null removes a key or them all', () => {
    expect(patchedClient(base, { attributes: { city: 'Omsk', plan: null, tier: '2' } }, created).attributes).toEqual({ city: 'Omsk', tier: '2' });
    expect('attributes' in patchedClient(base, { attributes: null }, created)).toBe(false);
    expect('attributes' in patchedClient(base, { attributes: { city: null, plan: null } }, created)).toBe(false);
    expect(patchedClient(base, { tag: 'x' }, created).attributes).toEqual(base.attributes);
  });
  it('refuses a merge that leaves more than 20 keys, naming attributes', () => {
    const many = Object.fromEntries(Array.from({ length: 19 }, (_, i) => [`k${i}`, 'v']));
    expect(() => patchedClient(base, { attributes: many }, created)).toThrow(
      expect.objectContaining({ fields: [{ field: 'attributes', message: expect.any(String) }] }),
    );
    expect(Object.keys(patchedClient(base, { attributes: { ...many, city: null } }, created).attributes ?? {})).toHaveLength(20);
  });
  it('name null removes the name', () => {
    expect('name' in patchedClient(base, { name: null }, created)).toBe(false);
    expect(patchedClient(base, { name: 'Bo' }, created).name).toBe('Bo');
  });
  it('stays opted out until optedOut: false; moving onto a suppressed phone opts out', () => {
    const out = patchedClient(base, { optedOut: true }, created);
    expect(patchedClient(out, { tag: 'x' }, created).optedOut).toBe(true);
    expect(patchedClient(out, { optedOut: false }, created).optedOut).toBe(false);
    expect(patchedClient(base, { phone: '79160000000' }, created, true).optedOut).toBe(true);
    expect(patchedClient(base, { phone: '79160000000', optedOut: false }, created, true).optedOut).toBe(false);
    expect(patchedClient(base, { phone: '79160000000' }, created, false).optedOut).toBe(false);
  });
  it('suppressionChange: opted out adds, an explicit false removes, anything else keeps', () => {
    expect(suppressionChange({ phone: '1', optedOut: true }, undefined)).toBe('add');
    expect(suppressionChange({ phone: '1', optedOut: false }, false)).toBe('remove');
    expect(suppressionChange({ phone: '1', optedOut: false }, undefined)).toBe('keep');
  });
});
