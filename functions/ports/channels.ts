/** What sends a message out: one adapter per channel (the SMS provider's HTTP client, functions/adapters/provider.ts). */
import type { Channel, OutgoingMessage } from '../domain/channels/channel.js';
import type { SendOutcome } from '../domain/delivery.js';
import type { LogTags } from '../domain/messages.js';

export interface ChannelSender<M extends OutgoingMessage = OutgoingMessage> {
  readonly channel: Channel;
  /**
   * Sends one rendered message, given at most `timeoutMs`, and classifies what came of it: sent,
   * retryable (with the channel's retry-after), rejected, or auth-failed. The channel's answers,
   * timeouts and network errors are outcomes, never thrown. `tags` name the event a notice is a
   * step of: a channel whose answers come back later (SES's events) may carry them along.
   */
  send(message: M, timeoutMs: number, tags?: LogTags): Promise<SendOutcome>;
}
