/**
 * A due event step judged on DynamoDB Local: an `unlessRead` step after an in-app step asks the
 * inbox (the real inbox store) whether that step's item was read, by itself or by a read-all, and
 * is then skipped with reason `read` and no notice; unread, it is queued as a notice. A step to an
 * opted-out or unreachable client is skipped with its reason; a timer delivered twice sends once.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { DynamoEventStore } from '../../functions/adapters/dynamo/event-store.js';
import { DynamoInboxStore } from '../../functions/adapters/dynamo/inbox-store.js';
import { DynamoNoticeStore } from '../../functions/adapters/dynamo/notice-store.js';
import { DynamoSuppressionList } from '../../functions/adapters/dynamo/suppression-list.js';
import type { EventType } from '../../functions/domain/event-types.js';
import { newEvent } from '../../functions/domain/events.js';
import { stores } from '../../functions/handlers/wiring.js';
import type { ChunkRef, Stores } from '../../functions/ports.js';
import { releaseStep, type StepDependencies } from '../../functions/services/events.js';
import { createTestTables, documentClient, type TestTables } from '../support/aws.js';

let tables: TestTables;
let store: Stores;
let inbox: DynamoInboxStore;
let events: DynamoEventStore;
let deps: StepDependencies;
const enqueued: ChunkRef[] = [];
const clock = { now: () => new Date() };
let phoneSeq = 0;
const phone = () => `7914${String(phoneSeq++).padStart(7, '0')}`;

beforeAll(async () => {
  tables = await createTestTables();
  const db = documentClient();
  store = stores(tables.env as never, clock, db);
  inbox = new DynamoInboxStore(db, tables.names.inbox, clock, 90);
  const notices = new DynamoNoticeStore(db, { messages: tables.names.messages, uniques: tables.names.uniques });
  events = new DynamoEventStore(db, { events: tables.names.events, messages: tables.names.messages }, () => notices.nextId());
  deps = {
    clock,
    clients: store.clients,
    events,
    sendQueue: { enqueue: async (chunks) => void enqueued.push(...chunks) },
    suppression: new DynamoSuppressionList(db, tables.names.uniques),
    inboxReads: inbox,
  };
});

const at = new Date().toISOString();
/** In-app now, SMS after 5 s unless the in-app item was read. */
const inappThenSms: EventType = {
  key: 'episode',
  steps: [
    { channel: 'inapp', title: 'New episode', text: 'Watch it', delaySeconds: 0 },
    { channel: 'sms', text: 'A new episode is out', delaySeconds: 5, unlessRead: true },
  ],
  createdAt: at,
  updatedAt: at,
};

/** An event whose in-app step was sent as message `messageId` (its item delivered), its SMS step due. */
async function afterInappStep(fields: Record<string, unknown> = {}) {
  const client = await store.clients.create({ phone: phone(), timezone: 'UTC', ...fields });
  const messageId = 1_000 + phoneSeq;
  const fired = newEvent(events.newId(), inappThenSms, client, undefined, new Date());
  const event = (await events.create({ ...fired, steps: [{ ...fired.steps[0]!, status: 'sent', messageId }, fired.steps[1]!] })).event;
  await inbox.deliver(client.id, messageId, { title: 'New episode', text: 'Watch it' });
  return { client, event, messageId };
}

const stepOf = async (eventId: string, index: number) => (await events.get(eventId))?.steps[index];

describe('a due event step', () => {
  it('is skipped (read) with no notice when the earlier in-app item was read; sent when it was not (the control)', async () => {
    const reader = await afterInappStep();
    const page = await inbox.list(reader.client.id, { limit: 10, status: 'all' });
    await inbox.mark(reader.client.id, page.items[0]!.id, true);
    const idle = await afterInappStep();

    const before = enqueued.length;
    await releaseStep(deps, reader.event.id, 1);
    expect(await stepOf(reader.event.id, 1)).toMatchObject({ status: 'skipped', reason: 'read' });
    expect(enqueued.length).toBe(before);

    await releaseStep(deps, idle.event.id, 1);
    const queued = await stepOf(idle.event.id, 1);
    expect(queued).toMatchObject({ status: 'queued', messageId: expect.any(Number) });
    expect(enqueued.slice(before)).toEqual([{ campaignId: `notice#${queued?.messageId}`, chunk: 0 }]);
  });

  it('counts a read-all, and an item archived since, as read', async () => {
    const all = await afterInappStep();
    await inbox.readAll(all.client.id);
    const archived = await afterInappStep();
    await inbox.archive(archived.client.id, (await inbox.list(archived.client.id, { limit: 10, status: 'all' })).items[0]!.id);
    expect(await inbox.isRead(all.client.id, all.messageId)).toBe(true);
    expect(await inbox.isRead(archived.client.id, archived.messageId)).toBe(true);
    // Control: a message that made no item.
    expect(await inbox.isRead(all.client.id, 999_999)).toBe(false);
  });

  it('is skipped with its reason for an opted-out or unreachable client, and sends once however often its timer comes', async () => {
    const sms: EventType = {
      ...inappThenSms,
      steps: [
        { channel: 'sms', text: 'Hi', delaySeconds: 0 },
        { channel: 'email', subject: 'Hi', text: 'Hi', delaySeconds: 0 },
      ],
    };
    const optedOut = await store.clients.create({ phone: phone(), timezone: 'UTC', optOuts: ['sms'] });
    const first = (await events.create(newEvent(events.newId(), sms, optedOut, undefined, new Date()))).event;
    await releaseStep(deps, first.id, 0);
    await releaseStep(deps, first.id, 1);
    expect((await events.get(first.id))?.steps.map((step) => [step.status, step.reason])).toEqual([
      ['skipped', 'opted-out'],
      // No e-mail address: unreachable on e-mail.
      ['skipped', 'unreachable'],
    ]);

    const client = await store.clients.create({ phone: phone(), timezone: 'UTC' });
    const twice = (await events.create(newEvent(events.newId(), sms, client, undefined, new Date()))).event;
    const before = enqueued.length;
    await Promise.all([releaseStep(deps, twice.id, 0), releaseStep(deps, twice.id, 0)]);
    const step = await stepOf(twice.id, 0);
    expect(step?.status).toBe('queued');
    // The second delivery finds the step queued: at most a second copy of the same chunk, never a second notice.
    expect(new Set(enqueued.slice(before).map((ref) => ref.campaignId))).toEqual(new Set([`notice#${step?.messageId}`]));
  });
});
