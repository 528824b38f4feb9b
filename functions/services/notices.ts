/**
 * Event-triggered notices: POST /notices finds the client, checks it may get one, renders the
 * text, stores the notice and puts its chunk on the send queue at once; the sender does the rest
 * as for a campaign's chunk (functions/delivery/send.ts).
 */
import type { Client } from '../domain/clients.js';
import { NotFoundError } from '../domain/errors.js';
import { storedChannel, type Channel } from '../domain/channels/channel.js';
import { addressOf } from '../domain/clients.js';
import {
  CHECK_BACK_SECONDS,
  checkNewNotice,
  checkRecipient,
  clientField,
  noticeChunk,
  noticeKey,
  noticeOf,
  NOTICE_CHUNK,
  renderNoticeContent,
  type NewNotice,
  type Notice,
} from '../domain/notices.js';
import type { ChunkQueues, ChunkRef, ClientStore, Clock, NoticeStore, SuppressionList } from '../ports.js';

export interface NoticeDependencies {
  clients: ClientStore;
  notices: NoticeStore;
  sendQueue: ChunkQueues;
  suppression: Pick<SuppressionList, 'isSuppressed'>;
  clock: Clock;
  /** A client's unsubscribe link on a channel (`{base}/unsubscribe/{token}`): what an e-mail notice renders `{{ unsubscribeUrl }}` with. */
  unsubscribeUrl?: (clientId: string, channel: Channel) => Promise<string>;
}

/** The client a notice or an event names by id, phone or e-mail address; NotFoundError naming that field when there is none. */
export async function findRecipient(clients: ClientStore, input: Pick<NewNotice, 'clientId' | 'phone' | 'email'>): Promise<Client> {
  const field = clientField(input);
  const client =
    input.clientId !== undefined
      ? await clients.get(input.clientId)
      : input.phone !== undefined
        ? await clients.findByPhone(input.phone)
        : await clients.findByEmail(input.email ?? '');
  if (client) return client;
  const named = field === 'clientId' ? `client ${input.clientId}` : `a client with ${field} ${input[field]}`;
  throw new NotFoundError(`${named} does not exist`, [{ field, message: 'names no client' }]);
}

/**
 * Throws ValidationError (channel, content), NotFoundError (no such client) or ConflictError
 * (opted out of the channel, its address suppressed, or unreachable on it) before anything is written.
 */
export async function createNotice(deps: NoticeDependencies, input: NewNotice): Promise<Notice> {
  const channel = checkNewNotice(input);
  const field = clientField(input);
  const client = await findRecipient(deps.clients, input);
  // An SMS opt-out is on the client itself; an e-mail address can be suppressed without one (a bounce).
  const address = channel === 'email' ? addressOf(client, channel) : undefined;
  checkRecipient(client, field, channel, address !== undefined && (await deps.suppression.isSuppressed(address, 'email')));
  const unsubscribeUrl = channel === 'email' ? await unsubscribeLink(deps, client.id) : undefined;
  const content = renderNoticeContent(channel, input, client, unsubscribeUrl);
  const refOf = (id: number): ChunkRef => ({ campaignId: noticeKey(id), chunk: NOTICE_CHUNK, ...storedChannel(channel) });
  // Its check-back is queued before the write: a request that dies between the write and the enqueue leaves the notice to it.
  const chunk = await deps.notices.create(
    (id) => noticeChunk(id, client, content, deps.clock.now(), channel),
    (id) => deps.sendQueue.enqueue([refOf(id)], CHECK_BACK_SECONDS),
  );
  await deps.sendQueue.enqueue([refOf(chunk.messages[0]?.id as number)]);
  return noticeOf(chunk) as Notice;
}

/** The client's e-mail unsubscribe link, rendered into the notice (the sender puts the same link in its headers). */
async function unsubscribeLink(deps: NoticeDependencies, clientId: string): Promise<string> {
  if (!deps.unsubscribeUrl) throw new Error('e-mail notices need the unsubscribe links: no key was configured');
  return deps.unsubscribeUrl(clientId, 'email');
}
