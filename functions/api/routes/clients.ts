/** The client directory: POST/GET /clients, GET/PATCH/DELETE /clients/{id}. */
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { NotFoundError } from '../../domain/errors.js';
import type { ApiDependencies } from '../app.js';
import { touched } from '../logging.js';
import { jsonBodyOf } from '../problem.js';
import { idParam, json, noContent, queryOf, withJsonBody, type ApiRoute } from '../respond.js';
import { ClientIdParamsSchema, ClientListQuerySchema, ClientPatchSchema, NewClientSchema } from '../schemas.js';
import { clientView } from '../views.js';

export function clientRoutes({ clients }: ApiDependencies): ApiRoute[] {
  const clientId = (event: APIGatewayProxyEvent) => {
    const { id } = idParam(ClientIdParamsSchema, event);
    touched(event, { clientId: id });
    return id;
  };

  return [
    {
      method: 'POST',
      path: '/clients',
      handler: withJsonBody(async (event) => {
        const input = NewClientSchema.parse(jsonBodyOf(event));
        touched(event, { phone: input.phone });
        const client = await clients.create(input);
        touched(event, { clientId: client.id });
        return json(201, clientView(client));
      }),
    },
    {
      method: 'GET',
      path: '/clients',
      handler: async (event) => {
        const page = await clients.list(queryOf(ClientListQuerySchema, event));
        return json(200, { items: page.items.map(clientView), nextCursor: page.nextCursor });
      },
    },
    {
      method: 'GET',
      path: '/clients/{id}',
      handler: async (event) => {
        const id = clientId(event);
        const client = await clients.get(id);
        if (!client) throw new NotFoundError(`client ${id} does not exist`);
        return json(200, clientView(client));
      },
    },
    {
      method: 'PATCH',
      path: '/clients/{id}',
      handler: withJsonBody(async (event) => {
        const id = clientId(event);
        const patch = ClientPatchSchema.parse(jsonBodyOf(event));
        return json(200, clientView(await clients.update(id, patch)));
      }),
    },
    {
      method: 'DELETE',
      path: '/clients/{id}',
      handler: async (event) => {
        await clients.delete(clientId(event));
        return noContent();
      },
    },
  ];
}
