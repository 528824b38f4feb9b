/** The client directory's requests (routes/clients.ts), and the client fields the response schemas reuse (email, name, attributes, optedOut, optOuts). */
import * as z from 'zod';
import { CHANNELS } from '../../domain/channels/channel.js';
import { EMAIL_MAX_LENGTH, normalizeEmail } from '../../domain/channels/email.js';
import { ATTRIBUTE_KEY_PATTERN, ATTRIBUTE_VALUE_MAX_LENGTH, ATTRIBUTES_MAX, isTimeZone, NAME_MAX_LENGTH } from '../../domain/clients.js';
import { atLeastOneField, clientId, cursor, limit, operatorCode, phone, tag } from './fields.js';

const timezone = z.string().refine(isTimeZone, 'must be an IANA time zone name, e.g. Europe/Moscow').openapi({ example: 'Europe/Moscow' });
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
  description:
    'Opted out of every channel: the client gets no campaign message on any; its addresses stay on the suppression list after the client is deleted.',
  example: false,
});
/** Checked and lower-cased as the e-mail channel's rules say (functions/domain/channels/email.ts), so the stored address is the one SES gets. */
export const email = z
  .string()
  .superRefine((value, context) => {
    if (normalizeEmail(value) === undefined)
      context.addIssue({
        code: 'custom',
        message: value.length > EMAIL_MAX_LENGTH ? `is longer than ${EMAIL_MAX_LENGTH} characters` : 'is not an e-mail address',
      });
  })
  .overwrite((value) => normalizeEmail(value) ?? value)
  .openapi({
    format: 'email',
    maxLength: EMAIL_MAX_LENGTH,
    description: `At most ${EMAIL_MAX_LENGTH} characters, stored lower-cased; unique among clients like phone.`,
    example: 'anna@example.com',
  });
export const optOuts = z
  .array(z.enum(CHANNELS))
  .max(CHANNELS.length * 2)
  .openapi({
    description:
      'The channels the client opted out of (it gets no message on them); opting out of sms or email puts that address on the suppression list, which outlives the client. optedOut: true means every channel.',
    example: ['email'],
  });
/** A client needs a phone or an e-mail address: neither is one problem for each field, named beside any other problem of the body. */
const hasAddress = (client: { phone?: unknown; email?: unknown }) => client.phone !== undefined || client.email !== undefined;
const neitherAddress = (field: 'phone' | 'email') => ({
  message: 'a client needs a phone, an email or both',
  path: [field],
  when: ({ value }: { value: unknown }) => typeof value === 'object' && value !== null && !Array.isArray(value),
});

export const NewClientSchema = z
  .strictObject({
    phone: phone.optional(),
    email: email.optional(),
    timezone,
    tag: tag.optional(),
    operatorCode: operatorCode.optional(),
    name: name.optional(),
    attributes: attributes.optional(),
    optedOut: optedOut
      .optional()
      .openapi({ description: 'Default false, or true when the phone is on the suppression list (a client opted out with it before); false here lifts that.' }),
    optOuts: optOuts.optional().openapi({
      description:
        'Default none, or ["email"] when the e-mail address is on the suppression list; given here, it is taken as it is (an address it leaves out comes off the list).',
    }),
  })
  .refine(hasAddress, neitherAddress('phone'))
  .refine(hasAddress, neitherAddress('email'))
  .openapi('NewClient', {
    description: 'A phone, an email or both. operatorCode is taken from the phone (digits 2-4) when not given.',
    example: { phone: '79001234567', email: 'anna@example.com', timezone: 'Europe/Moscow', tag: 'vip', name: 'Anna', attributes: { city: 'Kazan' } },
  });

export const ClientPatchSchema = z
  .strictObject({
    phone: phone.nullable().optional().openapi({ description: 'null removes the phone, while the client has an email' }),
    email: email.nullable().optional().openapi({ description: 'null removes the email, while the client has a phone' }),
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
    optedOut: optedOut.optional().openapi({
      description:
        'true opts the client out of every channel (and suppresses its addresses); false lifts it, suppression included, except for the channels optOuts names.',
    }),
    optOuts: optOuts.optional().openapi({
      description:
        'Replaces the set: a channel added opts out of it (its address goes on the suppression list), a channel removed opts back in (its address comes off).',
    }),
  })
  .refine(atLeastOneField.check, atLeastOneField.options)
  .openapi('ClientPatch');

export const ClientListQuerySchema = z.strictObject({
  limit,
  cursor,
  tag: tag.optional(),
  operatorCode: operatorCode.optional(),
  phone: phone.optional().openapi({ param: { description: 'The client with this phone (at most one; tag and operatorCode, if given, must match too).' } }),
});

export const ClientIdParamsSchema = z.strictObject({
  id: clientId.openapi({ param: { description: 'Client id.' } }),
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
