/**
 * The provider's bearer token travels only over https:, or over http: to this machine: the rule
 * (functions/domain/secure-url.ts), and the one config parser naming the variable that breaks it,
 * on AWS (PROVIDER_URL) and locally (HERALD_PROVIDER_URL). The stack's side is in test/infra/app.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { ConfigError, parseEnv, sendEnvSchema } from '../../functions/adapters/config.js';
import { isLoopback, isSecureOrLoopback } from '../../functions/domain/secure-url.js';
import { localEnvSchema } from '../../local/settings.js';

const allowed = [
  'https://probe.fbrq.cloud/v1',
  'https://10.0.0.5:8443',
  'http://127.0.0.1:4010',
  'http://127.1.2.3/v1',
  'http://127.1:4010',
  'http://localhost:4010',
  'http://[::1]:4010',
  'http://[0:0::1]:4010',
];
const refused = [
  'http://probe.fbrq.cloud/v1',
  'http://10.0.0.5:4010',
  'http://0.0.0.0:4010',
  'http://128.0.0.1:4010',
  'http://localhost.example.com/',
  'http://127.0.0.1.example.com/',
  'http://[::ffff:127.0.0.1]/',
  'ftp://127.0.0.1/',
  'ws://localhost:4010',
];

describe('the rule', () => {
  it.each(allowed)('%s may carry a secret', (url) => {
    expect(isSecureOrLoopback(new URL(url))).toBe(true);
  });
  it.each(refused)('%s may not', (url) => {
    expect(isSecureOrLoopback(new URL(url))).toBe(false);
  });
  it('loopback is the host, whatever the scheme', () => {
    expect(isLoopback(new URL('https://localhost'))).toBe(true);
    expect(isLoopback(new URL('https://127.255.0.1'))).toBe(true);
    expect(isLoopback(new URL('https://192.168.0.1'))).toBe(false);
  });
});

describe('the config parser', () => {
  const sendEnv = {
    CLIENTS_TABLE: 'clients',
    UNIQUES_TABLE: 'uniques',
    CAMPAIGNS_TABLE: 'campaigns',
    MESSAGES_TABLE: 'messages',
    SEND_QUEUE_URL: 'http://127.0.0.1:4566/000000000000/send',
  };
  const refusal = (parse: () => unknown): ConfigError => {
    try {
      parse();
    } catch (error) {
      if (error instanceof ConfigError) return error;
      throw error;
    }
    throw new Error('parsed');
  };

  it.each(refused)('PROVIDER_URL=%s: refused, naming PROVIDER_URL and the rule', (url) => {
    const error = refusal(() => parseEnv(sendEnvSchema, { ...sendEnv, PROVIDER_URL: url }));
    expect(error.variables).toEqual(['PROVIDER_URL']);
    expect(error.message).toBe('Invalid configuration: PROVIDER_URL: must be an https: URL (http: only on loopback: 127.0.0.0/8, ::1, localhost)');
  });
  it.each(allowed)('PROVIDER_URL=%s: taken as it is', (url) => {
    expect(parseEnv(sendEnvSchema, { ...sendEnv, PROVIDER_URL: url }).PROVIDER_URL).toBe(url);
  });

  it.each(refused)('HERALD_PROVIDER_URL=%s: refused, naming HERALD_PROVIDER_URL', (url) => {
    const error = refusal(() => parseEnv(localEnvSchema, { HERALD_PROVIDER_URL: url }));
    expect(error.variables).toEqual(['HERALD_PROVIDER_URL']);
    expect(error.message).toMatch(/^Invalid configuration: HERALD_PROVIDER_URL: must be an https: URL/);
  });
  it.each(allowed)('HERALD_PROVIDER_URL=%s: taken as it is', (url) => {
    expect(parseEnv(localEnvSchema, { HERALD_PROVIDER_URL: url }).HERALD_PROVIDER_URL).toBe(url);
  });

  it('a URL that is no URL is reported once, as such', () => {
    expect(refusal(() => parseEnv(sendEnvSchema, { ...sendEnv, PROVIDER_URL: 'probe.fbrq.cloud' })).message).toBe(
      'Invalid configuration: PROVIDER_URL: Invalid URL',
    );
  });

  it('carries no secret, so other URLs keep plain http: (the SQS endpoint of the local runtime, on any host)', () => {
    const env = { ...sendEnv, SEND_QUEUE_URL: 'http://sqs.internal:4566/000000000000/send', PROVIDER_URL: 'https://probe.fbrq.cloud/v1' };
    expect(parseEnv(sendEnvSchema, env).SEND_QUEUE_URL).toBe(env.SEND_QUEUE_URL);
  });
});
