/**
 * Herald on one machine: DynamoDB Local, the SQS emulator with pollers standing in for
 * Lambda's event source mappings, the local scheduler, a fake provider, and the API on
 * a loopback port. The handlers and adapters are the ones Lambda runs; only the wiring
 * differs (local scheduler, in-process token, local endpoints).
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { quietSdkLogger } from '../functions/adapters/sdk-logger.js';
import { hmacSigner } from '../functions/adapters/hmac-signer.js';
import { createApiHandler } from '../functions/api/app.js';
import {
  apiEnvSchema,
  deadLetterEnvSchema,
  emailEventsEnvSchema,
  fanoutEnvSchema,
  parseEnv,
  sendEmailEnvSchema,
  sendEnvSchema,
  sendInappEnvSchema,
  startTimerEnvSchema,
  tallyEnvSchema,
  wsConnectionsEnvSchema,
} from '../functions/adapters/config.js';
import { functionSettings, tallyStream, type FunctionName } from '../functions/definitions/functions.js';
import { queues as queueDefinitions, type QueueDefinition, type QueueName } from '../functions/definitions/queues.js';
import { tableList, tables, type TableName } from '../functions/definitions/tables.js';
import {
  apiDependencies,
  chunkQueues,
  deadLetterDependencies,
  emailEventsDependencies,
  tallyDependencies,
  dynamoDocumentClient,
  eventStore,
  noticeStore,
  fanoutDependencies,
  sendDependencies,
  sendEmailDependencies,
  signedLinks,
  sendInappDependencies,
  sqs,
  startTimerDependencies,
  stores,
  systemClock,
  framePublisher,
  managementApiPoster,
} from '../functions/handlers/wiring.js';
import { logger as heraldLogger } from '../functions/telemetry/logger.js';
import { SqsFanoutQueue, SqsSendQueue, SqsStartTimerQueue } from '../functions/adapters/sqs.js';
import { stepOfScheduleName, stepScheduleName, StepTimerRouter } from '../functions/adapters/scheduler.js';
import { createDeadLetterHandler } from '../functions/delivery/dead-letter.js';
import { createFanoutHandler } from '../functions/delivery/fanout.js';
import { createSendHandler } from '../functions/delivery/send.js';
import { createStartTimerHandler } from '../functions/delivery/start-timer.js';
import { DEFAULT_START_TIMING, type StartTiming } from '../functions/domain/start-timing.js';
import { createTallyHandler } from '../functions/delivery/tally.js';
import { createEmailEventsHandler } from '../functions/delivery/email-events.js';
import { startEmailEvents, type LocalEmailEvents } from './email-events.js';
import { createTables, localDynamoClient, startDynamoDbLocal } from './dynamodb.js';
import { backfillClientShards } from '../functions/adapters/dynamo/client-shards.js';
import { perEnvironment } from './environments.js';
import type { LocalLogger } from './ports.js';
import type { Clock, FramePublisher } from '../functions/ports.js';
import type { Channel } from '../functions/domain/channels/channel.js';
import { unsubscribeLinks } from '../functions/services/unsubscribe.js';
import { startFakeProvider, type FakeProvider, type FakeProviderOptions } from './fake-provider.js';
import { preparedLinks } from '../functions/adapters/unsubscribe-links.js';
import { localSesClient, simulateMailbox, startLocalSes, type LocalSes } from './ses.js';
import { startHttpServer } from './http.js';
import { createWebSocketGateway, localWebSocketHandlers, WS_PATH } from './websocket.js';
import { ADMIN_DIST, INBOX_SCRIPT } from './admin-build.js';
import { serveAdmin, serveInboxScript } from './admin-static.js';
import { startPoller, type Poller } from './poller.js';
import { startStreamPoller } from './streams.js';
import { LocalScheduler, schedulesTable } from './scheduler.js';
import { LocalRecurringScheduler, recurringSchedulesTable } from './recurring-scheduler.js';
import { generatedOpenApi } from './openapi.js';
import { recoverDelivery } from './recover.js';
import { createQueues, resolveLocalhostSubdomains, startSqsEmulator, withSuffix, type CreatedQueue } from './sqs.js';

export interface LocalRuntimeOptions {
  /** 0 picks a free port. */
  port?: number;
  /** DynamoDB Local keeps its data here; omitted, it runs in memory. */
  dataDir?: string;
  /** Reuse a running DynamoDB Local / SQS emulator (tests share one per run). */
  dynamoEndpoint?: string;
  sqsEndpoint?: string;
  /** Appended to table and queue names, so several runtimes can share one DynamoDB Local. */
  suffix?: string;
  /** A real provider; without it a fake one is started. */
  provider?: { url: string; token: string };
  fakeProvider?: FakeProviderOptions;
  providerConcurrency?: number;
  /** Parallel fan-out streams per campaign; the fan-out's own default (functions/adapters/config.ts) otherwise. */
  fanoutStreams?: number;
  providerTimeoutMs?: number;
  maxBackoffSeconds?: number;
  /** Queue settings to override, e.g. a lower maxReceiveCount in tests. */
  queues?: Partial<Record<QueueName, Partial<QueueDefinition>>>;
  schedulerIntervalMs?: number;
  /**
   * How early schedules fire and how the start timer waits (functions/domain/start-timing.ts),
   * as on AWS by default; tests shrink it to keep runs short.
   */
  startTiming?: StartTiming;
  /** Each schedule fires anywhere within this long after its time, as EventBridge Scheduler does within its minute (60000); 0 by default. */
  scheduleJitterMs?: number;
  /** Where the jitter is drawn from (`Math.random` by default; tests choose the draws). */
  scheduleRandom?: () => number;
  /** The clock the handlers read (tests move it to a chosen instant); the system clock by default. */
  clock?: Clock;
  /** Where the admin web app's build is served from at /admin (web/dist by default; local/admin-build.ts builds it). */
  adminDir?: string;
  /** The key that signs unsubscribe links (at least 32 bytes); a new one each run by default. */
  unsubscribeKey?: string;
  /** Where unsubscribe links point; the API's own URL by default. */
  publicBaseUrl?: string;
  /** An SES v2 endpoint already running (HERALD_SES_ENDPOINT); without it aws-ses-v2-local is started on a free port. */
  sesEndpoint?: string;
  /** The e-mail sender's FromEmailAddress (the stack's `emailFrom`). */
  emailFrom?: string;
  /** Wraps each function as the runtime invokes it (the bench counts invocations and their duration). */
  instrument?: <H extends (...args: never[]) => Promise<unknown>>(name: FunctionName, handler: H) => H;
  /** The inbox tokens' HS256 key (Secrets Manager on AWS); a random one per start otherwise. */
  inboxTokenKey?: string;
}

export interface LocalRuntime {
  url: string;
  /** The fake provider, when no real one was given. */
  provider?: FakeProvider;
  tableNames: Record<TableName, string>;
  /** A client's unsubscribe link for a channel, as an e-mail carries it. */
  unsubscribeUrl(clientId: string, channel: Channel): string;
  /** `ws://127.0.0.1:{port}/ws`: apps connect with `?token=<inbox token>` (local/websocket.ts). */
  websocketUrl: string;
  /** The key inbox tokens are signed and checked with. */
  inboxTokenKey: string;
  /** Frames to a client's connections, through the local `@connections` endpoint as on AWS. */
  frames: FramePublisher;
  /** The local SES endpoint the e-mail sender sends to, with its store of the e-mails it took and its mail viewer. */
  ses: LocalSes;
  /** SES's events on their way to the emailEvents function, as EventBridge carries them (local/email-events.ts). */
  emailEvents: LocalEmailEvents;
  stop(): Promise<void>;
}

const nameWith = (name: string, suffix: string) => (suffix ? `${name}-${suffix}` : name);

/** The local pieces (pollers, scheduler, recovery) log through Herald's one logger, so no handler failure goes unseen. */
const logger: LocalLogger = {
  debug: (message, extra = {}) => heraldLogger.debug(message, extra),
  info: (message, extra = {}) => heraldLogger.info(message, extra),
  warn: (message, extra = {}) => heraldLogger.warn(message, extra),
  error: (message, extra = {}) => heraldLogger.error(message, extra),
};

/**
 * The emailEvents function behind what stands in for EventBridge: the mailbox simulator's events
 * (local/ses.ts, simulateMailbox) are handed to `publish`. Stopped after the queue pollers, whose
 * sends publish them (stops run last-in first-out).
 */
function startLocalEmailEvents(tablesEnv: Record<string, string | undefined>, clock: Clock, instrument: NonNullable<LocalRuntimeOptions['instrument']>) {
  const handler = createEmailEventsHandler(emailEventsDependencies(parseEnv(emailEventsEnvSchema, tablesEnv), { clock }));
  return startEmailEvents({ handler: instrument('emailEvents', handler), logger });
}

export async function startLocalRuntime(options: LocalRuntimeOptions = {}): Promise<LocalRuntime> {
  const stops: (() => Promise<void>)[] = [];
  // Resolved once the API listens (unsubscribe links wait for their base, below), or when the start fails.
  let baseKnown: () => void = () => undefined;
  const stopAll = async () => {
    for (const stop of stops.splice(0).reverse()) await stop().catch(() => undefined);
  };
  try {
    const suffix = options.suffix ?? '';
    const dynamo = options.dynamoEndpoint ? undefined : await startDynamoDbLocal(options.dataDir ? { dataDir: options.dataDir } : {});
    if (dynamo) stops.push(() => dynamo.stop());
    const sqsEmulator = options.sqsEndpoint ? undefined : await startSqsEmulator();
    if (sqsEmulator) stops.push(() => sqsEmulator.stop());

    // The handlers' SDK clients read their endpoints from the SDK's own settings.
    resolveLocalhostSubdomains();
    Object.assign(process.env, {
      AWS_REGION: process.env.AWS_REGION ?? 'us-east-1',
      AWS_ACCESS_KEY_ID: process.env.AWS_ACCESS_KEY_ID ?? 'local',
      AWS_SECRET_ACCESS_KEY: process.env.AWS_SECRET_ACCESS_KEY ?? 'local',
      AWS_ENDPOINT_URL_DYNAMODB: options.dynamoEndpoint ?? dynamo?.endpoint,
      AWS_ENDPOINT_URL_SQS: options.sqsEndpoint ?? sqsEmulator?.endpoint,
    });

    const rawDynamo = localDynamoClient(process.env.AWS_ENDPOINT_URL_DYNAMODB as string);
    const tableNames = (await createTables(rawDynamo, [...tableList, schedulesTable, recurringSchedulesTable], (table) =>
      nameWith(table.name, suffix),
    )) as Record<TableName | 'schedules' | 'recurring-schedules', string>;
    rawDynamo.destroy();
    const definitions = Object.fromEntries(
      Object.entries(queueDefinitions).map(([name, definition]) => [name, { ...definition, ...options.queues?.[name as QueueName] }]),
    ) as Record<QueueName, QueueDefinition>;
    const created = await createQueues(sqs(), definitions, (name) => withSuffix(name, suffix));

    let provider: FakeProvider | undefined;
    let providerUrl = options.provider?.url;
    let token = options.provider?.token;
    if (!providerUrl) {
      token = randomBytes(24).toString('base64url');
      provider = await startFakeProvider({ ...options.fakeProvider, token });
      stops.push(() => (provider as FakeProvider).stop());
      providerUrl = provider.url;
    }

    const ses = await startLocalSes(options.sesEndpoint ? { endpoint: options.sesEndpoint } : {});
    stops.push(() => ses.stop());
    // The key is passed in process, as the provider token is: Secrets Manager holds it on AWS.
    const unsubscribeSigner = hmacSigner(options.unsubscribeKey ?? randomBytes(32).toString('base64url'));
    // Unsubscribe links point at the API, whose port is known once it listens (below): the pollers start
    // before that, and a link (a recovered e-mail chunk's, an overdue step's) waits for it rather than have no base.
    let publicBaseUrl = options.publicBaseUrl ?? '';
    const listening = new Promise<void>((resolve) => (baseKnown = resolve));
    const linkSigner = async () => {
      await listening;
      return unsubscribeSigner;
    };
    // What an e-mail notice or event step renders its client's unsubscribe link with: the api's and the start timer's.
    const unsubscribeUrl = signedLinks(linkSigner, () => publicBaseUrl);

    // Each handler's settings go through the parser its Lambda uses, with the local values.
    const tablesEnv = Object.fromEntries(Object.values(tables).map((table) => [table.envVar, tableNames[table.name]]));
    const fanoutEnv = parseEnv(fanoutEnvSchema, {
      ...tablesEnv,
      FANOUT_QUEUE_URL: created.fanout.url,
      SEND_QUEUE_URL: created.send.url,
      SEND_EMAIL_QUEUE_URL: created.sendEmail.url,
      SEND_INAPP_QUEUE_URL: created.sendInapp.url,
      START_TIMER_QUEUE_URL: created.startTimer.url,
      FANOUT_STREAMS: options.fanoutStreams?.toString(),
    });
    const startTimerEnv = parseEnv(startTimerEnvSchema, {
      ...tablesEnv,
      FANOUT_QUEUE_URL: created.fanout.url,
      START_TIMER_QUEUE_URL: created.startTimer.url,
      SEND_QUEUE_URL: created.send.url,
      SEND_EMAIL_QUEUE_URL: created.sendEmail.url,
      SEND_INAPP_QUEUE_URL: created.sendInapp.url,
    });
    const sendEnv = parseEnv(sendEnvSchema, {
      ...tablesEnv,
      SEND_QUEUE_URL: created.send.url,
      PROVIDER_URL: providerUrl,
      PROVIDER_TIMEOUT_MS: options.providerTimeoutMs?.toString(),
      PROVIDER_CONCURRENCY: options.providerConcurrency?.toString(),
      SEND_MAX_BACKOFF_SECONDS: options.maxBackoffSeconds?.toString(),
    });
    // The configuration set is SES's on AWS; the local endpoint keeps none, and the mailbox simulator stands in for its events.
    const sendEmailEnv = parseEnv(sendEmailEnvSchema, {
      ...tablesEnv,
      SEND_EMAIL_QUEUE_URL: created.sendEmail.url,
      EMAIL_FROM: options.emailFrom ?? 'herald@example.com',
      SES_CONFIGURATION_SET: 'herald-local',
      PUBLIC_BASE_URL: 'http://127.0.0.1',
      SEND_MAX_BACKOFF_SECONDS: options.maxBackoffSeconds?.toString(),
    });
    const sendInappEnv = parseEnv(sendInappEnvSchema, {
      ...tablesEnv,
      SEND_INAPP_QUEUE_URL: created.sendInapp.url,
      SEND_MAX_BACKOFF_SECONDS: options.maxBackoffSeconds?.toString(),
    });
    const deadLetterEnv = parseEnv(deadLetterEnvSchema, tablesEnv);
    const tallyEnv = parseEnv(tallyEnvSchema, tablesEnv);
    // The scheduler settings are EventBridge's; locally the local scheduler stands in for it.
    const apiEnv = parseEnv(apiEnvSchema, {
      ...tablesEnv,
      FANOUT_QUEUE_URL: created.fanout.url,
      SEND_QUEUE_URL: created.send.url,
      SEND_EMAIL_QUEUE_URL: created.sendEmail.url,
      SEND_INAPP_QUEUE_URL: created.sendInapp.url,
      SCHEDULE_GROUP: 'local',
      SCHEDULE_TARGET_ARN: created.startTimer.arn,
      OCCURRENCE_TARGET_ARN: created.fanout.arn,
      START_TIMER_QUEUE_URL: created.startTimer.url,
      SCHEDULE_ROLE_ARN: 'local',
      SCHEDULE_DLQ_ARN: 'local',
    });

    const db: DynamoDBDocumentClient = dynamoDocumentClient();
    const startTiming = options.startTiming ?? DEFAULT_START_TIMING;
    // The schedule fires the lead early, as on AWS; its imprecision is EventBridge's when asked for.
    const scheduler = new LocalScheduler(db, tableNames.schedules, systemClock, {
      logger,
      leadMs: startTiming.leadMs,
      jitterMs: options.scheduleJitterMs ?? 0,
      ...(options.scheduleRandom ? { random: options.scheduleRandom } : {}),
    });
    const startTimerQueue = new SqsStartTimerQueue(sqs(), created.startTimer.url);
    const fanoutQueue = new SqsFanoutQueue(sqs(), created.fanout.url);
    const sendQueues = chunkQueues(
      { SEND_QUEUE_URL: created.send.url, SEND_EMAIL_QUEUE_URL: created.sendEmail.url, SEND_INAPP_QUEUE_URL: created.sendInapp.url },
      (url) => new SqsSendQueue(sqs(), url),
    );
    const instrument = options.instrument ?? (<H>(_name: FunctionName, handler: H) => handler);
    const clock = options.clock ?? systemClock;
    // Recurring schedules read the runtime's clock: a test that moves it moves their firings too.
    const recurringScheduler = new LocalRecurringScheduler(db, tableNames['recurring-schedules'], options.clock ?? systemClock, { logger });
    // The WebSocket API's @connections endpoint is this runtime's own port (known once it listens, below).
    let apiUrl = '';
    const connectionsEnv = parseEnv(wsConnectionsEnvSchema, tablesEnv);
    const poster = managementApiPoster(() => apiUrl);
    const frames = framePublisher(connectionsEnv, poster);
    // The inbox tokens' key, in process as the unsubscribe key is.
    const inboxTokenKey = options.inboxTokenKey ?? randomBytes(32).toString('base64url');
    const inboxSigner = hmacSigner(inboxTokenKey);
    // An event's step further off than one SQS delay waits in the local scheduler, as on AWS in Scheduler.
    const stepTimer = new StepTimerRouter(
      { scheduleStep: (step, fireAt) => scheduler.scheduleAt(stepScheduleName(step), fireAt, new Date(step.dueAt)) },
      { startTimer: startTimerQueue, clock, timing: startTiming },
    );
    const api = createApiHandler(
      apiDependencies(apiEnv, {
        scheduler,
        recurringScheduler,
        stepTimer,
        clock,
        unsubscribeSigner: async () => unsubscribeSigner,
        unsubscribeUrl,
        openApiDocument: generatedOpenApi,
        inboxSigner: async () => inboxSigner,
        frames,
      }),
    );
    const emailEvents = startLocalEmailEvents(tablesEnv, clock, instrument);
    stops.push(() => emailEvents.stop());
    const consumers = {
      fanout: instrument(
        'fanout',
        perEnvironment(() => createFanoutHandler(fanoutDependencies(fanoutEnv, { clock, startTiming }))),
      ),
      send: instrument(
        'send',
        perEnvironment(() => createSendHandler(sendDependencies(sendEnv, { token: async () => token as string, clock }))),
      ),
      sendEmail: instrument(
        'sendEmail',
        perEnvironment(() => {
          const deps = sendEmailDependencies(sendEmailEnv, {
            clock,
            ses: localSesClient(ses.endpoint),
            unsubscribe: preparedLinks(linkSigner, () => publicBaseUrl),
          });
          // SES's mailbox simulator, as on AWS: each e-mail sent yields its Delivery, Bounce or Complaint event.
          const settings = { from: sendEmailEnv.EMAIL_FROM, configurationSetName: sendEmailEnv.SES_CONFIGURATION_SET };
          return createSendHandler({ ...deps, sender: simulateMailbox(deps.sender, settings, emailEvents.publish, clock) });
        }),
      ),
      sendInapp: instrument(
        'sendInapp',
        perEnvironment(() => createSendHandler(sendInappDependencies(sendInappEnv, { clock, frames }))),
      ),
      startTimer: instrument(
        'startTimer',
        perEnvironment(() => createStartTimerHandler(startTimerDependencies(startTimerEnv, { clock, timing: startTiming, unsubscribeUrl }))),
      ),
      deadLetter: instrument(
        'deadLetter',
        perEnvironment(() => createDeadLetterHandler(deadLetterDependencies(deadLetterEnv, { clock }))),
      ),
    };

    // Clients stored by a version without shards get theirs before anything fans out (a no-op once its mark is there).
    const backfill = await backfillClientShards(db, { clients: tableNames.clients, uniques: tableNames.uniques });
    if (backfill.updated > 0) logger.info('client shards backfilled', { ...backfill });

    // fauxqs keeps its queues in memory: what DynamoDB says is still due goes back on them. An event step
    // whose schedule the scheduler's table still holds is left to it (the scheduler starts below).
    await recoverDelivery({
      ...stores(deadLetterEnv),
      fanoutQueue,
      sendQueue: sendQueues,
      clock: systemClock,
      logger,
      startTimer: startTimerQueue,
      startLeadMs: startTiming.leadMs,
      notices: noticeStore(deadLetterEnv),
      events: eventStore(startTimerEnv),
      stepScheduled: (step) => scheduler.isScheduled(stepScheduleName(step)),
    });

    // The counters follow the messages table's stream, as the tally function's event source mapping does on AWS.
    const endpoint = process.env.AWS_ENDPOINT_URL_DYNAMODB as string;
    const streamClients = { streams: new DynamoDBStreamsClient({ endpoint, logger: quietSdkLogger }), dynamo: localDynamoClient(endpoint) };
    const streamPoller = startStreamPoller({
      ...streamClients,
      tableName: tableNames.messages,
      batchSize: tallyStream.batchSize,
      batchWindowMs: tallyStream.batchingWindowSeconds * 1000,
      handler: instrument('tally', createTallyHandler(tallyDependencies(tallyEnv))),
      ...(options.dataDir ? { checkpointFile: join(options.dataDir, `${tableNames.messages}.stream-checkpoints.json`) } : {}),
      logger,
    });
    // Stopped after the queue pollers (stops run last-in first-out), so their last writes are tallied.
    stops.push(async () => {
      await streamPoller.stop();
      streamClients.streams.destroy();
      streamClients.dynamo.destroy();
    });

    const pollers: Poller[] = [];
    for (const queue of Object.values(created) as CreatedQueue[]) {
      const { definition } = queue;
      // A channel whose send function is still to come has its queue, and nothing polling it.
      if (!(definition.consumer in consumers)) continue;
      pollers.push(
        startPoller({
          sqs: sqs(),
          queueUrl: queue.url,
          queueArn: queue.arn,
          batchSize: definition.batchSize,
          maxConcurrency: definition.maxConcurrency,
          handler: consumers[definition.consumer as keyof typeof consumers],
          timeoutSeconds: functionSettings[definition.consumer].timeoutSeconds,
          logger,
        }),
      );
      const deadLetterConsumer = definition.deadLetter.consumer;
      if (deadLetterConsumer) {
        const { batchSize = 10, maxConcurrency = 2 } = definition.deadLetter;
        pollers.push(
          startPoller({
            sqs: sqs(),
            queueUrl: queue.deadLetter.url,
            queueArn: queue.deadLetter.arn,
            batchSize,
            maxConcurrency,
            handler: consumers[deadLetterConsumer as keyof typeof consumers],
            timeoutSeconds: functionSettings[deadLetterConsumer].timeoutSeconds,
            logger,
          }),
        );
      }
    }
    // A graceful stop lets in-flight chunks finish: pollers stop before anything they need.
    stops.push(async () => {
      await Promise.all(pollers.map((poller) => poller.stop()));
    });
    // Scheduler's target: the start timer queue, with the start it waits for (Scheduler sets no delay).
    const stopScheduler = scheduler.start({
      fire: (name, at) => {
        const step = stepOfScheduleName(name);
        if (step) return startTimerQueue.putStep({ ...step, dueAt: at.toISOString() }, 0);
        return startTimerQueue.put({ campaignId: name, startAt: at.toISOString() }, 0);
      },
      intervalMs: options.schedulerIntervalMs ?? 500,
    });
    stops.push(async () => stopScheduler());
    const stopRecurringScheduler = recurringScheduler.start({
      fire: (campaignId, occurrence) => fanoutQueue.occurrence(campaignId, occurrence.toISOString()),
      intervalMs: options.schedulerIntervalMs ?? 500,
    });
    stops.push(async () => stopRecurringScheduler());

    // The WebSocket API's handlers behind the local gateway.
    const handlers = localWebSocketHandlers({ env: connectionsEnv, clock, inboxSigner: async () => inboxSigner, poster });
    const websocket = createWebSocketGateway({
      handlers: {
        authorizer: instrument('wsAuthorizer', handlers.authorizer),
        connect: instrument('wsConnect', handlers.connect),
        disconnect: instrument('wsDisconnect', handlers.disconnect),
        default: instrument('wsDefault', handlers.default),
      },
      logger,
    });

    const adminDir = options.adminDir ?? ADMIN_DIST;
    const http = await startHttpServer({
      port: options.port ?? 3000,
      host: '127.0.0.1',
      handler: instrument('api', api),
      serveStatic: async (request, response) =>
        (await websocket.serveConnections(request, response)) ||
        (await serveInboxScript(request, response, INBOX_SCRIPT)) ||
        serveAdmin(request, response, adminDir),
      upgrade: websocket.upgrade,
    });
    apiUrl = http.url;
    stops.push(() => http.stop());
    // Stopped first (last in, first out): each open socket's $disconnect still finds DynamoDB.
    stops.push(() => websocket.stop());

    publicBaseUrl = options.publicBaseUrl ?? http.url;
    baseKnown();
    return {
      url: http.url,
      websocketUrl: `${http.url.replace(/^http/, 'ws')}${WS_PATH}`,
      inboxTokenKey,
      frames,
      ...(provider ? { provider } : {}),
      tableNames,
      ses,
      unsubscribeUrl: unsubscribeLinks(unsubscribeSigner, publicBaseUrl),
      emailEvents,
      stop: stopAll,
    };
  } catch (error) {
    // A link waiting for the base would hold its poller, and the stop with it.
    baseKnown();
    await stopAll();
    throw error;
  }
}
