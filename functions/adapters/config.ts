// zod's mini build: the same parser with tree-shakable checks, about 65 KB less in every Lambda
// bundle than the classic API (the api bundle still carries the classic one for its routes).
import * as z from 'zod/mini';
import { isSecureOrLoopback, SECURE_URL_RULE } from '../domain/secure-url.js';
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
export function parseEnv<S extends z.core.$ZodType>(schema: S, env: NodeJS.ProcessEnv = process.env): z.infer<S> {
  const result = z.safeParse(schema, env);
  if (result.success) return result.data;
  const variables = result.error.issues.map((issue) => String(issue.path[0]));
  const detail = result.error.issues.map((issue) => `${String(issue.path[0])}: ${issue.message}`).join('; ');
  throw new ConfigError(variables, detail);
}

/** The value shapes every schema here and the local runtime's (local/settings.ts) are built from. */
export const name = z.string().check(z.minLength(1));
export const url = z.url();
export const positiveInt = z.coerce.number().check(z.int(), z.positive());
/** A URL a secret is sent to (the provider's bearer token): https:, or http: on loopback only. */
export const secretUrl = url.check(z.refine((value) => !URL.canParse(value) || isSecureOrLoopback(new URL(value)), { message: SECURE_URL_RULE }));

const tablesEnv = {
  CLIENTS_TABLE: name,
  UNIQUES_TABLE: name,
  CAMPAIGNS_TABLE: name,
  MESSAGES_TABLE: name,
};

/** The in-app inbox: its table, how long an item is kept, and the secret holding the inbox tokens' key (AWS only; locally the key is passed in process). */
const inboxEnv = {
  INBOX_TABLE: name,
  INBOX_RETENTION_DAYS: z._default(z.coerce.number().check(z.int(), z.minimum(1), z.maximum(3650)), 90),
  INBOX_TOKEN_SECRET: z.optional(name),
};

/**
 * The provider's token comes from Secrets Manager on AWS (PROVIDER_TOKEN_SECRET);
 * the local runtime passes it in process instead, never through a deployed template.
 */
const providerEnv = {
  PROVIDER_URL: secretUrl,
  PROVIDER_TOKEN_SECRET: z.optional(name),
  PROVIDER_TIMEOUT_MS: z._default(positiveInt, 5000),
  PROVIDER_CONCURRENCY: z._default(positiveInt, 20),
};

/**
 * The unsubscribe links' key lives in Secrets Manager (the secret's name here); the local runtime
 * passes it in process instead. The e-mail sender also needs where the links point: the public
 * base URL of the API (its stage URL on AWS), with `spread` into its own schema.
 */
export const unsubscribeLinkEnv = {
  UNSUBSCRIBE_KEY_SECRET: name,
  PUBLIC_BASE_URL: url,
};

/** Event types and events (functions/services/events.ts): the api fires events, the start timer releases their later steps, the tally settles them. */
const eventTablesEnv = { EVENT_TYPES_TABLE: name, EVENTS_TABLE: name };

export const apiEnvSchema = z.object({
  ...tablesEnv,
  ...eventTablesEnv,
  IDEMPOTENCY_TABLE: name,
  /** How long an `Idempotency-Key` answers with its first response: 24 hours. */
  IDEMPOTENCY_TTL_SECONDS: z._default(positiveInt, 24 * 60 * 60),
  FANOUT_QUEUE_URL: url,
  /** Notices go straight onto their channel's send queue: SMS's, and e-mail's when the stack has it. */
  SEND_QUEUE_URL: url,
  SEND_EMAIL_QUEUE_URL: z.optional(url),
  SEND_INAPP_QUEUE_URL: z.optional(url),
  SCHEDULE_GROUP: name,
  /** Where one-time schedules put a start: the start timer queue. */
  SCHEDULE_TARGET_ARN: name,
  /** Where recurring schedules put an occurrence: the fan-out queue. */
  OCCURRENCE_TARGET_ARN: name,
  SCHEDULE_ROLE_ARN: name,
  SCHEDULE_DLQ_ARN: name,
  /** The start timer queue: a start within the schedule's lead goes there directly. */
  START_TIMER_QUEUE_URL: url,
  /** The admin app's origin on AWS (CloudFront), which calls the API cross-origin; unset locally. */
  CORS_ALLOWED_ORIGIN: z.optional(url),
  /** Where GET and POST /unsubscribe/{token} read the key that signs the links; unset, every link is 404. */
  UNSUBSCRIBE_KEY_SECRET: z.optional(unsubscribeLinkEnv.UNSUBSCRIBE_KEY_SECRET),
  /** Where the unsubscribe links point (the API's public URL): an e-mail notice renders its client's link. */
  PUBLIC_BASE_URL: z.optional(url),
  ...inboxEnv,
  /** Where an inbox change is told to the client's live connections (framesEnv); without them, no frames. */
  CONNECTIONS_TABLE: z.optional(name),
  WS_CONNECTIONS_ENDPOINT: z.optional(url),
  /** The origins the end-user inbox routes answer cross-origin, comma-separated (the stack's `inboxOrigins`); unset, any origin. */
  INBOX_ORIGINS: z.optional(
    z.pipe(
      z.string(),
      z.transform((value) =>
        value
          .split(',')
          .map((origin) => origin.trim())
          .filter((origin) => origin !== ''),
      ),
    ),
  ),
});

/** Parallel fan-out streams per campaign (functions/domain/shards.ts): a divisor of the shard count. */
export const fanoutStreams = z.coerce
  .number()
  .check(z.int(), z.refine(isStreamCount, { message: `must divide ${SHARD_COUNT} (one of ${STREAM_COUNTS.join(', ')})` }));

export const fanoutEnvSchema = z.object({
  ...tablesEnv,
  FANOUT_QUEUE_URL: url,
  SEND_QUEUE_URL: url,
  /** Without it, an e-mail campaign's fan-out fails (its chunks have no queue to go on). */
  SEND_EMAIL_QUEUE_URL: z.optional(url),
  SEND_INAPP_QUEUE_URL: z.optional(url),
  /** Where a start that came before its startAt waits; without it such a start fails and comes back after the visibility timeout. */
  START_TIMER_QUEUE_URL: z.optional(url),
  FANOUT_STREAMS: z._default(fanoutStreams, DEFAULT_STREAMS),
});

export const startTimerEnvSchema = z.object({
  ...tablesEnv,
  EVENTS_TABLE: name,
  /** An `unlessRead` step asks the inbox whether its client read the in-app item first. */
  INBOX_TABLE: inboxEnv.INBOX_TABLE,
  INBOX_RETENTION_DAYS: inboxEnv.INBOX_RETENTION_DAYS,
  FANOUT_QUEUE_URL: url,
  START_TIMER_QUEUE_URL: url,
  /** A due event step goes out as a notice on its channel's send queue. */
  SEND_QUEUE_URL: url,
  SEND_EMAIL_QUEUE_URL: z.optional(url),
  SEND_INAPP_QUEUE_URL: z.optional(url),
  /** A due e-mail step renders its client's unsubscribe link: the key's secret and where the links point (both, or no e-mail steps). */
  UNSUBSCRIBE_KEY_SECRET: z.optional(name),
  PUBLIC_BASE_URL: z.optional(url),
});

export const sendEnvSchema = z.object({
  ...tablesEnv,
  ...providerEnv,
  SEND_QUEUE_URL: url,
  SEND_MAX_BACKOFF_SECONDS: z._default(positiveInt, 120),
});

/** The e-mail channel's send function: SES v2 with a configuration set, and the unsubscribe links' key. */
export const sendEmailEnvSchema = z.object({
  ...tablesEnv,
  SEND_EMAIL_QUEUE_URL: url,
  SEND_MAX_BACKOFF_SECONDS: z._default(positiveInt, 120),
  /** FromEmailAddress: the stack's `emailFrom`, an identity verified in SES. */
  EMAIL_FROM: z.email(),
  /** The configuration set whose event destination (EventBridge) reports bounces, complaints and deliveries. */
  SES_CONFIGURATION_SET: name,
  SES_TIMEOUT_MS: z._default(positiveInt, 5000),
  SES_CONCURRENCY: z._default(positiveInt, 20),
  /** Where the unsubscribe links point: the API's public URL (`{base}/unsubscribe/{token}`). */
  PUBLIC_BASE_URL: url,
  /** The Secrets Manager secret holding the unsubscribe links' HMAC key; the local runtime passes the key in process instead. */
  UNSUBSCRIBE_KEY_SECRET: z.optional(name),
});

export const deadLetterEnvSchema = z.object({ ...tablesEnv });

/** The in-app channel's send function: the inbox it writes, and the send queue it holds or retries chunks on. */
export const sendInappEnvSchema = z.object({
  ...tablesEnv,
  ...inboxEnv,
  SEND_INAPP_QUEUE_URL: url,
  SEND_MAX_BACKOFF_SECONDS: z._default(positiveInt, 120),
  /** Where an arrival is told to the client's live connections (framesEnv); without them, no frames. */
  CONNECTIONS_TABLE: z.optional(name),
  WS_CONNECTIONS_ENDPOINT: z.optional(url),
});

export const tallyEnvSchema = z.object({ ...tablesEnv, EVENTS_TABLE: name });

/**
 * What a function that pushes frames needs (functions/adapters/frame-publisher.ts): the connections
 * table and API Gateway's `@connections` endpoint (`https://{api}.execute-api.{region}.amazonaws.com/{stage}`).
 */
export const framesEnv = {
  CONNECTIONS_TABLE: name,
  WS_CONNECTIONS_ENDPOINT: url,
};

/** The `$connect` authorizer: the secret holding the inbox tokens' key, and nothing else. */
export const wsAuthorizerEnvSchema = z.object({ INBOX_TOKEN_SECRET: name });
/** The REST API's authorizer in front of the inbox routes: the same key, nothing else. */
export const inboxAuthorizerEnvSchema = wsAuthorizerEnvSchema;
/** `$connect` and `$disconnect` keep the connections table. */
export const wsConnectionsEnvSchema = z.object({ CONNECTIONS_TABLE: name });
/** `$default` answers on its own connection: the endpoint, and no table. */
export const wsDefaultEnvSchema = z.object({ WS_CONNECTIONS_ENDPOINT: url });

/** SES's events: the chunks, the campaigns' emailEvents, the suppression list and the clients' opt-outs. */
export const emailEventsEnvSchema = z.object({ ...tablesEnv });

export type ApiEnv = z.infer<typeof apiEnvSchema>;
export type FanoutEnv = z.infer<typeof fanoutEnvSchema>;
export type SendEnv = z.infer<typeof sendEnvSchema>;
export type SendEmailEnv = z.infer<typeof sendEmailEnvSchema>;
export type SendInappEnv = z.infer<typeof sendInappEnvSchema>;
export type DeadLetterEnv = z.infer<typeof deadLetterEnvSchema>;
export type TallyEnv = z.infer<typeof tallyEnvSchema>;
export type EmailEventsEnv = z.infer<typeof emailEventsEnvSchema>;
export type StartTimerEnv = z.infer<typeof startTimerEnvSchema>;
export type WsAuthorizerEnv = z.infer<typeof wsAuthorizerEnvSchema>;
export type WsConnectionsEnv = z.infer<typeof wsConnectionsEnvSchema>;
export type WsDefaultEnv = z.infer<typeof wsDefaultEnvSchema>;
export type FramesEnv = { CONNECTIONS_TABLE: string; WS_CONNECTIONS_ENDPOINT: string };
