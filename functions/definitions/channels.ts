/**
 * Each channel's send path, one entry per channel: the queue its chunks go on (with that queue's
 * DLQ, drained by the dead-letter function), and the function that sends them. Every channel has
 * its own queue, DLQ, function, concurrency and alarms (the e-mail and in-app entries join when
 * their senders exist); the stack (lib/delivery.ts), the local runtime and the tests read the
 * queue and function settings through this map, so a channel's path is named in one place.
 */
import type { Channel } from '../domain/channels/channel.js';
import type { FunctionName } from './functions.js';
import { queues, type QueueName } from './queues.js';

export interface ChannelPath {
  /** A key of `queues`: the channel's send queue, whose `deadLetter` is the channel's DLQ. */
  queue: QueueName;
  /** A key of `functionSettings`: the channel's send function, the queue's consumer. */
  sender: FunctionName;
}

export const channelPaths = {
  sms: { queue: 'send', sender: 'send' },
  email: { queue: 'sendEmail', sender: 'sendEmail' },
  inapp: { queue: 'sendInapp', sender: 'sendInapp' },
} as const satisfies { [C in Channel]?: ChannelPath };

export type DefinedChannel = keyof typeof channelPaths;

/** The queue definition a channel's chunks go on. */
export function sendQueueOf(channel: DefinedChannel) {
  return queues[channelPaths[channel].queue];
}
