/**
 * The in-app inbox as the end user's routes and the in-app sender change it: each change is the
 * store's (functions/adapters/dynamo/inbox-store.ts), and after each one that moved the unread
 * count, every live connection of the client hears of it through the FramePublisher. Frames are
 * best effort: an app that missed one catches up with `GET /inbox`, so a failed publish is logged
 * and never fails the change.
 */
import { shortError, type SendOutcome } from '../domain/delivery.js';
import { notificationFrame, unreadFrame, type InboxFrame } from '../domain/inbox-frames.js';
import type { InboxItemView } from '../domain/inbox.js';
import type { InappMessage } from '../domain/channels/inapp.js';
import type { ChannelSender, FramePublisher, InboxChange, InboxStore } from '../ports.js';
import { logger } from '../telemetry/logger.js';

export interface InboxDependencies {
  inbox: InboxStore;
  frames: FramePublisher;
}

/** A publisher for where no connection can be (no WebSocket API deployed): every frame is dropped. */
export const noFrames: FramePublisher = { toClient: async () => undefined };

async function publish(frames: FramePublisher, clientId: string, ...sent: InboxFrame[]): Promise<void> {
  try {
    await frames.toClient(clientId, ...sent);
  } catch (error) {
    logger.warn('inbox frame not published', { clientId, frames: sent.map(({ type }) => type), error: (error as Error).message });
  }
}

/** The inbox's changes, each followed by its frames. */
export function inboxChanges({ inbox, frames }: InboxDependencies) {
  const after = async <T extends InboxChange>(clientId: string, change: T): Promise<T> => {
    if (change.changed) await publish(frames, clientId, unreadFrame(change.unread));
    return change;
  };
  return {
    mark: async (clientId: string, itemId: string, read: boolean): Promise<InboxItemView> =>
      (await after(clientId, await inbox.mark(clientId, itemId, read))).item,
    readAll: async (clientId: string): Promise<InboxChange> => after(clientId, await inbox.readAll(clientId)),
    archive: async (clientId: string, itemId: string): Promise<InboxChange> => after(clientId, await inbox.archive(clientId, itemId)),
  };
}

/**
 * The in-app channel's sender: a message is sent once its item is in the client's inbox. The item
 * is written once per message id, so a chunk sent again after a crash writes nothing twice and
 * publishes nothing twice. A store that fails is worth another try, as a provider's 5xx is.
 */
export function inappSender({ inbox, frames }: InboxDependencies): ChannelSender<InappMessage> {
  return {
    channel: 'inapp',
    async send(message: InappMessage): Promise<SendOutcome> {
      const { clientId, id, channel: _channel, ...content } = message;
      let delivered: Awaited<ReturnType<InboxStore['deliver']>>;
      try {
        delivered = await inbox.deliver(clientId, id, content);
      } catch (error) {
        return { kind: 'retryable', error: shortError(`inbox: ${(error as Error).name}`) };
      }
      if (delivered) await publish(frames, clientId, notificationFrame(delivered.item), unreadFrame(delivered.unread));
      return { kind: 'sent' };
    },
  };
}
