/** The statistics' query parameters (routes/stats.ts). */
import * as z from 'zod';
import { MESSAGE_STATUSES } from '../../domain/messages.js';
import { cursor, limit } from './fields.js';

export const CampaignStatsQuerySchema = z.strictObject({
  limit,
  cursor,
  status: z.enum(MESSAGE_STATUSES).optional(),
  verify: z
    .enum(['true', 'false'])
    .transform((value) => value === 'true')
    .optional()
    .openapi({ param: { description: 'true: also recount from the stored messages (reads every chunk) and say whether the counters agree.' } }),
});
export const OverallStatsQuerySchema = z.strictObject({
  limit: limit.default(100).openapi({ param: { description: 'Campaigns per page, 1 to 100.' } }),
  cursor,
});
