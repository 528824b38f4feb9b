/**
 * One-click unsubscribe (RFC 8058): the link every e-mail carries, and what following it does.
 * The token names the client and the channel and is signed (functions/domain/unsubscribe.ts);
 * a token Herald did not sign, or one whose client is gone, names nothing: NotFoundError, and
 * nothing is read beyond the client or written.
 */
import type { Channel } from '../domain/channels/channel.js';
import type { Client } from '../domain/clients.js';
import { NotFoundError } from '../domain/errors.js';
import { readUnsubscribeToken, unsubscribeToken, unsubscribeUrl } from '../domain/unsubscribe.js';
import type { ClientDirectory, TokenSigner } from '../ports.js';

export interface UnsubscribeDependencies {
  clients: Pick<ClientDirectory, 'get' | 'optOut'>;
  /** The signer under Herald's key, built once the key is read (from Secrets Manager on AWS). */
  signer: () => Promise<TokenSigner>;
}

/**
 * What the e-mail sender renders `List-Unsubscribe` and `{{ unsubscribeUrl }}` with: the client's
 * link for a channel, `{publicBaseUrl}/unsubscribe/{token}`.
 */
export function unsubscribeLinks(signer: TokenSigner, publicBaseUrl: string): (clientId: string, channel: Channel) => string {
  return (clientId, channel) => unsubscribeUrl(publicBaseUrl, unsubscribeToken(signer, { clientId, channel }));
}

/** The same link wherever a refusal comes from, so a caller learns nothing about which part of a token was wrong. */
const noSuchLink = () => new NotFoundError('this unsubscribe link is not valid', [{ field: 'token', message: 'is not an unsubscribe link of this service' }]);

/** The client and the channel a link names (GET: the confirm page), or NotFoundError. Changes nothing. */
export async function unsubscribeSubject(deps: UnsubscribeDependencies, token: string): Promise<{ client: Client; channel: Channel }> {
  const subject = readUnsubscribeToken(await deps.signer(), token);
  if (!subject) throw noSuchLink();
  const client = await deps.clients.get(subject.clientId);
  if (!client) throw noSuchLink();
  return { client, channel: subject.channel };
}

/** POST: opts the client the link names out of its channel (again: no change), or NotFoundError with nothing written. */
export async function unsubscribe(deps: UnsubscribeDependencies, token: string): Promise<{ client: Client; channel: Channel }> {
  const { client, channel } = await unsubscribeSubject(deps, token);
  const changed = await deps.clients.optOut(client.id, channel).catch((error: unknown) => {
    // Deleted between the read and the write.
    if (error instanceof NotFoundError) throw noSuchLink();
    throw error;
  });
  return { client: changed, channel };
}
