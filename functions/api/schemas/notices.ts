/** Event-triggered notices' requests (routes/notices.ts): POST /notices, GET /notices/{id}. */
import * as z from 'zod';
import { email } from './clients.js';
import { channel, channelContent, clientId, phone, positiveIntegerId, smsTextLength } from './fields.js';

export const NOTICE_VARIABLES_MAX = 20;
export const NOTICE_VARIABLE_MAX_LENGTH = 500;
const NOTICE_VARIABLE_KEY = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

/** A notice's or an event's extra template variables, beside the client's. */
export const noticeVariables = z
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
  .openapi({
    description: `Up to ${NOTICE_VARIABLES_MAX} more template variables (strings of at most ${NOTICE_VARIABLE_MAX_LENGTH} characters, numbers or booleans), added to the client's; one with a client variable's name wins over it.`,
    example: { receipt: 'R-1042' },
  });

export const NewNoticeSchema = z
  .strictObject({
    channel: channel.optional(),
    clientId: clientId.optional().openapi({ description: 'The client to notify; or give phone instead.', example: 'k3Jd9sQ0aB1xYz2w' }),
    phone: phone.optional().openapi({ description: "The client's phone, instead of clientId." }),
    email: email.optional().openapi({ description: "The client's e-mail address, instead of clientId." }),
    ...channelContent(
      z.string().min(1).openapi({
        description:
          "A Liquid template rendered for the client when the notice is posted: an SMS's text (at most 1,000 characters, required), an e-mail's plain-text part, an in-app message's text. Variables: the client's (name, phone, tag, operatorCode, timezone, attributes.<key>), those in `variables`, and unsubscribeUrl in an e-mail; a syntax error, an unknown variable or a rendering past the channel's size (1,600 characters for an SMS) is refused (400 naming the field).",
        example: 'Hello {{ name | default: "friend" }}, your receipt {{ receipt }} is ready',
      }),
    ),
    variables: noticeVariables.optional(),
  })
  .superRefine((notice, context) => {
    const given = (['clientId', 'phone', 'email'] as const).filter((field) => notice[field] !== undefined);
    if (given.length === 0) context.addIssue({ code: 'custom', message: 'give clientId, phone or email', path: ['clientId'] });
    if (given.length > 1)
      context.addIssue({ code: 'custom', message: `give one of clientId, phone and email, not ${given.join(' and ')}`, path: [given[1] as string] });
    smsTextLength(notice, context);
  })
  .openapi('NewNotice', {
    description:
      'One message to one client on a channel (default sms), sent at once. Give clientId, phone or email. A client opted out of the channel, or whose address for it is suppressed, is 409; one with no address on it is 409 with unreachable in the detail.',
    example: { clientId: 'k3Jd9sQ0aB1xYz2w', text: 'Your receipt {{ receipt }} is ready', variables: { receipt: 'R-1042' } },
  });

export const NoticeIdParamsSchema = z.strictObject({ id: positiveIntegerId(1) });
