/**
 * Builds the ports from the environment. Lambda entries call these once at init;
 * the local runtime calls the same builders and only swaps what differs on one machine.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
// What only some functions use comes through ./sdk (declared free of side effects there), so a
// bundle whose function never uses it leaves the package out and never loads it: the Scheduler
// client only in api, Secrets Manager only in send, SQS not in tally and deadLetter. What only
// some calls of a function use loads on the first of them (onFirstUse): the Scheduler and SQS in
// api, SQS in send; Powertools idempotency is shipped beside the bundles (lazyPackage).
// Each channel's sender comes through ./sdk too: the SMS send bundle has no SES client, the e-mail one no provider client.
import { getSecret } from './sdk/secrets.js';
import { HttpProvider } from './sdk/provider.js';
import { createEmailRules, preparedLinks, SesSender, SesSendQuota, sesClient } from './sdk/email.js';
import { SQSClient, SqsFanoutQueue, SqsSendQueue, SqsStartTimerQueue } from './sdk/sqs.js';
import type { ApiDependencies } from '../api/app.js';
import type { OpenApiDocument } from '../api/openapi.js';
import { jsonBesideBundle } from '../adapters/beside-bundle.js';
import { OPENAPI_FILE } from '../definitions/functions.js';
import type { IdempotencySettings } from '../api/idempotency.js';
import type { DeadLetterDependencies } from '../delivery/dead-letter.js';
import type { FanoutDependencies } from '../delivery/fanout.js';
import type { SendDependencies } from '../delivery/send.js';
import type { StartTimerDependencies } from '../delivery/start-timer.js';
import type { StepDependencies } from '../services/events.js';
import type { TallyDependencies } from '../delivery/tally.js';
import type { EmailEventsDependencies } from '../delivery/email-events.js';
import type { InboxAuthorizerDependencies } from '../api/inbox-authorizer.js';
import type { WsAuthorizerDependencies, WsConnectionDependencies, WsDefaultDependencies } from '../api/websocket.js';
import type { SchedulerClient } from '@aws-sdk/client-scheduler';
import type {
  ChunkQueues,
  Clock,
  ConnectionPoster,
  FanoutQueue,
  FramePublisher,
  RecurringScheduler,
  SendQueue,
  StartScheduler,
  StepTimer,
  Stores,
  TokenSigner,
} from '../ports.js';
import type {
  ApiEnv,
  DeadLetterEnv,
  EmailEventsEnv,
  FanoutEnv,
  FramesEnv,
  SendEmailEnv,
  SendEnv,
  SendInappEnv,
  StartTimerEnv,
  TallyEnv,
  WsAuthorizerEnv,
  WsConnectionsEnv,
  WsDefaultEnv,
} from '../adapters/config.js';
import { ChannelChunkQueues } from '../adapters/channel-queues.js';
import type { UnsubscribeLinks } from '../adapters/unsubscribe-links.js';
import { channelPaths, sendQueueOf, type DefinedChannel } from '../definitions/channels.js';
import type { Channel } from '../domain/channels/channel.js';
import type { EmailMessage } from '../domain/channels/email.js';
import { DynamoCampaignStore } from '../adapters/dynamo/campaign-store.js';
import { DynamoClientDirectory, DynamoClientStore } from '../adapters/dynamo/client-store.js';
import { DynamoConnectionStore } from '../adapters/dynamo/connection-store.js';
import { ConnectionsFramePublisher } from '../adapters/frame-publisher.js';
import { chunkChangeOf, DynamoMessageStore, stepNoticeChangeOf } from '../adapters/dynamo/message-store.js';
import { DynamoNoticeStore } from '../adapters/dynamo/notice-store.js';
import { DynamoEventStore } from '../adapters/dynamo/event-store.js';
import { DynamoEventTypeStore } from '../adapters/dynamo/event-type-store.js';
import { DynamoSuppressionList } from '../adapters/dynamo/suppression-list.js';
import { DynamoRateSlots } from '../adapters/dynamo/rate-slots.js';
import { hmacSigner } from '../adapters/hmac-signer.js';
import { DynamoDeliveryMarks } from '../adapters/dynamo/delivery-marks.js';
import { DynamoInboxStore } from '../adapters/dynamo/inbox-store.js';
import { quietSdkLogger } from '../adapters/sdk-logger.js';
import { smsRules, type SmsMessage } from '../domain/channels/sms.js';
import { inappRules, type InappMessage } from '../domain/channels/inapp.js';
import { inappSender, noFrames } from '../services/inbox.js';
import { lazyPackage, onFirstUse } from '../domain/lazy-packages.js';

export const systemClock: Clock = { now: () => new Date() };

type TablesEnv = Pick<ApiEnv, 'CLIENTS_TABLE' | 'UNIQUES_TABLE' | 'CAMPAIGNS_TABLE' | 'MESSAGES_TABLE'>;

let dynamoClient: DynamoDBClient | undefined;
let documentClient: DynamoDBDocumentClient | undefined;
let sqsClient: SQSClient | undefined;

/** One client per process; endpoints come from the SDK's own settings (AWS_ENDPOINT_URL_DYNAMODB and friends). */
export function dynamoDocumentClient(): DynamoDBDocumentClient {
  dynamoClient ??= new DynamoDBClient({ logger: quietSdkLogger });
  documentClient ??= DynamoDBDocumentClient.from(dynamoClient, { marshallOptions: { removeUndefinedValues: true } });
  return documentClient;
}

// Requests go to the client's endpoint (the region's, or AWS_ENDPOINT_URL_SQS locally), not to each queue URL's host.
const sqsOptions = { useQueueUrlAsEndpoint: false, logger: quietSdkLogger };

export function sqs(): SQSClient {
  sqsClient ??= new SQSClient(sqsOptions);
  return sqsClient;
}

/**
 * A port whose adapter is built on the first call of any of its methods (`methods` names them
 * all, so a method added to the port and left out here fails to compile). Behind each build sits
 * an `import()` of ./sdk: esbuild inlines that module and runs its top level, the SDK package's
 * require with it, only then, so a cold start whose calls never need it neither loads nor
 * constructs that client (docs/decisions/011-lazy-loading.md).
 */
function portOnFirstUse<T extends object>(methods: { [K in keyof T]: true }, build: () => Promise<T>): T {
  const adapter = onFirstUse(build);
  const call =
    (method: keyof T) =>
    async (...args: unknown[]) => {
      const built = await adapter();
      return (built[method] as (...args: unknown[]) => unknown).apply(built, args);
    };
  return Object.fromEntries(Object.keys(methods).map((method) => [method, call(method as keyof T)])) as T;
}

let sqsModule: Promise<typeof import('./sdk/sqs.js') & { client: SQSClient }> | undefined;

/**
 * SQS, loaded and built on the first queue call of a function that needs it only on some calls
 * (api, send). A function, not a top-level onFirstUse call: such a call would stay in every bundle.
 */
function sqsOnFirstUse() {
  return (sqsModule ??= import('./sdk/sqs.js').then((module) => ({ ...module, client: (sqsClient ??= new module.SQSClient(sqsOptions)) })));
}

/** The send queue as the sender uses it (only to hold or retry a chunk, which most invocations never do) and as the api does (a notice). */
export const sendQueueOnFirstUse = (url: string) =>
  portOnFirstUse<SendQueue>({ enqueue: true, retryLater: true, hold: true }, async () => {
    const { SqsSendQueue: Queue, client } = await sqsOnFirstUse();
    return new Queue(client, url);
  });

/**
 * Each defined channel's send queue (functions/definitions/channels.ts), at the URL its queue's
 * variable carries in `env`; a channel whose variable is unset has none, and its chunks are refused.
 */
export function chunkQueues(env: Partial<Record<string, unknown>>, build: (url: string) => Pick<SendQueue, 'enqueue'>): ChunkQueues {
  const queues = (Object.keys(channelPaths) as DefinedChannel[]).flatMap((channel) => {
    const url = env[sendQueueOf(channel).urlEnvVar];
    return typeof url === 'string' ? [[channel, build(url)] as const] : [];
  });
  return new ChannelChunkQueues(Object.fromEntries(queues));
}

/** The fan-out queue as the api uses it: when a campaign starts now, resumes or recurs, not on clients, stats or logs. */
const fanoutQueueOnFirstUse = (url: string) =>
  portOnFirstUse<FanoutQueue>({ start: true, page: true, resume: true, occurrence: true }, async () => {
    const { SqsFanoutQueue: Queue, client } = await sqsOnFirstUse();
    return new Queue(client, url);
  });

let schedulerClient: SchedulerClient | undefined;

/**
 * EventBridge Scheduler as the api uses it: when a campaign is created, moved, cancelled or made
 * recurring. A call on clients, stats, logs or notices needs neither its client nor its package.
 */
function schedulersOnFirstUse(env: ApiEnv, clock: Clock): Pick<ApiDependencies, 'scheduler' | 'recurringScheduler' | 'stepTimer'> {
  const settings = { group: env.SCHEDULE_GROUP, roleArn: env.SCHEDULE_ROLE_ARN, deadLetterArn: env.SCHEDULE_DLQ_ARN };
  // Built here, not at the module's top level: a call there would keep the import, and the adapters behind it, in every bundle.
  const schedulerModule = onFirstUse(async () => {
    const module = await import('./sdk/scheduler.js');
    schedulerClient ??= new module.SchedulerClient({ logger: quietSdkLogger });
    return { ...module, client: schedulerClient };
  });
  return {
    scheduler: portOnFirstUse<StartScheduler>({ schedule: true, unschedule: true }, async () => {
      const [{ EventBridgeStartScheduler, client }, { SqsStartTimerQueue: TimerQueue, client: queueClient }] = await Promise.all([
        schedulerModule(),
        sqsOnFirstUse(),
      ]);
      return new EventBridgeStartScheduler(
        client,
        { ...settings, targetArn: env.SCHEDULE_TARGET_ARN },
        { startTimer: new TimerQueue(queueClient, env.START_TIMER_QUEUE_URL), clock },
      );
    }),
    // An event's later steps: SQS delays within 15 minutes, a one-time schedule onto the start timer beyond.
    stepTimer: portOnFirstUse<StepTimer>({ schedule: true }, async () => {
      const [{ EventBridgeStepSchedule, StepTimerRouter, client }, { SqsStartTimerQueue: TimerQueue, client: queueClient }] = await Promise.all([
        schedulerModule(),
        sqsOnFirstUse(),
      ]);
      return new StepTimerRouter(new EventBridgeStepSchedule(client, { ...settings, targetArn: env.SCHEDULE_TARGET_ARN }), {
        startTimer: new TimerQueue(queueClient, env.START_TIMER_QUEUE_URL),
        clock,
      });
    }),
    recurringScheduler: portOnFirstUse<RecurringScheduler>({ scheduleRecurring: true, unscheduleRecurring: true }, async () => {
      const { EventBridgeRecurringScheduler, client } = await schedulerModule();
      // Occurrences go straight to the fan-out queue: a run starts at its occurrence read from the schedule, not at the fire time.
      return new EventBridgeRecurringScheduler(client, { ...settings, targetArn: env.OCCURRENCE_TARGET_ARN }, clock);
    }),
  };
}

export function stores(env: TablesEnv, clock: Clock = systemClock, db = dynamoDocumentClient()): Stores {
  return {
    clients: new DynamoClientStore(db, { clients: env.CLIENTS_TABLE, uniques: env.UNIQUES_TABLE }, clock),
    campaigns: campaignStore(env, db),
    messages: messageStore(env, db),
    suppression: new DynamoSuppressionList(db, env.UNIQUES_TABLE),
  };
}

// Functions that never touch the client directory build only these, so their bundles leave the client store out.
export const campaignStore = (env: TablesEnv, db = dynamoDocumentClient()) =>
  new DynamoCampaignStore(db, { campaigns: env.CAMPAIGNS_TABLE, uniques: env.UNIQUES_TABLE });
export const messageStore = (env: TablesEnv, db = dynamoDocumentClient()) => new DynamoMessageStore(db, env.MESSAGES_TABLE);
export const noticeStore = (env: TablesEnv, db = dynamoDocumentClient()) =>
  new DynamoNoticeStore(db, { messages: env.MESSAGES_TABLE, uniques: env.UNIQUES_TABLE });
/** Events' steps are notices: their ids come from the notices' sequence. */
export const eventStore = (env: TablesEnv & { EVENTS_TABLE: string }, db = dynamoDocumentClient()) => {
  const notices = noticeStore(env, db);
  return new DynamoEventStore(db, { events: env.EVENTS_TABLE, messages: env.MESSAGES_TABLE }, () => notices.nextId());
};

export function apiDependencies(env: ApiEnv, overrides: Partial<ApiDependencies> = {}): ApiDependencies {
  const clock = overrides.clock ?? systemClock;
  const inbox = inboxStore(env, clock);
  return {
    ...stores(env, clock),
    clock,
    // Built only on first use, so an override (the local runtime's schedulers) leaves them unbuilt.
    fanoutQueue: fanoutQueueOnFirstUse(env.FANOUT_QUEUE_URL),
    ...schedulersOnFirstUse(env, clock),
    idempotency: overrides.idempotency ?? idempotencySettings(env),
    notices: noticeStore(env),
    sendQueue: chunkQueues(env, sendQueueOnFirstUse),
    eventTypes: new DynamoEventTypeStore(dynamoDocumentClient(), env.EVENT_TYPES_TABLE),
    events: eventStore(env),
    allowedOrigin: env.CORS_ALLOWED_ORIGIN,
    ...(env.UNSUBSCRIBE_KEY_SECRET ? unsubscribeDependencies(unsubscribeSigner(env.UNSUBSCRIBE_KEY_SECRET), env.PUBLIC_BASE_URL) : {}),
    // Generated at build time (bin/openapi.ts); the local runtime generates it in process instead.
    openApiDocument: jsonBesideBundle<OpenApiDocument>(OPENAPI_FILE),
    inbox,
    // A step released when its event fires asks the same inbox whether an earlier item was read.
    inboxReads: inbox,
    // Without a WebSocket API to tell, an app catches up with GET /inbox.
    frames: framesOf(env),
    inboxSigner: env.INBOX_TOKEN_SECRET ? inboxSignerFromSecret(env.INBOX_TOKEN_SECRET) : noInboxKey,
    ...(env.INBOX_ORIGINS !== undefined ? { inboxOrigins: env.INBOX_ORIGINS } : {}),
    ...overrides,
  };
}

/** The api's unsubscribe signer (the links' routes), and the links an e-mail notice renders when the public URL is known. */
function unsubscribeDependencies(signer: () => Promise<TokenSigner>, base: string | undefined): Pick<ApiDependencies, 'unsubscribeSigner' | 'unsubscribeUrl'> {
  return { unsubscribeSigner: signer, ...(base ? { unsubscribeUrl: signedLinks(signer, base) } : {}) };
}

/** A client's unsubscribe link on a channel, its key read (and kept) by `signer`. */
export function signedLinks(signer: () => Promise<TokenSigner>, base: string | (() => string)) {
  return async (clientId: string, channel: Channel): Promise<string> => {
    const links = preparedLinks(signer, base);
    await links.ready();
    return links.url(clientId, channel);
  };
}

/** How long a read key is kept: a key put since is taken within this long, as the provider token is. */
const KEY_MAX_AGE_MS = 300_000;

/**
 * A signer (HMAC-SHA256) under a key held in Secrets Manager, read on the first use and then kept
 * for five minutes. The SDK's own client, loaded then, not Powertools Parameters: the runtime
 * provides the SDK, so a bundle that signs (the api) stays within its budget.
 */
export function signerFromSecret(secretName: string, what: string): () => Promise<TokenSigner> {
  let read: { signer: Promise<TokenSigner>; at: number } | undefined;
  return () => {
    const now = Date.now();
    if (!read || now - read.at > KEY_MAX_AGE_MS) {
      const signer = (async () => {
        const { SecretsManagerClient, GetSecretValueCommand } = await import('@aws-sdk/client-secrets-manager');
        const { SecretString: key } = await new SecretsManagerClient({ logger: quietSdkLogger }).send(new GetSecretValueCommand({ SecretId: secretName }));
        if (typeof key !== 'string' || key.length === 0) throw new Error(`secret ${secretName} holds no ${what}`);
        return hmacSigner(key);
      })();
      // A failed read is not kept: the next use reads again.
      signer.catch(() => (read = undefined));
      read = { signer, at: now };
    }
    return read.signer;
  };
}

/** The unsubscribe links' signer (functions/domain/unsubscribe.ts), for the api and the e-mail sender. */
export const unsubscribeSigner = (secretName: string) => signerFromSecret(secretName, 'unsubscribe key');
/** Frames to the client's connections where the stack names the WebSocket API's (framesEnv); none otherwise. */
const framesOf = (env: Partial<FramesEnv>): FramePublisher =>
  env.CONNECTIONS_TABLE && env.WS_CONNECTIONS_ENDPOINT
    ? framePublisher({ CONNECTIONS_TABLE: env.CONNECTIONS_TABLE, WS_CONNECTIONS_ENDPOINT: env.WS_CONNECTIONS_ENDPOINT })
    : noFrames;

/** Without a secret (locally the runtime passes its key in process) no token can be signed or checked. */
const noInboxKey = async (): Promise<never> => {
  throw new Error("INBOX_TOKEN_SECRET is not set: the inbox tokens' key lives in Secrets Manager");
};

const inboxStore = (env: Pick<ApiEnv, 'INBOX_TABLE' | 'INBOX_RETENTION_DAYS'>, clock: Clock) =>
  new DynamoInboxStore(dynamoDocumentClient(), env.INBOX_TABLE, clock, env.INBOX_RETENTION_DAYS);

/** Powertools' DynamoDB persistence layer on the idempotency table, sharing the process's DynamoDB client, built on the first keyed POST. */
export function idempotencySettings(env: Pick<ApiEnv, 'IDEMPOTENCY_TABLE' | 'IDEMPOTENCY_TTL_SECONDS'>): IdempotencySettings {
  return {
    persistence: onFirstUse(async () => {
      // The same file as the utility's main entry on Lambda (lazySubpaths): one copy of its classes.
      const { DynamoDBPersistenceLayer } = lazyPackage<typeof import('@aws-lambda-powertools/idempotency/dynamodb')>(
        '@aws-lambda-powertools/idempotency/dynamodb',
      );
      dynamoDocumentClient();
      return new DynamoDBPersistenceLayer({ tableName: env.IDEMPOTENCY_TABLE, awsSdkV3Client: dynamoClient });
    }),
    expiresAfterSeconds: env.IDEMPOTENCY_TTL_SECONDS,
  };
}

export function fanoutDependencies(env: FanoutEnv, overrides: Partial<FanoutDependencies> = {}): FanoutDependencies {
  const clock = overrides.clock ?? systemClock;
  return {
    ...stores(env, clock),
    clock,
    fanoutQueue: new SqsFanoutQueue(sqs(), env.FANOUT_QUEUE_URL),
    sendQueue: chunkQueues(env, (url) => new SqsSendQueue(sqs(), url)),
    ...(env.START_TIMER_QUEUE_URL ? { startTimer: new SqsStartTimerQueue(sqs(), env.START_TIMER_QUEUE_URL) } : {}),
    streams: env.FANOUT_STREAMS,
    ...overrides,
  };
}

export function startTimerDependencies(
  env: StartTimerEnv,
  overrides: Partial<StartTimerDependencies> & Pick<StepDependencies, 'unsubscribeUrl'> = {},
): StartTimerDependencies {
  const { unsubscribeUrl, ...rest } = overrides;
  const clock = overrides.clock ?? systemClock;
  const links =
    unsubscribeUrl ??
    (env.UNSUBSCRIBE_KEY_SECRET && env.PUBLIC_BASE_URL ? signedLinks(unsubscribeSigner(env.UNSUBSCRIBE_KEY_SECRET), env.PUBLIC_BASE_URL) : undefined);
  // The events service (and the template engine behind it) loads on the first due step, not for a campaign's start.
  const events = onFirstUse(() => import('../services/events.js'));
  const stepDependencies = {
    clock,
    clients: new DynamoClientStore(dynamoDocumentClient(), { clients: env.CLIENTS_TABLE, uniques: env.UNIQUES_TABLE }, clock),
    events: eventStore(env),
    // Each step's notice on its channel's queue.
    sendQueue: chunkQueues(env, (url) => new SqsSendQueue(sqs(), url)),
    suppression: new DynamoSuppressionList(dynamoDocumentClient(), env.UNIQUES_TABLE),
    // An `unlessRead` step is skipped when the client read the in-app item an earlier step made.
    inboxReads: inboxStore(env, clock),
    // A due e-mail step renders its client's unsubscribe link, as an e-mail notice does.
    ...(links ? { unsubscribeUrl: links } : {}),
  };
  return {
    clock,
    startTimer: new SqsStartTimerQueue(sqs(), env.START_TIMER_QUEUE_URL),
    fanoutQueue: new SqsFanoutQueue(sqs(), env.FANOUT_QUEUE_URL),
    releaseStep: async (eventId, step) => (await events()).releaseStep(stepDependencies, eventId, step),
    ...rest,
  };
}

/** The token is read from Secrets Manager through Powertools Parameters, cached for five minutes; a `fresh` read (after a 401) skips the cache. */
export function secretToken(secretName: string): (read?: { fresh: boolean }) => Promise<string> {
  return async (read) => {
    const token = await getSecret(secretName, { maxAge: 300, forceFetch: read?.fresh ?? false });
    if (typeof token !== 'string' || token.length === 0) throw new Error(`secret ${secretName} holds no provider token`);
    return token;
  };
}

/** The SMS channel's send function: the provider's HTTP client, the only sender that reads the provider token. */
export function sendDependencies(
  env: SendEnv,
  overrides: Partial<SendDependencies<SmsMessage>> & { token?: () => Promise<string> } = {},
): SendDependencies<SmsMessage> {
  const clock = overrides.clock ?? systemClock;
  const { token: tokenOverride, ...rest } = overrides;
  const token = tokenOverride ?? (env.PROVIDER_TOKEN_SECRET ? secretToken(env.PROVIDER_TOKEN_SECRET) : undefined);
  if (!token) throw new Error('PROVIDER_TOKEN_SECRET is required: the provider token lives in Secrets Manager');
  return {
    clock,
    campaigns: campaignStore(env),
    messages: messageStore(env),
    sendQueue: sendQueueOnFirstUse(env.SEND_QUEUE_URL),
    rateSlots: new DynamoRateSlots(dynamoDocumentClient(), env.UNIQUES_TABLE),
    suppression: new DynamoSuppressionList(dynamoDocumentClient(), env.UNIQUES_TABLE),
    sender: new HttpProvider({ baseUrl: env.PROVIDER_URL, token, maxSockets: env.PROVIDER_CONCURRENCY, now: () => clock.now().getTime() }),
    rules: smsRules,
    settings: {
      providerTimeoutMs: env.PROVIDER_TIMEOUT_MS,
      providerConcurrency: env.PROVIDER_CONCURRENCY,
      maxBackoffSeconds: env.SEND_MAX_BACKOFF_SECONDS,
    },
    ...rest,
  };
}

/** The key of the rate slots every e-mail sender shares: SES's MaxSendRate holds for the whole account. */
export const SES_ACCOUNT_RATE_KEY = 'ses';

/**
 * The e-mail channel's send function: SES v2 SendEmail with the configuration set, every e-mail
 * with its client's one-click unsubscribe link (the key from Secrets Manager, read before the
 * first message), and all e-mail senders together under the account's MaxSendRate.
 */
export function sendEmailDependencies(
  env: SendEmailEnv,
  overrides: Partial<SendDependencies<EmailMessage>> & { unsubscribe?: UnsubscribeLinks; ses?: ReturnType<typeof sesClient> } = {},
): SendDependencies<EmailMessage> {
  const clock = overrides.clock ?? systemClock;
  const { unsubscribe: linksOverride, ses: sesOverride, ...rest } = overrides;
  const keySecret = env.UNSUBSCRIBE_KEY_SECRET;
  if (!linksOverride && !keySecret) throw new Error('UNSUBSCRIBE_KEY_SECRET is required: the unsubscribe key lives in Secrets Manager');
  const links = linksOverride ?? preparedLinks(unsubscribeSigner(keySecret as string), env.PUBLIC_BASE_URL);
  const ses = sesOverride ?? sesClient();
  return {
    clock,
    campaigns: campaignStore(env),
    messages: messageStore(env),
    sendQueue: sendQueueOnFirstUse(env.SEND_EMAIL_QUEUE_URL),
    rateSlots: new DynamoRateSlots(dynamoDocumentClient(), env.UNIQUES_TABLE),
    suppression: new DynamoSuppressionList(dynamoDocumentClient(), env.UNIQUES_TABLE),
    sender: new SesSender(ses, { from: env.EMAIL_FROM, configurationSetName: env.SES_CONFIGURATION_SET }),
    rules: { ...createEmailRules({ unsubscribeUrl: (clientId) => links.url(clientId, 'email') }), ready: links.ready },
    accountRate: { key: SES_ACCOUNT_RATE_KEY, quota: new SesSendQuota(ses, clock) },
    settings: {
      providerTimeoutMs: env.SES_TIMEOUT_MS,
      providerConcurrency: env.SES_CONCURRENCY,
      maxBackoffSeconds: env.SEND_MAX_BACKOFF_SECONDS,
    },
    ...rest,
  };
}

/** The in-app channel's send function: the only sender that writes inboxes and tells live connections. */
export function sendInappDependencies(
  env: SendInappEnv,
  { frames, ...overrides }: Partial<SendDependencies<InappMessage>> & { frames?: FramePublisher } = {},
): SendDependencies<InappMessage> {
  const clock = overrides.clock ?? systemClock;
  const inbox = inboxStore(env, clock);
  return {
    clock,
    campaigns: campaignStore(env),
    messages: messageStore(env),
    sendQueue: sendQueueOnFirstUse(env.SEND_INAPP_QUEUE_URL),
    rateSlots: new DynamoRateSlots(dynamoDocumentClient(), env.UNIQUES_TABLE),
    suppression: new DynamoSuppressionList(dynamoDocumentClient(), env.UNIQUES_TABLE),
    sender: inappSender({ inbox, frames: frames ?? framesOf(env) }),
    rules: inappRules,
    settings: {
      // The inbox is DynamoDB: a write within a few seconds, or tried again.
      providerTimeoutMs: 5000,
      providerConcurrency: 20,
      maxBackoffSeconds: env.SEND_MAX_BACKOFF_SECONDS,
    },
    ...overrides,
  };
}

export function deadLetterDependencies(env: DeadLetterEnv, overrides: Partial<DeadLetterDependencies> = {}): DeadLetterDependencies {
  const clock = overrides.clock ?? systemClock;
  return { clock, messages: messageStore(env), ...overrides };
}

export function tallyDependencies(env: TallyEnv, overrides: Partial<TallyDependencies> = {}): TallyDependencies {
  return { campaigns: campaignStore(env), changeOf: chunkChangeOf, events: eventStore(env), stepChangeOf: stepNoticeChangeOf, ...overrides };
}

/** A client's WebSocket connections, in the connections table. */
export const connectionStore = (env: Pick<FramesEnv, 'CONNECTIONS_TABLE'>, db = dynamoDocumentClient()) => new DynamoConnectionStore(db, env.CONNECTIONS_TABLE);

/**
 * PostToConnection on API Gateway's `@connections` endpoint, its SDK loaded and its client built on
 * the first frame (the api pushes frames only on inbox routes). `endpoint` may be read late: the local
 * gateway's port is known only once it listens (local/runtime.ts).
 */
export function managementApiPoster(endpoint: string | (() => string)): ConnectionPoster {
  return portOnFirstUse<ConnectionPoster>({ post: true }, async () => {
    const { ManagementApiPoster, managementApiClient } = await import('./sdk/management-api.js');
    return new ManagementApiPoster(managementApiClient(typeof endpoint === 'string' ? endpoint : endpoint()));
  });
}

/** Frames to every connection of a client (functions/ports/frames.ts), for the functions that push them. */
export function framePublisher(env: FramesEnv): FramePublisher;
/** The same, posting through `poster` (the local runtime's, whose endpoint is its own port). */
export function framePublisher(env: Pick<FramesEnv, 'CONNECTIONS_TABLE'>, poster: ConnectionPoster): FramePublisher;
export function framePublisher(env: Pick<FramesEnv, 'CONNECTIONS_TABLE'> & Partial<FramesEnv>, poster?: ConnectionPoster): FramePublisher {
  return new ConnectionsFramePublisher(connectionStore(env), poster ?? managementApiPoster(env.WS_CONNECTIONS_ENDPOINT as string));
}

/** The signer under the inbox tokens' key, read from Secrets Manager on first use and kept for five minutes. */
export const inboxSignerFromSecret = (secretName: string) => signerFromSecret(secretName, 'inbox token key');

export function wsAuthorizerDependencies(env: WsAuthorizerEnv, overrides: Partial<WsAuthorizerDependencies> = {}): WsAuthorizerDependencies {
  return { clock: systemClock, inboxSigner: inboxSignerFromSecret(env.INBOX_TOKEN_SECRET), ...overrides };
}

export function inboxAuthorizerDependencies(env: WsAuthorizerEnv, overrides: Partial<InboxAuthorizerDependencies> = {}): InboxAuthorizerDependencies {
  return wsAuthorizerDependencies(env, overrides);
}

export function wsConnectionsDependencies(env: WsConnectionsEnv, overrides: Partial<WsConnectionDependencies> = {}): WsConnectionDependencies {
  return { clock: systemClock, connections: connectionStore(env), ...overrides };
}

export function wsDefaultDependencies(env: WsDefaultEnv, overrides: Partial<WsDefaultDependencies> = {}): WsDefaultDependencies {
  return { connections: managementApiPoster(env.WS_CONNECTIONS_ENDPOINT), ...overrides };
}

/** SES's events: the chunks' deliveries (the campaigns' emailEvents follow through the tally), the suppression list and the clients' opt-outs. */
export function emailEventsDependencies(env: EmailEventsEnv, overrides: Partial<EmailEventsDependencies> & { clock?: Clock } = {}): EmailEventsDependencies {
  const { clock = systemClock, ...rest } = overrides;
  const db = dynamoDocumentClient();
  return {
    marks: new DynamoDeliveryMarks(db, env.MESSAGES_TABLE),
    suppression: new DynamoSuppressionList(db, env.UNIQUES_TABLE, clock),
    clients: new DynamoClientDirectory(db, { clients: env.CLIENTS_TABLE, uniques: env.UNIQUES_TABLE }, clock),
    ...rest,
  };
}
