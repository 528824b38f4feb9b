import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import {
  CampaignIdParamsSchema,
  CampaignListQuerySchema,
  CampaignPatchSchema,
  CampaignStatsQuerySchema,
  ClientIdParamsSchema,
  ClientListQuerySchema,
  ClientPatchSchema,
  MessageIdParamsSchema,
  NewCampaignSchema,
  NewClientSchema,
} from '../../functions/api/schemas.js';
import { CampaignSchema, ClientSchema, MessageSchema } from '../../functions/api/response-schemas.js';
import { fieldProblemsOf } from '../../functions/api/problem.js';
import { campaignView, clientView, messageView } from '../../functions/api/views.js';
import { newCampaignRecord } from '../../functions/domain/campaigns.js';
import { newClientRecord } from '../../functions/domain/clients.js';
import { messageId } from '../../functions/domain/messages.js';

/** The fields a schema names when it refuses `value` (empty when it accepts it). */
function refused(schema: z.ZodType, value: unknown): string[] {
  const result = schema.safeParse(value);
  return result.success ? [] : fieldProblemsOf(result.error).map((problem) => problem.field);
}

const client = { phone: '79001234567', timezone: 'Europe/Moscow' };
const campaign = { text: 'Hello', startAt: '2030-01-01T09:00:00+03:00', endAt: '2030-01-01T21:00:00Z' };

describe('NewClient', () => {
  it('accepts a phone and a zone, with an optional tag and operator code', () => {
    expect(refused(NewClientSchema, client)).toEqual([]);
    expect(NewClientSchema.parse({ ...client, tag: 'vip', operatorCode: '999' })).toEqual({ ...client, tag: 'vip', operatorCode: '999' });
  });
  it.each(['89001234567', '7900123456', '790012345678', '+79001234567', '7900-123-45-67'])('names phone for %j', (phone) => {
    expect(refused(NewClientSchema, { ...client, phone })).toEqual(['phone']);
  });
  it('names phone when it is a number, not a string', () => {
    expect(refused(NewClientSchema, { ...client, phone: 79001234567 })).toEqual(['phone']);
  });
  it.each(['Mars/Olympus', 'Moscow', ''])('names timezone for %j', (timezone) => {
    expect(refused(NewClientSchema, { ...client, timezone })).toEqual(['timezone']);
  });
  it('names a tag that is empty or longer than 64 characters', () => {
    expect(refused(NewClientSchema, { ...client, tag: '' })).toEqual(['tag']);
    expect(refused(NewClientSchema, { ...client, tag: 't'.repeat(65) })).toEqual(['tag']);
    expect(refused(NewClientSchema, { ...client, tag: 't'.repeat(64) })).toEqual([]);
  });
  it('names an operator code that is not three digits', () => {
    expect(refused(NewClientSchema, { ...client, operatorCode: '90' })).toEqual(['operatorCode']);
    expect(refused(NewClientSchema, { ...client, operatorCode: 'abc' })).toEqual(['operatorCode']);
  });
  it('names missing fields: neither phone nor email names both', () => {
    expect(refused(NewClientSchema, {}).sort()).toEqual(['email', 'phone', 'timezone']);
    expect(refused(NewClientSchema, { timezone: 'UTC' })).toEqual(['phone', 'email']);
    expect(refused(NewClientSchema, { timezone: 'UTC', email: 'ann@example.com' })).toEqual([]);
    expect(refused(NewClientSchema, { timezone: 'UTC', phone: '79001234567' })).toEqual([]);
  });
  it('checks and lower-cases the e-mail address, and takes opt-outs by channel', () => {
    expect(NewClientSchema.parse({ timezone: 'UTC', email: 'Ann.Lee@Example.COM', optOuts: ['email'] })).toEqual({
      timezone: 'UTC',
      email: 'ann.lee@example.com',
      optOuts: ['email'],
    });
    expect(refused(NewClientSchema, { timezone: 'UTC', email: 'not an address' })).toEqual(['email']);
    expect(refused(NewClientSchema, { timezone: 'UTC', email: `${'a'.repeat(250)}@x.io` })).toEqual(['email']);
    expect(refused(NewClientSchema, { timezone: 'UTC', email: 'a@example.com', optOuts: ['fax'] })).toEqual(['optOuts.0']);
    expect(ClientPatchSchema.parse({ email: null, phone: null })).toEqual({ email: null, phone: null });
    expect(ClientPatchSchema.parse({ email: 'B@Example.com' })).toEqual({ email: 'b@example.com' });
  });
  it('names unknown fields one by one', () => {
    expect(refused(NewClientSchema, { ...client, nickname: 'Ann', age: 3 })).toEqual(['nickname', 'age']);
  });
  it('names the body when it is not an object', () => {
    expect(refused(NewClientSchema, [client])).toEqual(['body']);
    expect(refused(NewClientSchema, 'text')).toEqual(['body']);
  });
});

describe('ClientPatch', () => {
  it('accepts any one field, and null to remove the tag', () => {
    expect(refused(ClientPatchSchema, { timezone: 'UTC' })).toEqual([]);
    expect(ClientPatchSchema.parse({ tag: null })).toEqual({ tag: null });
  });
  it('refuses an empty patch, naming the body', () => {
    expect(refused(ClientPatchSchema, {})).toEqual(['body']);
  });
  it('checks each field as a new client does', () => {
    expect(refused(ClientPatchSchema, { phone: '123', timezone: 'Nowhere', operatorCode: '1' })).toEqual(['phone', 'timezone', 'operatorCode']);
  });
  it('refuses unknown fields', () => {
    expect(refused(ClientPatchSchema, { id: 'other' })).toEqual(['id']);
  });
});

describe('NewCampaign', () => {
  it('accepts text, times with offsets and an optional filter', () => {
    expect(refused(NewCampaignSchema, campaign)).toEqual([]);
    expect(refused(NewCampaignSchema, { ...campaign, filter: { operatorCodes: ['900'], tags: ['vip'] } })).toEqual([]);
    expect(refused(NewCampaignSchema, { ...campaign, filter: {} })).toEqual([]);
  });
  it('names text when empty or over 1000 characters', () => {
    expect(refused(NewCampaignSchema, { ...campaign, text: '' })).toEqual(['text']);
    expect(refused(NewCampaignSchema, { ...campaign, text: 'x'.repeat(1001) })).toEqual(['text']);
    expect(refused(NewCampaignSchema, { ...campaign, text: 'x'.repeat(1000) })).toEqual([]);
  });
  it.each(['2030-01-01T09:00:00', '2030-01-01', 'tomorrow', '2030-13-01T00:00:00Z', '2030-02-30T00:00:00Z', 1893456000000])(
    'names startAt for %j',
    (startAt) => {
      expect(refused(NewCampaignSchema, { ...campaign, startAt })).toEqual(['startAt']);
    },
  );
  it('names each bad filter entry by its path', () => {
    expect(refused(NewCampaignSchema, { ...campaign, filter: { operatorCodes: ['900', '9x0'], tags: [''] } })).toEqual([
      'filter.operatorCodes.1',
      'filter.tags.0',
    ]);
  });
  it('refuses unknown fields in the filter too', () => {
    expect(refused(NewCampaignSchema, { ...campaign, filter: { regions: ['x'] } })).toEqual(['filter.regions']);
  });
  it('refuses a status: it is not the client’s to set', () => {
    expect(refused(NewCampaignSchema, { ...campaign, status: 'running' })).toEqual(['status']);
  });
});

describe('CampaignPatch', () => {
  it('accepts any one field', () => {
    expect(refused(CampaignPatchSchema, { endAt: '2030-01-02T00:00:00Z' })).toEqual([]);
    expect(refused(CampaignPatchSchema, { filter: { tags: ['a'] } })).toEqual([]);
  });
  it('refuses an empty patch and unknown fields', () => {
    expect(refused(CampaignPatchSchema, {})).toEqual(['body']);
    expect(refused(CampaignPatchSchema, { counts: {} })).toEqual(['counts']);
  });
});

describe('list queries', () => {
  it('default the page size to 20 and read numbers from strings', () => {
    expect(ClientListQuerySchema.parse({})).toEqual({ limit: 20 });
    expect(CampaignListQuerySchema.parse({ limit: '100', cursor: 'abc' })).toEqual({ limit: 100, cursor: 'abc' });
  });
  it.each(['0', '101', 'abc', '1.5', '-3'])('name limit for %j', (limit) => {
    expect(refused(ClientListQuerySchema, { limit })).toEqual(['limit']);
  });
  it('filter clients by tag and operator code', () => {
    expect(ClientListQuerySchema.parse({ tag: 'vip', operatorCode: '900' })).toEqual({ limit: 20, tag: 'vip', operatorCode: '900' });
    expect(refused(ClientListQuerySchema, { operatorCode: '9' })).toEqual(['operatorCode']);
  });
  it('filter messages by a known status only', () => {
    expect(CampaignStatsQuerySchema.parse({ status: 'sent' })).toEqual({ limit: 20, status: 'sent' });
    expect(refused(CampaignStatsQuerySchema, { status: 'delivered' })).toEqual(['status']);
  });
  it('refuse unknown parameters', () => {
    expect(refused(CampaignListQuerySchema, { page: '2' })).toEqual(['page']);
  });
});

describe('path ids', () => {
  it('take a message id as a positive safe integer', () => {
    expect(MessageIdParamsSchema.parse({ id: '2147483648' })).toEqual({ id: 2147483648 });
  });
  it.each(['0', '-1', 'abc', '1.5', '1e3', '9007199254740993', '', ' 1'])('name a message id of %j', (id) => {
    expect(refused(MessageIdParamsSchema, { id })).toEqual(['id']);
  });
  it('take a campaign id as a positive integer string', () => {
    expect(CampaignIdParamsSchema.parse({ id: '12' })).toEqual({ id: '12' });
    expect(refused(CampaignIdParamsSchema, { id: '01' })).toEqual(['id']);
    expect(refused(CampaignIdParamsSchema, { id: 'abc' })).toEqual(['id']);
  });
  it('take a client id of safe characters only', () => {
    expect(refused(ClientIdParamsSchema, { id: '01J9ZK8W3T5E' })).toEqual([]);
    expect(refused(ClientIdParamsSchema, { id: 'a b' })).toEqual(['id']);
    expect(refused(ClientIdParamsSchema, { id: undefined })).toEqual(['id']);
  });
});

describe('responses', () => {
  const now = new Date('2030-01-01T00:00:00.000Z');
  it('a client view is a valid Client', () => {
    const view = clientView(newClientRecord({ ...client, tag: 'vip' }, 'c1', now));
    expect(ClientSchema.parse(view)).toEqual(view);
  });
  it('a campaign view is a valid Campaign, with its effective status, every count and the total', () => {
    const record = newCampaignRecord(campaign, '3', now);
    const view = campaignView({ ...record, counts: { ...record.counts, sent: 4, failed: 1 } }, new Date('2030-01-02T00:00:00Z'));
    expect(CampaignSchema.parse(view)).toEqual(view);
    expect(view).toMatchObject({ status: 'finished', total: 5, counts: { queued: 0, sent: 4, failed: 1, expired: 0, cancelled: 0 } });
  });
  it('a campaign view fills counts the record lacks', () => {
    const record = newCampaignRecord(campaign, '3', now);
    const view = campaignView({ ...record, counts: { sent: 2 } as never }, now);
    expect(view.counts).toEqual({ queued: 0, sent: 2, failed: 0, expired: 0, cancelled: 0 });
    expect(view.total).toBe(2);
  });
  it('an e-mail campaign view shows its emailEvents, zeros before SES reports; an SMS one shows none', () => {
    const record = { ...newCampaignRecord(campaign, '3', now), channel: 'email' as const };
    const before = campaignView(record, now);
    expect(CampaignSchema.parse(before)).toEqual(before);
    expect(before.emailEvents).toEqual({ delivered: 0, bounced: 0, complained: 0 });
    expect(campaignView({ ...record, emailEvents: { delivered: 3, bounced: 1, complained: 1 } }, now).emailEvents).toEqual({
      delivered: 3,
      bounced: 1,
      complained: 1,
    });
    expect(campaignView(newCampaignRecord(campaign, '3', now), now)).not.toHaveProperty('emailEvents');
  });
  it("a message view shows an e-mail's delivery once SES reported it", () => {
    const message = {
      id: messageId(3, 0, 1),
      campaignId: '3',
      channel: 'email' as const,
      clientId: 'c1',
      phone: '0',
      status: 'sent' as const,
      attempts: 1,
      createdAt: now.toISOString(),
    };
    expect(messageView(message)).not.toHaveProperty('delivery');
    const view = messageView({ ...message, delivery: 'bounced' });
    expect(MessageSchema.parse(view)).toEqual(view);
    expect(view.delivery).toBe('bounced');
  });
  it('a message view is a valid Message and carries no phone', () => {
    const view = messageView({
      id: messageId(3, 0, 1),
      campaignId: '3',
      channel: 'sms',
      clientId: 'c1',
      phone: '79001234567',
      status: 'failed',
      attempts: 2,
      lastError: 'HTTP 400',
      createdAt: now.toISOString(),
    });
    expect(MessageSchema.parse(view)).toEqual(view);
    expect(JSON.stringify(view)).not.toContain('79001234567');
  });
});
