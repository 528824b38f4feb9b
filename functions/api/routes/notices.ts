/** POST /notices (one message to one client, at once) and GET /notices/{id}. */
import { NotFoundError } from '../../domain/errors.js';
import { checkNewNotice } from '../../domain/notices.js';
import { createNotice } from '../../services/notices.js';
import { onFirstUse } from '../../domain/lazy-packages.js';
import type { ApiDependencies } from '../app.js';
import { touched } from '../logging.js';
import { jsonBodyOf } from '../problem.js';
import { idParam, json, withJsonBody, type ApiRoute } from '../respond.js';
import type { NoticeView } from '../response-schemas.js';

// Built on the group's first request, not at load (functions/api/schemas.ts).
const schemas = onFirstUse(() => import('../schemas/notices.js'));

export function noticeRoutes(deps: ApiDependencies): ApiRoute[] {
  const { notices } = deps;
  return [
    {
      method: 'POST',
      path: '/notices',
      handler: withJsonBody(async (event) => {
        const input = (await schemas()).NewNoticeSchema.parse(jsonBodyOf(event));
        // A channel without a sender, a missing field or a bad template is refused before any read or write.
        checkNewNotice(input);
        const notice = await createNotice(deps, input);
        touched(event, { messageId: notice.id, clientId: notice.clientId });
        return json(202, { id: notice.id, status: 'queued' });
      }),
    },
    {
      method: 'GET',
      path: '/notices/{id}',
      handler: async (event) => {
        const { id } = idParam((await schemas()).NoticeIdParamsSchema, event);
        touched(event, { messageId: id });
        const notice = await notices.get(id);
        if (!notice) throw new NotFoundError(`notice ${id} does not exist`);
        touched(event, { clientId: notice.clientId });
        return json(200, notice satisfies NoticeView);
      },
    },
  ];
}
