/**
 * The suppression list, the fan-out's opt-out re-check, audience counting and the stored
 * chunk size, against DynamoDB Local.
 */
import { DeleteCommand, GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { INDEX_LAG_MS, suppressedKey } from '../../functions/adapters/dynamo/client-store.js';
import { encodeCursor } from '../../functions/adapters/dynamo/cursor.js';
import { stores, systemClock } from '../../functions/handlers/wiring.js';
import { isOptedOutOf } from '../../functions/domain/clients.js';
import { chunksOfPage } from '../../functions/domain/messages.js';
import { checkTemplate } from '../../functions/domain/templates.js';
import type { Stores } from '../../functions/ports.js';
import { createTestTables, documentClient, uniqueSuffix, type TestTables } from '../support/aws.js';

let store: Stores;
let tables: TestTables;
const sent: { name: string; input: Record<string, unknown> }[] = [];
/** The document client, recording every command it sends. */
function recording(db: DynamoDBDocumentClient): DynamoDBDocumentClient {
  return new Proxy(db, {
    get: (target, key) =>
      key === 'send'
        ? (command: { constructor: { name: string }; input: Record<string, unknown> }) => {
            sent.push({ name: command.constructor.name, input: command.input });
            return target.send(command as never);
          }
        : Reflect.get(target, key),
  });
}
const db = documentClient();

beforeAll(async () => {
  tables = await createTestTables();
  store = stores(tables.env as never, systemClock, recording(db));
});

let phoneSeq = Math.floor(Math.random() * 1_000_000);
const nextPhone = () => `7957${String(phoneSeq++ % 10_000_000).padStart(7, '0')}`;
const suppressed = async (phone: string) =>
  (await db.send(new GetCommand({ TableName: tables.names.uniques, Key: { key: suppressedKey(phone) }, ConsistentRead: true }))).Item !== undefined;

describe('createMany: rows packed into few transactions, each as create would make it', () => {
  it('keeps suppression, opt-outs, repeats and taken phones as create does, in a handful of requests', async () => {
    const [plain, taken, onList, optingOut, lifting, repeated] = Array.from({ length: 6 }, nextPhone);
    await store.clients.create({ phone: taken!, timezone: 'UTC' });
    const gone = await store.clients.create({ phone: onList!, timezone: 'UTC', optedOut: true });
    await store.clients.delete(gone.id);
    const listed = await store.clients.create({ phone: lifting!, timezone: 'UTC', optedOut: true });
    await store.clients.delete(listed.id);
    const extra = Array.from({ length: 43 }, nextPhone);
    sent.length = 0;
    const results = await store.clients.createMany([
      { phone: plain!, timezone: 'UTC', name: 'Plain' },
      { phone: taken!, timezone: 'UTC' },
      { phone: onList!, timezone: 'UTC' },
      { phone: optingOut!, timezone: 'UTC', optedOut: true },
      { phone: lifting!, timezone: 'UTC', optedOut: false },
      { phone: repeated!, timezone: 'UTC' },
      { phone: repeated!, timezone: 'UTC' },
      ...extra.map((phone) => ({ phone, timezone: 'UTC' })),
    ]);
    const shape = results.map((result) => ('optedOut' in result ? (result.optedOut ? 'out' : 'in') : 'conflict'));
    expect(shape.slice(0, 7)).toEqual(['in', 'conflict', 'out', 'out', 'in', 'in', 'conflict']);
    expect(shape.slice(7).every((entry) => entry === 'in')).toBe(true);
    expect(await suppressed(onList!)).toBe(true);
    expect(await suppressed(optingOut!)).toBe(true);
    expect(await suppressed(lifting!)).toBe(false);
    for (const [index, result] of results.entries())
      if ('phone' in result)
        expect((await store.clients.get(result.id))?.phone).toBe(
          index < 7 ? [plain, taken, onList, optingOut, lifting, repeated, repeated][index] : extra[index - 7],
        );
    // 50 rows: not 50 transactions but a few packed ones (and one by one for the three that touch the list or repeat).
    const transactions = sent.filter((command) => command.name === 'TransactWriteCommand').length;
    expect(transactions).toBeLessThanOrEqual(8);
  });

  it('keeps exactly one client per phone when two calls with the same phones race, and a rerun creates nothing', async () => {
    const phones = Array.from({ length: 50 }, nextPhone);
    const inputs = phones.map((phone) => ({ phone, timezone: 'UTC' }));
    const [a, b] = await Promise.all([store.clients.createMany(inputs), store.clients.createMany([...inputs].reverse())]);
    const created = [...a!, ...b!].filter((result) => 'phone' in result);
    expect(created).toHaveLength(50);
    expect(new Set(created.map((client) => ('phone' in client ? client.phone : ''))).size).toBe(50);
    const rerun = await store.clients.createMany(inputs);
    expect(rerun.every((result) => !('phone' in result))).toBe(true);
  });
});

describe('suppression list', () => {
  it('outlives the client: re-created with the phone, it is opted out until optedOut: false is set on it', async () => {
    const phone = nextPhone();
    const first = await store.clients.create({ phone, timezone: 'UTC' });
    expect(first.optedOut).toBe(false);
    expect(await suppressed(phone)).toBe(false);
    expect((await store.clients.update(first.id, { optedOut: true })).optedOut).toBe(true);
    expect(await suppressed(phone)).toBe(true);
    await store.clients.delete(first.id);
    expect(await suppressed(phone)).toBe(true);

    const again = await store.clients.create({ phone, timezone: 'UTC', name: 'Back' });
    expect(again.optedOut).toBe(true);
    expect((await store.clients.update(again.id, { name: 'Still out' })).optedOut).toBe(true);
    expect((await store.clients.update(again.id, { optedOut: false })).optedOut).toBe(false);
    expect(await suppressed(phone)).toBe(false);

    // Negative control: once lifted, deleting and re-creating leaves the client opted in.
    await store.clients.delete(again.id);
    expect((await store.clients.create({ phone, timezone: 'UTC' })).optedOut).toBe(false);
  });
  it('an explicit optedOut: false at creation lifts it; true at creation sets it', async () => {
    const phone = nextPhone();
    const out = await store.clients.create({ phone, timezone: 'UTC', optedOut: true });
    expect(await suppressed(phone)).toBe(true);
    await store.clients.delete(out.id);
    const lifted = await store.clients.create({ phone, timezone: 'UTC', optedOut: false });
    expect(lifted.optedOut).toBe(false);
    expect(await suppressed(phone)).toBe(false);
  });
  it('moving onto a suppressed phone opts the client out; its old phone stays suppressed', async () => {
    const [a, b] = [nextPhone(), nextPhone()];
    const gone = await store.clients.create({ phone: a, timezone: 'UTC', optedOut: true });
    await store.clients.delete(gone.id);
    const other = await store.clients.create({ phone: b, timezone: 'UTC' });
    const moved = await store.clients.update(other.id, { phone: a });
    expect(moved.optedOut).toBe(true);
    expect((await store.clients.update(other.id, { phone: b })).optedOut).toBe(true);
    expect([await suppressed(a), await suppressed(b)]).toEqual([true, true]);
  });
});

describe('audience: the opt-out re-check', () => {
  async function seedTagged(count: number) {
    const tag = `re-${uniqueSuffix()}`;
    const clients = [];
    for (let i = 0; i < count; i++) clients.push(await store.clients.create({ phone: nextPhone(), timezone: 'UTC', tag }));
    return { tag, clients };
  }
  /** What a lagging index shows: the client item still opted in, the suppression list already holding the phone. */
  async function optOutBehindTheIndex(phone: string, at: number) {
    await db.send(new PutCommand({ TableName: tables.names.uniques, Item: { key: suppressedKey(phone), at } }));
    await db.send(new PutCommand({ TableName: tables.names.uniques, Item: { key: 'optout#latest', at } }));
  }

  it('marks a client whose opt-out the index does not show yet', async () => {
    const { tag, clients } = await seedTagged(3);
    const target = clients[1];
    if (!target) throw new Error('no client');
    await optOutBehindTheIndex(target.phone!, Date.now());
    const page = await store.clients.audience({ tags: [tag] }, { limit: 100 });
    // Its phone is on the list: it is out of SMS, and of nothing else.
    expect(page.items.filter((member) => isOptedOutOf(member, 'sms')).map((member) => member.id)).toEqual([target.id]);
    expect(page.items.filter((member) => isOptedOutOf(member, 'email'))).toEqual([]);
  });
  it('does not look when the latest opt-out is older than the index lag (one read a page)', async () => {
    const { tag, clients } = await seedTagged(3);
    const target = clients[0];
    if (!target) throw new Error('no client');
    await optOutBehindTheIndex(target.phone!, Date.now() - INDEX_LAG_MS - 5_000);
    sent.length = 0;
    const page = await store.clients.audience({ tags: [tag] }, { limit: 100 });
    expect(page.items.some((member) => isOptedOutOf(member, 'sms'))).toBe(false);
    expect(sent.map((command) => command.name)).toEqual(['QueryCommand', 'GetCommand']);
    await db.send(new DeleteCommand({ TableName: tables.names.uniques, Key: { key: suppressedKey(target.phone!) } }));
  });
  it('shows opted-out clients as such straight from the table', async () => {
    const { tag, clients } = await seedTagged(2);
    await store.clients.update(clients[0]?.id ?? '', { optedOut: true });
    const page = await store.clients.audience({ tags: [tag] }, { limit: 100 });
    expect(page.items.map((member) => [member.id, Boolean(member.optedOut)])).toEqual(
      expect.arrayContaining([
        [clients[0]?.id, true],
        [clients[1]?.id, false],
      ]),
    );
  });
});

describe('countAudience', () => {
  it('counts what the audience walk returns, with Select COUNT and no items read', async () => {
    const tag = `cnt-${uniqueSuffix()}`;
    const other = `cnt-${uniqueSuffix()}`;
    for (let i = 0; i < 12; i++)
      await store.clients.create({ phone: nextPhone(), timezone: 'UTC', tag: i < 7 ? tag : other, ...(i % 2 ? { operatorCode: '111' } : {}) });
    sent.length = 0;
    expect(await store.clients.countAudience({ tags: [tag] })).toBe(7);
    expect(await store.clients.countAudience({ tags: [tag, other] })).toBe(12);
    expect(await store.clients.countAudience({ tags: [tag], operatorCodes: ['111'] })).toBe(3);
    expect(sent.every((command) => command.name === 'QueryCommand' && command.input.Select === 'COUNT')).toBe(true);
    expect(sent.some((command) => command.input.ProjectionExpression !== undefined)).toBe(false);
    const walked = await store.clients.audience({ tags: [tag], operatorCodes: ['111'] }, { limit: 100 });
    expect(walked.items).toHaveLength(3);
  });
  it('counts every client with a Scan without a filter', async () => {
    sent.length = 0;
    const count = await store.clients.countAudience({});
    expect(count).toBeGreaterThanOrEqual(12);
    expect(sent.map((command) => [command.name, command.input.Select])).toEqual([['ScanCommand', 'COUNT']]);
  });
});

/** DynamoDB's item size: attribute names plus values (numbers about one byte per two digits, maps and lists 3 bytes and 1 per element). */
function itemSize(value: unknown): number {
  if (typeof value === 'string') return Buffer.byteLength(value);
  if (typeof value === 'number') return Math.ceil(String(Math.abs(value)).replace('.', '').replace(/^0+/, '').length / 2) + 1;
  if (typeof value === 'boolean' || value === null) return 1;
  if (Array.isArray(value)) return 3 + value.reduce((sum: number, entry) => sum + 1 + itemSize(entry), 0);
  if (typeof value === 'object')
    return 3 + Object.entries(value as Record<string, unknown>).reduce((sum, [key, entry]) => sum + Buffer.byteLength(key) + itemSize(entry), 0);
  return 0;
}
const topLevelSize = (item: Record<string, unknown>) => itemSize(item) - 3;

describe('chunk item size', () => {
  it('stays under 1 KB for ten messages with 40-character names, cursor and lease included', async () => {
    const campaign = await store.campaigns.create((id) => ({
      id,
      text: 'Hello {{ name }}',
      startAt: new Date().toISOString(),
      endAt: new Date(Date.now() + 60_000).toISOString(),
      filter: {},
      status: 'running',
      counts: { queued: 0, sent: 0, failed: 0, expired: 0, cancelled: 0 },
      createdAt: new Date().toISOString(),
      updatedAt: new Date().toISOString(),
    }));
    const members = Array.from({ length: 10 }, (_, i) => ({
      id: 'x'.repeat(16),
      phone: `7999${String(1_000_000 + i)}`,
      name: `${'N'.repeat(38)}${String(i).padStart(2, '0')}`,
    }));
    // A cursor as the audience walk makes it, with a tag in the key.
    const cursor = encodeCursor({ v: 0, k: { id: 'x'.repeat(16), tag: 'spring-sale' } });
    const chunks = chunksOfPage(campaign.id, 1234, members, new Date(), checkTemplate('Hello {{ name }}'));
    await store.messages.writePage(campaign.id, 1234, chunks, cursor);
    const claim = await store.messages.claim(campaign.id, 12340, 30_000, new Date());
    expect(claim.kind).toBe('claimed');
    const { Item } = await db.send(new GetCommand({ TableName: tables.names.messages, Key: { campaignId: campaign.id, chunk: 12340 } }));
    if (!Item) throw new Error('no chunk');
    const size = topLevelSize(Item);
    expect(size).toBeLessThan(1024);
    // The size rule can fail: an eleventh such message would not fit.
    expect(size + 90).toBeGreaterThan(1024);
    expect((await store.messages.get(claim.kind === 'claimed' ? (claim.chunk.messages[3]?.id ?? 0) : 0))?.vars).toEqual({ name: members[3]?.name });
    // Sent, with a sentAt each: the variables are dropped once final, so the outcome write stays well under.
    if (claim.kind !== 'claimed') return;
    const sentMessages = claim.chunk.messages.map((message) => ({ ...message, status: 'sent' as const, attempts: 1, sentAt: new Date().toISOString() }));
    await store.messages.saveOutcome(campaign.id, 12340, sentMessages, claim.lease);
    const after = await db.send(new GetCommand({ TableName: tables.names.messages, Key: { campaignId: campaign.id, chunk: 12340 } }));
    expect(topLevelSize(after.Item ?? {})).toBeLessThan(size);
    expect((await store.messages.get(claim.chunk.messages[3]?.id ?? 0))?.vars).toBeUndefined();
  });
});
