/** Settings of the local runtime (`npm start`), read by the one config parser (functions/adapters/config.ts). */
import * as z from 'zod';
import { fanoutStreams, name, positiveInt, url } from '../functions/adapters/config.js';
import { DEFAULT_STREAMS } from '../functions/domain/shards.js';

export const localEnvSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HERALD_DATA_DIR: name.default('.herald'),
  HERALD_PROVIDER_URL: url.optional(),
  HERALD_PROVIDER_TOKEN: name.optional(),
  HERALD_PROVIDER_CONCURRENCY: positiveInt.default(20),
  HERALD_FAKE_LATENCY_MS: z.coerce.number().int().min(0).default(20),
  /** Parallel fan-out streams per campaign (FANOUT_STREAMS on AWS). */
  HERALD_FANOUT_STREAMS: fanoutStreams.default(DEFAULT_STREAMS),
  HERALD_FAKE_ERROR_RATE: z.coerce.number().min(0).max(1).default(0),
  LOG_LEVEL: z.enum(['DEBUG', 'INFO', 'WARN', 'ERROR', 'SILENT']).default('INFO'),
});
export type LocalEnv = z.infer<typeof localEnvSchema>;
