/** Campaigns' requests (routes/campaigns.ts): create, change, preview, audience, list, the id in the path. */
import * as z from 'zod';
import { MAX_PER_SECOND_LIMIT } from '../../domain/rate-limit.js';
import { recurrenceProblems } from '../../domain/recurrence.js';
import { HH_MM } from '../../domain/send-window.js';
import { atLeastOneField, channel, channelContent, clientId, cursor, limit, operatorCode, smsTextLength, tag } from './fields.js';

/** ISO 8601 with an explicit offset (`Z` or `+03:00`); zod's pattern also knows the days of each month. */
const instant = z.iso
  .datetime({ offset: true, message: 'must be an ISO 8601 date-time with an offset, e.g. 2030-01-01T09:00:00+03:00' })
  .openapi({ example: '2030-01-01T09:00:00+03:00' });

export const CampaignFilterSchema = z
  .strictObject({
    operatorCodes: z.array(operatorCode).max(100).optional(),
    tags: z.array(tag).max(100).optional(),
  })
  .openapi('CampaignFilter', { description: 'A client matches when it matches every list given; no filter means every client.' });

const templateText = z.string().min(1).openapi({
  description:
    "A Liquid template rendered per client at send time: an SMS's text (at most 1,000 characters), an e-mail's plain-text part, an in-app message's text. Variables: name, phone, tag, operatorCode, timezone, attributes.<key> (and unsubscribeUrl in an e-mail); a syntax error or an unknown variable is refused (400 naming text, with line and column), and so is a text that, rendered once with placeholders, runs past the render limits or past its channel's size (1,600 characters for an SMS). A message that renders past it for its client fails.",
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
    channel: channel.optional(),
    ...channelContent(templateText),
    startAt: instant,
    endAt: instant.openapi({ description: 'After startAt and in the future.', example: '2030-01-01T21:00:00+03:00' }),
    filter: CampaignFilterSchema.optional(),
    sendWindow: SendWindowSchema.optional(),
    maxPerSecond: maxPerSecond.optional(),
    recurrence: RecurrenceSchema.optional(),
  })
  .superRefine(smsTextLength)
  .openapi('NewCampaign', {
    description:
      'text is required on sms, subject on email and title on inapp; subject and html only on email, title and url only on inapp (400 naming the field).',
  });

export const CampaignPatchSchema = z
  .strictObject({
    channel: channel.optional(),
    ...channelContent(templateText),
    startAt: instant.optional(),
    endAt: instant.optional(),
    filter: CampaignFilterSchema.optional(),
    sendWindow: SendWindowSchema.optional(),
    maxPerSecond: maxPerSecond.optional(),
    recurrence: RecurrenceSchema.optional(),
  })
  .refine(atLeastOneField.check, atLeastOneField.options)
  .superRefine((patch, context) => {
    if (patch.channel !== undefined) smsTextLength(patch, context);
  })
  .openapi('CampaignPatch', {
    description:
      'While scheduled every field may change; once running only endAt. A recurring campaign: every field until it is finished or cancelled (startAt only before it starts); the runs to come follow.',
  });

export const PreviewRequestSchema = z
  .strictObject({
    channel: channel.optional(),
    ...channelContent(templateText),
    clientId: clientId.optional().openapi({ description: 'Render for this client; without it each variable shows as a placeholder such as <name>.' }),
    eventStep: z.boolean().optional().openapi({
      description:
        "The content is an event type's step (PUT /event-types/{key}): its templates may read any further variable, which each event's variables give (POST /events), and each shows as a placeholder such as <orderId>, also with a clientId.",
    }),
  })
  .superRefine(smsTextLength)
  .openapi('PreviewRequest', {
    description:
      'The content of a campaign on its channel (default sms), answered rendered: an SMS with its encoding, characters and segments; an e-mail as subject, text and html; an in-app message as title, text and url.',
    example: { text: 'Hello {{ name }}!', clientId: 'k3Jd9sQ0aB1xYz2w' },
  });

export const CampaignListQuerySchema = z.strictObject({ limit, cursor });

export const CampaignIdParamsSchema = z.strictObject({
  id: z
    .string()
    .regex(/^[1-9]\d{0,15}$/, 'must be a campaign id (a positive integer)')
    .openapi({ example: '1' }),
});

// Audience count (POST /campaigns/audience): what the admin app's filter builder shows as it is edited.

export const AudienceRequestSchema = z
  .strictObject({ filter: CampaignFilterSchema.optional() })
  .openapi('AudienceRequest', { example: { filter: { operatorCodes: ['900'], tags: ['vip'] } } });
