import * as z from 'zod';
import { DEFAULT_STREAMS, isStreamCount, SHARD_COUNT, STREAM_COUNTS } from '../domain/shards.js';

/** Thrown when the environment does not satisfy a schema; names every bad variable. */
export class ConfigError extends Error {
  constructor(
    readonly variables: string[],
    detail: string,
  ) {
    super(`Invalid configuration: ${detail}`);
    this.name = 'ConfigError';
  }
}

/** The one config parser: reads `env` through a zod schema, once, and fails loudly. */
export function parseEnv<S extends z.ZodObject>(schema: S, env: NodeJS.ProcessEnv = process.env): z.infer<S> {
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  const variables = result.error.issues.map((issue) => String(issue.path[0]));
  const detail = result.error.issues.map((issue) => `${String(issue.path[0])}: ${issue.message}`).join('; ');
  throw new ConfigError(variables, detail);
}

/** The value shapes every schema here and the local runtime's (local/settings.ts) are built from. */
export const name = z.string().min(1);
export const url = z.url();
export const positiveInt = z.coerce.number().int().positive();

const tablesEnv = {
  CLIENTS_TABLE: name,
  UNIQUES_TABLE: name,
  CAMPAIGNS_TABLE: name,
  MESSAGES_TABLE: name,
};

/**
 * The provider's token comes from Secrets Manager on AWS (PROVIDER_TOKEN_SECRET);
 * the local runtime passes it in process instead, never through a deployed template.
 */
const providerEnv = {
  PROVIDER_URL: url,
  PROVIDER_TOKEN_SECRET: name.optional(),
  PROVIDER_TIMEOUT_MS: positiveInt.default(5000),
  PROVIDER_CONCURRENCY: positiveInt.default(20),
};

export const apiEnvSchema = z.object({
  ...tablesEnv,
  IDEMPOTENCY_TABLE: name,
  /** How long an `Idempotency-Key` answers with its first response: 24 hours. */
  IDEMPOTENCY_TTL_SECONDS: positiveInt.default(24 * 60 * 60),
  FANOUT_QUEUE_URL: url,
  SCHEDULE_GROUP: name,
  SCHEDULE_TARGET_ARN: name,
  SCHEDULE_ROLE_ARN: name,
  SCHEDULE_DLQ_ARN: name,
});

/** Parallel fan-out streams per campaign (functions/domain/shards.ts): a divisor of the shard count. */
export const fanoutStreams = z.coerce
  .number()
  .int()
  .refine(isStreamCount, { message: `must divide ${SHARD_COUNT} (one of ${STREAM_COUNTS.join(', ')})` });

export const fanoutEnvSchema = z.object({
  ...tablesEnv,
  FANOUT_QUEUE_URL: url,
  SEND_QUEUE_URL: url,
  FANOUT_STREAMS: fanoutStreams.default(DEFAULT_STREAMS),
});

export const sendEnvSchema = z.object({
  ...tablesEnv,
  ...providerEnv,
  SEND_QUEUE_URL: url,
  SEND_MAX_BACKOFF_SECONDS: positiveInt.default(120),
});

export const deadLetterEnvSchema = z.object({ ...tablesEnv });

export const tallyEnvSchema = z.object({ ...tablesEnv });

export type ApiEnv = z.infer<typeof apiEnvSchema>;
export type FanoutEnv = z.infer<typeof fanoutEnvSchema>;
export type SendEnv = z.infer<typeof sendEnvSchema>;
export type DeadLetterEnv = z.infer<typeof deadLetterEnvSchema>;
export type TallyEnv = z.infer<typeof tallyEnvSchema>;
