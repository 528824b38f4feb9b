/**
 * The in-app inbox. Operator routes: POST /clients/{id}/inbox-token and GET /clients/{id}/inbox.
 * End-user routes, whose client is the one its inbox token names (Authorization: Bearer): GET
 * /inbox, GET /inbox/count, POST /inbox/{itemId}/read and /unread, POST /inbox/read-all, DELETE
 * /inbox/{itemId}. On AWS a Lambda authorizer (functions/api/inbox-authorizer.ts) checks the
 * token before the request gets here and hands on the client id; locally, with no authorizer in
 * front, the token is checked here by the same rule (functions/domain/inbox-token.ts).
 */
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { NotFoundError } from '../../domain/errors.js';
import { bearerTokenOf, INBOX_TOKEN_TTL, isPrincipalLive, signInboxToken, verifyInboxToken } from '../../domain/inbox-token.js';
import { onFirstUse } from '../../domain/lazy-packages.js';
import { inboxChanges } from '../../services/inbox.js';
import type { ApiDependencies } from '../app.js';
import { touched } from '../logging.js';
import { headerOf, HttpError, jsonBodyOf } from '../problem.js';
import { idParam, json, noContent, queryOf, withJsonBody, type ApiRoute, type RouteHandler } from '../respond.js';

// Built on the group's first request, not at load (functions/api/schemas.ts).
const schemas = onFirstUse(() => import('../schemas/inbox.js'));

/** What the authorizer hands on to the api in the request's context (lib/api.ts): the token's client and when it expires. */
export const AUTHORIZER_CLIENT_ID = 'clientId';
export const AUTHORIZER_EXPIRES_AT = 'expiresAt';

const unauthorized = () =>
  new HttpError(401, 'Unauthorized', 'a valid inbox token is required: Authorization: Bearer <token> (POST /clients/{id}/inbox-token)', [
    { field: 'Authorization', message: 'must carry a valid, unexpired inbox token' },
  ]);

/** A POST whose JSON body may be left out altogether: then it is `{}`. */
function withOptionalJsonBody(handler: RouteHandler): RouteHandler {
  const withBody = withJsonBody(handler);
  return (event, context) => {
    if ((event.body ?? '') !== '') return withBody(event, context);
    // In place, as the body parser does: the request's logger is found by this very event (../logging.ts).
    (event as { body: unknown }).body = {};
    return handler(event, context);
  };
}

export function inboxRoutes(deps: ApiDependencies): ApiRoute[] {
  const { clients, inbox, clock } = deps;
  const changes = inboxChanges(deps);

  /** The client the request's inbox token names, or 401 before anything is read. */
  const principal = async (event: APIGatewayProxyEvent): Promise<string> => {
    const authorized = event.requestContext?.authorizer;
    const fromAuthorizer: unknown = authorized?.[AUTHORIZER_CLIENT_ID];
    let clientId = typeof fromAuthorizer === 'string' && fromAuthorizer !== '' ? fromAuthorizer : undefined;
    // The authorizer's answer is cached for a minute (lib/api.ts): a token that expired since is refused here.
    if (clientId !== undefined && !isPrincipalLive(authorized?.[AUTHORIZER_EXPIRES_AT], clock.now())) throw unauthorized();
    if (clientId === undefined) {
      const token = bearerTokenOf(headerOf(event, 'authorization'));
      if (token === undefined) throw unauthorized();
      clientId = verifyInboxToken(token, await deps.inboxSigner(), clock.now())?.clientId;
    }
    if (clientId === undefined) throw unauthorized();
    touched(event, { clientId });
    return clientId;
  };
  const itemId = async (event: APIGatewayProxyEvent) => (await schemas()).InboxItemParamsSchema.parse({ itemId: event.pathParameters?.itemId }).itemId;
  const list = async (event: APIGatewayProxyEvent, clientId: string) => {
    const query = queryOf((await schemas()).InboxListQuerySchema, event);
    return json(200, await inbox.list(clientId, query));
  };
  const operatorClient = async (event: APIGatewayProxyEvent) => {
    const { id } = idParam((await schemas()).InboxClientParamsSchema, event);
    touched(event, { clientId: id });
    return id;
  };

  return [
    {
      method: 'POST',
      path: '/clients/{id}/inbox-token',
      handler: withOptionalJsonBody(async (event) => {
        const id = await operatorClient(event);
        const { ttlSeconds = INBOX_TOKEN_TTL.default } = (await schemas()).InboxTokenRequestSchema.parse(jsonBodyOf(event));
        if (!(await clients.get(id))) throw new NotFoundError(`client ${id} does not exist`);
        return json(201, signInboxToken(await deps.inboxSigner(), id, ttlSeconds, clock.now()));
      }),
    },
    {
      method: 'GET',
      path: '/clients/{id}/inbox',
      handler: async (event) => {
        const id = await operatorClient(event);
        // Checked first, so a page of an unknown client is 404 rather than empty.
        await queryOf((await schemas()).InboxListQuerySchema, event);
        if (!(await clients.get(id))) throw new NotFoundError(`client ${id} does not exist`);
        return list(event, id);
      },
    },
    { method: 'GET', path: '/inbox', handler: async (event) => list(event, await principal(event)) },
    { method: 'GET', path: '/inbox/count', handler: async (event) => json(200, { unread: await inbox.count(await principal(event)) }) },
    {
      method: 'POST',
      path: '/inbox/read-all',
      handler: async (event) => {
        await changes.readAll(await principal(event));
        return json(200, { unread: 0 });
      },
    },
    {
      method: 'POST',
      path: '/inbox/{itemId}/read',
      handler: async (event) => {
        const clientId = await principal(event);
        return json(200, await changes.mark(clientId, await itemId(event), true));
      },
    },
    {
      method: 'POST',
      path: '/inbox/{itemId}/unread',
      handler: async (event) => {
        const clientId = await principal(event);
        return json(200, await changes.mark(clientId, await itemId(event), false));
      },
    },
    {
      method: 'DELETE',
      path: '/inbox/{itemId}',
      handler: async (event) => {
        const clientId = await principal(event);
        await changes.archive(clientId, await itemId(event));
        return noContent();
      },
    },
  ];
}
