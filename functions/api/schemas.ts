/**
 * Every request of the REST API as a zod schema, and the field types its responses share
 * (response-schemas.ts). The routes validate with them and the OpenAPI document (openapi.ts)
 * is generated from them, so the two cannot disagree. Objects are strict: an unknown field
 * is an error, not something ignored.
 */
import { extendZodWithOpenApi } from '@asteasolutions/zod-to-openapi';
import * as z from 'zod';
import {
  ATTRIBUTE_KEY_PATTERN,
  ATTRIBUTE_VALUE_MAX_LENGTH,
  ATTRIBUTES_MAX,
  isTimeZone,
  NAME_MAX_LENGTH,
  OPERATOR_CODE_PATTERN,
  PHONE_PATTERN,
} from '../domain/clients.js';
import { MESSAGE_STATUSES } from '../domain/messages.js';
import { MAX_PER_SECOND_LIMIT } from '../domain/rate-limit.js';
import { recurrenceProblems } from '../domain/recurrence.js';
import { HH_MM } from '../domain/send-window.js';

// It reads only ZodType; handing it the whole namespace would make esbuild keep every
// zod locale (about 350 KB) in the api bundle.
extendZodWithOpenApi({ ZodType: z.ZodType } as unknown as typeof z);

export const phone = z.string().regex(PHONE_PATTERN, 'must be 11 digits starting with 7 (7XXXXXXXXXX)').openapi({ example: '79001234567' });
export const operatorCode = z.string().regex(OPERATOR_CODE_PATTERN, 'must be 3 digits').openapi({ example: '900' });
const timezone = z.string().refine(isTimeZone, 'must be an IANA time zone name, e.g. Europe/Moscow').openapi({ example: 'Europe/Moscow' });
export const tag = z.string().min(1).max(64).openapi({ example: 'vip' });
/** ISO 8601 with an explicit offset (`Z` or `+03:00`); zod's pattern also knows the days of each month. */
const instant = z.iso
  .datetime({ offset: true, message: 'must be an ISO 8601 date-time with an offset, e.g. 2030-01-01T09:00:00+03:00' })
  .openapi({ example: '2030-01-01T09:00:00+03:00' });
export const timestamp = z.string().openapi({ format: 'date-time', example: '2030-01-01T06:00:00.000Z' });
/** An empty patch is refused, but only when nothing else is wrong: unknown fields are the better answer. */
const atLeastOneField = {
  check: (value: object) => Object.keys(value).length > 0,
  options: { message: 'must change at least one field', when: (payload: { issues: unknown[] }) => payload.issues.length === 0 },
};

export const name = z.string().min(1).max(NAME_MAX_LENGTH).openapi({ example: 'Anna' });
const attributeValue = z.string().max(ATTRIBUTE_VALUE_MAX_LENGTH, `must be at most ${ATTRIBUTE_VALUE_MAX_LENGTH} characters`);
const attributeKeyMessage = `key must match ${ATTRIBUTE_KEY_PATTERN.source}`;
/** Keys are checked one by one so the problem names `attributes.<key>`; the count is checked on the whole object. */
const attributesOf = <T extends z.ZodType>(value: T) =>
  z
    .record(z.string(), value)
    .superRefine((attributes, context) => {
      const keys = Object.keys(attributes);
      if (keys.length > ATTRIBUTES_MAX) context.addIssue({ code: 'custom', message: `must have at most ${ATTRIBUTES_MAX} keys (has ${keys.length})` });
      for (const key of keys) if (!ATTRIBUTE_KEY_PATTERN.test(key)) context.addIssue({ code: 'custom', message: attributeKeyMessage, path: [key] });
    })
    .openapi({
      description: `Up to ${ATTRIBUTES_MAX} string values (at most ${ATTRIBUTE_VALUE_MAX_LENGTH} characters each) under keys matching ${ATTRIBUTE_KEY_PATTERN.source}; templates read them as attributes.<key>.`,
      example: { city: 'Kazan', plan: 'gold' },
    });
export const attributes = attributesOf(attributeValue);
export const optedOut = z.boolean().openapi({
  description: 'An opted-out client gets no campaign message; its phone stays on the suppression list after the client is deleted.',
  example: false,
});

// Requests

export const NewClientSchema = z
  .strictObject({
    phone,
    timezone,
    tag: tag.optional(),
    operatorCode: operatorCode.optional(),
    name: name.optional(),
    attributes: attributes.optional(),
    optedOut: optedOut
      .optional()
      .openapi({ description: 'Default false, or true when the phone is on the suppression list (a client opted out with it before); false here lifts that.' }),
  })
  .openapi('NewClient', {
    description: 'operatorCode is taken from the phone (digits 2-4) when not given.',
    example: { phone: '79001234567', timezone: 'Europe/Moscow', tag: 'vip', name: 'Anna', attributes: { city: 'Kazan' } },
  });

export const ClientPatchSchema = z
  .strictObject({
    phone: phone.optional(),
    timezone: timezone.optional(),
    operatorCode: operatorCode.optional(),
    tag: tag.nullable().optional().openapi({ description: 'null removes the tag' }),
    name: name.nullable().optional().openapi({ description: 'null removes the name' }),
    attributes: attributesOf(attributeValue.nullable())
      .nullable()
      .optional()
      .openapi({
        description: 'Merged key by key: a string sets the key, null removes it; attributes: null removes them all. At most 20 keys remain.',
        example: { city: 'Moscow', plan: null },
      }),
    optedOut: optedOut.optional().openapi({ description: 'true opts the client out (and suppresses the phone); false lifts it, suppression included.' }),
  })
  .refine(atLeastOneField.check, atLeastOneField.options)
  .openapi('ClientPatch');

export const CampaignFilterSchema = z
  .strictObject({
    operatorCodes: z.array(operatorCode).max(100).optional(),
    tags: z.array(tag).max(100).optional(),
  })
  .openapi('CampaignFilter', { description: 'A client matches when it matches every list given; no filter means every client.' });

const templateText = z.string().min(1).max(1000).openapi({
  description:
    'A Liquid template rendered per client at send time. Variables: name, phone, tag, operatorCode, timezone, attributes.<key>; a syntax error or an unknown variable is refused (400 naming text, with line and column).',
  example: 'Hello {{ name | default: "friend" }}, news from {{ attributes.city | default: "your city" }}!',
});

const localTime = z.string().regex(HH_MM, 'must be a local time HH:MM, 00:00 to 23:59');
export const SendWindowSchema = z
  .strictObject({ from: localTime.openapi({ example: '09:00' }), to: localTime.openapi({ example: '21:00' }) })
  .refine((window) => window.from !== window.to, { message: 'must differ from from', path: ['to'] })
  .openapi('SendWindow', {
    description: "Messages go out only while the client's local time (its timezone, daylight saving included) is in [from, to); from after to spans midnight.",
  });

export const maxPerSecond = z
  .number()
  .int()
  .min(1)
  .max(MAX_PER_SECOND_LIMIT)
  .openapi({ description: 'Provider calls for this campaign start at no more than this many a second, over every sender.', example: 50 });

/** The domain's rules (functions/domain/recurrence.ts) run here too, so a bad recurrence is refused before any I/O, each problem under its field. */
export const RecurrenceSchema = z
  .strictObject({
    cron: z.string().max(100).optional().openapi({
      description: 'Five fields: minute hour day-of-month month day-of-week (0 or 7 is Sunday), read in timezone. Not both day-of-month and day-of-week.',
      example: '0 10 * * 1',
    }),
    rate: z
      .string()
      .max(40)
      .optional()
      .openapi({ description: 'Instead of cron: "<value> <unit>", unit minute(s), hour(s) or day(s), counted from startAt.', example: '1 hour' }),
    timezone: z.string().max(64).optional().openapi({ description: 'IANA time zone the cron is read in; default UTC.', example: 'Europe/Moscow' }),
    runMinutes: z.number().int().min(1).optional().openapi({
      description: 'How long each run sends, at most the interval between occurrences; default that interval.',
      example: 120,
    }),
  })
  .superRefine((recurrence, context) => {
    for (const problem of recurrenceProblems(recurrence, new Date())) {
      // What the field's own type check already said is not said twice.
      const runMinutesTyped = Number.isInteger(recurrence.runMinutes) && (recurrence.runMinutes as number) >= 1;
      if (problem.field === 'recurrence.runMinutes' && recurrence.runMinutes !== undefined && !runMinutesTyped) continue;
      context.addIssue({ code: 'custom', message: problem.message, path: problem.field.split('.').slice(1) });
    }
  })
  .openapi('Recurrence', {
    description:
      'Each occurrence between startAt and endAt starts a run: a campaign of its own (recurringId set) sending in [occurrence, occurrence + runMinutes], capped at endAt. Exactly one of cron and rate.',
    example: { cron: '0 10 * * 1', timezone: 'Europe/Moscow', runMinutes: 120 },
  });

export const NewCampaignSchema = z
  .strictObject({
    text: templateText,
    startAt: instant,
    endAt: instant.openapi({ description: 'After startAt and in the future.', example: '2030-01-01T21:00:00+03:00' }),
    filter: CampaignFilterSchema.optional(),
    sendWindow: SendWindowSchema.optional(),
    maxPerSecond: maxPerSecond.optional(),
    recurrence: RecurrenceSchema.optional(),
  })
  .openapi('NewCampaign');

export const CampaignPatchSchema = z
  .strictObject({
    text: templateText.optional(),
    startAt: instant.optional(),
    endAt: instant.optional(),
    filter: CampaignFilterSchema.optional(),
    sendWindow: SendWindowSchema.optional(),
    maxPerSecond: maxPerSecond.optional(),
    recurrence: RecurrenceSchema.optional(),
  })
  .refine(atLeastOneField.check, atLeastOneField.options)
  .openapi('CampaignPatch', {
    description:
      'While scheduled every field may change; once running only endAt. A recurring campaign: every field until it is finished or cancelled (startAt only before it starts); the runs to come follow.',
  });

export const PreviewRequestSchema = z
  .strictObject({
    text: templateText,
    clientId: z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be a client id')
      .optional()
      .openapi({ description: 'Render for this client; without it each variable shows as a placeholder such as <name>.' }),
  })
  .openapi('PreviewRequest', { example: { text: 'Hello {{ name }}!', clientId: 'k3Jd9sQ0aB1xYz2w' } });

// Path and query parameters

const limit = z.coerce
  .number()
  .int()
  .min(1)
  .max(100)
  .default(20)
  .openapi({ param: { description: 'Page size, 1 to 100.' } });
const cursor = z
  .string()
  .min(1)
  .max(2048)
  .optional()
  .openapi({ param: { description: 'nextCursor of the previous page.' } });

export const ClientListQuerySchema = z.strictObject({
  limit,
  cursor,
  tag: tag.optional(),
  operatorCode: operatorCode.optional(),
  phone: phone.optional().openapi({ param: { description: 'The client with this phone (at most one; tag and operatorCode, if given, must match too).' } }),
});
export const CampaignListQuerySchema = z.strictObject({ limit, cursor });
export const CampaignStatsQuerySchema = z.strictObject({
  limit,
  cursor,
  status: z.enum(MESSAGE_STATUSES).optional(),
  verify: z
    .enum(['true', 'false'])
    .transform((value) => value === 'true')
    .optional()
    .openapi({ param: { description: 'true: also recount from the stored messages (reads every chunk) and say whether the counters agree.' } }),
});
export const OverallStatsQuerySchema = z.strictObject({
  limit: limit.default(100).openapi({ param: { description: 'Campaigns per page, 1 to 100.' } }),
  cursor,
});

export const ClientIdParamsSchema = z.strictObject({
  id: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be a client id')
    .openapi({ param: { description: 'Client id.' } }),
});
export const CampaignIdParamsSchema = z.strictObject({
  id: z
    .string()
    .regex(/^[1-9]\d{0,15}$/, 'must be a campaign id (a positive integer)')
    .openapi({ example: '1' }),
});
export const MessageIdParamsSchema = z.strictObject({
  id: z
    .string()
    .regex(/^[1-9]\d{0,15}$/, 'must be a positive integer')
    .transform(Number)
    .refine(Number.isSafeInteger, 'must be a positive integer')
    .openapi({ type: 'integer', minimum: 1, example: 2147483648 }),
});

// Bulk import (POST /clients/batch)

export type NewClientInput = z.infer<typeof NewClientSchema>;

export const MAX_BATCH_CLIENTS = 1000;

/** Each row is checked on its own against NewClientSchema, so one bad row is a 400 in its result, not a refused batch. */
export const ClientBatchSchema = z
  .strictObject({
    clients: z
      .array(z.unknown().openapi({ description: 'A NewClient' }))
      .min(1)
      .max(MAX_BATCH_CLIENTS),
  })
  .openapi('ClientBatch', { description: `1 to ${MAX_BATCH_CLIENTS} new clients, each as POST /clients takes it.` });

// Event-triggered notices (POST /notices, GET /notices/{id})

export const NOTICE_VARIABLES_MAX = 20;
export const NOTICE_VARIABLE_MAX_LENGTH = 500;
const NOTICE_VARIABLE_KEY = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;
const clientIdField = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be a client id');

export const NewNoticeSchema = z
  .strictObject({
    clientId: clientIdField.optional().openapi({ description: 'The client to notify; or give phone instead.', example: 'k3Jd9sQ0aB1xYz2w' }),
    phone: phone.optional().openapi({ description: "The client's phone, instead of clientId." }),
    text: z.string().min(1).max(1000).openapi({
      description:
        "A Liquid template rendered for the client when the notice is posted. Variables: the client's (name, phone, tag, operatorCode, timezone, attributes.<key>) and those in `variables`; a syntax error or an unknown variable is refused (400 naming text).",
      example: 'Hello {{ name | default: "friend" }}, your receipt {{ receipt }} is ready',
    }),
    variables: z
      .record(z.string(), z.union([z.string().max(NOTICE_VARIABLE_MAX_LENGTH), z.number(), z.boolean()]))
      .superRefine((variables, context) => {
        const keys = Object.keys(variables);
        if (keys.length > NOTICE_VARIABLES_MAX)
          context.addIssue({ code: 'custom', message: `must have at most ${NOTICE_VARIABLES_MAX} keys (has ${keys.length})` });
        for (const key of keys) {
          if (!NOTICE_VARIABLE_KEY.test(key)) context.addIssue({ code: 'custom', message: `key must match ${NOTICE_VARIABLE_KEY.source}`, path: [key] });
          else if (key === 'attributes') context.addIssue({ code: 'custom', message: "is reserved for the client's attributes", path: [key] });
        }
      })
      .optional()
      .openapi({
        description: `Up to ${NOTICE_VARIABLES_MAX} more template variables (strings of at most ${NOTICE_VARIABLE_MAX_LENGTH} characters, numbers or booleans), added to the client's; one with a client variable's name wins over it.`,
        example: { receipt: 'R-1042' },
      }),
  })
  .superRefine((notice, context) => {
    const given = [notice.clientId, notice.phone].filter((value) => value !== undefined).length;
    if (given === 0) context.addIssue({ code: 'custom', message: 'give clientId or phone', path: ['clientId'] });
    if (given === 2) context.addIssue({ code: 'custom', message: 'give clientId or phone, not both', path: ['phone'] });
  })
  .openapi('NewNotice', {
    description: 'One message to one client, sent at once (never to an opted-out client: 409). Give clientId or phone.',
    example: { clientId: 'k3Jd9sQ0aB1xYz2w', text: 'Your receipt {{ receipt }} is ready', variables: { receipt: 'R-1042' } },
  });

export const NoticeIdParamsSchema = z.strictObject({
  id: z
    .string()
    .regex(/^[1-9]\d{0,15}$/, 'must be a positive integer')
    .transform(Number)
    .refine(Number.isSafeInteger, 'must be a positive integer')
    .openapi({ type: 'integer', minimum: 1, example: 1 }),
});

// Audience count (POST /campaigns/audience): what the admin app's filter builder shows as it is edited.

export const AudienceRequestSchema = z
  .strictObject({ filter: CampaignFilterSchema.optional() })
  .openapi('AudienceRequest', { example: { filter: { operatorCodes: ['900'], tags: ['vip'] } } });
