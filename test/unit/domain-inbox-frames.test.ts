/** The WebSocket frames (functions/domain/inbox-frames.ts): their JSON shapes and what a connected app's message is answered with. */
import { describe, expect, it } from 'vitest';
import { PONG, answerTo, notificationFrame, unreadFrame } from '../../functions/domain/inbox-frames.js';

const item = { id: 'i1', title: 'Hi', text: 'there', createdAt: '2026-01-01T00:00:00.000Z', readAt: null, campaignId: 'c1' };

describe('inbox frames', () => {
  it('are the JSON the design names', () => {
    expect(JSON.parse(JSON.stringify(notificationFrame(item)))).toEqual({ type: 'notification', item });
    expect(JSON.stringify(unreadFrame(3))).toBe('{"type":"unread","count":3}');
    expect(JSON.stringify(PONG)).toBe('{"type":"pong"}');
  });

  it('answer a ping with a pong', () => {
    expect(answerTo('{"action":"ping"}')).toEqual({ type: 'pong' });
    expect(answerTo(' { "action" : "ping", "extra": 1 } ')).toEqual({ type: 'pong' });
  });

  it('answer nothing else, and never throw for what an app sends', () => {
    for (const body of [
      '',
      'ping',
      '{',
      'null',
      '[]',
      '"ping"',
      '{"action":"pong"}',
      '{"action":["ping"]}',
      '{"type":"ping"}',
      undefined,
      null,
      `{"action":"ping","x":"${'y'.repeat(2000)}"}`,
    ])
      expect(answerTo(body)).toBeUndefined();
  });
});
