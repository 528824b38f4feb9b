/** Event types' and events' requests (routes/events.ts): PUT/GET/DELETE /event-types/{key}, GET /event-types, POST /events, GET /events/{id}. */
import * as z from 'zod';
import { EVENT_TYPE_KEY_PATTERN, EVENT_TYPE_NAME_MAX_LENGTH, MAX_EVENT_STEPS, MAX_STEP_DELAY_SECONDS } from '../../domain/event-types.js';
import { EVENT_ID_PATTERN } from '../../domain/events.js';
import { channel, clientId, cursor, limit, phone } from './fields.js';
import { email } from './clients.js';
import { noticeVariables } from './notices.js';

const template = (description: string, max = 1000) => z.string().min(1).max(max).openapi({ description });

export const EventStepSchema = z
  .strictObject({
    channel,
    text: template(
      "A Liquid template: the SMS, the e-mail's plain-text part, or the in-app message's text. Variables: the client's and the event's `variables`.",
    ),
    subject: template('E-mail only, and required there: the subject, a template.').optional(),
    html: template('E-mail only: the html part, a template whose every output is HTML-escaped.', 20_000).optional(),
    title: template('In-app only, and required there: the title, a template.').optional(),
    url: template('In-app only: an https: URL or a path of the app (/...), a template.').optional(),
    delaySeconds: z
      .number()
      .int()
      .min(0)
      .max(MAX_STEP_DELAY_SECONDS)
      .optional()
      .openapi({ description: `Seconds after the event, 0 (the default) to ${MAX_STEP_DELAY_SECONDS}.`, example: 600 }),
    unlessRead: z.boolean().optional().openapi({
      description:
        'Skip this step (status skipped, reason read) when the in-app item of an earlier step of the same event has been read by the time it is due.',
    }),
  })
  .openapi('EventStep', { example: { channel: 'sms', text: 'Your receipt {{ receipt }} is ready', delaySeconds: 600 } });

export const NewEventTypeSchema = z
  .strictObject({
    name: z.string().min(1).max(EVENT_TYPE_NAME_MAX_LENGTH).optional().openapi({ example: 'Payment receipt' }),
    steps: z.array(EventStepSchema).min(1).max(MAX_EVENT_STEPS),
  })
  .openapi('NewEventType', {
    description: `1 to ${MAX_EVENT_STEPS} steps, each checked for its channel as a campaign's template is (400 naming steps[i].field).`,
    example: { name: 'Payment receipt', steps: [{ channel: 'sms', text: 'Your receipt {{ receipt }} is ready' }] },
  });

export const EventTypeKeyParamsSchema = z.strictObject({
  key: z.string().regex(EVENT_TYPE_KEY_PATTERN, `must match ${EVENT_TYPE_KEY_PATTERN.source}`).openapi({ example: 'payment.receipt' }),
});

export const EventTypeListQuerySchema = z.strictObject({ limit, cursor });

export const NewEventSchema = z
  .strictObject({
    type: z.string().regex(EVENT_TYPE_KEY_PATTERN, `must match ${EVENT_TYPE_KEY_PATTERN.source}`).openapi({ example: 'payment.receipt' }),
    clientId: clientId.optional().openapi({ description: 'The client the event is about; or give phone or email instead.' }),
    phone: phone.optional(),
    email: email.optional().openapi({ description: "The client's e-mail address, instead of clientId." }),
    variables: noticeVariables.optional(),
  })
  .superRefine((input, context) => {
    const given = [input.clientId, input.phone, input.email].filter((value) => value !== undefined).length;
    if (given === 0) context.addIssue({ code: 'custom', message: 'give clientId, phone or email', path: ['clientId'] });
    if (given > 1) context.addIssue({ code: 'custom', message: 'give only one of clientId, phone and email', path: ['clientId'] });
  })
  .openapi('NewEvent', { example: { type: 'payment.receipt', clientId: 'k3Jd9sQ0aB1xYz2w', variables: { receipt: 'R-1042' } } });

export const EventIdParamsSchema = z.strictObject({
  id: z.string().regex(EVENT_ID_PATTERN, 'must be an event id').openapi({ example: 'aB3dE5fG7hJ9kL1m' }),
});
