/** GET /messages/{id}: one message, found by the id the provider saw as msgId. */
import { NotFoundError } from '../../domain/errors.js';
import type { ApiDependencies } from '../app.js';
import { touched } from '../logging.js';
import { idParam, json, onFirstRequest, type ApiRoute } from '../respond.js';
import { messageView } from '../views.js';

const schemas = onFirstRequest(() => import('../schemas/messages.js'));

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
