/** Each chunk onto its own channel's send queue (functions/adapters/channel-queues.ts). */
import { describe, expect, it } from 'vitest';
import { ChannelChunkQueues } from '../../functions/adapters/channel-queues.js';
import type { ChunkRef } from '../../functions/ports.js';

function recording() {
  const got: ChunkRef[][] = [];
  return { got, queue: { enqueue: async (chunks: ChunkRef[]) => void got.push(chunks) } };
}

describe('ChannelChunkQueues', () => {
  it('puts each chunk on the queue of its channel, SMS when it names none, in one batch per channel', async () => {
    const sms = recording();
    const email = recording();
    await new ChannelChunkQueues({ sms: sms.queue, email: email.queue }).enqueue([
      { campaignId: '1', chunk: 0 },
      { campaignId: '2', chunk: 0, channel: 'email' },
      { campaignId: '1', chunk: 1, channel: 'sms' },
      { campaignId: '2', chunk: 1, channel: 'email', zones: ['UTC'] },
    ]);
    expect(sms.got).toEqual([
      [
        { campaignId: '1', chunk: 0 },
        { campaignId: '1', chunk: 1, channel: 'sms' },
      ],
    ]);
    expect(email.got).toEqual([
      [
        { campaignId: '2', chunk: 0, channel: 'email' },
        { campaignId: '2', chunk: 1, channel: 'email', zones: ['UTC'] },
      ],
    ]);
  });

  it("refuses a chunk of a channel it has no queue for, rather than put it on another channel's", async () => {
    const sms = recording();
    await expect(new ChannelChunkQueues({ sms: sms.queue }).enqueue([{ campaignId: '3', chunk: 0, channel: 'email' }])).rejects.toThrow(
      'no send queue for the email channel',
    );
    expect(sms.got).toEqual([]);
  });
});
