/** The inbox's requests (routes/inbox.ts): an operator's token request and list, and the end user's routes. */
import * as z from 'zod';
import { INBOX_STATUSES } from '../../domain/inbox.js';
import { INBOX_TOKEN_TTL } from '../../domain/inbox-token.js';
import { clientId, cursor, limit } from './fields.js';

export const InboxTokenRequestSchema = z
  .strictObject({
    ttlSeconds: z
      .number()
      .int()
      .min(INBOX_TOKEN_TTL.min)
      .max(INBOX_TOKEN_TTL.max)
      .optional()
      .openapi({ description: `How long the token is valid, ${INBOX_TOKEN_TTL.min} to ${INBOX_TOKEN_TTL.max} seconds; default ${INBOX_TOKEN_TTL.default}.` }),
  })
  .openapi('InboxTokenRequest');

export const InboxListQuerySchema = z.strictObject({
  limit,
  cursor,
  status: z
    .enum(INBOX_STATUSES)
    .default('all')
    .openapi({ param: { description: 'unread: only the unread items; all (the default): every item.' } }),
});

/** Any id is looked up: one no item of this client's has is 404, like another client's. */
export const InboxItemParamsSchema = z.strictObject({
  itemId: z
    .string()
    .min(1)
    .max(64)
    .openapi({ param: { description: 'Inbox item id.' }, example: '1796212800000-2147483664' }),
});

export const InboxClientParamsSchema = z.strictObject({
  id: clientId.openapi({ param: { description: 'Client id.' } }),
});
