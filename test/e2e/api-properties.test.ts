/**
 * Property-based: every route of the API over a real socket, on DynamoDB Local and the SQS
 * emulator, driven by fast-check (fixed seed) with generated cursors, ids, query values, bodies
 * and headers. The only answers allowed are 2xx, or 4xx as an RFC 9457 problem+json; a refused
 * request leaves every table, queue and schedule as it was. The schedulers are EventBridge's
 * (AWS only): here they record their calls, which count as state too.
 */
import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiEnvSchema, parseEnv } from '../../functions/adapters/config.js';
import { createApiHandler } from '../../functions/api/app.js';
import { ProblemSchema } from '../../functions/api/response-schemas.js';
import { newCampaignRecord } from '../../functions/domain/campaigns.js';
import { hmacSigner } from '../../functions/adapters/hmac-signer.js';
import { CHANNELS } from '../../functions/domain/channels/channel.js';
import { ATTRIBUTE_VALUE_MAX_LENGTH, NAME_MAX_LENGTH } from '../../functions/domain/clients.js';
import { unsubscribeToken } from '../../functions/domain/unsubscribe.js';
import { MAX_PER_SECOND_LIMIT } from '../../functions/domain/rate-limit.js';
import { chunksOfPage } from '../../functions/domain/messages.js';
import { apiDependencies, dynamoDocumentClient, sqs as apiSqs, stores } from '../../functions/handlers/wiring.js';
import type { RecurringScheduler, StartScheduler, StepTimer } from '../../functions/ports.js';
import { startHttpServer, type HttpServer } from '../../local/http.js';
import { generatedOpenApi } from '../../local/openapi.js';
import { createTestQueues, createTestTables, documentClient, sqsClient } from '../support/aws.js';

const SEED = 39;
/** Within the two-core budget: a few hundred requests in all; the tables are read only around one that wrote. */
const RUNS = { lists: 120, ids: 80, bodies: 160 };
const now = new Date('2030-01-01T12:00:00Z');
const db = documentClient();
const sqs = sqsClient();

let server: HttpServer;
let tableNames: Record<string, string>;
let queueUrls: string[];
/**
 * Every call of the api's DynamoDB and SQS clients that is not a read, and every scheduler call:
 * while a request logs none, it changed nothing, and the tables need not be read to know it.
 */
const writes: string[] = [];
const READS = /^(Get|BatchGet|TransactGet|Query|Scan|Describe|List|ReceiveMessage)/;
function logWrites(client: { middlewareStack: { add: (...args: never[]) => void } }): void {
  const middleware = (next: (args: unknown) => Promise<unknown>, context: { commandName?: string }) => async (args: unknown) => {
    if (!READS.test(context.commandName ?? '')) writes.push(context.commandName ?? 'an unnamed command');
    return next(args);
  };
  client.middlewareStack.add(middleware as never, { step: 'initialize', name: 'logWrites' } as never);
}

/** What the schedulers were asked, in order: part of the state a refused request must leave alone. */
const scheduled: string[] = [];
const schedulerCall = (call: string) => {
  scheduled.push(call);
  writes.push(call);
};
const scheduler: StartScheduler = {
  schedule: async (id, at) => schedulerCall(`schedule ${id} ${at.toISOString()}`),
  unschedule: async (id) => schedulerCall(`unschedule ${id}`),
};
const stepTimer: StepTimer = { schedule: async (step) => schedulerCall(`step ${step.eventId} ${step.step} ${step.dueAt}`) };
const recurringScheduler: RecurringScheduler = {
  scheduleRecurring: async (id) => schedulerCall(`recurring ${id}`),
  unscheduleRecurring: async (id) => schedulerCall(`unrecurring ${id}`),
};

/** What the setup made, for the generators to name. */
const known = {
  clientIds: [] as string[],
  phones: [] as string[],
  emails: [] as string[],
  campaignIds: [] as string[],
  messageIds: [] as string[],
  noticeIds: [] as string[],
  eventTypeKeys: [] as string[],
  eventIds: [] as string[],
  /** Unsubscribe tokens of known clients (and one of a client that never existed). */
  tokens: [] as string[],
};
/** The unsubscribe links' signer the api is given. */
const signer = hmacSigner('p'.repeat(40));
const issuedCursors: string[] = [];

interface Request {
  method: string;
  path: string;
  query?: [string, string][];
  body?: string;
  headers?: Record<string, string>;
}

async function send({ method, path, query = [], body, headers = {} }: Request) {
  const search = new URLSearchParams(query).toString();
  const response = await fetch(`${server.url}${path}${search ? `?${search}` : ''}`, {
    method,
    headers,
    ...(body !== undefined && method !== 'GET' && method !== 'HEAD' ? { body } : {}),
  });
  return { status: response.status, contentType: response.headers.get('content-type') ?? '', text: await response.text() };
}

async function json<T>(method: string, path: string, body?: unknown): Promise<T> {
  const answer = await send({ method, path, ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }) });
  expect(answer.status, `${method} ${path}: ${answer.text}`).toBeLessThan(300);
  return JSON.parse(answer.text) as T;
}

/** Key order aside, as JSON. */
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value && typeof value === 'object')
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((key) => [key, canonical((value as Record<string, unknown>)[key])]),
    );
  return value;
}

/** Every item of every table, every queue's depth and every scheduler call. */
async function state() {
  const tables = await Promise.all(
    Object.entries(tableNames).map(async ([name, table]) => {
      const items: string[] = [];
      let start: Record<string, unknown> | undefined;
      do {
        const page = await db.send(new ScanCommand({ TableName: table, ConsistentRead: true, ExclusiveStartKey: start }));
        items.push(...(page.Items ?? []).map((item) => JSON.stringify(canonical(item))));
        start = page.LastEvaluatedKey;
      } while (start);
      return [name, items.sort()] as const;
    }),
  );
  const queues = await Promise.all(
    queueUrls.map(async (url) => {
      const { Attributes } = await sqs.send(
        new GetQueueAttributesCommand({
          QueueUrl: url,
          AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible', 'ApproximateNumberOfMessagesDelayed'],
        }),
      );
      return [url, Attributes] as const;
    }),
  );
  return { tables: Object.fromEntries(tables), queues: Object.fromEntries(queues), scheduled: [...scheduled] };
}

/** The state before the request under test, read again only after a request that may have changed it. */
let before: Awaited<ReturnType<typeof state>> | undefined;

/** The property every request must hold: 2xx, or a 4xx problem document that changed nothing. */
async function answersWell(request: Request): Promise<void> {
  const reads = request.method === 'GET' || request.method === 'HEAD';
  if (!reads) before ??= await state();
  writes.length = 0;
  const answer = await send(request);
  const wrote = writes.length > 0;
  let unchanged = !wrote;
  try {
    const shown = `${request.method} ${request.path}?${new URLSearchParams(request.query ?? []).toString()} -> ${answer.status} ${answer.text.slice(0, 300)}`;
    const ok = answer.status >= 200 && answer.status < 300;
    expect(ok || (answer.status >= 400 && answer.status < 500), shown).toBe(true);
    if (reads) expect(writes, `${shown}: a read wrote`).toEqual([]);
    if (ok) return;
    expect(answer.contentType, shown).toMatch(/^application\/problem\+json/);
    if (request.method !== 'HEAD') expect(ProblemSchema.parse(JSON.parse(answer.text)).status, shown).toBe(answer.status);
    // Written and undone (an Idempotency-Key's record, taken and released) is no change: the state says.
    if (wrote) expect(await state(), `${shown}: a refused request changed the state (${writes.join(', ')})`).toEqual(before);
    unchanged = true;
  } finally {
    // After a change (or a failed check, while fast-check shrinks), the next request is measured from the state as it is.
    if (!unchanged) before = undefined;
  }
}

beforeAll(async () => {
  const [tables, queues] = await Promise.all([createTestTables(), createTestQueues()]);
  tableNames = tables.names;
  queueUrls = [queues.fanout.url, queues.send.url, queues.startTimer.url];
  const env = parseEnv(apiEnvSchema, {
    ...tables.env,
    ...queues.env,
    SCHEDULE_GROUP: 'test',
    SCHEDULE_TARGET_ARN: queues.startTimer.arn,
    OCCURRENCE_TARGET_ARN: queues.fanout.arn,
    SCHEDULE_ROLE_ARN: 'test',
    SCHEDULE_DLQ_ARN: 'test',
  });
  // The api's clients are the process's (functions/handlers/wiring.ts): logged before the handler first uses them.
  logWrites(dynamoDocumentClient());
  logWrites(apiSqs());
  const handler = createApiHandler(
    apiDependencies(env, {
      clock: { now: () => now },
      scheduler,
      recurringScheduler,
      unsubscribeSigner: async () => signer,
      openApiDocument: generatedOpenApi,
      inboxSigner: async () => hmacSigner('k'.repeat(32)),
      stepTimer,
    }),
  );
  server = await startHttpServer({ port: 0, handler });

  // A few of everything, for the generators to name: clients in two tags, a campaign to come, one sending (its
  // messages written as its fan-out would), a recurring one with two runs, and a notice.
  for (const [tag, phone] of [
    ['pa', '79001000001'],
    ['pa', '79001000002'],
    ['pb', '79011000003'],
    ['pb', '79011000004'],
  ] as const) {
    const email = `ann.${phone}@example.com`;
    const client = await json<{ id: string }>('POST', '/clients', { phone, email, timezone: 'Europe/Moscow', tag, name: 'Ann', attributes: { city: 'Kazan' } });
    known.clientIds.push(client.id);
    known.phones.push(phone);
    known.emails.push(email);
  }
  const emailOnly = await json<{ id: string }>('POST', '/clients', { email: 'bo@example.com', timezone: 'UTC', tag: 'pb' });
  known.clientIds.push(emailOnly.id);
  known.emails.push('bo@example.com');
  for (const clientId of [...known.clientIds, 'never-existed'])
    for (const channel of CHANNELS) known.tokens.push(unsubscribeToken(signer, { clientId, channel }));
  const hour = 3_600_000;
  const at = (ms: number) => new Date(now.getTime() + ms).toISOString();
  const later = await json<{ id: string }>('POST', '/campaigns', { text: 'Hi {{ name }}', startAt: at(hour), endAt: at(2 * hour), filter: { tags: ['pa'] } });
  const sending = await json<{ id: string }>('POST', '/campaigns', { text: 'Now', startAt: at(-60_000), endAt: at(hour) });
  const recurring = await json<{ id: string }>('POST', '/campaigns', {
    text: 'Weekly',
    startAt: at(hour),
    endAt: at(30 * 24 * hour),
    recurrence: { rate: '1 day' },
  });
  known.campaignIds.push(later.id, sending.id, recurring.id);
  const store = stores(tables.env as never, { now: () => now }, db);
  const audience = known.clientIds.concat(known.clientIds).map((id, i) => ({ id, phone: `7900200000${i}` }));
  await store.messages.writePage(sending.id, 0, chunksOfPage(sending.id, 0, audience, now), null);
  for (const occurrence of [at(25 * hour), at(49 * hour)]) {
    await store.campaigns.createRun(recurring.id, occurrence, (id) => ({
      ...newCampaignRecord({ text: 'Weekly', startAt: occurrence, endAt: at(50 * hour) }, id, now),
      recurringId: recurring.id,
      occurrence,
    }));
  }
  const stats = await json<{ messages: { items: { id: number }[]; nextCursor: string } }>('GET', `/campaigns/${sending.id}/stats?limit=3`);
  known.messageIds.push(...stats.messages.items.map((message) => String(message.id)));
  const notice = await json<{ id: number }>('POST', '/notices', { clientId: known.clientIds[0], text: 'Receipt {{ receipt }}', variables: { receipt: 'R1' } });
  known.noticeIds.push(String(notice.id));
  for (const key of ['receipt', 'new-episode']) {
    await json('PUT', `/event-types/${key}`, {
      steps: [
        { channel: 'sms', text: 'Receipt {{ receipt }}' },
        { channel: 'sms', text: 'Again', delaySeconds: 600 },
      ],
    });
    known.eventTypeKeys.push(key);
  }
  const fired = await json<{ id: string }>('POST', '/events', { type: 'receipt', clientId: known.clientIds[0], variables: { receipt: 'R1' } });
  known.eventIds.push(fired.id);
  for (const path of [
    '/clients?limit=1',
    '/clients?limit=1&tag=pa',
    '/clients?limit=1&operatorCode=901',
    '/campaigns?limit=1',
    '/stats?limit=1',
    `/campaigns/${recurring.id}/runs?limit=1`,
    `/campaigns/${sending.id}/stats?limit=3`,
    '/event-types?limit=1',
  ]) {
    const page = await json<{ nextCursor?: string | null; messages?: { nextCursor: string | null } }>('GET', path);
    const cursor = page.nextCursor ?? page.messages?.nextCursor;
    expect(cursor, path).toEqual(expect.any(String));
    issuedCursors.push(cursor as string);
  }
  // The log's negative control: the setup's writes went through both clients and a scheduler, and were logged.
  expect(writes).toEqual(expect.arrayContaining(['TransactWriteItemsCommand', 'PutItemCommand', 'SendMessageBatchCommand', `recurring ${recurring.id}`]));
});

afterAll(async () => {
  await server?.stop();
});

// Generated values. Known ids and issued cursors are picked by index: the arbitraries are built
// when the properties run, after the setup above.

const printable = fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((code) => String.fromCharCode(code)), maxLength: 40 });
const anyText = fc.oneof(fc.string({ maxLength: 30 }), fc.string({ unit: 'grapheme', maxLength: 30 }), printable);
const oneOf = <T>(items: () => T[]) => fc.nat().map((index) => items()[index % items().length] as T);
/** Mostly what a route takes, so requests get past the first check and into the routes' own. */
const mostly = <T, U>(valid: fc.Arbitrary<T>, other: fc.Arbitrary<U>) => fc.oneof({ weight: 6, arbitrary: valid }, { weight: 1, arbitrary: other });
/** Each optional field now and then: a body with many of them rarely passes every check. */
const sometimes = (fields: Record<string, fc.Arbitrary<unknown>>) =>
  fc
    .record(Object.fromEntries(Object.entries(fields).map(([key, arbitrary]) => [key, fc.oneof({ weight: 2, arbitrary: fc.constant(undefined) }, arbitrary)])))
    .map((record) => Object.fromEntries(Object.entries(record).filter(([, value]) => value !== undefined)));
const base64url = (text: string) => Buffer.from(text).toString('base64url');

const idArb = () =>
  fc.oneof(
    oneOf(() => [...known.clientIds, ...known.campaignIds, ...known.messageIds, ...known.noticeIds]),
    fc.stringMatching(/^[1-9]\d{0,17}$/),
    fc.stringMatching(/^[A-Za-z0-9_-]{1,70}$/),
    fc.constantFrom('0', '-1', '1.5', '9007199254740993', '1e21', '..', '%2F', '%00', 'a%20b', '%25', '%E0%A4%A', '%ED%A0%80', 'x'.repeat(300)),
    anyText.filter((text) => text.length > 0).map(encodeURIComponent),
  );
/** The id a route names: mostly one of its kind that exists. */
const targetArb = (kind: 'clientIds' | 'campaignIds' | 'eventTypeKeys' | 'eventIds') =>
  mostly(
    oneOf(() => known[kind]),
    idArb(),
  );

/** A cursor: issued ones (mostly on another route than their own), changed ones, and made-up ones. */
const cursorArb = () =>
  fc.oneof(
    oneOf(() => issuedCursors),
    fc
      .tuple(
        oneOf(() => issuedCursors),
        fc.nat(),
        printable,
      )
      .map(([cursor, at, text]) => cursor.slice(0, at % cursor.length) + text + cursor.slice((at % cursor.length) + 1)),
    fc
      .tuple(
        oneOf(() => issuedCursors),
        fc.nat(),
      )
      .map(([cursor, at]) => cursor.slice(0, at % cursor.length)),
    fc.jsonValue().map((value) => base64url(JSON.stringify(value) ?? 'null')),
    fc
      .tuple(
        fc.constantFrom('clients', 'clients.byTag', 'clients.byOperatorCode', 'campaigns', 'campaigns.byRecurring', 'messages', 'event-types', 'other'),
        fc.dictionary(fc.constantFrom('id', 'tag', 'operatorCode', 'recurringId', 'occurrence', 'campaignId', 'c', 'p', 'chunk', 'key'), fc.jsonValue()),
      )
      .map((envelope) => base64url(JSON.stringify(envelope))),
    fc.constantFrom('eyJhIjoxfQ', base64url('{"id":"x"}'), base64url('{"c":0,"p":-1}'), ''),
    printable,
  );

const limitArb = fc.oneof(fc.integer({ min: -5, max: 150 }).map(String), fc.constantFrom('', 'ten', '1e2', '0x10', ' 5', '5.5', '100', '1', 'NaN'));
const queryValueArb = () =>
  fc.oneof(
    limitArb,
    cursorArb(),
    fc.constantFrom('pa', 'pb', 'nobody', '900', '901', '9', 'queued', 'sent', 'delivered', 'true', 'false', 'yes', ...known.phones),
    anyText,
  );
const queryArb = () =>
  fc.array(fc.tuple(fc.constantFrom('limit', 'cursor', 'cursor', 'tag', 'operatorCode', 'phone', 'status', 'verify', 'sort', 'x'), queryValueArb()), {
    maxLength: 4,
  });

/** Headers a route takes: JSON, sometimes an Idempotency-Key (two of them reused on purpose), and a few of no meaning here. */
const headersArb = fc
  .record({
    contentType: fc.constantFrom('application/json', 'application/json; charset=utf-8', 'application/merge-patch+json'),
    idempotencyKey: fc.oneof(
      { weight: 6, arbitrary: fc.constant(undefined) },
      { weight: 2, arbitrary: fc.constantFrom('k1', 'k2') },
      { weight: 2, arbitrary: fc.uuid() },
    ),
    extra: fc.dictionary(
      fc
        .stringMatching(/^[A-Za-z][A-Za-z0-9-]{0,15}$/)
        .filter(
          (name) => !/^(connection|content-length|content-type|transfer-encoding|host|keep-alive|upgrade|expect|te|trailer|idempotency-key)$/i.test(name),
        ),
      printable.map((value) => value.trim()),
      { maxKeys: 2 },
    ),
  })
  .map(({ contentType, idempotencyKey, extra }) => ({
    ...extra,
    'Content-Type': contentType,
    ...(idempotencyKey !== undefined ? { 'Idempotency-Key': idempotencyKey } : {}),
  }));

// Bodies each route takes: every field within its rules, optional ones now and then.

const hour = 3_600_000;
const minute = 60_000;
const instant = (ms: number) => new Date(now.getTime() + ms).toISOString();
const templateArb = fc
  .array(
    fc.constantFrom('Hello ', '{{ name | default: "friend" }}', '{{ attributes.city | default: "x" }}', '{% if tag %}vip{% endif %}', '{{ phone }}', ' '),
    {
      minLength: 1,
      maxLength: 4,
    },
  )
  .map((parts) => parts.join(''))
  .filter((text) => text.trim().length > 0);
const freshPhone = fc.stringMatching(/^79[0-9]{9}$/);
const freshEmail = fc.stringMatching(/^[a-z0-9]{1,12}@(example\.com|Example\.ORG)$/);
const channelsArb = fc.subarray([...CHANNELS]);
const tagArb = fc.oneof(fc.constantFrom('pa', 'pb', 'pc'), fc.string({ minLength: 1, maxLength: 64 }));
const filterArb = sometimes({
  tags: fc.array(fc.constantFrom('pa', 'pb', 'none'), { maxLength: 3 }),
  operatorCodes: fc.array(fc.constantFrom('900', '901'), { maxLength: 3 }),
});
const attributesArb = fc.dictionary(fc.stringMatching(/^[a-z][a-z0-9_]{0,31}$/), fc.string({ maxLength: ATTRIBUTE_VALUE_MAX_LENGTH }), { maxKeys: 3 });
const clientFields = {
  tag: tagArb,
  operatorCode: fc.constantFrom('900', '901', '926'),
  name: fc.string({ minLength: 1, maxLength: NAME_MAX_LENGTH }),
  attributes: attributesArb,
  optedOut: fc.boolean(),
  optOuts: channelsArb,
};
const timezoneArb = fc.constantFrom('Europe/Moscow', 'UTC', 'Asia/Tokyo');
/** A phone, an e-mail address or both (one of a known client's now and then). */
const addressesArb = fc.oneof(
  fc.record({ phone: freshPhone }),
  fc.record({ email: fc.oneof({ weight: 4, arbitrary: freshEmail }, { weight: 1, arbitrary: oneOf(() => known.emails) }) }),
  fc.record({ phone: freshPhone, email: freshEmail }),
);
const newClientArb = fc
  .tuple(addressesArb, fc.record({ timezone: timezoneArb }), sometimes(clientFields))
  .map(([addresses, required, optional]) => ({ ...addresses, ...required, ...optional }));
const clientPatchArb = () =>
  sometimes({
    ...clientFields,
    phone: fc.oneof(
      freshPhone,
      oneOf(() => known.phones),
      fc.constant(null),
    ),
    email: fc.oneof(
      freshEmail,
      oneOf(() => known.emails),
      fc.constant(null),
    ),
    timezone: timezoneArb,
    tag: fc.oneof(tagArb, fc.constant(null)),
    name: fc.oneof(clientFields.name, fc.constant(null)),
    attributes: fc.oneof(
      fc.dictionary(fc.constantFrom('city', 'plan'), fc.oneof(fc.string({ maxLength: 20 }), fc.constant(null)), { maxKeys: 2 }),
      fc.constant(null),
    ),
  });
/** A window that starts within two days (or already has) and ends after it starts and after now. */
const windowArb = fc
  .tuple(fc.integer({ min: -hour, max: 48 * hour }), fc.integer({ min: minute, max: 48 * hour }))
  .map(([start, length]) => ({ startAt: instant(start), endAt: instant(Math.max(start, 0) + length) }));
const campaignExtras = {
  filter: filterArb,
  sendWindow: fc.constantFrom({ from: '09:00', to: '21:00' }, { from: '21:00', to: '09:00' }),
  maxPerSecond: fc.integer({ min: 1, max: MAX_PER_SECOND_LIMIT }),
};
const newCampaignArb = fc
  .tuple(
    templateArb,
    windowArb,
    sometimes(campaignExtras),
    fc.oneof(
      { weight: 4, arbitrary: fc.constant({}) },
      { weight: 1, arbitrary: fc.constantFrom({ recurrence: { rate: '1 hour' } }, { recurrence: { cron: '0 10 * * 1' } }) },
    ),
  )
  .map(([text, window, extras, recurrence]) => ({ text, ...window, ...extras, ...recurrence }));
const campaignPatchArb = fc
  .tuple(
    sometimes({ text: templateArb, ...campaignExtras }),
    fc.option(windowArb, { nil: undefined }),
    fc.option(fc.integer({ min: minute, max: 72 * hour }), { nil: undefined }),
  )
  .map(([fields, window, endIn]) => ({ ...fields, ...(window ?? {}), ...(endIn === undefined ? {} : { endAt: instant(endIn) }) }));
const noticeBodyArb = () =>
  fc.oneof(
    fc.record({ clientId: oneOf(() => known.clientIds), text: templateArb }),
    fc.record({ phone: oneOf(() => known.phones), text: templateArb }),
    fc.record({
      clientId: oneOf(() => known.clientIds),
      text: fc.constant('Receipt {{ receipt }}'),
      variables: fc.record({ receipt: fc.string({ maxLength: 20 }) }),
    }),
  );

const stepArb = fc.oneof(
  fc.record({ channel: fc.constant('sms'), text: templateArb }),
  sometimes({ delaySeconds: fc.integer({ min: -1, max: 86_401 }), unlessRead: fc.boolean(), subject: templateArb }).chain((extra) =>
    fc.record({ channel: fc.constantFrom('sms', 'email', 'inapp'), text: templateArb }).map((step) => ({ ...step, ...extra })),
  ),
);
const eventTypeBodyArb = fc
  .tuple(fc.array(stepArb, { minLength: 1, maxLength: 6 }), sometimes({ name: fc.string({ minLength: 1, maxLength: 100 }) }))
  .map(([steps, extra]) => ({ steps, ...extra }));
const eventBodyArb = () =>
  fc.oneof(
    fc.record({
      type: oneOf(() => [...known.eventTypeKeys, 'nothing']),
      clientId: oneOf(() => known.clientIds),
      variables: fc.record({ receipt: fc.string({ maxLength: 20 }) }),
    }),
    fc.record({ type: oneOf(() => known.eventTypeKeys), phone: oneOf(() => known.phones) }),
    fc.record({ type: oneOf(() => known.eventTypeKeys), email: fc.constant('ann@example.com') }),
  );

/**
 * One thing wrong, or nothing: a field replaced by any JSON, an unknown field, a required one
 * dropped, the body not an object or not JSON, or the headers' content type or Idempotency-Key
 * wrong. A route's every check is then met alone, and its work past them is reached too.
 */
type Mistake = (request: { body: Record<string, unknown>; headers: Record<string, string> }) => { body: string; headers: Record<string, string> };
const asIs: Mistake = ({ body, headers }) => ({ body: JSON.stringify(body), headers });
const mistakeArb: fc.Arbitrary<Mistake> = fc.oneof(
  { weight: 8, arbitrary: fc.constant(asIs) },
  {
    weight: 3,
    arbitrary: fc.tuple(fc.nat(), fc.jsonValue()).map(([at, value]): Mistake => ({ body, headers }) => {
      const keys = Object.keys(body);
      return asIs({ body: keys.length ? { ...body, [keys[at % keys.length] as string]: value } : body, headers });
    }),
  },
  {
    weight: 1,
    arbitrary: fc.tuple(anyText, fc.jsonValue()).map(
      ([field, value]): Mistake =>
        ({ body, headers }) =>
          asIs({ body: { ...body, [field]: value }, headers }),
    ),
  },
  {
    weight: 1,
    arbitrary: fc.nat().map((at): Mistake => ({ body, headers }) => {
      const keys = Object.keys(body);
      return asIs({ body: Object.fromEntries(Object.entries(body).filter(([key]) => key !== keys[at % Math.max(keys.length, 1)])), headers });
    }),
  },
  { weight: 1, arbitrary: fc.jsonValue().map((value): Mistake => ({ headers }) => ({ body: JSON.stringify(value), headers })) },
  { weight: 1, arbitrary: anyText.map((text): Mistake => ({ headers }) => ({ body: text, headers })) },
  {
    weight: 1,
    arbitrary: fc
      .option(fc.oneof(fc.constantFrom('text/plain', 'application/jsonx', '', 'application/json;;', 'json'), printable), { nil: undefined })
      .map((type): Mistake => ({ body, headers }) => {
        const { 'Content-Type': _dropped, ...rest } = headers;
        return asIs({ body, headers: type === undefined ? rest : { ...rest, 'Content-Type': type } });
      }),
  },
  {
    weight: 1,
    arbitrary: fc.oneof(fc.constantFrom('', 'x'.repeat(256)), printable).map(
      (key): Mistake =>
        ({ body, headers }) =>
          asIs({ body, headers: { ...headers, 'Idempotency-Key': key } }),
    ),
  },
);

const listRequestArb = () =>
  fc
    .tuple(
      fc.constantFrom('/clients', '/campaigns', '/stats', 'stats', 'runs', '/event-types'),
      oneOf(() => known.campaignIds),
      queryArb(),
      fc.option(cursorArb(), { nil: undefined }),
    )
    .map(([route, campaignId, query, cursor]): Request => ({
      method: 'GET',
      path: route === 'stats' || route === 'runs' ? `/campaigns/${campaignId}/${route}` : route,
      query: cursor === undefined ? query : [...query, ['cursor', cursor]],
    }));

/** An unsubscribe token: a known client's, one changed a character or cut short, or made up. */
const tokenArb = () =>
  fc.oneof(
    oneOf(() => known.tokens),
    fc
      .tuple(
        oneOf(() => known.tokens),
        fc.nat(),
        fc.stringMatching(/^[A-Za-z0-9_.-]$/),
      )
      .map(([token, at, char]) => token.slice(0, at % token.length) + char + token.slice((at % token.length) + 1)),
    fc
      .tuple(
        oneOf(() => known.tokens),
        fc.nat(),
      )
      .map(([token, at]) => token.slice(0, at % token.length)),
    idArb(),
  );

const idRequestArb = () =>
  fc.oneof(
    fc
      .tuple(fc.constantFrom('GET', 'POST'), tokenArb(), fc.constantFrom('List-Unsubscribe=One-Click', '', '{}', 'x'))
      .map(([method, token, body]): Request => ({
        method,
        path: `/unsubscribe/${token}`,
        ...(method === 'POST' ? { body, headers: { 'Content-Type': 'application/x-www-form-urlencoded' } } : {}),
      })),
    fc
      .tuple(
        fc.constantFrom(
          'GET /clients/{id}',
          'DELETE /clients/{id}',
          'GET /campaigns/{id}',
          'DELETE /campaigns/{id}',
          'POST /campaigns/{id}/pause',
          'POST /campaigns/{id}/resume',
          'GET /campaigns/{id}/stats',
          'GET /campaigns/{id}/runs',
          'GET /messages/{id}',
          'GET /notices/{id}',
          'GET /docs/{id}',
          'POST /clients/{id}/inbox-token',
          'GET /clients/{id}/inbox',
          'POST /inbox/{id}/read',
          'POST /inbox/{id}/unread',
          'DELETE /inbox/{id}',
          'GET /event-types/{id}',
          'DELETE /event-types/{id}',
          'GET /events/{id}',
        ),
        idArb(),
        targetArb('clientIds'),
        targetArb('campaignIds'),
        headersArb,
        targetArb('eventTypeKeys'),
        targetArb('eventIds'),
      )
      .map(([route, id, clientId, campaignId, headers, eventType, eventId]): Request => {
        const [method, template] = route.split(' ') as [string, string];
        const byRoute: [string, string][] = [
          ['/clients', clientId],
          ['/campaigns', campaignId],
          ['/event-types', eventType],
          ['/events', eventId],
        ];
        const named = byRoute.find(([prefix]) => template.startsWith(`${prefix}/`))?.[1] ?? id;
        return { method, path: template.replace('{id}', named), headers };
      }),
    fc
      .tuple(
        fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'),
        fc.constantFrom(
          '/',
          '/clients',
          '/clients/batch',
          '/campaigns',
          '/campaigns/preview',
          '/stats',
          '/openapi.json',
          '/docs',
          '/messages',
          '/notices',
          '/unsubscribe',
          '/unsubscribe/',
          '/inbox',
          '/inbox/count',
          '/inbox/read-all',
          '/event-types',
          '/events',
          '/nothing',
        ),
      )
      .map(([method, path]): Request => ({ method, path })),
  );

const bodyRequestArb = () =>
  fc
    .tuple(
      fc.oneof(
        newClientArb.map((body) => ({ method: 'POST', template: '/clients', body })),
        fc
          .record({ clients: fc.array(fc.oneof(newClientArb, fc.jsonValue()), { minLength: 1, maxLength: 4 }) })
          .map((body) => ({ method: 'POST', template: '/clients/batch', body })),
        clientPatchArb().map((body) => ({ method: 'PATCH', template: '/clients/{id}', body })),
        newCampaignArb.map((body) => ({ method: 'POST', template: '/campaigns', body })),
        campaignPatchArb.map((body) => ({ method: 'PATCH', template: '/campaigns/{id}', body })),
        fc
          .tuple(
            templateArb,
            fc.option(
              oneOf(() => [...known.clientIds, 'nobody']),
              { nil: undefined },
            ),
          )
          .map(([text, clientId]) => ({ method: 'POST', template: '/campaigns/preview', body: { text, ...(clientId ? { clientId } : {}) } })),
        sometimes({ filter: filterArb }).map((body) => ({ method: 'POST', template: '/campaigns/audience', body })),
        noticeBodyArb().map((body) => ({ method: 'POST', template: '/notices', body })),
        eventTypeBodyArb.map((body) => ({ method: 'PUT', template: '/event-types/{id}', body })),
        eventBodyArb().map((body) => ({ method: 'POST', template: '/events', body })),
      ),
      targetArb('clientIds'),
      targetArb('campaignIds'),
      headersArb,
      mistakeArb,
      fc.oneof(targetArb('eventTypeKeys'), fc.stringMatching(/^[a-z0-9][a-z0-9._-]{0,10}$/)),
    )
    .map(([{ method, template, body }, clientId, campaignId, headers, mistake, eventType]): Request => ({
      method,
      path: template.replace('{id}', template.startsWith('/clients') ? clientId : template.startsWith('/event-types') ? eventType : campaignId),
      ...mistake({ body: body as Record<string, unknown>, headers }),
    }));

describe('every route, with generated input', () => {
  it('answers lists with generated cursors and query values with 2xx or a 4xx problem, changing nothing when it refuses', { timeout: 120_000 }, async () => {
    await fc.assert(fc.asyncProperty(listRequestArb(), answersWell), { seed: SEED, numRuns: RUNS.lists });
  });

  it('answers generated ids, methods and paths with 2xx or a 4xx problem, changing nothing when it refuses', { timeout: 120_000 }, async () => {
    await fc.assert(fc.asyncProperty(idRequestArb(), answersWell), { seed: SEED, numRuns: RUNS.ids });
  });

  it('answers generated bodies and headers with 2xx or a 4xx problem, changing nothing when it refuses', { timeout: 120_000 }, async () => {
    await fc.assert(fc.asyncProperty(bodyRequestArb(), answersWell), { seed: SEED, numRuns: RUNS.bodies });
  });
});
