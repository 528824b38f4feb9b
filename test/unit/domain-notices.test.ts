import { describe, expect, it } from 'vitest';
import type { Client } from '../../functions/domain/clients.js';
import { ConflictError, ValidationError } from '../../functions/domain/errors.js';
import { addressOf, messageId, MAX_CAMPAIGN_SEQ } from '../../functions/domain/messages.js';
import {
  checkNoticeText,
  checkRecipient,
  isNoticeKey,
  MAX_NOTICE_ID,
  noticeChunk,
  noticeIdOfKey,
  noticeKey,
  noticeOf,
  renderNotice,
} from '../../functions/domain/notices.js';

const client: Client = {
  id: 'c1',
  phone: '79001234567',
  operatorCode: '900',
  timezone: 'Europe/Moscow',
  name: 'Anna',
  attributes: { city: 'Kazan' },
  optedOut: false,
  createdAt: '2030-01-01T00:00:00.000Z',
  updatedAt: '2030-01-01T00:00:00.000Z',
};

describe('notice ids', () => {
  it('lie below every campaign message id, from 1 to 2^31 - 1', () => {
    expect(MAX_NOTICE_ID).toBe(2 ** 31 - 1);
    // The smallest campaign message id: campaign 1, chunk 0, position 0.
    expect(messageId(1, 0, 0)).toBe(MAX_NOTICE_ID + 1);
    // No notice id reads as a campaign message's address.
    for (const id of [1, 2, 1000, MAX_NOTICE_ID]) expect(addressOf(id)).toBeUndefined();
    expect(addressOf(MAX_NOTICE_ID + 1)).toEqual({ campaignId: '1', chunk: 0, position: 0 });
    // Notices take no campaign number: every campaign number keeps its ids.
    expect(messageId(MAX_CAMPAIGN_SEQ, 0, 0)).toBeLessThanOrEqual(Number.MAX_SAFE_INTEGER);
  });

  it('name their chunk by a key no campaign has', () => {
    expect(noticeKey(42)).toBe('notice#42');
    expect(noticeIdOfKey('notice#42')).toBe(42);
    expect(isNoticeKey('notice#42')).toBe(true);
    for (const key of ['42', 'notice#0', 'notice#', `notice#${MAX_NOTICE_ID + 1}`, 'notice#01', 'x#1']) expect(isNoticeKey(key), key).toBe(false);
  });
});

describe('notice text', () => {
  it("renders the client's variables and the caller's", () => {
    expect(renderNotice('{{ name }} from {{ attributes.city }}: receipt {{ receipt }}, {{ phone }}', client, { receipt: 'R-1' })).toBe(
      'Anna from Kazan: receipt R-1, 79001234567',
    );
  });

  it("a caller's variable wins over the client's of the same name", () => {
    expect(renderNotice('Hi {{ name }}', client, { name: 'Ms Smith' })).toBe('Hi Ms Smith');
  });

  it('refuses a text that renders past an SMS naming text, be it by the template or by the values', () => {
    const refusalOf = (run: () => unknown) => {
      try {
        run();
      } catch (error) {
        if (error instanceof ValidationError) return error.fields;
        throw error;
      }
      throw new Error('accepted');
    };
    const tooLarge = [{ field: 'text', message: expect.stringMatching(/renders to more than 1,600 characters/) }];
    expect(refusalOf(() => renderNotice('{% for i in (1..1000) %}xxxxxxxxxx{% endfor %}', client, undefined))).toEqual(tooLarge);
    const receipts = '{% for i in (1..20) %}{{ receipt }}{% endfor %}';
    expect(refusalOf(() => renderNotice(receipts, client, { receipt: 'R'.repeat(81) }))).toEqual(tooLarge);
    // Control: the same text with a value that keeps it within 1,600.
    expect(renderNotice(receipts, client, { receipt: 'R'.repeat(80) })).toHaveLength(1600);
  });

  it('refuses an unknown variable and a syntax error naming text', () => {
    expect(() => checkNoticeText('Hi {{ receipt }}', undefined)).toThrow(ValidationError);
    expect(() => checkNoticeText('Hi {{ name', undefined)).toThrow(/text/);
    // Negative control: the same variable, given.
    expect(() => checkNoticeText('Hi {{ receipt }}', { receipt: 'R-1' })).not.toThrow();
  });
});

describe('recipients', () => {
  it('refuses an opted-out client with a clear detail naming the field', () => {
    let error: unknown;
    try {
      checkRecipient({ ...client, optedOut: true }, 'phone');
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConflictError);
    expect((error as ConflictError).message).toMatch(/opted out/);
    expect((error as ConflictError).fields).toEqual([{ field: 'phone', message: expect.stringMatching(/opted out/) }]);
    expect(() => checkRecipient(client, 'clientId')).not.toThrow();
  });
});

describe('the notice chunk', () => {
  it('holds one queued message with the notice id and rendered text, and reads back as the notice', () => {
    const chunk = noticeChunk(7, client, 'Hi Anna', new Date('2030-01-01T00:00:00Z'));
    expect(chunk).toMatchObject({ campaignId: 'notice#7', chunk: 0, channel: 'sms', receives: 0 });
    expect(chunk.messages).toEqual([{ id: 7, clientId: 'c1', phone: client.phone, status: 'queued', attempts: 0, text: 'Hi Anna' }]);
    expect(noticeOf(chunk)).toEqual({ id: 7, channel: 'sms', clientId: 'c1', status: 'queued', attempts: 0, createdAt: '2030-01-01T00:00:00.000Z' });
  });
});
