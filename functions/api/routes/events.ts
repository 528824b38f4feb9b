/** Event types (PUT/GET/DELETE /event-types/{key}, GET /event-types) and events (POST /events, GET /events/{id}). The workflows are in functions/services/events.ts. */
import type { APIGatewayProxyEvent } from 'aws-lambda';
import type * as z from 'zod';
import { NotFoundError, ValidationError } from '../../domain/errors.js';
import { checkEventType } from '../../domain/event-types.js';
import { acceptedEventView, eventView } from '../../domain/events.js';
import { onFirstUse } from '../../domain/lazy-packages.js';
import { fireEvent, putEventType } from '../../services/events.js';
import type { ApiDependencies } from '../app.js';
import { touched } from '../logging.js';
import { idempotencyKeyOf, idempotencyScopeOf } from '../idempotency.js';
import { fieldProblemsOf, jsonBodyOf } from '../problem.js';
import { idParam, json, noContent, queryOf, withJsonBody, type ApiRoute } from '../respond.js';

// Built on the group's first request, not at load (functions/api/schemas.ts).
const schemas = onFirstUse(() => import('../schemas/events.js'));

/** A step's fields are named `steps[i].field`, as the domain's rules name them, not zod's `steps.i.field`. */
function parseNamingSteps<S extends z.ZodType>(schema: S, body: unknown): z.infer<S> {
  const parsed = schema.safeParse(body);
  if (parsed.success) return parsed.data;
  const fields = fieldProblemsOf(parsed.error).map((problem) => ({ ...problem, field: problem.field.replace(/^steps\.(\d+)/, 'steps[$1]') }));
  throw new ValidationError(fields.map((problem) => `${problem.field}: ${problem.message}`).join('; '), fields);
}

async function keyOf(event: APIGatewayProxyEvent): Promise<string> {
  const { key } = (await schemas()).EventTypeKeyParamsSchema.parse({ key: event.pathParameters?.key });
  touched(event, { eventType: key });
  return key;
}

export function eventRoutes(deps: ApiDependencies): ApiRoute[] {
  const { eventTypes, events } = deps;
  return [
    {
      method: 'PUT',
      path: '/event-types/{key}',
      handler: withJsonBody(async (event) => {
        const key = await keyOf(event);
        const input = parseNamingSteps((await schemas()).NewEventTypeSchema, jsonBodyOf(event));
        // Every step's rules before any read or write.
        checkEventType(key, input);
        const { type, created } = await putEventType(deps, key, input);
        return json(created ? 201 : 200, type);
      }),
    },
    {
      method: 'GET',
      path: '/event-types',
      handler: async (event) => {
        const page = await eventTypes.list(queryOf((await schemas()).EventTypeListQuerySchema, event));
        return json(200, { items: page.items, nextCursor: page.nextCursor });
      },
    },
    {
      method: 'GET',
      path: '/event-types/{key}',
      handler: async (event) => {
        const key = await keyOf(event);
        const type = await eventTypes.get(key);
        if (!type) throw new NotFoundError(`event type ${key} does not exist`);
        return json(200, type);
      },
    },
    {
      method: 'DELETE',
      path: '/event-types/{key}',
      handler: async (event) => {
        const key = await keyOf(event);
        // Events already fired keep the steps they were fired with.
        if (!(await eventTypes.delete(key))) throw new NotFoundError(`event type ${key} does not exist`);
        return noContent();
      },
    },
    {
      method: 'POST',
      path: '/events',
      handler: withJsonBody(async (event) => {
        const input = (await schemas()).NewEventSchema.parse(jsonBodyOf(event));
        touched(event, { eventType: input.type });
        // With a key the event's id comes from it (the caller's): a retry after a request that died goes on with the same event.
        const key = idempotencyKeyOf(event);
        const fired = await fireEvent(deps, { ...input, ...(key !== undefined ? { key: idempotencyScopeOf(event, key) } : {}) });
        touched(event, { eventId: fired.id, clientId: fired.clientId });
        return json(202, acceptedEventView(fired));
      }),
    },
    {
      method: 'GET',
      path: '/events/{id}',
      handler: async (event) => {
        const { id } = idParam((await schemas()).EventIdParamsSchema, event);
        touched(event, { eventId: id });
        const found = await events.get(id);
        if (!found) throw new NotFoundError(`event ${id} does not exist`);
        return json(200, eventView(found));
      },
    },
  ];
}
