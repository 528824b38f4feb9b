import type { Channel } from '../domain/channels/channel.js';
import { unsubscribeToken, unsubscribeUrl } from '../domain/unsubscribe.js';
import type { TokenSigner } from '../ports.js';

/** A client's one-click unsubscribe link on a channel, under a signer whose key is read before the first link. */
export interface UnsubscribeLinks {
  /** Reads the key (Secrets Manager on AWS) when it is not read yet, or no longer kept. */
  ready(): Promise<void>;
  /** `{base}/unsubscribe/{token}`, only after `ready`: rendering is synchronous. */
  url(clientId: string, channel: Channel): string;
}

/** `base`: the API's public URL (a function when it is only known once the local API listens). */
export function preparedLinks(signer: () => Promise<TokenSigner>, base: string | (() => string)): UnsubscribeLinks {
  let ready: TokenSigner | undefined;
  return {
    async ready() {
      ready = await signer();
    },
    url(clientId, channel) {
      if (!ready) throw new Error('the unsubscribe key has not been read yet');
      return unsubscribeUrl(typeof base === 'function' ? base() : base, unsubscribeToken(ready, { clientId, channel }));
    },
  };
}
