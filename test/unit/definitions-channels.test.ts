/** Each channel's send path (functions/definitions/channels.ts): a queue of its own, consumed by its own send function, with a DLQ the dead-letter function drains. */
import { describe, expect, it } from 'vitest';
import { channelPaths, sendQueueOf, type DefinedChannel } from '../../functions/definitions/channels.js';
import { functionSettings } from '../../functions/definitions/functions.js';
import { CHANNELS } from '../../functions/domain/channels/channel.js';

const defined = Object.keys(channelPaths) as DefinedChannel[];

describe('channel paths', () => {
  it('name only channels that exist, SMS among them', () => {
    expect(defined).toContain('sms');
    for (const channel of defined) expect(CHANNELS).toContain(channel);
  });

  it.each(defined)('%s: its queue is consumed by its send function, and its DLQ by the dead-letter function', (channel) => {
    const path = channelPaths[channel];
    const queue = sendQueueOf(channel);
    expect(queue.consumer).toBe(path.sender);
    expect(functionSettings[path.sender]).toBeDefined();
    expect(queue.deadLetter).toMatchObject({ consumer: 'deadLetter', maxReceiveCount: expect.any(Number) });
  });

  it('share no queue and no function between channels', () => {
    const queues = defined.map((channel) => channelPaths[channel].queue);
    const senders = defined.map((channel) => channelPaths[channel].sender);
    expect(new Set(queues).size).toBe(defined.length);
    expect(new Set(senders).size).toBe(defined.length);
  });

  it('keep the SMS path where it was: the send queue and the send function', () => {
    expect(channelPaths.sms).toEqual({ queue: 'send', sender: 'send' });
    expect(sendQueueOf('sms').name).toBe('herald-send');
  });
});
