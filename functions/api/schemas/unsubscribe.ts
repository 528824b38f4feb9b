/** The public unsubscribe link's path parameter (routes/unsubscribe.ts), for the OpenAPI document: the route reads the token as it is and lets the signature decide. */
import * as z from 'zod';
import './fields.js';

export const UnsubscribeParamsSchema = z.strictObject({
  token: z.string().openapi({
    param: { description: "The opaque, signed token of an unsubscribe link (from an e-mail's List-Unsubscribe header or {{ unsubscribeUrl }})." },
  }),
});
