/** GET /messages/{id} (routes/messages.ts): the id the provider saw as msgId. */
import * as z from 'zod';
import { positiveIntegerId } from './fields.js';

export const MessageIdParamsSchema = z.strictObject({ id: positiveIntegerId(2147483648) });
