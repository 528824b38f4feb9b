/**
 * Every response of the REST API as a zod schema, for the OpenAPI document (openapi.ts) and
 * the view types. No route validates with them, so they are built only when the document is:
 * the api's cold start does not pay for them (routes/docs.ts imports openapi.ts on first use).
 */
import * as z from 'zod';
import { CAMPAIGN_STATUSES } from '../domain/campaigns.js';
import { EMAIL_DELIVERIES } from '../domain/channels/email-events.js';
import { SKIP_REASONS, STEP_STATUSES } from '../domain/events.js';
import { MESSAGE_STATUSES } from '../domain/messages.js';
import { EventStepSchema } from './schemas/events.js';
import { CampaignFilterSchema, maxPerSecond, SendWindowSchema } from './schemas/campaigns.js';
import { attributes, email, name, optedOut, optOuts } from './schemas/clients.js';
import { channel, operatorCode, phone, tag, timestamp } from './schemas/fields.js';

export const ClientSchema = z
  .strictObject({
    id: z.string(),
    phone: phone.optional(),
    email: email.optional(),
    operatorCode: operatorCode.optional(),
    tag: tag.optional(),
    timezone: z.string(),
    name: name.optional(),
    attributes: attributes.optional(),
    optedOut,
    optOuts: optOuts.openapi({ description: 'The channels the client opted out of, in the order sms, email, inapp; [] when none.' }),
    createdAt: timestamp,
    updatedAt: timestamp,
  })
  .openapi('Client');

const count = z.number().int().min(0);
export const CountsSchema = z
  .strictObject({ queued: count, sent: count, failed: count, expired: count, cancelled: count })
  .openapi('Counts', { description: 'Messages by status; every status is present, zeros included.' });

export const CampaignSchema = z
  .strictObject({
    id: z.string(),
    channel,
    text: z.string().openapi({ description: "An SMS's text; an e-mail's plain-text part or an in-app message's text ('' when none was given)." }),
    subject: z.string().optional().openapi({ description: 'E-mail: the subject template.' }),
    html: z.string().optional().openapi({ description: 'E-mail: the html part template.' }),
    title: z.string().optional().openapi({ description: 'In-app: the title template.' }),
    url: z.string().optional().openapi({ description: 'In-app: the link.' }),
    startAt: timestamp,
    endAt: timestamp,
    filter: CampaignFilterSchema,
    sendWindow: SendWindowSchema.optional(),
    maxPerSecond: maxPerSecond.optional(),
    status: z.enum(CAMPAIGN_STATUSES),
    counts: CountsSchema,
    total: count,
    suppressed: count.openapi({
      description:
        "Matching clients that got no message because they opted out of the campaign's channel or their address for it is on the suppression list (not a message status).",
      example: 2,
    }),
    unreachable: count.openapi({
      description: "Matching clients that got no message because they have no address on the campaign's channel: no phone for sms, no email for email.",
      example: 0,
    }),
    audience: count.optional().openapi({
      description:
        'Matching clients, suppressed and unreachable ones included: counted by the fan-out once it is done; estimated from the directory before (a COUNT query on the filter index). Given by GET /campaigns/{id}.',
      example: 120,
    }),
    emailEvents: z.strictObject({ delivered: count, bounced: count, complained: count }).optional().openapi({
      description:
        'On an e-mail campaign: its messages by what SES reported of them, each counted once under its latest report (a complaint after a delivery counts as a complaint).',
    }),
    recurrence: z
      .strictObject({ cron: z.string().optional(), rate: z.string().optional(), timezone: z.string(), runMinutes: count })
      .optional()
      .openapi({ description: 'On a recurring campaign, which sends nothing itself (its counts stay zero): each occurrence starts a run.' }),
    recurringId: z.string().optional().openapi({ description: 'On a run: the recurring campaign it belongs to.' }),
    occurrence: timestamp.optional().openapi({ description: 'On a run: the occurrence it is the run of.' }),
    createdAt: timestamp,
    updatedAt: timestamp,
  })
  .openapi('Campaign');

export const PreviewSchema = z
  .strictObject({
    text: z.string().openapi({ description: 'The rendered text (an e-mail: its plain-text part).', example: 'Hello Anna!' }),
    encoding: z
      .enum(['GSM-7', 'UCS-2'])
      .optional()
      .openapi({ description: 'SMS: GSM-7 when every character is in the GSM 03.38 basic set or its extension table.' }),
    characters: count
      .optional()
      .openapi({ description: 'SMS: GSM-7 septets (extension characters such as € count 2) or UCS-2 code units (an emoji counts 2).', example: 11 }),
    segments: count.optional().openapi({ description: 'SMS: parts, 160 per single message, 153 per part in GSM-7; 70 and 67 in UCS-2.', example: 1 }),
    subject: z.string().optional().openapi({ description: 'E-mail: the rendered subject.' }),
    html: z.string().optional().openapi({ description: 'E-mail: the rendered html part, every output HTML-escaped.' }),
    title: z.string().optional().openapi({ description: 'In-app: the rendered title.' }),
    url: z.string().optional().openapi({ description: 'In-app: the link.' }),
  })
  .openapi('Preview');

/** A message's delivery as both a campaign's messages and a notice report it. */
const delivery = {
  channel,
  clientId: z.string(),
  status: z.enum(MESSAGE_STATUSES),
  attempts: count,
  lastError: z.string().optional(),
  createdAt: timestamp,
  sentAt: timestamp.optional(),
  delivery: z
    .enum(EMAIL_DELIVERIES)
    .optional()
    .openapi({ description: 'An e-mail: what SES reported of it (a permanent bounce, a complaint, a delivery), the latest; absent until SES reports.' }),
};

export const MessageSchema = z
  .strictObject({
    id: z.number().int().openapi({ description: "Stable across retries; the provider's msgId." }),
    campaignId: z.string(),
    ...delivery,
  })
  .openapi('Message');

const pageOf = <T extends z.ZodType>(item: T, name: string) =>
  z
    .strictObject({
      items: z.array(item),
      nextCursor: z.string().nullable().openapi({ description: 'Opaque: the cursor of the next page of this list; null on the last page' }),
    })
    .openapi(name);

export const ClientPageSchema = pageOf(ClientSchema, 'ClientPage');
export const CampaignPageSchema = pageOf(CampaignSchema, 'CampaignPage');
export const MessagePageSchema = pageOf(MessageSchema, 'MessagePage');

export const CampaignStatsSchema = z
  .strictObject({
    campaignId: z.string(),
    status: z.enum(CAMPAIGN_STATUSES),
    counts: CountsSchema,
    total: count,
    messages: MessagePageSchema,
    recount: CountsSchema.optional().openapi({ description: 'With verify=true: the counts recounted from the messages themselves.' }),
    consistent: z
      .boolean()
      .optional()
      .openapi({ description: 'With verify=true: whether the counters equal the recount (a running campaign may lag by what the tally has not yet read).' }),
  })
  .openapi('CampaignStats');

export const CampaignSummarySchema = z
  .strictObject({ id: z.string(), status: z.enum(CAMPAIGN_STATUSES), startAt: timestamp, endAt: timestamp, counts: CountsSchema, total: count })
  .openapi('CampaignSummary');

export const OverallStatsSchema = z
  .strictObject({
    campaigns: z.array(CampaignSummarySchema).openapi({ description: 'One page of campaigns (limit, cursor).' }),
    nextCursor: z.string().nullable().openapi({ description: 'Opaque: the cursor of the next page of campaigns; null on the last page' }),
    counts: CountsSchema.openapi({ description: 'Summed over every campaign, from a totals item kept as messages change (not from this page).' }),
    total: count,
  })
  .openapi('OverallStats', { description: 'A page of campaigns with their counts, and the counts over all campaigns.' });

export const ProblemSchema = z
  .strictObject({
    type: z.string().openapi({ example: 'urn:herald:problem:invalid-request' }),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    instance: z.string().openapi({ description: 'The request path.' }),
    requestId: z.string().optional(),
    errors: z.array(z.strictObject({ field: z.string(), message: z.string() })).openapi({ description: 'Each offending field by dotted path.' }),
  })
  .openapi('Problem', { description: 'RFC 9457 problem details, served as application/problem+json.' });

export type ClientView = z.infer<typeof ClientSchema>;
export type CampaignView = z.infer<typeof CampaignSchema>;
export type PreviewView = z.infer<typeof PreviewSchema>;
export type MessageView = z.infer<typeof MessageSchema>;
export type CampaignStatsView = z.infer<typeof CampaignStatsSchema>;
export type OverallStatsView = z.infer<typeof OverallStatsSchema>;
export type ProblemDocument = z.infer<typeof ProblemSchema>;

export const ClientBatchResultSchema = z
  .strictObject({
    created: z.number().int().nonnegative(),
    failed: z.number().int().nonnegative(),
    results: z.array(
      z.strictObject({
        index: z.number().int().nonnegative().openapi({ description: 'The row in `clients`, from 0.' }),
        status: z.union([z.literal(201), z.literal(400), z.literal(409)]).openapi({ description: 'What POST /clients would have answered for the row alone.' }),
        id: z.string().optional().openapi({ description: 'The new client, on 201.' }),
        error: ProblemSchema.optional(),
      }),
    ),
  })
  .openapi('ClientBatchResult');

export type ClientBatchResult = z.infer<typeof ClientBatchResultSchema>;

const noticeId = z
  .number()
  .int()
  .openapi({ description: "The provider's msgId: notices count from 1, below every campaign message id (2^31 and up).", example: 1 });

export const NoticeAcceptedSchema = z.strictObject({ id: noticeId, status: z.literal('queued') }).openapi('NoticeAccepted');

export const NoticeSchema = z
  .strictObject({
    id: noticeId,
    ...delivery,
  })
  .openapi('Notice');

export type NoticeView = z.infer<typeof NoticeSchema>;

export const AudienceSchema = z
  .strictObject({
    audience: count.openapi({
      description: 'Clients the filter matches now, opted-out ones included (a COUNT on the filter index, as GET /campaigns/{id} estimates it).',
      example: 120,
    }),
  })
  .openapi('Audience');

export const InboxItemSchema = z
  .strictObject({
    id: z.string(),
    title: z.string(),
    text: z.string(),
    url: z.string().optional(),
    createdAt: timestamp,
    readAt: timestamp.nullable().openapi({ description: 'null while unread' }),
    campaignId: z.string().optional(),
    noticeId: z.string().optional(),
  })
  .openapi('InboxItem');

export const InboxPageSchema = z
  .strictObject({
    items: z.array(InboxItemSchema),
    nextCursor: z.string().nullable(),
    unreadCount: count.openapi({ description: 'What status=unread lists over every page, at the moment of this page.' }),
  })
  .openapi('InboxPage');

export const InboxCountSchema = z.strictObject({ unread: count }).openapi('InboxCount');

export const InboxTokenSchema = z
  .strictObject({
    token: z.string().openapi({ description: 'An HS256 JWT whose sub is the client id: the app sends it as Authorization: Bearer <token>.' }),
    expiresAt: timestamp,
  })
  .openapi('InboxToken');
const stepStatus = z.enum(STEP_STATUSES);

export const EventTypeSchema = z
  .strictObject({
    key: z.string(),
    name: z.string().optional(),
    steps: z.array(EventStepSchema.extend({ delaySeconds: z.number().int(), unlessRead: z.literal(true).optional() })),
    createdAt: timestamp,
    updatedAt: timestamp,
  })
  .openapi('EventType');

export const EventTypePageSchema = pageOf(EventTypeSchema, 'EventTypePage');

export const EventAcceptedSchema = z
  .strictObject({
    id: z.string(),
    type: z.string(),
    steps: z.array(z.strictObject({ index: z.number().int(), channel, status: stepStatus })),
  })
  .openapi('EventAccepted', { description: 'One entry per step: queued (sent now), scheduled (later) or skipped (with why in GET /events/{id}).' });

export const EventSchema = z
  .strictObject({
    id: z.string(),
    type: z.string(),
    clientId: z.string(),
    createdAt: timestamp,
    steps: z.array(
      z.strictObject({
        index: z.number().int(),
        channel,
        status: stepStatus,
        messageId: z.number().int().optional().openapi({ description: "The step's notice (GET /notices/{id}), once it is queued." }),
        reason: z.enum(SKIP_REASONS).optional().openapi({ description: 'Why a skipped step was not sent.' }),
      }),
    ),
  })
  .openapi('Event');
