/** Settings of the local runtime (`npm start`), read by the one config parser (functions/adapters/config.ts). */
import * as z from 'zod';
import { fanoutStreams, name, positiveInt, secretUrl, url } from '../functions/adapters/config.js';
import { DEFAULT_LOG_LEVEL } from '../functions/definitions/functions.js';
import { DEFAULT_STREAMS } from '../functions/domain/shards.js';

export const localEnvSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HERALD_DATA_DIR: z._default(name, '.herald'),
  HERALD_PROVIDER_URL: z.optional(secretUrl),
  HERALD_PROVIDER_TOKEN: z.optional(name),
  HERALD_PROVIDER_CONCURRENCY: z._default(positiveInt, 20),
  /** An SES v2 endpoint already running; without it `npm start` runs aws-ses-v2-local (local/ses.ts). */
  HERALD_SES_ENDPOINT: z.optional(url),
  /** The e-mail sender's FromEmailAddress (the stack's `emailFrom`). */
  HERALD_EMAIL_FROM: z._default(z.email(), 'herald@example.com'),
  /** The key that signs unsubscribe links (at least 32 characters); unset, one is made once and kept in the data directory. */
  HERALD_UNSUBSCRIBE_KEY: z.optional(z.string().check(z.minLength(32, 'must be at least 32 characters'))),
  /** The inbox tokens' key (at least 32 bytes); without it each start makes a new one, and tokens of an earlier start are refused. */
  HERALD_INBOX_KEY: z.optional(z.string().min(32)),
  HERALD_FAKE_LATENCY_MS: z.coerce.number().int().min(0).default(20),
  /** Parallel fan-out streams per campaign (FANOUT_STREAMS on AWS). */
  HERALD_FANOUT_STREAMS: z._default(fanoutStreams, DEFAULT_STREAMS),
  HERALD_FAKE_ERROR_RATE: z.coerce.number().min(0).max(1).default(0),
  /** Each schedule fires anywhere within this many seconds after its time, as EventBridge Scheduler does (60); 0 fires on time. */
  HERALD_SCHEDULE_JITTER_SECONDS: z.coerce.number().int().min(0).max(60).default(0),
  LOG_LEVEL: z.enum(['DEBUG', 'INFO', 'WARN', 'ERROR', 'SILENT']).default(DEFAULT_LOG_LEVEL),
});
export type LocalEnv = z.infer<typeof localEnvSchema>;
