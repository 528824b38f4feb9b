/**
 * Clients with e-mail addresses against DynamoDB Local: uniqueness by address (one at a time and
 * in batches), finding a client by its address, opt-outs per channel and the suppression list by
 * address, and phones suppressed before there were other channels still suppressing.
 */
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { suppressedKey } from '../../functions/adapters/dynamo/client-store.js';
import { DynamoSuppressionList } from '../../functions/adapters/dynamo/suppression-list.js';
import { ConflictError } from '../../functions/domain/errors.js';
import { isOptedOutOf } from '../../functions/domain/clients.js';
import { stores, systemClock } from '../../functions/handlers/wiring.js';
import type { Stores } from '../../functions/ports.js';
import { createTestTables, documentClient, uniqueSuffix, type TestTables } from '../support/aws.js';

let store: Stores;
let tables: TestTables;
let list: DynamoSuppressionList;
const db = documentClient();

beforeAll(async () => {
  tables = await createTestTables();
  store = stores(tables.env as never, systemClock, db);
  list = new DynamoSuppressionList(db, tables.names.uniques);
});

let phoneSeq = Math.floor(Math.random() * 1_000_000);
const nextPhone = () => `7958${String(phoneSeq++ % 10_000_000).padStart(7, '0')}`;
const nextEmail = () => `c-${uniqueSuffix()}@example.com`;
const onList = async (key: string) =>
  (await db.send(new GetCommand({ TableName: tables.names.uniques, Key: { key }, ConsistentRead: true }))).Item !== undefined;

describe('e-mail addresses are unique among clients', () => {
  it('a second client with the address is a conflict naming email, whatever its case', async () => {
    const email = nextEmail();
    const first = await store.clients.create({ email, timezone: 'UTC' });
    expect(first).toMatchObject({ email, optedOut: false });
    expect(first.phone).toBeUndefined();
    const again = store.clients.create({ phone: nextPhone(), email, timezone: 'UTC' });
    await expect(again).rejects.toBeInstanceOf(ConflictError);
    await expect(again).rejects.toMatchObject({ fields: [{ field: 'email' }] });
    // Negative control: another address is taken.
    await expect(store.clients.create({ email: nextEmail(), timezone: 'UTC' })).resolves.toMatchObject({ optedOut: false });
  });
  it('finds a client by its address; a changed address moves the reservation, a deleted client frees it', async () => {
    const email = nextEmail();
    const client = await store.clients.create({ phone: nextPhone(), email, timezone: 'UTC' });
    expect((await store.clients.findByEmail(email))?.id).toBe(client.id);
    expect((await store.clients.findByEmail(email.toUpperCase()))?.id).toBe(client.id);
    const moved = nextEmail();
    await store.clients.update(client.id, { email: moved });
    expect(await store.clients.findByEmail(email)).toBeUndefined();
    expect((await store.clients.findByEmail(moved))?.id).toBe(client.id);
    // The old address is free for another client.
    await expect(store.clients.create({ email, timezone: 'UTC' })).resolves.toMatchObject({ email });
    const other = await store.clients.create({ email: nextEmail(), timezone: 'UTC' });
    await expect(store.clients.update(other.id, { email: moved })).rejects.toMatchObject({ fields: [{ field: 'email' }] });
    await store.clients.delete(client.id);
    expect(await store.clients.findByEmail(moved)).toBeUndefined();
    await expect(store.clients.update(other.id, { email: moved })).resolves.toMatchObject({ email: moved });
  });
  it('removes an address while the other stays; removing both is refused and changes nothing', async () => {
    const phone = nextPhone();
    const email = nextEmail();
    const client = await store.clients.create({ phone, email, timezone: 'UTC' });
    const phoneless = await store.clients.update(client.id, { phone: null });
    expect(phoneless.phone).toBeUndefined();
    expect(await store.clients.findByPhone(phone)).toBeUndefined();
    await expect(store.clients.update(client.id, { email: null })).rejects.toMatchObject({ fields: [{ field: 'phone' }, { field: 'email' }] });
    expect(await store.clients.get(client.id)).toEqual(phoneless);
    // The freed phone can be taken again.
    await expect(store.clients.create({ phone, timezone: 'UTC' })).resolves.toMatchObject({ phone });
  });
  it('createMany: a taken address, an address repeated in the call, and plain rows, as create would make them', async () => {
    const taken = nextEmail();
    const repeated = nextEmail();
    await store.clients.create({ email: taken, timezone: 'UTC' });
    const results = await store.clients.createMany([
      { email: nextEmail(), timezone: 'UTC' },
      { email: taken, timezone: 'UTC' },
      { phone: nextPhone(), email: repeated, timezone: 'UTC' },
      { email: repeated, timezone: 'UTC' },
      { phone: nextPhone(), timezone: 'UTC' },
    ]);
    expect(results.map((result) => (result instanceof ConflictError ? result.fields[0]?.field : 'created'))).toEqual([
      'created',
      'email',
      'created',
      'email',
      'created',
    ]);
  });
});

describe('opt-outs per channel and the suppression list by address', () => {
  it('opting out of email suppresses the address, not the phone; the suppression outlives the client', async () => {
    const phone = nextPhone();
    const email = nextEmail();
    const client = await store.clients.create({ phone, email, timezone: 'UTC' });
    const out = await store.clients.update(client.id, { optOuts: ['email'] });
    expect(out).toMatchObject({ optedOut: false, optOuts: ['email'] });
    expect(await list.isSuppressed(email, 'email')).toBe(true);
    expect(await list.isSuppressed(phone)).toBe(false);
    // A phone and an e-mail address are different entries, even under one string.
    expect(await list.isSuppressed(email, 'sms')).toBe(false);
    await store.clients.delete(client.id);
    const again = await store.clients.create({ email, timezone: 'UTC' });
    expect(again.optOuts).toEqual(['email']);
    expect(isOptedOutOf(again, 'email')).toBe(true);
    expect(isOptedOutOf(again, 'inapp')).toBe(false);
    // Given explicitly, the opt-outs stand and the address comes off the list.
    const lifted = await store.clients.update(again.id, { optOuts: [] });
    expect(lifted.optOuts).toBeUndefined();
    expect(await list.isSuppressed(email, 'email')).toBe(false);
  });
  it('optOut: once changes the client and the list, twice changes nothing', async () => {
    const email = nextEmail();
    const client = await store.clients.create({ email, phone: nextPhone(), timezone: 'UTC' });
    const out = await store.clients.optOut(client.id, 'email');
    expect(out.optOuts).toEqual(['email']);
    expect(await list.isSuppressed(email, 'email')).toBe(true);
    expect(await store.clients.optOut(client.id, 'email')).toEqual(out);
    expect(await store.clients.get(client.id)).toEqual(out);
    await expect(store.clients.optOut('nobody', 'email')).rejects.toMatchObject({ name: 'NotFoundError' });
  });
  it('an address on the list by a bounce stays through unrelated changes; a new client with it is out of email', async () => {
    const email = nextEmail();
    const client = await store.clients.create({ email, timezone: 'UTC' });
    await list.suppress(email, 'email');
    expect((await list.suppressedAmong([email, nextEmail()], 'email')).size).toBe(1);
    const renamed = await store.clients.update(client.id, { name: 'Renamed' });
    expect(renamed.optOuts).toBeUndefined();
    expect(await list.isSuppressed(email, 'email')).toBe(true);
    const other = await store.clients.create({ email: nextEmail(), timezone: 'UTC' });
    await store.clients.delete(client.id);
    const moved = await store.clients.update(other.id, { email });
    expect(moved.optOuts).toEqual(['email']);
  });
  it('a phone item stored before other channels (suppressed#<phone>) still suppresses, exactly as stored', async () => {
    const phone = nextPhone();
    await db.send(new PutCommand({ TableName: tables.names.uniques, Item: { key: `suppressed#${phone}`, at: Date.now() } }));
    expect(suppressedKey(phone)).toBe(`suppressed#${phone}`);
    expect(await list.isSuppressed(phone)).toBe(true);
    const client = await store.clients.create({ phone, email: nextEmail(), timezone: 'UTC' });
    expect(client.optedOut).toBe(true);
    // And an opt-out of SMS writes the item in that same shape.
    const fresh = nextPhone();
    const other = await store.clients.create({ phone: fresh, timezone: 'UTC' });
    await store.clients.update(other.id, { optOuts: ['sms'] });
    expect(await onList(`suppressed#${fresh}`)).toBe(true);
  });
  it('the audience carries email and optOuts, and an e-mail opt-out the index does not show yet is marked', async () => {
    const tag = `em-${uniqueSuffix()}`;
    const email = nextEmail();
    const client = await store.clients.create({ email, timezone: 'UTC', tag, optOuts: ['inapp'] });
    const target = await store.clients.create({ email: nextEmail(), phone: nextPhone(), timezone: 'UTC', tag });
    await db.send(new PutCommand({ TableName: tables.names.uniques, Item: { key: suppressedKey(target.email!, 'email'), at: Date.now() } }));
    await db.send(new PutCommand({ TableName: tables.names.uniques, Item: { key: 'optout#latest', at: Date.now() } }));
    const page = await store.clients.audience({ tags: [tag] }, { limit: 100 });
    const byId = new Map(page.items.map((member) => [member.id, member]));
    expect(byId.get(client.id)).toMatchObject({ email, optOuts: ['inapp'] });
    expect(isOptedOutOf(byId.get(target.id)!, 'email')).toBe(true);
    expect(isOptedOutOf(byId.get(target.id)!, 'sms')).toBe(false);
  });
});
