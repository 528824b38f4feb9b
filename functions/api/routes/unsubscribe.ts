/**
 * The public unsubscribe link: GET /unsubscribe/{token} (a confirm page that changes nothing: mail
 * scanners fetch every link) and POST /unsubscribe/{token} (the one-click unsubscribe a mail client
 * sends, `List-Unsubscribe=One-Click`, or the page's button). Whatever the POST's body says, the
 * token alone decides. On AWS these two are the only routes without IAM.
 */
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { NotFoundError } from '../../domain/errors.js';
import { unsubscribe, unsubscribeSubject, type UnsubscribeDependencies } from '../../services/unsubscribe.js';
import type { ApiDependencies } from '../app.js';
import { touched } from '../logging.js';
import type { ApiRoute } from '../respond.js';
import { unsubscribeConfirmPage, unsubscribedPage } from '../unsubscribe-page.js';

/** The link's own path, stage included on AWS, so the page's form posts back to it. */
const ownPath = (event: APIGatewayProxyEvent) => event.requestContext?.path ?? event.path;

export function unsubscribeRoutes({ clients, unsubscribeSigner }: ApiDependencies): ApiRoute[] {
  const deps = (): UnsubscribeDependencies => {
    // Without a key (a stack that sets none) no link can be Herald's.
    if (!unsubscribeSigner) throw new NotFoundError('unsubscribe links are not configured');
    return { clients, signer: unsubscribeSigner };
  };
  const tokenOf = (event: APIGatewayProxyEvent) => event.pathParameters?.token ?? '';
  return [
    {
      method: 'GET',
      path: '/unsubscribe/{token}',
      handler: async (event) => {
        const { client, channel } = await unsubscribeSubject(deps(), tokenOf(event));
        touched(event, { clientId: client.id });
        return unsubscribeConfirmPage(ownPath(event), channel);
      },
    },
    {
      method: 'POST',
      path: '/unsubscribe/{token}',
      handler: async (event) => {
        const { client, channel } = await unsubscribe(deps(), tokenOf(event));
        touched(event, { clientId: client.id });
        return unsubscribedPage(channel);
      },
    },
  ];
}
