/** GET /messages/{id}: one message, found by the id the provider saw as msgId. */
import { NotFoundError } from '../../domain/errors.js';
import { onFirstUse } from '../../domain/lazy-packages.js';
import type { ApiDependencies } from '../app.js';
import { touched } from '../logging.js';
import { idParam, json, type ApiRoute } from '../respond.js';
import { messageView } from '../views.js';

// Built on the group's first request, not at load (functions/api/schemas.ts).
const schemas = onFirstUse(() => import('../schemas/messages.js'));

export function messageRoutes({ messages }: ApiDependencies): ApiRoute[] {
  return [
    {
      method: 'GET',
      path: '/messages/{id}',
      handler: async (event) => {
        const { id } = idParam((await schemas()).MessageIdParamsSchema, event);
        touched(event, { messageId: id });
        const message = await messages.get(id);
        if (!message) throw new NotFoundError(`message ${id} does not exist`);
        touched(event, { campaignId: message.campaignId, clientId: message.clientId });
        return json(200, messageView(message));
      },
    },
  ];
}
