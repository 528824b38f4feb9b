/**
 * The stores' list cursors against DynamoDB Local: every list a route pages through takes back
 * what it issued, and refuses, before asking DynamoDB anything, a cursor it did not issue: forged,
 * another list's, another partition's. What DynamoDB itself refuses of a start key is the
 * caller's cursor too.
 */
import { QueryCommand, ScanCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { fromStartKey } from '../../functions/adapters/dynamo/cursor.js';
import { newCampaignRecord, type Campaign } from '../../functions/domain/campaigns.js';
import { ValidationError } from '../../functions/domain/errors.js';
import { chunksOfPage } from '../../functions/domain/messages.js';
import { stores } from '../../functions/handlers/wiring.js';
import type { Page, PageRequest, Stores } from '../../functions/ports.js';
import { createTestTables, documentClient } from '../support/aws.js';

const now = new Date('2030-01-01T10:00:00Z');
let store: Stores;
let db: DynamoDBDocumentClient;
let names: Record<string, string>;
/** The commands sent to DynamoDB since the last `sent.length = 0`. */
const sent: string[] = [];

/** Every page of a list, and the cursors it issued on the way. */
async function drain<T>(read: (request: PageRequest) => Promise<Page<T>>, limit = 1): Promise<{ items: T[]; cursors: string[] }> {
  const items: T[] = [];
  const cursors: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await read({ limit, ...(cursor ? { cursor } : {}) });
    items.push(...page.items);
    cursor = page.nextCursor ?? undefined;
    if (cursor) cursors.push(cursor);
  } while (cursor);
  return { items, cursors };
}

/** What a read with `cursor` throws, and what it sent to DynamoDB. */
async function refusal(read: (request: PageRequest) => Promise<unknown>, cursor: string) {
  sent.length = 0;
  const error = await read({ limit: 5, cursor }).then(
    () => undefined,
    (caught: unknown) => caught,
  );
  return { refused: error instanceof ValidationError ? error.fields : error, sent: [...sent] };
}
const refusedBeforeAnyRead = { refused: [{ field: 'cursor', message: expect.any(String) }], sent: [] };

const campaign = (id: string, extra: Partial<Campaign> = {}): Campaign => ({
  ...newCampaignRecord({ text: 't', startAt: now.toISOString(), endAt: new Date(now.getTime() + 3_600_000).toISOString() }, id, now),
  ...extra,
});

/** Each list a route reads, by name. */
let lists: Record<string, (request: PageRequest) => Promise<Page<unknown>>>;

beforeAll(async () => {
  const tables = await createTestTables();
  names = tables.names;
  db = documentClient();
  const send = db.send.bind(db);
  db.send = ((command: { constructor: { name: string } }, ...rest: unknown[]) => {
    sent.push(command.constructor.name);
    return (send as (...args: unknown[]) => unknown)(command, ...rest);
  }) as typeof db.send;
  store = stores(tables.env as never, { now: () => now }, db);

  for (const [tag, operator] of [
    ['tag-a', '901'],
    ['tag-a', '901'],
    ['tag-a', '902'],
    ['tag-b', '902'],
    ['tag-b', '902'],
  ] as const) {
    await store.clients.create({ phone: `7${operator}${String(Math.floor(Math.random() * 1e7)).padStart(7, '0')}`, timezone: 'UTC', tag });
  }
  // Two recurring campaigns with runs of their own, and two campaigns with messages of their own.
  // Fresh tables: the sequence numbers them 1 and 2.
  for (let i = 0; i < 2; i++) await store.campaigns.create((id) => campaign(id));
  for (const [recurringId, hour] of [
    ['1', 9],
    ['1', 10],
    ['1', 11],
    ['2', 9],
    ['2', 10],
  ] as const) {
    const occurrence = `2030-01-01T${String(hour).padStart(2, '0')}:00:00.000Z`;
    await store.campaigns.createRun(recurringId, occurrence, (id) => campaign(id, { recurringId, occurrence }));
  }
  const audience = Array.from({ length: 13 }, (_, i) => ({ id: `client-${i}`, phone: `7900000${String(i).padStart(4, '0')}` }));
  for (const campaignId of ['1', '2']) await store.messages.writePage(campaignId, 0, chunksOfPage(campaignId, 0, audience, now), null);

  lists = {
    clients: (request) => store.clients.list(request),
    'clients tagged a': (request) => store.clients.list({ ...request, tag: 'tag-a' }),
    'clients tagged b': (request) => store.clients.list({ ...request, tag: 'tag-b' }),
    'clients of 902': (request) => store.clients.list({ ...request, operatorCode: '902' }),
    'clients of 901': (request) => store.clients.list({ ...request, operatorCode: '901' }),
    campaigns: (request) => store.campaigns.list(request),
    'runs of 1': (request) => store.campaigns.runs('1', request),
    'runs of 2': (request) => store.campaigns.runs('2', request),
    'messages of 1': (request) => store.messages.list('1', request),
    'messages of 2': (request) => store.messages.list('2', request),
  };
});

describe('list cursors', () => {
  it('page every list through to its end with the cursors it issues', async () => {
    const counts: Record<string, number> = {};
    for (const [name, read] of Object.entries(lists)) {
      const { items, cursors } = await drain(read, name.startsWith('messages') ? 5 : 1);
      counts[name] = items.length;
      expect(cursors.length, name).toBeGreaterThan(0);
    }
    expect(counts).toMatchObject({
      clients: 5,
      'clients tagged a': 3,
      'clients tagged b': 2,
      'clients of 902': 3,
      'clients of 901': 2,
      'runs of 1': 3,
      'runs of 2': 2,
      'messages of 1': 13,
      'messages of 2': 13,
    });
    // The campaigns are the two, and their five runs.
    expect(counts.campaigns).toBe(7);
  });

  it('refuse, before asking DynamoDB anything, another list’s or another partition’s cursor', async () => {
    const issued: Record<string, string[]> = {};
    for (const [name, read] of Object.entries(lists)) issued[name] = (await drain(read, name.startsWith('messages') ? 5 : 1)).cursors;
    for (const [name, read] of Object.entries(lists)) {
      for (const [other, cursors] of Object.entries(issued)) {
        if (other === name) continue;
        for (const cursor of cursors) expect(await refusal(read, cursor), `${other}'s on ${name}`).toEqual(refusedBeforeAnyRead);
      }
    }
  });

  it('refuse forged ones before asking DynamoDB anything, among them the raw keys and positions the lists used to issue', async () => {
    const base64url = (text: string) => Buffer.from(text).toString('base64url');
    const forged = [
      'eyJhIjoxfQ',
      base64url('{"id":"x"}'),
      base64url('{"id":"x","tag":"tag-a"}'),
      base64url('{"id":"x","recurringId":"1","occurrence":"2030"}'),
      base64url('{"c":0,"p":0}'),
      base64url('{"c":0,"p":-1}'),
      base64url('["messages",{"campaignId":"1","c":0,"p":10}]'),
      base64url('["messages",{"campaignId":"1","c":-1,"p":0}]'),
      base64url('["clients",{"id":1e300}]'),
      base64url(`["clients.byTag",{"id":"${'x'.repeat(1100)}","tag":"tag-a"}]`),
    ];
    for (const [name, read] of Object.entries(lists)) {
      for (const cursor of forged) expect(await refusal(read, cursor), `${cursor} on ${name}`).toEqual(refusedBeforeAnyRead);
    }
    // The controls: a well-formed start the same list could have issued is read from, not refused; an id
    // of 1100 bytes is one for the table's own key (at most 2048), not for the index's sort key (1024).
    const tagged = lists['clients tagged a'] as (request: PageRequest) => Promise<unknown>;
    expect(await refusal(tagged, base64url(`["clients.byTag",{"id":"${'x'.repeat(1024)}","tag":"tag-a"}]`))).toEqual({
      refused: undefined,
      sent: ['QueryCommand'],
    });
    const scanned = lists.clients as (request: PageRequest) => Promise<unknown>;
    expect(await refusal(scanned, base64url(`["clients",{"id":"${'x'.repeat(1100)}"}]`))).toEqual({ refused: undefined, sent: ['ScanCommand'] });
  });

  it('take DynamoDB’s own refusal of a start key as the caller’s cursor, and leave its other refusals alone', async () => {
    const scan = (startKey: Record<string, unknown> | undefined) =>
      fromStartKey(startKey, () => db.send(new ScanCommand({ TableName: names.clients, Limit: 1, ExclusiveStartKey: startKey })));
    for (const startKey of [{ id: '' }, { id: 'x', tag: 'y' }, { id: 7 }]) {
      const error = await scan(startKey).catch((caught: unknown) => caught);
      expect(error, JSON.stringify(startKey)).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).fields).toEqual([{ field: 'cursor', message: expect.any(String) }]);
    }
    const query = (startKey: Record<string, unknown> | undefined) =>
      fromStartKey(startKey, () =>
        db.send(
          new QueryCommand({
            TableName: names.clients,
            IndexName: 'byTag',
            KeyConditionExpression: 'tag = :t',
            ExpressionAttributeValues: { ':t': 'tag-a' },
            ExclusiveStartKey: startKey,
          }),
        ),
      );
    expect(await query({ id: 'x', tag: 'tag-b' }).catch((caught: unknown) => caught)).toBeInstanceOf(ValidationError);
    // Without a start key, DynamoDB's ValidationException is the code's own fault and stays a 500.
    const own = await fromStartKey(undefined, () =>
      db.send(new QueryCommand({ TableName: names.clients, KeyConditionExpression: 'nothing = :t', ExpressionAttributeValues: { ':t': 'x' } })),
    ).catch((caught: unknown) => caught);
    expect(own).not.toBeInstanceOf(ValidationError);
    expect((own as Error).name).toBe('ValidationException');
  });
});
