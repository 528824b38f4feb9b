/** The client directory's requests (routes/clients.ts), and the client fields the response schemas reuse (name, attributes, optedOut). */
import * as z from 'zod';
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
  description: 'An opted-out client gets no campaign message; its phone stays on the suppression list after the client is deleted.',
  example: false,
});

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
