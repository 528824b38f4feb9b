/**
 * The REST API as one Lambda handler: API Gateway REST proxy events in, JSON or problem
 * documents out. Locally local/http.ts feeds it the same events over a real socket.
 */
import middy from '@middy/core';
import httpRouterHandler from '@middy/http-router';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { NotFoundError } from '../domain/errors.js';
import { crossOrigin } from './cors.js';
import type { Channel } from '../domain/channels/channel.js';
import type {
  ChunkQueues,
  Clock,
  EventStore,
  EventTypeStore,
  FanoutQueue,
  FramePublisher,
  InboxReads,
  InboxStore,
  NoticeStore,
  RecurringScheduler,
  StartScheduler,
  StepTimer,
  Stores,
  TokenSigner,
} from '../ports.js';
import { idempotentPosts, type IdempotencySettings } from './idempotency.js';
import { requestLogging } from './logging.js';
import { problemDetails, RouteMethodNotAllowedError } from './problem.js';
import type { ApiRoute } from './respond.js';
import { campaignRoutes } from './routes/campaigns.js';
import { clientRoutes } from './routes/clients.js';
import { docsRoutes, type OpenApiSource } from './routes/docs.js';
import { inboxRoutes } from './routes/inbox.js';
import { messageRoutes } from './routes/messages.js';
import { eventRoutes } from './routes/events.js';
import { noticeRoutes } from './routes/notices.js';
import { statsRoutes } from './routes/stats.js';
import { unsubscribeRoutes } from './routes/unsubscribe.js';

export interface ApiDependencies extends Stores {
  clock: Clock;
  fanoutQueue: FanoutQueue;
  scheduler: StartScheduler;
  /** The recurring schedules of recurring campaigns; without it, creating one fails. */
  recurringScheduler?: RecurringScheduler;
  idempotency: IdempotencySettings;
  /** Notices (POST /notices) are stored here and put straight on the send queue. */
  notices: NoticeStore;
  /** Each channel's send queue: a notice goes on its channel's. */
  sendQueue: ChunkQueues;
  eventTypes: EventTypeStore;
  /** Events' steps are sent as notices; a later step waits on its timer. */
  events: EventStore;
  stepTimer: StepTimer;
  inboxReads?: InboxReads;
  /** The admin app's origin when it is served from elsewhere (CloudFront); unset locally. */
  allowedOrigin?: string;
  /** The unsubscribe links' signer, under the key read on first use; without it every link is 404. */
  unsubscribeSigner?: () => Promise<TokenSigner>;
  /** A client's unsubscribe link on a channel: what an e-mail notice renders `{{ unsubscribeUrl }}` with. */
  unsubscribeUrl?: (clientId: string, channel: Channel) => Promise<string>;
  /** The OpenAPI document GET /openapi.json serves; without it that route is 404. */
  openApiDocument?: OpenApiSource;
  /** The clients' in-app inboxes. */
  inbox: InboxStore;
  /** Where an inbox change is told to the client's live connections. */
  frames: FramePublisher;
  /** The key inbox tokens are signed and checked with (in Secrets Manager on AWS), read on first use. */
  inboxSigner: () => Promise<TokenSigner>;
  /** The origins the end-user inbox routes answer cross-origin (the stack's `inboxOrigins`); unset, any origin. */
  inboxOrigins?: readonly string[];
}

/** The path template of a route as a regular expression, `{id}` one segment and `{proxy+}` the rest. */
function patternOf(path: string): RegExp {
  const body = path.replace(/\/\{[^/}]+\+\}$/, '/.+').replace(/\{[^/}]+\}/g, '[^/]+');
  return new RegExp(`^${body}/?$`);
}

/** No route matched: 405 with `Allow` when the path exists under another method, 404 otherwise. */
function unmatched(routes: ApiRoute[]) {
  const patterns = routes.map((route) => ({ method: route.method, pattern: patternOf(route.path) }));
  return ({ method, path }: { method: string; path: string }): never => {
    const allow = [...new Set(patterns.filter((route) => route.pattern.test(path)).map((route) => route.method))];
    if (allow.length > 0) throw new RouteMethodNotAllowedError(method, allow);
    throw new NotFoundError(`no route for ${path}`);
  };
}

export function createApiHandler(deps: ApiDependencies) {
  const routes: ApiRoute[] = [
    ...clientRoutes(deps),
    ...campaignRoutes(deps),
    ...statsRoutes(deps),
    ...messageRoutes(deps),
    ...noticeRoutes(deps),
    ...unsubscribeRoutes(deps),
    ...inboxRoutes(deps),
    ...eventRoutes(deps),
    ...docsRoutes(deps.openApiDocument),
  ];
  // onError runs in reverse order: problemDetails shapes the answer, requestLogging logs it, then
  // crossOrigin names the allowed origin on it (after runs in reverse order too).
  return middy<APIGatewayProxyEvent, APIGatewayProxyResult>()
    .use(crossOrigin(deps.allowedOrigin, deps.inboxOrigins))
    .use(requestLogging())
    .use(problemDetails())
    .handler(idempotentPosts(httpRouterHandler({ routes, notFoundResponse: unmatched(routes) }), deps.idempotency));
}
