/**
 * What the request schemas of the route groups share, and zod's OpenAPI extension, which each
 * group's module gets by importing this one. A route group imports its module on its first
 * request (functions/api/routes/), so a cold start builds no request schema and a request
 * builds only its group's (docs/decisions/011-lazy-loading.md); ../schemas.ts gathers them all for the OpenAPI
 * document and the tests. Objects are strict: an unknown field is an error, not something ignored.
 */
import { extendZodWithOpenApi } from '@asteasolutions/zod-to-openapi';
import * as z from 'zod';
import { CHANNELS, DEFAULT_CHANNEL, type Channel } from '../../domain/channels/channel.js';
import { EMAIL_PART_MAX_BYTES, TEMPLATE_MAX_LENGTH } from '../../domain/render-limits.js';
import { OPERATOR_CODE_PATTERN, PHONE_PATTERN } from '../../domain/clients.js';

// It reads only ZodType; handing it the whole namespace would make esbuild keep every
// zod locale (about 350 KB) in the api bundle.
extendZodWithOpenApi({ ZodType: z.ZodType } as unknown as typeof z);

export const phone = z.string().regex(PHONE_PATTERN, 'must be 11 digits starting with 7 (7XXXXXXXXXX)').openapi({ example: '79001234567' });
export const operatorCode = z.string().regex(OPERATOR_CODE_PATTERN, 'must be 3 digits').openapi({ example: '900' });
export const tag = z.string().min(1).max(64).openapi({ example: 'vip' });
/** Every channel's name is taken; one whose sender does not exist would be refused by the domain (functions/domain/channels/channel.ts), 400 naming `channel`. */
export const channel = z
  .enum(CHANNELS)
  .openapi({ description: 'What the messages go out on: sms (the default), email or inapp (an item of the client inbox).', example: 'sms' });

/**
 * The content fields of every channel, each optional here: which a channel requires, and which it
 * refuses, is the domain's rule (functions/domain/channels/fields.ts), applied with the channel
 * a patch leaves the campaign on. `text` is given as each schema describes it.
 */
export function channelContent(text: z.ZodString) {
  return {
    text: text.max(EMAIL_PART_MAX_BYTES).optional(),
    subject: z.string().min(1).max(EMAIL_PART_MAX_BYTES).optional().openapi({
      description: 'E-mail only, required there: a Liquid template (the variables of text, and unsubscribeUrl), rendered on one line.',
      example: 'News for {{ name | default: "you" }}',
    }),
    html: z.string().min(1).max(EMAIL_PART_MAX_BYTES).optional().openapi({
      description: 'E-mail only: the html part, a Liquid template whose every {{ }} output is HTML-escaped. Each e-mail part renders to at most 100 KB.',
      example: '<p>Hello {{ name }}</p><p><a href="{{ unsubscribeUrl }}">Unsubscribe</a></p>',
    }),
    title: z.string().min(1).max(1000).optional().openapi({
      description: 'In-app only, required there: a Liquid template rendered to at most 200 characters (the in-app text to at most 2,000).',
      example: 'Hello {{ name }}',
    }),
    url: z
      .string()
      .min(1)
      .max(2048)
      .optional()
      .openapi({ description: 'In-app only: an https: URL or a path relative to the app (starting with /).', example: '/orders/42' }),
  };
}

/**
 * A text keeps its channel's template length limit (an SMS's 1,000 characters) whatever the other
 * channels allow, refused as zod refuses a string too long. A patch that names no channel is
 * judged by the domain, which knows the campaign's.
 */
export function smsTextLength(input: { channel?: Channel; text?: string | undefined }, context: z.RefinementCtx): void {
  const max = TEMPLATE_MAX_LENGTH[input.channel ?? DEFAULT_CHANNEL];
  if (input.text === undefined || input.text.length <= max) return;
  context.addIssue({
    code: 'too_big',
    origin: 'string',
    maximum: max,
    inclusive: true,
    path: ['text'],
    message: `Too big: expected string to have <=${max} characters`,
  });
}
export const timestamp = z.string().openapi({ format: 'date-time', example: '2030-01-01T06:00:00.000Z' });
export const clientId = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be a client id');

/** An empty patch is refused, but only when nothing else is wrong: unknown fields are the better answer. */
export const atLeastOneField = {
  check: (value: object) => Object.keys(value).length > 0,
  options: { message: 'must change at least one field', when: (payload: { issues: unknown[] }) => payload.issues.length === 0 },
};

// Path and query parameters

export const limit = z.coerce
  .number()
  .int()
  .min(1)
  .max(100)
  .default(20)
  .openapi({ param: { description: 'Page size, 1 to 100.' } });
export const cursor = z
  .string()
  .min(1)
  .max(2048)
  .optional()
  .openapi({
    param: {
      description: 'The nextCursor of the previous page of this same list (same route, tag, operatorCode or campaign); any other value is a 400 naming cursor.',
    },
  });

/** A path id that is a positive integer (a message's or a notice's), as a number. */
export const positiveIntegerId = (example: number) =>
  z
    .string()
    .regex(/^[1-9]\d{0,15}$/, 'must be a positive integer')
    .transform(Number)
    .refine(Number.isSafeInteger, 'must be a positive integer')
    .openapi({ type: 'integer', minimum: 1, example });
