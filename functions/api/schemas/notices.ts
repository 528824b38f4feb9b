/** Event-triggered notices' requests (routes/notices.ts): POST /notices, GET /notices/{id}. */
import * as z from 'zod';
import { channel, clientId, phone, positiveIntegerId } from './fields.js';

export const NOTICE_VARIABLES_MAX = 20;
export const NOTICE_VARIABLE_MAX_LENGTH = 500;
const NOTICE_VARIABLE_KEY = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

export const NewNoticeSchema = z
  .strictObject({
    channel: channel.optional(),
    clientId: clientId.optional().openapi({ description: 'The client to notify; or give phone instead.', example: 'k3Jd9sQ0aB1xYz2w' }),
    phone: phone.optional().openapi({ description: "The client's phone, instead of clientId." }),
    text: z.string().min(1).max(1000).openapi({
      description:
        "A Liquid template rendered for the client when the notice is posted. Variables: the client's (name, phone, tag, operatorCode, timezone, attributes.<key>) and those in `variables`; a syntax error, an unknown variable or a rendering past 1,600 characters is refused (400 naming text).",
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

export const NoticeIdParamsSchema = z.strictObject({ id: positiveIntegerId(1) });
