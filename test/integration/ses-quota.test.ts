/** SES's MaxSendRate, read from the local endpoint's GetAccount (aws-ses-v2-local answers the account in AWS_SES_ACCOUNT) and cached (functions/adapters/ses-quota.ts). */
import type { SESv2Client } from '@aws-sdk/client-sesv2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SANDBOX_MAX_SEND_RATE, SesSendQuota } from '../../functions/adapters/ses-quota.js';
import { localSesClient, startLocalSes, type LocalSes } from '../../local/ses.js';

const account = (maxSendRate: number) =>
  JSON.stringify({
    DedicatedIpAutoWarmupEnabled: false,
    Details: {
      AdditionalContactEmailAddresses: [],
      ContactLanguage: 'EN',
      MailType: 'MARKETING',
      ReviewDetails: { CaseId: 'local', Status: 'GRANTED' },
      UseCaseDescription: 'local',
      WebsiteURL: 'https://herald.example',
    },
    EnforcementStatus: 'HEALTHY',
    ProductionAccessEnabled: true,
    SendingEnabled: true,
    SendQuota: { Max24HourSend: 50_000, MaxSendRate: maxSendRate, SentLast24Hours: 0 },
    SuppressionAttributes: { SuppressedReasons: [] },
  });

describe('SesSendQuota', () => {
  let ses: LocalSes;
  let client: SESv2Client;
  let now = 0;
  const clock = { now: () => new Date(now) };

  beforeAll(async () => {
    ses = await startLocalSes();
    client = localSesClient(ses.endpoint);
  });
  afterAll(async () => {
    delete process.env.AWS_SES_ACCOUNT;
    client.destroy();
    await ses.stop();
  });

  it('assumes the sandbox rate until GetAccount answers, and asks again at the next call', async () => {
    delete process.env.AWS_SES_ACCOUNT;
    const quota = new SesSendQuota(client, clock, 60_000);
    expect(await quota.maxPerSecond()).toBe(SANDBOX_MAX_SEND_RATE);
    process.env.AWS_SES_ACCOUNT = account(14);
    expect(await quota.maxPerSecond()).toBe(14);
  });

  it('reads the rate once per period, keeps it when a later read fails, and counts whole messages', async () => {
    process.env.AWS_SES_ACCOUNT = account(14);
    const quota = new SesSendQuota(client, clock, 60_000);
    now = 0;
    expect(await quota.maxPerSecond()).toBe(14);
    process.env.AWS_SES_ACCOUNT = account(50.5);
    now = 59_999;
    expect(await quota.maxPerSecond()).toBe(14);
    now = 60_000;
    expect(await quota.maxPerSecond()).toBe(50);
    delete process.env.AWS_SES_ACCOUNT;
    now = 120_000;
    expect(await quota.maxPerSecond()).toBe(50);
  });
});
