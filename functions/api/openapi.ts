/**
 * The OpenAPI 3 document, generated from the same zod schemas the routes validate with; built once, on first use.
 * Locally (`npm start`) the api generates it in process; the stack generates it at build time with this same
 * module (bin/openapi.ts) into a file beside the Lambda bundle, so the generator and its library stay out of
 * the bundle (functions/definitions/functions.ts, OPENAPI_FILE).
 */
import { OpenApiGeneratorV3, OpenAPIRegistry, type RouteConfig } from '@asteasolutions/zod-to-openapi';
import * as z from 'zod';
import {
  CampaignIdParamsSchema,
  CampaignListQuerySchema,
  CampaignPatchSchema,
  CampaignStatsQuerySchema,
  OverallStatsQuerySchema,
  ClientBatchSchema,
  ClientIdParamsSchema,
  ClientListQuerySchema,
  ClientPatchSchema,
  MessageIdParamsSchema,
  NewCampaignSchema,
  NewClientSchema,
  NewNoticeSchema,
  NoticeIdParamsSchema,
  NewEventSchema,
  NewEventTypeSchema,
  EventIdParamsSchema,
  EventTypeKeyParamsSchema,
  EventTypeListQuerySchema,
  PreviewRequestSchema,
  AudienceRequestSchema,
  UnsubscribeParamsSchema,
  InboxTokenRequestSchema,
  InboxListQuerySchema,
  InboxItemParamsSchema,
  InboxClientParamsSchema,
} from './schemas.js';
import {
  CampaignPageSchema,
  CampaignSchema,
  CampaignStatsSchema,
  ClientBatchResultSchema,
  ClientPageSchema,
  ClientSchema,
  MessageSchema,
  NoticeAcceptedSchema,
  NoticeSchema,
  EventAcceptedSchema,
  EventSchema,
  EventTypePageSchema,
  EventTypeSchema,
  OverallStatsSchema,
  PreviewSchema,
  AudienceSchema,
  ProblemSchema,
  InboxItemSchema,
  InboxPageSchema,
  InboxCountSchema,
  InboxTokenSchema,
} from './response-schemas.js';
import { IDEMPOTENCY_HEADER, MAX_IDEMPOTENCY_KEY_LENGTH } from './idempotency.js';
import { PROBLEM_CONTENT_TYPE } from './problem.js';
import { servedAt } from './routes/docs.js';

export type OpenApiDocument = ReturnType<OpenApiGeneratorV3['generateDocument']>;

const problemCases = {
  400: 'Invalid request: the offending fields are named in `errors`.',
  401: 'A missing, forged, expired or wrong-audience inbox token (Authorization: Bearer).',
  404: 'No such resource.',
  405: 'Method not allowed on this path.',
  409: 'Conflict: the phone or email belongs to another client, or the campaign no longer allows the change.',
  413: 'Body too large.',
  415: 'Content-Type is not application/json.',
  422: 'The Idempotency-Key was already used with another body on this path.',
  500: 'Internal error.',
} as const;
type ProblemStatus = keyof typeof problemCases;

const problems = (...statuses: ProblemStatus[]) =>
  Object.fromEntries(
    [...statuses, 500 as const].map((status) => [
      status,
      { description: problemCases[status], content: { [PROBLEM_CONTENT_TYPE]: { schema: ProblemSchema } } },
    ]),
  );
const ok = (status: number, description: string, schema?: z.ZodType) => ({
  [status]: { description, ...(schema ? { content: { 'application/json': { schema } } } : {}) },
});
const html = (status: number, description: string) => ({ [status]: { description, content: { 'text/html': { schema: z.string() } } } });
const jsonRequest = (schema: z.ZodType) => ({ body: { required: true, content: { 'application/json': { schema } } } });
const bodyProblems = [400, 413, 415] as const;

const routes: RouteConfig[] = [
  {
    method: 'post',
    path: '/clients',
    tags: ['clients'],
    summary: 'Add a client',
    request: jsonRequest(NewClientSchema),
    responses: { ...ok(201, 'The client', ClientSchema), ...problems(...bodyProblems, 409) },
  },
  {
    method: 'post',
    path: '/clients/batch',
    tags: ['clients'],
    summary: 'Add up to 1,000 clients',
    description:
      'Each row is created as POST /clients would create it; `results` gives each row the status it would have had alone (201, 400, 409) and, when refused, its problem. A phone an earlier row of the batch has is 409.',
    request: jsonRequest(ClientBatchSchema),
    responses: { ...ok(200, 'One result per row', ClientBatchResultSchema), ...problems(...bodyProblems) },
  },
  {
    method: 'get',
    path: '/clients',
    tags: ['clients'],
    summary: 'List clients',
    request: { query: ClientListQuerySchema },
    responses: { ...ok(200, 'A page of clients', ClientPageSchema), ...problems(400) },
  },
  {
    method: 'get',
    path: '/clients/{id}',
    tags: ['clients'],
    summary: 'One client',
    request: { params: ClientIdParamsSchema },
    responses: { ...ok(200, 'The client', ClientSchema), ...problems(400, 404) },
  },
  {
    method: 'patch',
    path: '/clients/{id}',
    tags: ['clients'],
    summary: 'Change a client',
    request: { params: ClientIdParamsSchema, ...jsonRequest(ClientPatchSchema) },
    responses: { ...ok(200, 'The changed client', ClientSchema), ...problems(...bodyProblems, 404, 409) },
  },
  {
    method: 'delete',
    path: '/clients/{id}',
    tags: ['clients'],
    summary: 'Remove a client',
    request: { params: ClientIdParamsSchema },
    responses: { ...ok(204, 'Removed'), ...problems(400, 404) },
  },
  {
    method: 'post',
    path: '/campaigns',
    tags: ['campaigns'],
    summary: 'Add a campaign',
    description: 'Starts at once when startAt is reached, otherwise at startAt.',
    request: jsonRequest(NewCampaignSchema),
    responses: { ...ok(201, 'The campaign', CampaignSchema), ...problems(...bodyProblems) },
  },
  {
    method: 'get',
    path: '/campaigns',
    tags: ['campaigns'],
    summary: 'List campaigns with their counts',
    request: { query: CampaignListQuerySchema },
    responses: { ...ok(200, 'A page of campaigns', CampaignPageSchema), ...problems(400) },
  },
  {
    method: 'post',
    path: '/campaigns/preview',
    tags: ['campaigns'],
    summary: 'Render a campaign text and count its SMS segments',
    description:
      'Renders the template for the client given, or with each variable as a placeholder such as <name>, and answers the GSM-7 or UCS-2 encoding, the characters and the segments it costs. Nothing is stored.',
    request: jsonRequest(PreviewRequestSchema),
    responses: { ...ok(200, 'The rendered text and its cost', PreviewSchema), ...problems(...bodyProblems, 404) },
  },
  {
    method: 'post',
    path: '/campaigns/audience',
    tags: ['campaigns'],
    summary: 'Count the clients a filter matches',
    description: 'The audience a campaign with this filter would have now, opted-out clients included. Nothing is stored.',
    request: jsonRequest(AudienceRequestSchema),
    responses: { ...ok(200, 'The count', AudienceSchema), ...problems(...bodyProblems) },
  },
  {
    method: 'get',
    path: '/campaigns/{id}',
    tags: ['campaigns'],
    summary: 'One campaign with its counts, suppressed clients and audience',
    request: { params: CampaignIdParamsSchema },
    responses: { ...ok(200, 'The campaign', CampaignSchema), ...problems(400, 404) },
  },
  {
    method: 'patch',
    path: '/campaigns/{id}',
    tags: ['campaigns'],
    summary: 'Change a campaign',
    description: 'Scheduled: any field, and the schedule follows. Running or paused: only endAt. Finished or cancelled: 409.',
    request: { params: CampaignIdParamsSchema, ...jsonRequest(CampaignPatchSchema) },
    responses: { ...ok(200, 'The changed campaign', CampaignSchema), ...problems(...bodyProblems, 404, 409) },
  },
  {
    method: 'delete',
    path: '/campaigns/{id}',
    tags: ['campaigns'],
    summary: 'Remove or stop a campaign',
    description:
      'Scheduled: removed with its schedule. Running or paused: stopped; no provider call starts for it after the answer. Finished or cancelled: 409.',
    request: { params: CampaignIdParamsSchema },
    responses: { ...ok(204, 'Removed or stopped'), ...problems(400, 404, 409) },
  },
  {
    method: 'post',
    path: '/campaigns/{id}/pause',
    tags: ['campaigns'],
    summary: 'Pause a running campaign',
    description:
      'Running -> paused. No provider call starts for it after the answer; the fan-out stops where it is. It still ends at endAt, where what is open expires. Any other status: 409.',
    request: { params: CampaignIdParamsSchema },
    responses: { ...ok(200, 'The paused campaign', CampaignSchema), ...problems(400, 404, 409) },
  },
  {
    method: 'post',
    path: '/campaigns/{id}/resume',
    tags: ['campaigns'],
    summary: 'Resume a paused campaign',
    description: 'Paused -> running: delivery goes on where it stopped, no message twice. Any other status: 409.',
    request: { params: CampaignIdParamsSchema },
    responses: { ...ok(200, 'The running campaign', CampaignSchema), ...problems(400, 404, 409) },
  },
  {
    method: 'get',
    path: '/campaigns/{id}/runs',
    tags: ['campaigns'],
    summary: "A recurring campaign's runs",
    description: 'Each run is a campaign of its own (recurringId, occurrence, its own counts), oldest occurrence first. A one-off campaign has none.',
    request: { params: CampaignIdParamsSchema, query: CampaignListQuerySchema },
    responses: { ...ok(200, 'A page of runs', CampaignPageSchema), ...problems(400, 404) },
  },
  {
    method: 'get',
    path: '/campaigns/{id}/stats',
    tags: ['statistics'],
    summary: "A campaign's counts and its messages",
    request: { params: CampaignIdParamsSchema, query: CampaignStatsQuerySchema },
    responses: { ...ok(200, 'Counts and a page of messages', CampaignStatsSchema), ...problems(400, 404) },
  },
  {
    method: 'get',
    path: '/stats',
    tags: ['statistics'],
    summary: 'Campaigns with their counts (paginated), and totals',
    request: { query: OverallStatsQuerySchema },
    responses: { ...ok(200, 'Overall statistics', OverallStatsSchema), ...problems() },
  },
  {
    method: 'get',
    path: '/messages/{id}',
    tags: ['messages'],
    summary: 'One message by id (the provider msgId)',
    request: { params: MessageIdParamsSchema },
    responses: { ...ok(200, 'The message', MessageSchema), ...problems(400, 404) },
  },
  {
    method: 'post',
    path: '/notices',
    tags: ['notices'],
    summary: 'Send one message to one client now',
    description:
      'Renders the text for the client (its variables and `variables`) and queues it at once, through the same sender, retries and dead-letter queue as campaign messages. Unknown client: 404; opted-out client: 409; bad template: 400 naming text. Nothing is queued when refused.',
    request: jsonRequest(NewNoticeSchema),
    responses: { ...ok(202, 'Queued; the id is the notice (and the provider msgId)', NoticeAcceptedSchema), ...problems(...bodyProblems, 404, 409) },
  },
  {
    method: 'get',
    path: '/notices/{id}',
    tags: ['notices'],
    summary: 'One notice and its delivery status',
    request: { params: NoticeIdParamsSchema },
    responses: { ...ok(200, 'The notice', NoticeSchema), ...problems(400, 404) },
  },
  {
    method: 'get',
    path: '/unsubscribe/{token}',
    tags: ['unsubscribe'],
    summary: 'The confirm page of an unsubscribe link (changes nothing)',
    description:
      'Public (no signature on AWS). An HTML page asking to confirm, whose button POSTs to the same URL; mail scanners fetch links, so this changes nothing. A token Herald did not sign, or whose client is gone: 404.',
    request: { params: UnsubscribeParamsSchema },
    responses: { ...html(200, 'The confirm page'), ...problems(404) },
  },
  {
    method: 'post',
    path: '/unsubscribe/{token}',
    tags: ['unsubscribe'],
    summary: 'Unsubscribe: opt the client out of the channel the link names',
    description:
      "Public (no signature on AWS): RFC 8058 one-click unsubscribe (a mail client POSTs `List-Unsubscribe=One-Click`) or the confirm page's button; the body is not read. The client's optOuts gains the channel and its address goes on the suppression list; again, it changes nothing. A token Herald did not sign, or whose client is gone: 404, and nothing changes.",
    request: { params: UnsubscribeParamsSchema },
    responses: { ...html(200, 'Unsubscribed'), ...problems(404) },
  },
  {
    method: 'put',
    path: '/event-types/{key}',
    tags: ['events'],
    summary: 'Create or replace an event type',
    description:
      "What an event of this type does: 1 to 5 steps, each a message on its channel `delaySeconds` after the event. Each step is checked for its channel as a campaign's template (400 naming steps[i].field). Events already fired keep the steps they were fired with.",
    request: { params: EventTypeKeyParamsSchema, ...jsonRequest(NewEventTypeSchema) },
    responses: { ...ok(201, 'Created', EventTypeSchema), ...ok(200, 'Replaced', EventTypeSchema), ...problems(...bodyProblems) },
  },
  {
    method: 'get',
    path: '/event-types',
    tags: ['events'],
    summary: 'List event types',
    request: { query: EventTypeListQuerySchema },
    responses: { ...ok(200, 'A page of event types', EventTypePageSchema), ...problems(400) },
  },
  {
    method: 'get',
    path: '/event-types/{key}',
    tags: ['events'],
    summary: 'One event type',
    request: { params: EventTypeKeyParamsSchema },
    responses: { ...ok(200, 'The event type', EventTypeSchema), ...problems(400, 404) },
  },
  {
    method: 'delete',
    path: '/event-types/{key}',
    tags: ['events'],
    summary: 'Delete an event type (events already fired go on)',
    request: { params: EventTypeKeyParamsSchema },
    responses: { ...ok(204, 'Deleted'), ...problems(400, 404) },
  },
  {
    method: 'post',
    path: '/events',
    tags: ['events'],
    summary: 'Fire an event for one client',
    description:
      "Each step of the type becomes a message on its channel, at once or after its delay. When a step is due, a client opted out of its channel or without an address for it, or (unlessRead) who has read an earlier in-app step's item, skips it. Unknown type or client: 404; a variable a step uses and the event does not give: 400 naming variables. With an Idempotency-Key the event's id comes from the key, so a retry after a failed request goes on with the same event; the key on another firing (another type, client or variables) is 409 naming Idempotency-Key.",
    request: jsonRequest(NewEventSchema),
    responses: { ...ok(202, 'Accepted', EventAcceptedSchema), ...problems(...bodyProblems, 404, 409) },
  },
  {
    method: 'get',
    path: '/events/{id}',
    tags: ['events'],
    summary: "An event and each step's status",
    request: { params: EventIdParamsSchema },
    responses: { ...ok(200, 'The event', EventSchema), ...problems(400, 404) },
  },
  {
    method: 'post',
    path: '/clients/{id}/inbox-token',
    tags: ['inbox'],
    summary: "A token for the client's app to read its inbox",
    description:
      'An HS256 JWT whose sub is the client id, valid `ttlSeconds` (60 to 86,400, default 3,600). The operator backend hands it to the app; the app sends it as Authorization: Bearer <token>.',
    request: { params: InboxClientParamsSchema, body: { required: false, content: { 'application/json': { schema: InboxTokenRequestSchema } } } },
    responses: { ...ok(201, 'The token', InboxTokenSchema), ...problems(...bodyProblems, 404) },
  },
  {
    method: 'get',
    path: '/clients/{id}/inbox',
    tags: ['inbox'],
    summary: "A client's inbox, as its app sees it",
    request: { params: InboxClientParamsSchema, query: InboxListQuerySchema },
    responses: { ...ok(200, 'A page of items, newest first', InboxPageSchema), ...problems(400, 404) },
  },
  {
    method: 'get',
    path: '/inbox',
    tags: ['inbox'],
    summary: "The end user's inbox (Authorization: Bearer <inbox token>)",
    request: { query: InboxListQuerySchema },
    responses: { ...ok(200, 'A page of items, newest first', InboxPageSchema), ...problems(400, 401) },
  },
  {
    method: 'get',
    path: '/inbox/count',
    tags: ['inbox'],
    summary: 'The unread count (Authorization: Bearer <inbox token>)',
    responses: { ...ok(200, 'The unread count', InboxCountSchema), ...problems(401) },
  },
  {
    method: 'post',
    path: '/inbox/read-all',
    tags: ['inbox'],
    summary: 'Mark every item read, in constant work (Authorization: Bearer <inbox token>)',
    responses: { ...ok(200, 'Nothing unread', InboxCountSchema), ...problems(401) },
  },
  ...(['read', 'unread'] as const).map((change): RouteConfig => ({
    method: 'post',
    path: `/inbox/{itemId}/${change}`,
    tags: ['inbox'],
    summary: `Mark one item ${change} (Authorization: Bearer <inbox token>)`,
    request: { params: InboxItemParamsSchema },
    responses: { ...ok(200, 'The item', InboxItemSchema), ...problems(400, 401, 404) },
  })),
  {
    method: 'delete',
    path: '/inbox/{itemId}',
    tags: ['inbox'],
    summary: 'Archive one item: no longer listed (Authorization: Bearer <inbox token>)',
    request: { params: InboxItemParamsSchema },
    responses: { ...ok(204, 'Archived'), ...problems(400, 401, 404) },
  },
];

const IdempotencyHeadersSchema = z.object({
  [IDEMPOTENCY_HEADER]: z
    .string()
    .min(1)
    .max(MAX_IDEMPOTENCY_KEY_LENGTH)
    .optional()
    .describe('A repeat with the same key and body within 24 h answers what the first answered and does nothing else; a repeat while the first runs is 409.'),
});

/** Every POST takes the optional Idempotency-Key header (functions/api/idempotency.ts). */
function idempotent(route: RouteConfig): RouteConfig {
  return { ...route, request: { ...route.request, headers: IdempotencyHeadersSchema }, responses: { ...route.responses, ...problems(409, 422) } };
}

function buildDocument(): OpenApiDocument {
  const registry = new OpenAPIRegistry();
  for (const route of routes) registry.registerPath(route.method === 'post' ? idempotent(route) : route);
  return new OpenApiGeneratorV3(registry.definitions).generateDocument({
    openapi: '3.0.3',
    info: {
      title: 'Herald',
      version: '1.0.0',
      description:
        'Mailing campaigns: a directory of clients, campaigns sent to the clients a filter matches, and per-message statistics. Errors are RFC 9457 problem documents.',
    },
    tags: [
      { name: 'clients' },
      { name: 'campaigns' },
      { name: 'statistics' },
      { name: 'messages' },
      { name: 'notices' },
      { name: 'unsubscribe' },
      { name: 'events' },
      { name: 'inbox' },
    ],
  });
}

let cached: OpenApiDocument | undefined;

/** The document without `servers`: what the stack writes beside the bundle, and what the local api serves. */
export const generatedOpenApiDocument = (): OpenApiDocument => (cached ??= buildDocument());

/** The document, with `servers` pointing at where it is served (the API Gateway stage, locally `/`). */
export function openApiDocument(basePath = ''): OpenApiDocument {
  return servedAt(generatedOpenApiDocument(), basePath);
}
