/**
 * Event-triggered notices: POST /notices finds the client, checks it may get one, renders the
 * text, stores the notice and puts its chunk on the send queue at once; the sender does the rest
 * as for a campaign's chunk (functions/delivery/send.ts).
 */
import { NotFoundError } from '../domain/errors.js';
import {
  checkNewNotice,
  checkRecipient,
  clientField,
  noticeChunk,
  noticeOf,
  NOTICE_CHUNK,
  renderNotice,
  type NewNotice,
  type Notice,
} from '../domain/notices.js';
import type { ClientStore, Clock, NoticeStore, SendQueue } from '../ports.js';

export interface NoticeDependencies {
  clients: ClientStore;
  notices: NoticeStore;
  sendQueue: SendQueue;
  clock: Clock;
}

/** Throws ValidationError (channel, text), NotFoundError (no such client) or ConflictError (opted out) before anything is written. */
export async function createNotice(deps: NoticeDependencies, input: NewNotice): Promise<Notice> {
  const channel = checkNewNotice(input);
  const field = clientField(input);
  const client = input.clientId !== undefined ? await deps.clients.get(input.clientId) : await deps.clients.findByPhone(input.phone ?? '');
  if (!client) {
    const named = field === 'clientId' ? `client ${input.clientId}` : `a client with phone ${input.phone}`;
    throw new NotFoundError(`${named} does not exist`, [{ field, message: 'names no client' }]);
  }
  checkRecipient(client, field, channel);
  const text = renderNotice(input.text, client, input.variables);
  const chunk = await deps.notices.create((id) => noticeChunk(id, client, text, deps.clock.now(), channel));
  await deps.sendQueue.enqueue([{ campaignId: chunk.campaignId, chunk: NOTICE_CHUNK }]);
  return noticeOf(chunk) as Notice;
}
