/** The client directory: POST/GET /clients, GET/PATCH/DELETE /clients/{id}. */
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { NotFoundError, ValidationError } from '../../domain/errors.js';
import { createClients, type ClientBatchRow } from '../../services/clients.js';
import { onFirstUse } from '../../domain/lazy-packages.js';
import type { ApiDependencies } from '../app.js';
import { touched } from '../logging.js';
import { fieldProblemsOf, jsonBodyOf, problemDocument, statusOf } from '../problem.js';
import { idParam, json, noContent, queryOf, withJsonBody, type ApiRoute } from '../respond.js';
import type { ClientBatchResult } from '../response-schemas.js';
import { clientView } from '../views.js';

/**
 * A thousand plain rows take about 100 KB; rows with many attributes may not fit, and the import
 * CLI (bin/import.ts) then sends fewer per batch. The local HTTP server's socket limit is the same.
 */
export const MAX_BATCH_BODY_BYTES = 1024 * 1024;

// Built on the group's first request, not at load (functions/api/schemas.ts).
const schemas = onFirstUse(() => import('../schemas/clients.js'));

export function clientRoutes({ clients }: ApiDependencies): ApiRoute[] {
  const clientId = async (event: APIGatewayProxyEvent) => {
    const { id } = idParam((await schemas()).ClientIdParamsSchema, event);
    touched(event, { clientId: id });
    return id;
  };

  return [
    {
      method: 'POST',
      path: '/clients',
      handler: withJsonBody(async (event) => {
        const input = (await schemas()).NewClientSchema.parse(jsonBodyOf(event));
        touched(event, { phone: input.phone });
        const client = await clients.create(input);
        touched(event, { clientId: client.id });
        return json(201, clientView(client));
      }),
    },
    {
      method: 'POST',
      path: '/clients/batch',
      handler: withJsonBody(async (event) => {
        const { ClientBatchSchema, NewClientSchema } = await schemas();
        const { clients: given } = ClientBatchSchema.parse(jsonBodyOf(event));
        const rows = given.map((row): ClientBatchRow => {
          const parsed = NewClientSchema.safeParse(row);
          if (parsed.success) return { input: parsed.data };
          const fields = fieldProblemsOf(parsed.error);
          return { error: new ValidationError(fields.map((problem) => `${problem.field}: ${problem.message}`).join('; '), fields) };
        });
        const outcomes = await createClients(clients, rows);
        const results: ClientBatchResult['results'] = outcomes.map((outcome) => {
          if ('client' in outcome) return { index: outcome.index, status: 201, id: outcome.client.id };
          const { status, title } = statusOf(outcome.error);
          const error = problemDocument({ status, title, detail: outcome.error.message, instance: event.path, errors: outcome.error.fields });
          return { index: outcome.index, status: status as 400 | 409, error };
        });
        const created = results.filter((result) => result.status === 201).length;
        return json(200, { created, failed: results.length - created, results } satisfies ClientBatchResult);
      }, MAX_BATCH_BODY_BYTES),
    },
    {
      method: 'GET',
      path: '/clients',
      handler: async (event) => {
        const { phone, ...query } = queryOf((await schemas()).ClientListQuerySchema, event);
        if (phone !== undefined) {
          const found = await clients.findByPhone(phone);
          const matches =
            found && (query.tag === undefined || found.tag === query.tag) && (query.operatorCode === undefined || found.operatorCode === query.operatorCode);
          return json(200, { items: matches ? [clientView(found)] : [], nextCursor: null });
        }
        const page = await clients.list(query);
        return json(200, { items: page.items.map(clientView), nextCursor: page.nextCursor });
      },
    },
    {
      method: 'GET',
      path: '/clients/{id}',
      handler: async (event) => {
        const id = await clientId(event);
        const client = await clients.get(id);
        if (!client) throw new NotFoundError(`client ${id} does not exist`);
        return json(200, clientView(client));
      },
    },
    {
      method: 'PATCH',
      path: '/clients/{id}',
      handler: withJsonBody(async (event) => {
        const id = await clientId(event);
        const patch = (await schemas()).ClientPatchSchema.parse(jsonBodyOf(event));
        return json(200, clientView(await clients.update(id, patch)));
      }),
    },
    {
      method: 'DELETE',
      path: '/clients/{id}',
      handler: async (event) => {
        await clients.delete(await clientId(event));
        return noContent();
      },
    },
  ];
}
