import { channelOf, type Channel } from '../domain/channels/channel.js';
import type { ChunkQueues, ChunkRef, SendQueue } from '../ports.js';

/**
 * Chunks onto their channels' send queues: each chunk goes to the queue of the channel it names
 * (SMS when it names none), so each channel's sender gets only its own chunks. A channel whose
 * queue this function was not given is an error, never a chunk on another channel's queue.
 */
export class ChannelChunkQueues implements ChunkQueues {
  constructor(private readonly queues: Partial<Record<Channel, Pick<SendQueue, 'enqueue'>>>) {}

  async enqueue(chunks: ChunkRef[], delaySeconds?: number): Promise<void> {
    const byChannel = new Map<Channel, ChunkRef[]>();
    for (const chunk of chunks) {
      const channel = channelOf(chunk);
      byChannel.set(channel, [...(byChannel.get(channel) ?? []), chunk]);
    }
    await Promise.all(
      [...byChannel].map(([channel, refs]) => {
        const queue = this.queues[channel];
        if (!queue) throw new Error(`no send queue for the ${channel} channel`);
        return queue.enqueue(refs, delaySeconds);
      }),
    );
  }
}
