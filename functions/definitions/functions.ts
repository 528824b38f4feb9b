/** The Lambda functions: what the stack deploys and the local runtime imitates, and the names they share. */

/** Powertools' service name: the `service` key of every log line and the dimension of every metric. */
export const SERVICE_NAME = 'herald';

/**
 * The Node.js options of every function. No `--enable-source-maps`: it parses every map at load,
 * where functions/telemetry/stack-traces.ts maps a stack only when one is formatted. No fetch
 * globals: no function uses the Fetch API (the AWS SDK and axios go through node:http), yet axios
 * reads `FormData`, `Request` and `fetch` at import, and the first read of any of them makes Node
 * load undici: 35-55 ms of every cold start of `send` on Node 22 here (docs/decisions/011-lazy-loading.md).
 */
export const NODE_OPTIONS = '--no-experimental-fetch';

/** The functions' log level unless the stack's `logLevel` context says otherwise (lib/app.ts). */
export const DEFAULT_LOG_LEVEL = 'INFO';

export type FunctionName =
  'api' | 'fanout' | 'send' | 'sendEmail' | 'sendInapp' | 'emailEvents' | 'deadLetter' | 'tally' | 'startTimer' | 'inboxAuthorizer' | WebSocketFunctionName;

/** The WebSocket API's functions (functions/api/websocket.ts): its `$connect` authorizer and its three routes. */
export type WebSocketFunctionName = 'wsAuthorizer' | 'wsConnect' | 'wsDisconnect' | 'wsDefault';

export const functionSettings: Record<FunctionName, { entry: string; memoryMb: number; timeoutSeconds: number }> = {
  api: { entry: 'functions/handlers/api.ts', memoryMb: 512, timeoutSeconds: 10 },
  fanout: { entry: 'functions/handlers/fanout.ts', memoryMb: 512, timeoutSeconds: 30 },
  send: { entry: 'functions/handlers/send.ts', memoryMb: 256, timeoutSeconds: 30 },
  sendEmail: { entry: 'functions/handlers/send-email.ts', memoryMb: 256, timeoutSeconds: 30 },
  // One SES event at a time, as EventBridge hands them over: a few reads and writes.
  emailEvents: { entry: 'functions/handlers/email-events.ts', memoryMb: 256, timeoutSeconds: 30 },
  sendInapp: { entry: 'functions/handlers/send-inapp.ts', memoryMb: 256, timeoutSeconds: 30 },
  deadLetter: { entry: 'functions/handlers/dead-letter.ts', memoryMb: 256, timeoutSeconds: 30 },
  tally: { entry: 'functions/handlers/tally.ts', memoryMb: 256, timeoutSeconds: 30 },
  // Waits at most the last few seconds before a start (functions/domain/start-timing.ts).
  startTimer: { entry: 'functions/handlers/start-timer.ts', memoryMb: 128, timeoutSeconds: 30 },
  // In front of the end user's inbox routes: one key read (cached) and an HMAC.
  inboxAuthorizer: { entry: 'functions/handlers/inbox-authorizer.ts', memoryMb: 256, timeoutSeconds: 10 },
  // The upgrade waits on the authorizer and on $connect: both answer in one key read or one write.
  wsAuthorizer: { entry: 'functions/handlers/ws-authorizer.ts', memoryMb: 256, timeoutSeconds: 10 },
  wsConnect: { entry: 'functions/handlers/ws-connect.ts', memoryMb: 256, timeoutSeconds: 10 },
  wsDisconnect: { entry: 'functions/handlers/ws-disconnect.ts', memoryMb: 256, timeoutSeconds: 10 },
  wsDefault: { entry: 'functions/handlers/ws-default.ts', memoryMb: 256, timeoutSeconds: 10 },
};

/**
 * The api's OpenAPI document, generated at build time (bin/openapi.ts, run by lib/api.ts) and
 * shipped as this file beside the api bundle, which reads it on the first GET /openapi.json: the
 * generator and @asteasolutions/zod-to-openapi then stay out of the bundle.
 */
export const OPENAPI_FILE = 'openapi.json';

/**
 * How the tally reads the messages table's stream, on AWS (the event source mapping) and
 * locally (local/streams.ts): large batches gathered for up to a second, so the counters
 * move with one transaction per campaign per second rather than per chunk write.
 */
export const tallyStream = { batchSize: 1000, batchingWindowSeconds: 1 } as const;

/**
 * How long a claimed chunk stays with its worker: twice the longest function that claims
 * chunks may run, so a worker that is still running never loses its chunk, and a chunk
 * whose worker died is free again soon after.
 */
export const CHUNK_LEASE_MS =
  2 *
  Math.max(
    functionSettings.send.timeoutSeconds,
    functionSettings.sendEmail.timeoutSeconds,
    functionSettings.sendInapp.timeoutSeconds,
    functionSettings.deadLetter.timeoutSeconds,
  ) *
  1000;
