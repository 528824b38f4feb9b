/**
 * Idempotency-Key on POSTs: the API handler with real stores and Powertools' DynamoDB
 * persistence layer on DynamoDB Local. A repeat answers the first answer and writes nothing;
 * another body is 422; a duplicate while the first runs is 409; records carry a TTL and a
 * key is usable again once its record expired. Negative controls: without the header, or
 * with another key or path, the same body is a new request.
 */
import { DescribeTimeToLiveCommand } from '@aws-sdk/client-dynamodb';
import { GetCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { beforeAll, describe, expect, it } from 'vitest';
import { createApiHandler, type ApiDependencies } from '../../functions/api/app.js';
import type { NewClient } from '../../functions/domain/clients.js';
import { stores } from '../../functions/handlers/wiring.js';
import { lazyPackage } from '../../functions/domain/lazy-packages.js';
import { CHECK_BACK_SECONDS } from '../../functions/domain/notices.js';
import type { ChunkRef, StepTimerEvent, Stores } from '../../functions/ports.js';
import { DynamoEventStore } from '../../functions/adapters/dynamo/event-store.js';
import { DynamoEventTypeStore } from '../../functions/adapters/dynamo/event-type-store.js';
import { DynamoNoticeStore } from '../../functions/adapters/dynamo/notice-store.js';
import { DynamoInboxStore } from '../../functions/adapters/dynamo/inbox-store.js';
import { hmacSigner } from '../../functions/adapters/hmac-signer.js';
import { noFrames } from '../../functions/services/inbox.js';
import { DynamoSuppressionList } from '../../functions/adapters/dynamo/suppression-list.js';
import { createTestTables, documentClient, dynamoClient, type TestTables } from '../support/aws.js';

const DAY = 24 * 60 * 60;
// Through the same loader as the handler: an `import` would load the package's ES module copy,
// whose errors are not instances of the classes functions/api/idempotency.ts checks.
const { DynamoDBPersistenceLayer } = lazyPackage<typeof import('@aws-lambda-powertools/idempotency/dynamodb')>('@aws-lambda-powertools/idempotency/dynamodb');
let tables: TestTables;
let store: Stores;
/** While set, client creation waits for it: a request held in progress. */
let gate: { reached: () => void; release: Promise<void> } | undefined;
const started: string[] = [];
const enqueued: (ChunkRef & { delaySeconds?: number })[] = [];
const timers: StepTimerEvent[] = [];

function handlerWith(expiresAfterSeconds: number) {
  const clients = store.clients;
  const gatedClients = Object.assign(Object.create(clients) as typeof clients, {
    create: async (input: NewClient) => {
      if (gate) {
        gate.reached();
        await gate.release;
      }
      return clients.create(input);
    },
  });
  const notices = new DynamoNoticeStore(documentClient(), { messages: tables.names.messages, uniques: tables.names.uniques });
  const deps: ApiDependencies = {
    ...store,
    clients: gatedClients,
    clock: { now: () => new Date() },
    fanoutQueue: { start: async (id) => void started.push(id), page: async () => undefined, resume: async () => undefined, occurrence: async () => undefined },
    scheduler: { schedule: async () => undefined, unschedule: async () => undefined },
    idempotency: {
      persistence: async () => new DynamoDBPersistenceLayer({ tableName: tables.names.idempotency, awsSdkV3Client: dynamoClient() }),
      expiresAfterSeconds,
    },
    notices,
    // A delayed message (a notice's check-back) is recorded with its delay.
    sendQueue: { enqueue: async (chunks, delaySeconds) => void enqueued.push(...chunks.map((chunk) => (delaySeconds ? { ...chunk, delaySeconds } : chunk))) },
    inbox: new DynamoInboxStore(documentClient(), tables.names.inbox, { now: () => new Date() }, 90),
    frames: noFrames,
    inboxSigner: async () => hmacSigner('k'.repeat(32)),
    eventTypes: new DynamoEventTypeStore(documentClient(), tables.names.eventTypes),
    events: new DynamoEventStore(documentClient(), { events: tables.names.events, messages: tables.names.messages }, () => notices.nextId()),
    stepTimer: { schedule: async (step) => void timers.push(step) },
    suppression: new DynamoSuppressionList(documentClient(), tables.names.uniques),
  };
  return createApiHandler(deps);
}

let handler: ReturnType<typeof createApiHandler>;
beforeAll(async () => {
  tables = await createTestTables();
  store = stores(tables.env as never, { now: () => new Date() }, documentClient());
  handler = handlerWith(DAY);
});

const context = { awsRequestId: 'test', functionName: 'api', getRemainingTimeInMillis: () => 29_000 } as unknown as Context;
let phoneSeq = 0;
const phone = () => `7955${String(1_000_000 + phoneSeq++).slice(-7)}`;

async function post(path: string, body: unknown, key?: string, run = handler) {
  const event = {
    httpMethod: 'POST',
    path,
    resource: '/{proxy+}',
    pathParameters: { proxy: path.slice(1) },
    headers: { 'Content-Type': 'application/json', ...(key !== undefined ? { 'idempotency-key': key } : {}) },
    queryStringParameters: null,
    body: typeof body === 'string' ? body : JSON.stringify(body),
    isBase64Encoded: false,
    requestContext: { requestId: 'req', path },
  } as unknown as APIGatewayProxyEvent;
  const result: APIGatewayProxyResult = await run(event, context);
  return { status: result.statusCode, headers: result.headers ?? {}, body: JSON.parse(result.body) as Record<string, unknown> };
}

async function clientsWithPhone(number: string) {
  const { Items } = await documentClient().send(
    new ScanCommand({ TableName: tables.names.clients, FilterExpression: 'phone = :p', ExpressionAttributeValues: { ':p': number } }),
  );
  return Items ?? [];
}

describe('Idempotency-Key', () => {
  it('a repeat with the same key and body answers the first answer and creates no second client', async () => {
    const body = { phone: phone(), timezone: 'Europe/Moscow' };
    const first = await post('/clients', body, 'key-1');
    expect(first.status).toBe(201);
    // Keys in another order are the same body.
    const again = await post('/clients', JSON.stringify({ timezone: body.timezone, phone: body.phone }), 'key-1');
    expect(again.status).toBe(201);
    expect(again.body).toEqual(first.body);
    expect(again.headers['Idempotent-Replayed']).toBe('true');
    expect(first.headers['Idempotent-Replayed']).toBeUndefined();
    expect(await clientsWithPhone(body.phone)).toHaveLength(1);
  });

  it('negative control: without the header the same body is a second request (409, the phone is taken)', async () => {
    const body = { phone: phone(), timezone: 'Europe/Moscow' };
    expect((await post('/clients', body)).status).toBe(201);
    expect((await post('/clients', body)).status).toBe(409);
  });

  it('a repeated campaign POST starts one campaign', async () => {
    const now = Date.now();
    const body = { text: 'hi', startAt: new Date(now - 1000).toISOString(), endAt: new Date(now + 3_600_000).toISOString() };
    const before = started.length;
    const first = await post('/campaigns', body, 'campaign-key');
    const again = await post('/campaigns', body, 'campaign-key');
    expect(first.status).toBe(201);
    expect(again.body).toEqual(first.body);
    expect(started.length - before).toBe(1);
    // Another key is another campaign.
    const other = await post('/campaigns', body, 'campaign-key-2');
    expect(other.body.id).not.toBe(first.body.id);
  });

  it('a repeated notice POST queues one notice; another key queues a second', async () => {
    const created = await post('/clients', { phone: phone(), timezone: 'UTC', name: 'Ada' });
    const body = { clientId: created.body.id, text: 'Receipt {{ receipt }} for {{ name }}', variables: { receipt: 'R-1' } };
    const before = enqueued.length;
    const first = await post('/notices', body, 'notice-key');
    const again = await post('/notices', body, 'notice-key');
    expect(first.status).toBe(202);
    expect(again.status).toBe(202);
    expect(again.body).toEqual(first.body);
    expect(again.headers['Idempotent-Replayed']).toBe('true');
    // Its check-back (queued before the write, for a request that dies before the enqueue), then the notice itself.
    expect(enqueued.slice(before)).toEqual([
      { campaignId: `notice#${first.body.id}`, chunk: 0, delaySeconds: CHECK_BACK_SECONDS },
      { campaignId: `notice#${first.body.id}`, chunk: 0 },
    ]);
    const { Items = [] } = await documentClient().send(
      new ScanCommand({ TableName: tables.names.messages, FilterExpression: 'begins_with(campaignId, :n)', ExpressionAttributeValues: { ':n': 'notice#' } }),
    );
    expect(Items.filter((item) => item.m[0].c === created.body.id)).toHaveLength(1);
    // Negative control: another key is another notice.
    const other = await post('/notices', body, 'notice-key-2');
    expect(other.body.id).not.toBe(first.body.id);
    expect(enqueued.length - before).toBe(4);
  });

  it("a repeated event POST fires one event (one notice now, the timers: step 0's check-back and step 1's); another key fires a second", async () => {
    const created = await post('/clients', { phone: phone(), timezone: 'UTC' });
    const at = new Date().toISOString();
    await new DynamoEventTypeStore(documentClient(), tables.names.eventTypes).put({
      key: 'receipt',
      steps: [
        { channel: 'sms', text: 'Receipt {{ receipt }}', delaySeconds: 0 },
        { channel: 'sms', text: 'Still there?', delaySeconds: 600 },
      ],
      createdAt: at,
      updatedAt: at,
    });
    const body = { type: 'receipt', clientId: created.body.id, variables: { receipt: 'R-2' } };
    const [queuedBefore, timersBefore] = [enqueued.length, timers.length];
    const first = await post('/events', body, 'event-key');
    const again = await post('/events', body, 'event-key');
    expect(first.status).toBe(202);
    expect(again.body).toEqual(first.body);
    expect(again.headers['Idempotent-Replayed']).toBe('true');
    expect(first.body.steps).toEqual([
      { index: 0, channel: 'sms', status: 'queued' },
      { index: 1, channel: 'sms', status: 'scheduled' },
    ]);
    expect(enqueued.length - queuedBefore).toBe(1);
    expect(timers.slice(timersBefore).map((timer) => [timer.eventId, timer.step])).toEqual([
      [first.body.id, 0],
      [first.body.id, 1],
    ]);
    const { Items = [] } = await documentClient().send(
      new ScanCommand({ TableName: tables.names.events, FilterExpression: 'clientId = :c', ExpressionAttributeValues: { ':c': created.body.id } }),
    );
    expect(Items).toHaveLength(1);
    // Negative control: another key is another event.
    const other = await post('/events', body, 'event-key-2');
    expect(other.body.id).not.toBe(first.body.id);
    expect(enqueued.length - queuedBefore).toBe(2);
  });

  it('the same key with another body is 422 problem+json naming the header, and writes nothing', async () => {
    const number = phone();
    expect((await post('/clients', { phone: phone(), timezone: 'UTC' }, 'key-2')).status).toBe(201);
    const reused = await post('/clients', { phone: number, timezone: 'UTC' }, 'key-2');
    expect(reused.status).toBe(422);
    expect(reused.headers['Content-Type']).toBe('application/problem+json');
    expect(reused.body.errors).toEqual([expect.objectContaining({ field: 'Idempotency-Key' })]);
    expect(await clientsWithPhone(number)).toHaveLength(0);
  });

  it('the key is scoped by path: the same key on another route is another request', async () => {
    const now = Date.now();
    expect((await post('/clients', { phone: phone(), timezone: 'UTC' }, 'shared-key')).status).toBe(201);
    const campaign = await post(
      '/campaigns',
      { text: 'x', startAt: new Date(now + 3_600_000).toISOString(), endAt: new Date(now + 7_200_000).toISOString() },
      'shared-key',
    );
    expect(campaign.status).toBe(201);
  });

  it('a duplicate while the first is still in progress is 409; the first then completes once', async () => {
    let reached!: () => void;
    const atGate = new Promise<void>((resolve) => (reached = resolve));
    let release!: () => void;
    gate = { reached, release: new Promise<void>((resolve) => (release = resolve)) };
    const body = { phone: phone(), timezone: 'UTC' };
    const first = post('/clients', body, 'key-3');
    await atGate;
    gate = undefined;
    const duplicate = await post('/clients', body, 'key-3');
    expect(duplicate.status).toBe(409);
    expect(duplicate.body.errors).toEqual([expect.objectContaining({ field: 'Idempotency-Key' })]);
    release();
    expect((await first).status).toBe(201);
    expect((await post('/clients', body, 'key-3')).status).toBe(201);
    expect(await clientsWithPhone(body.phone)).toHaveLength(1);
  });

  it('a refused request leaves no record: the same key runs again once the input is fixed', async () => {
    const bad = await post('/clients', { phone: '123', timezone: 'UTC' }, 'key-4');
    expect(bad.status).toBe(400);
    const fixed = await post('/clients', { phone: phone(), timezone: 'UTC' }, 'key-4');
    expect(fixed.status).toBe(201);
    expect(fixed.headers['Idempotent-Replayed']).toBeUndefined();
  });

  it.each([
    ['empty', ''],
    ['256 characters', 'k'.repeat(256)],
  ])('a %s key is 400 naming the header', async (_name, key) => {
    const number = phone();
    const answer = await post('/clients', { phone: number, timezone: 'UTC' }, key);
    expect(answer.status).toBe(400);
    expect(answer.body.errors).toEqual([expect.objectContaining({ field: 'Idempotency-Key' })]);
    expect(await clientsWithPhone(number)).toHaveLength(0);
  });

  it('accepts a 255-character key', async () => {
    expect((await post('/clients', { phone: phone(), timezone: 'UTC' }, 'k'.repeat(255))).status).toBe(201);
  });

  it('records carry a 24 h TTL in `expiration`, the table expires items by it', async () => {
    const ttl = await dynamoClient().send(new DescribeTimeToLiveCommand({ TableName: tables.names.idempotency }));
    expect(ttl.TimeToLiveDescription).toMatchObject({ TimeToLiveStatus: 'ENABLED', AttributeName: 'expiration' });
    const { Items = [] } = await documentClient().send(new ScanCommand({ TableName: tables.names.idempotency }));
    expect(Items.length).toBeGreaterThan(0);
    const nowSeconds = Date.now() / 1000;
    for (const item of Items) {
      expect(item.expiration).toBeGreaterThan(nowSeconds + DAY - 600);
      expect(item.expiration).toBeLessThanOrEqual(nowSeconds + DAY + 1);
    }
    const record = await documentClient().send(new GetCommand({ TableName: tables.names.idempotency, Key: { id: Items[0]!.id } }));
    expect(record.Item?.status).toBe('COMPLETED');
  });

  it('an answer too large for a DynamoDB item (400 KB) is still answered, not turned into a 500', async () => {
    const row = Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`unknown_field_${i}`, 'x']));
    const answer = await post('/clients/batch', { clients: Array.from({ length: 1000 }, () => row) }, 'big-answer');
    expect(answer.status).toBe(200);
    expect(answer.body.failed).toBe(1000);
    expect(JSON.stringify(answer.body).length).toBeGreaterThan(400 * 1024);
  });

  it('an expired record no longer answers: the key runs again', async () => {
    const shortLived = handlerWith(1);
    const body = { phone: phone(), timezone: 'UTC' };
    expect((await post('/clients', body, 'key-5', shortLived)).status).toBe(201);
    expect((await post('/clients', body, 'key-5', shortLived)).headers['Idempotent-Replayed']).toBe('true');
    await new Promise((resolve) => setTimeout(resolve, 2100));
    // Run again, it meets the phone it created the first time.
    expect((await post('/clients', body, 'key-5', shortLived)).status).toBe(409);
  });
});
