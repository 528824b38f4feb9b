import { CreateScheduleCommand, DeleteScheduleCommand, SchedulerClient } from '@aws-sdk/client-scheduler';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SendMessageBatchCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { apiEnvSchema, parseEnv, sendEnvSchema } from '../../functions/adapters/config.js';
import { hmacSigner } from '../../functions/adapters/hmac-signer.js';
import { apiDependencies, secretToken, sendDependencies } from '../../functions/handlers/wiring.js';

// The clients the wiring builds on first use are mocked on their prototype, so these are the requests they send.
const scheduler = mockClient(SchedulerClient);
const sqs = mockClient(SQSClient);
const secrets = mockClient(SecretsManagerClient);

const tables = { CLIENTS_TABLE: 'Clients', UNIQUES_TABLE: 'Uniques', CAMPAIGNS_TABLE: 'Campaigns', MESSAGES_TABLE: 'Messages' };
const apiEnv = parseEnv(apiEnvSchema, {
  ...tables,
  IDEMPOTENCY_TABLE: 'Idempotency',
  INBOX_TABLE: 'Inbox',
  INBOX_TOKEN_SECRET: 'herald/inbox-key-wiring-test',
  EVENT_TYPES_TABLE: 'EventTypes',
  EVENTS_TABLE: 'Events',
  FANOUT_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/123456789012/herald-fanout.fifo',
  SEND_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/123456789012/herald-send',
  START_TIMER_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/123456789012/herald-start-timer',
  SCHEDULE_GROUP: 'herald',
  SCHEDULE_TARGET_ARN: 'arn:aws:sqs:eu-west-1:123456789012:herald-start-timer',
  OCCURRENCE_TARGET_ARN: 'arn:aws:sqs:eu-west-1:123456789012:herald-fanout.fifo',
  SCHEDULE_ROLE_ARN: 'arn:aws:iam::123456789012:role/herald-scheduler',
  SCHEDULE_DLQ_ARN: 'arn:aws:sqs:eu-west-1:123456789012:herald-schedule-dlq',
});
/** The api's settings as given (not parsed), to add one to. */
const apiEnvOf = () => Object.fromEntries(Object.entries(apiEnv).map(([name, value]) => [name, String(value)]));
const sendEnv = parseEnv(sendEnvSchema, { ...tables, PROVIDER_URL: 'https://probe.example.com/v1', SEND_QUEUE_URL: apiEnv.SEND_QUEUE_URL });
const clock = { now: () => new Date('2030-05-01T09:00:00Z') };

beforeEach(() => {
  scheduler.reset();
  sqs.reset();
  secrets.reset();
});

describe('ports built on first use (functions/handlers/wiring.ts)', () => {
  it("api: the start scheduler, built on the first schedule, targets the start timer with the stack's group, role and DLQ", async () => {
    scheduler.on(CreateScheduleCommand).resolves({ ScheduleArn: 'arn' });
    await apiDependencies(apiEnv, { clock }).scheduler.schedule('42', new Date('2030-05-02T09:00:00Z'));
    const [call] = scheduler.commandCalls(CreateScheduleCommand);
    expect(call?.args[0].input).toMatchObject({
      Name: 'campaign-42',
      GroupName: 'herald',
      Target: { Arn: apiEnv.SCHEDULE_TARGET_ARN, RoleArn: apiEnv.SCHEDULE_ROLE_ARN, DeadLetterConfig: { Arn: apiEnv.SCHEDULE_DLQ_ARN } },
    });
  });

  it('api: the recurring scheduler, built on its first use, removes from the same group', async () => {
    scheduler.on(DeleteScheduleCommand).resolves({});
    await apiDependencies(apiEnv, { clock }).recurringScheduler?.unscheduleRecurring('42');
    expect(scheduler.commandCalls(DeleteScheduleCommand).map((call) => call.args[0].input)).toEqual([{ Name: 'campaign-42-recurring', GroupName: 'herald' }]);
  });

  it("api: the fan-out queue, built on the first start, puts the start in the campaign's FIFO group", async () => {
    sqs.on(SendMessageCommand).resolves({ MessageId: 'm' });
    await apiDependencies(apiEnv, { clock }).fanoutQueue.start('42');
    expect(sqs.commandCalls(SendMessageCommand).map((call) => call.args[0].input)).toEqual([
      { QueueUrl: apiEnv.FANOUT_QUEUE_URL, MessageBody: '{"type":"start","campaignId":"42"}', MessageGroupId: '42', MessageDeduplicationId: '42:start' },
    ]);
  });

  it("api: the send queue, built on a notice's first enqueue, sends the chunk in a batch", async () => {
    sqs.on(SendMessageBatchCommand).resolves({ Successful: [{ Id: '0', MessageId: 'm', MD5OfMessageBody: '' }], Failed: [] });
    await apiDependencies(apiEnv, { clock }).sendQueue.enqueue([{ campaignId: 'n1', chunk: 0 }]);
    expect(sqs.commandCalls(SendMessageBatchCommand).map((call) => call.args[0].input)).toEqual([
      { QueueUrl: apiEnv.SEND_QUEUE_URL, Entries: [{ Id: '0', MessageBody: '{"campaignId":"n1","chunk":0}' }] },
    ]);
  });

  it('send: the send queue, built on the first hold, puts the chunk back on the send queue with its delay', async () => {
    sqs.on(SendMessageCommand).resolves({ MessageId: 'm' });
    await sendDependencies(sendEnv, { token: async () => 'token', clock }).sendQueue.hold({ campaignId: '42', chunk: 7 }, 30);
    expect(sqs.commandCalls(SendMessageCommand).map((call) => call.args[0].input)).toEqual([
      { QueueUrl: sendEnv.SEND_QUEUE_URL, MessageBody: '{"campaignId":"42","chunk":7}', DelaySeconds: 30 },
    ]);
  });

  it('send: the provider token, cached, is read from Secrets Manager again when a fresh read is asked for (after a 401)', async () => {
    secrets.on(GetSecretValueCommand).resolvesOnce({ SecretString: 'placeholder' }).resolves({ SecretString: 'jwt-put-since' });
    const token = secretToken('herald/provider-token-wiring-test');
    expect(await token()).toBe('placeholder');
    expect(await token({ fresh: false })).toBe('placeholder');
    expect(await token({ fresh: true })).toBe('jwt-put-since');
    expect(await token()).toBe('jwt-put-since');
    expect(secrets.commandCalls(GetSecretValueCommand).map((call) => call.args[0].input)).toEqual([
      { SecretId: 'herald/provider-token-wiring-test' },
      { SecretId: 'herald/provider-token-wiring-test' },
    ]);
  });

  it('api: the unsubscribe key is read from Secrets Manager on the first link followed, and cached', async () => {
    const key = 'k'.repeat(48);
    secrets.on(GetSecretValueCommand).resolves({ SecretString: key });
    const deps = apiDependencies(parseEnv(apiEnvSchema, { ...apiEnvOf(), UNSUBSCRIBE_KEY_SECRET: 'herald/unsubscribe-key-wiring-test' }), { clock });
    expect(secrets.commandCalls(GetSecretValueCommand)).toHaveLength(0);
    const signer = await deps.unsubscribeSigner?.();
    expect(signer?.sign('x')).toBe(hmacSigner(key).sign('x'));
    await deps.unsubscribeSigner?.();
    expect(secrets.commandCalls(GetSecretValueCommand).map((call) => call.args[0].input)).toEqual([{ SecretId: 'herald/unsubscribe-key-wiring-test' }]);
    // Negative control: without the setting there is no signer (every link is 404).
    expect(apiDependencies(apiEnv, { clock }).unsubscribeSigner).toBeUndefined();
  });

  it("api: the inbox tokens' key, read from Secrets Manager on the first token signed or checked, and cached", async () => {
    secrets.on(GetSecretValueCommand).resolves({ SecretString: 'k'.repeat(32) });
    const { inboxSigner } = apiDependencies(apiEnv, { clock });
    expect(secrets.commandCalls(GetSecretValueCommand)).toHaveLength(0);
    const signer = await inboxSigner();
    expect(signer.sign('data')).toBe(hmacSigner('k'.repeat(32)).sign('data'));
    await inboxSigner();
    expect(secrets.commandCalls(GetSecretValueCommand).map((call) => call.args[0].input)).toEqual([{ SecretId: 'herald/inbox-key-wiring-test' }]);
  });
});
