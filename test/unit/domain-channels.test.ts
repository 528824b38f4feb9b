/**
 * The channel rules (functions/domain/channels/): the default channel, items stored before
 * channels existed, the refusal of a channel whose sender does not exist yet, and the SMS
 * channel's own rendering and log fields.
 */
import { describe, expect, it } from 'vitest';
import { chunkOf, toStoredChunk, type StoredChunk } from '../../functions/adapters/dynamo/chunk-codec.js';
import { newCampaignRecord, patchedCampaign, withChannel } from '../../functions/domain/campaigns.js';
import { availableChannel, CHANNELS, channelOf, DEFAULT_CHANNEL, type Channel } from '../../functions/domain/channels/channel.js';
import { smsRules } from '../../functions/domain/channels/sms.js';
import { ValidationError } from '../../functions/domain/errors.js';
import { chunksOfPage, type MessageRecord } from '../../functions/domain/messages.js';
import { checkNewNotice, noticeChunk, noticeOf } from '../../functions/domain/notices.js';
import { runRecord } from '../../functions/domain/recurring.js';
import { checkTemplate } from '../../functions/domain/templates.js';

const now = new Date('2030-06-01T12:00:00.000Z');
const at = (offsetMinutes: number) => new Date(now.getTime() + offsetMinutes * 60_000).toISOString();
const newCampaign = { text: 'hello {{ name }}', startAt: at(10), endAt: at(70) };

/** The fields a ValidationError names, or what else was thrown. */
function refusal(run: () => unknown): { fields: { field: string; message: string }[] } | string {
  try {
    run();
    return 'nothing thrown';
  } catch (error) {
    return error instanceof ValidationError ? { fields: error.fields } : String(error);
  }
}

describe('channels', () => {
  it('are sms, email and inapp; sms is the default', () => {
    expect(CHANNELS).toEqual(['sms', 'email', 'inapp']);
    expect(DEFAULT_CHANNEL).toBe('sms');
  });

  it('reads an item stored before channels existed as sms, and any other as what it says', () => {
    expect(channelOf({})).toBe('sms');
    expect(channelOf({ channel: undefined })).toBe('sms');
    expect(channelOf({ channel: 'email' })).toBe('email');
    expect(channelOf({ channel: 'inapp' })).toBe('inapp');
  });
});

describe('availableChannel: the one refusal of a channel whose sender does not exist', () => {
  // Every channel's sender exists now; a value the schema would never let through still names the field.
  const unknown = 'fax' as Channel;

  it('takes sms, the default when none is named, email and inapp', () => {
    expect(availableChannel(undefined)).toBe('sms');
    expect(CHANNELS.map((channel) => availableChannel(channel))).toEqual(['sms', 'email', 'inapp']);
  });

  it('refuses a channel without a sender, naming the channel field', () => {
    expect(refusal(() => availableChannel(unknown))).toEqual({ fields: [{ field: 'channel', message: 'fax is not available yet' }] });
    expect(refusal(() => availableChannel(unknown, 'steps[0].channel'))).toEqual({
      fields: [{ field: 'steps[0].channel', message: 'fax is not available yet' }],
    });
  });

  it('takes a campaign on inapp at create and at patch, and refuses one without a sender', () => {
    expect(channelOf(newCampaignRecord({ ...newCampaign, channel: 'inapp', title: 'News' }, '1', now))).toBe('inapp');
    expect(refusal(() => newCampaignRecord({ ...newCampaign, channel: unknown }, '1', now))).toEqual({
      fields: [{ field: 'channel', message: 'fax is not available yet' }],
    });
    const scheduled = newCampaignRecord(newCampaign, '1', now);
    expect(refusal(() => patchedCampaign(scheduled, { channel: unknown }, now))).toEqual({
      fields: [{ field: 'channel', message: 'fax is not available yet' }],
    });
    expect(channelOf(patchedCampaign(scheduled, { channel: 'sms' }, now))).toBe('sms');
  });

  it('takes an in-app notice, and refuses one on a channel without a sender before its text is looked at', () => {
    expect(checkNewNotice({ channel: 'inapp', title: 'Hi {{ name }}', text: 'Shipped' })).toBe('inapp');
    expect(refusal(() => checkNewNotice({ channel: 'inapp', title: '{{ broken' }))).toEqual({ fields: [{ field: 'title', message: expect.any(String) }] });
    expect(refusal(() => checkNewNotice({ channel: unknown, title: '{{ broken' }))).toEqual({
      fields: [{ field: 'channel', message: 'fax is not available yet' }],
    });
    expect(checkNewNotice({ text: 'hi {{ name }}' })).toBe('sms');
  });
});

describe('a campaign, its runs, chunks and notices on a channel', () => {
  it('puts a new campaign on sms when none is named, stored as before channels existed: without a channel', () => {
    for (const record of [newCampaignRecord(newCampaign, '1', now), newCampaignRecord({ ...newCampaign, channel: 'sms' }, '1', now)]) {
      expect(channelOf(record)).toBe('sms');
      expect(record).not.toHaveProperty('channel');
    }
  });

  it('stores a channel a patch names, sms as none', () => {
    const scheduled = newCampaignRecord(newCampaign, '1', now);
    expect(withChannel({ ...scheduled, channel: 'email' }, 'sms')).not.toHaveProperty('channel');
    expect(withChannel(scheduled, 'email').channel).toBe('email');
    expect(withChannel({ ...scheduled, channel: 'email' }, undefined).channel).toBe('email');
  });

  it("gives a recurring campaign's run its channel, sms for one stored before channels existed", () => {
    const recurring = newCampaignRecord({ ...newCampaign, recurrence: { rate: '1 hour' } }, '4', now);
    const { channel: _channel, ...legacy } = recurring;
    expect(channelOf(runRecord(legacy, new Date(at(10)), '5', now))).toBe('sms');
    expect(channelOf(runRecord(recurring, new Date(at(10)), '5', now))).toBe('sms');
  });

  it("puts the campaign's channel on every chunk of a page", () => {
    const audience = Array.from({ length: 12 }, (_, i) => ({ id: `c${i}`, phone: `7900000000${i % 10}` }));
    expect(chunksOfPage('3', 0, audience, now).map((chunk) => chunk.channel)).toEqual(['sms', 'sms']);
    expect(chunksOfPage('3', 0, audience, now, undefined, 'email').map((chunk) => chunk.channel)).toEqual(['email', 'email']);
  });

  it("gives a notice's chunk and its view the notice's channel, sms by default", () => {
    const chunk = noticeChunk(7, { id: 'c1', phone: '79001234567' }, 'hi', now);
    expect(chunk.channel).toBe('sms');
    expect(noticeOf(chunk)?.channel).toBe('sms');
    expect(noticeOf(noticeChunk(8, { id: 'c1', phone: '79001234567' }, 'hi', now, 'email'))?.channel).toBe('email');
  });
});

describe('the chunk item codec and channels', () => {
  const [chunk] = chunksOfPage('3', 0, [{ id: 'c1', phone: '79001234567', name: 'Anna' }], now, checkTemplate('hi {{ name }}'));

  it('stores an sms chunk exactly as before channels existed: no channel attribute', () => {
    const stored = toStoredChunk(chunk!);
    expect(stored).not.toHaveProperty('channel');
    expect(chunkOf(stored)).toEqual(chunk);
  });

  it('reads a chunk item written before channels existed as sms', () => {
    const legacy: StoredChunk = {
      campaignId: '3',
      chunk: 0,
      createdAt: now.toISOString(),
      receives: 1,
      open: 1,
      m: [{ c: 'c1', p: 79001234567, s: 'queued', a: 0 }],
    };
    expect(chunkOf(legacy).channel).toBe('sms');
  });

  it('keeps another channel on the item, and reads it back', () => {
    const email = { ...chunk!, channel: 'email' as const };
    expect(toStoredChunk(email).channel).toBe('email');
    expect(chunkOf(toStoredChunk(email))).toEqual(email);
  });
});

describe('the SMS channel rules', () => {
  const message: MessageRecord = { id: 2 ** 31, clientId: 'c1', phone: '79001234567', status: 'queued', attempts: 0, vars: { name: 'Anna' } };

  it("renders a campaign message from the chunk's variables and the phone", () => {
    expect(smsRules.render({ text: 'Hi {{ name }}, {{ phone }}' }, message)).toEqual({
      channel: 'sms',
      id: 2 ** 31,
      phone: '79001234567',
      text: 'Hi Anna, 79001234567',
    });
  });

  it("sends a notice's text as it was rendered when posted", () => {
    expect(smsRules.render({ text: 'ignored {{ name }}' }, { ...message, text: 'already rendered' }).text).toBe('already rendered');
  });

  it('logs the phone masked, never whole', () => {
    expect(smsRules.logFields(message)).toEqual({ phone: '7900*****67' });
  });
});

/** The fields a refusal names (a refusal that is not a ValidationError names none). */
const fieldsOf = (refused: ReturnType<typeof refusal>) => (typeof refused === 'object' ? refused.fields.map((problem) => problem.field) : []);

describe('content on a channel (functions/domain/channels/content.ts)', () => {
  const base = { startAt: new Date(now.getTime() + 3_600_000).toISOString(), endAt: new Date(now.getTime() + 7_200_000).toISOString() };

  it('stores an e-mail campaign with its subject, text and html, and its templates checked', () => {
    const record = newCampaignRecord({ ...base, channel: 'email', subject: 'Hi {{ name }}', text: 'Text', html: '<p>{{ unsubscribeUrl }}</p>' }, '1', now);
    expect(record).toMatchObject({ channel: 'email', subject: 'Hi {{ name }}', text: 'Text', html: '<p>{{ unsubscribeUrl }}</p>' });
    expect(fieldsOf(refusal(() => newCampaignRecord({ ...base, channel: 'email', subject: 'Hi', html: '{{ nope }}' }, '1', now)))).toEqual(['html']);
  });

  it('refuses a field of another channel, and a channel without what it requires, naming the field', () => {
    const field = (action: () => unknown) => fieldsOf(refusal(action));
    expect(field(() => newCampaignRecord({ ...base, text: 'hi', subject: 's' }, '1', now))).toEqual(['subject']);
    expect(field(() => newCampaignRecord({ ...base, text: 'hi', html: '<p>' }, '1', now))).toEqual(['html']);
    expect(field(() => newCampaignRecord({ ...base, channel: 'email', subject: 's', title: 't' }, '1', now))).toEqual(['title']);
    expect(field(() => newCampaignRecord({ ...base, channel: 'email', text: 'hi' }, '1', now))).toEqual(['subject']);
    // Control: an e-mail's text part may be longer than an SMS.
    expect(newCampaignRecord({ ...base, channel: 'email', subject: 's', text: 'x'.repeat(2000) }, '1', now).text).toHaveLength(2000);
    // An SMS keeps its thousand-character template.
    expect(field(() => newCampaignRecord({ ...base, text: 'x'.repeat(1001) }, '1', now))).toEqual(['text']);
  });

  it('drops the old channel’s fields when a patch moves a campaign, and refuses a patch’s field of another channel', () => {
    const email = newCampaignRecord({ ...base, channel: 'email', subject: 'S', text: 'T', html: '<p>H</p>' }, '1', now);
    const sms = patchedCampaign(email, { channel: 'sms' }, now);
    expect(channelOf(sms)).toBe('sms');
    expect(sms).not.toHaveProperty('subject');
    expect(sms).not.toHaveProperty('html');
    expect(sms.text).toBe('T');
    expect(fieldsOf(refusal(() => patchedCampaign(sms, { subject: 'again' }, now)))).toEqual(['subject']);
    expect(fieldsOf(refusal(() => patchedCampaign(sms, { channel: 'email' }, now)))).toEqual(['subject']);
  });
});
