import { describe, expect, it } from 'vitest';
import {
  checkTransition,
  deletion,
  effectiveStatus,
  newCampaignRecord,
  patchedCampaign,
  type Campaign,
  type CampaignStatus,
} from '../../functions/domain/campaigns.js';
import { ConflictError } from '../../functions/domain/errors.js';

const now = new Date('2030-06-01T12:00:00.000Z');
const at = (offsetMinutes: number) => new Date(now.getTime() + offsetMinutes * 60_000).toISOString();

function campaign(status: CampaignStatus, overrides: Partial<Campaign> = {}): Campaign {
  return { ...newCampaignRecord({ text: 'hello', startAt: at(-10), endAt: at(60) }, '7', new Date(now.getTime() - 20 * 60_000)), status, ...overrides };
}

describe('pause and resume rules', () => {
  it('pauses only a running campaign and resumes only a paused one', () => {
    expect(() => checkTransition(campaign('running'), 'paused', now)).not.toThrow();
    expect(() => checkTransition(campaign('paused'), 'running', now)).not.toThrow();
    for (const status of ['scheduled', 'paused', 'finished', 'cancelled'] as const) {
      expect(() => checkTransition(campaign(status), 'paused', now)).toThrow(ConflictError);
    }
    for (const status of ['scheduled', 'running', 'finished', 'cancelled'] as const) {
      expect(() => checkTransition(campaign(status), 'running', now)).toThrow(ConflictError);
    }
  });

  it('treats a paused campaign past its end as finished: it can be neither resumed nor paused', () => {
    const ended = campaign('paused', { endAt: at(-1) });
    expect(effectiveStatus(ended, now)).toBe('finished');
    expect(effectiveStatus(campaign('paused'), now)).toBe('paused');
    expect(() => checkTransition(ended, 'running', now)).toThrow(ConflictError);
  });

  it('lets only endAt change while paused, and stops a paused campaign on delete', () => {
    expect(patchedCampaign(campaign('paused'), { endAt: at(90) }, now).endAt).toBe(at(90));
    expect(() => patchedCampaign(campaign('paused'), { text: 'other' }, now)).toThrow(/paused/);
    expect(deletion(campaign('paused'), now)).toBe('stop');
  });
});
