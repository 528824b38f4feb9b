import { describe, expect, it } from 'vitest';
import {
  isTimeZone,
  newClientRecord,
  OPERATOR_CODE_PATTERN,
  operatorCodeOf,
  patchedClient,
  PHONE_PATTERN,
  addressOf,
  isOptedOutOf,
  liftedByCreate,
  liftedByPatch,
  normalizedOptOuts,
  suppressionPlan,
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
    expect(newClientRecord({ phone: '79161234567', timezone: 'UTC' }, 'c', created, { sms: true }).optedOut).toBe(true);
    expect(newClientRecord({ phone: '79161234567', timezone: 'UTC', optedOut: false }, 'c', created, { sms: true }).optedOut).toBe(false);
    expect(newClientRecord({ phone: '79161234567', timezone: 'UTC', optedOut: true }, 'c', created, { sms: false }).optedOut).toBe(true);
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
    expect(patchedClient(base, { phone: '79160000000' }, created, { sms: true }).optedOut).toBe(true);
    expect(patchedClient(base, { phone: '79160000000', optedOut: false }, created, { sms: true }).optedOut).toBe(false);
    expect(patchedClient(base, { phone: '79160000000' }, created, { sms: false }).optedOut).toBe(false);
  });
  it('suppressionPlan: opted out adds, opted back in by the write removes, anything else keeps', () => {
    const out = { ...base, optedOut: true };
    expect(suppressionPlan(out, () => false)).toEqual([{ channel: 'sms', address: base.phone, change: 'add' }]);
    expect(suppressionPlan(base, liftedByPatch(out, base, { optedOut: false }))).toEqual([{ channel: 'sms', address: base.phone, change: 'remove' }]);
    expect(suppressionPlan(base, () => false)).toEqual([{ channel: 'sms', address: base.phone, change: 'keep' }]);
  });
});

describe('e-mail addresses and opt-outs per channel', () => {
  const both = newClientRecord({ phone: '79161234567', email: 'ann@example.com', timezone: 'UTC' }, 'c1', created);
  const emailOnly = newClientRecord({ email: 'bo@example.com', timezone: 'UTC' }, 'c2', created);

  it('a client needs a phone or an e-mail address: neither is refused naming both', () => {
    const neither = expect.objectContaining({ fields: [expect.objectContaining({ field: 'phone' }), expect.objectContaining({ field: 'email' })] });
    expect(() => newClientRecord({ timezone: 'UTC' }, 'c', created)).toThrow(neither);
    expect(() => patchedClient(emailOnly, { email: null }, later)).toThrow(neither);
    expect(() => patchedClient(both, { phone: null, email: null }, later)).toThrow(neither);
  });
  it('a client without a phone has no operator code unless given, and removing the phone removes a derived one', () => {
    expect(emailOnly).toEqual({
      id: 'c2',
      email: 'bo@example.com',
      timezone: 'UTC',
      optedOut: false,
      createdAt: created.toISOString(),
      updatedAt: created.toISOString(),
    });
    expect(newClientRecord({ email: 'bo@example.com', timezone: 'UTC', operatorCode: '900' }, 'c', created).operatorCode).toBe('900');
    const phoneless = patchedClient(both, { phone: null }, later);
    expect('phone' in phoneless || 'operatorCode' in phoneless).toBe(false);
    expect(patchedClient(emailOnly, { phone: '79261234567' }, later)).toMatchObject({ phone: '79261234567', operatorCode: '926', email: 'bo@example.com' });
  });
  it('addressOf: the phone for sms, the e-mail address for email, the id in the app', () => {
    expect(addressOf(both, 'sms')).toBe('79161234567');
    expect(addressOf(both, 'email')).toBe('ann@example.com');
    expect(addressOf(both, 'inapp')).toBe('c1');
    expect(addressOf(emailOnly, 'sms')).toBeUndefined();
  });
  it('isOptedOutOf: optedOut is every channel, optOuts only those it names', () => {
    expect(isOptedOutOf(both, 'email')).toBe(false);
    expect(isOptedOutOf({ optedOut: false, optOuts: ['email'] }, 'email')).toBe(true);
    expect(isOptedOutOf({ optedOut: false, optOuts: ['email'] }, 'sms')).toBe(false);
    for (const channel of ['sms', 'email', 'inapp'] as const) expect(isOptedOutOf({ optedOut: true }, channel)).toBe(true);
    // A client stored before opt-outs per channel has neither field set.
    expect(isOptedOutOf({}, 'sms')).toBe(false);
  });
  it('optOuts are kept once each, in channel order, and none is absent', () => {
    expect(normalizedOptOuts(['inapp', 'email', 'inapp'])).toEqual(['email', 'inapp']);
    expect(normalizedOptOuts([])).toBeUndefined();
    expect('optOuts' in newClientRecord({ email: 'x@example.com', timezone: 'UTC', optOuts: [] }, 'c', created)).toBe(false);
  });
  it('a suppressed e-mail address opts a new client out of email unless the request gives optOuts', () => {
    expect(newClientRecord({ email: 'x@example.com', timezone: 'UTC' }, 'c', created, { email: true }).optOuts).toEqual(['email']);
    expect(newClientRecord({ email: 'x@example.com', timezone: 'UTC', optOuts: [] }, 'c', created, { email: true }).optOuts).toBeUndefined();
    expect(newClientRecord({ email: 'x@example.com', timezone: 'UTC' }, 'c', created, { email: true }).optedOut).toBe(false);
  });
  it('moving onto a suppressed e-mail address opts out of email, unless the patch gives optOuts', () => {
    expect(patchedClient(both, { email: 'gone@example.com' }, later, { email: true }).optOuts).toEqual(['email']);
    expect(patchedClient(both, { email: 'gone@example.com', optOuts: [] }, later, { email: true }).optOuts).toBeUndefined();
    expect(patchedClient(both, { tag: 'x' }, later, { email: true }).optOuts).toBeUndefined();
  });
  it('opting out of email suppresses only the e-mail address; opting back in lifts only it', () => {
    const out = patchedClient(both, { optOuts: ['email'] }, later);
    expect(suppressionPlan(out, liftedByPatch(both, out, {}))).toEqual([
      { channel: 'sms', address: '79161234567', change: 'keep' },
      { channel: 'email', address: 'ann@example.com', change: 'add' },
    ]);
    const back = patchedClient(out, { optOuts: [] }, later);
    expect(suppressionPlan(back, liftedByPatch(out, back, {}))).toEqual([
      { channel: 'sms', address: '79161234567', change: 'keep' },
      { channel: 'email', address: 'ann@example.com', change: 'remove' },
    ]);
    // A bounce's suppression (the address on the list, the client not opted out) stays through an unrelated patch.
    const tagged = patchedClient(both, { tag: 'x' }, later, { email: true });
    expect(suppressionPlan(tagged, liftedByPatch(both, tagged, {})).find((step) => step.channel === 'email')?.change).toBe('keep');
  });
  it('a create that lifts a suppressed address removes it; optedOut: false lifts every channel optOuts leaves out', () => {
    const input = { phone: '79161234567', email: 'ann@example.com', timezone: 'UTC', optedOut: false, optOuts: ['email' as const] };
    const client = newClientRecord(input, 'c', created, { sms: true, email: true });
    expect(suppressionPlan(client, liftedByCreate(client, input, { sms: true, email: true }))).toEqual([
      { channel: 'sms', address: '79161234567', change: 'remove' },
      { channel: 'email', address: 'ann@example.com', change: 'add' },
    ]);
  });
  it('optOuts replace the set on a patch; an in-app opt-out has no address on the suppression list', () => {
    const out = patchedClient(both, { optOuts: ['inapp'] }, later);
    expect(out.optOuts).toEqual(['inapp']);
    expect(suppressionPlan(out, () => false).map((step) => step.change)).toEqual(['keep', 'keep']);
    expect(patchedClient(out, { tag: 'x' }, later).optOuts).toEqual(['inapp']);
  });
});
