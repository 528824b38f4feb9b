import { App } from 'aws-cdk-lib';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { describe, expect, it } from 'vitest';
import { createHeraldApp, stackPropsFromContext } from '../../lib/app.js';

describe('stack settings from CDK context (`cdk deploy -c key=value`)', () => {
  it('reads the provider URL, deletion protection, log level, retention and alarm e-mail', () => {
    const app = new App({
      context: {
        providerUrl: 'https://sms.example.com/v2',
        deletionProtection: 'false',
        logLevel: 'DEBUG',
        logRetentionDays: '7',
        alarmEmail: 'oncall@example.com',
        fanoutStreams: '4',
      },
    });
    expect(stackPropsFromContext(app)).toEqual({
      providerUrl: 'https://sms.example.com/v2',
      deletionProtection: false,
      logLevel: 'DEBUG',
      logRetention: RetentionDays.ONE_WEEK,
      alarmEmail: 'oncall@example.com',
      fanoutStreams: 4,
    });
  });

  it('leaves everything to the stack defaults without context', () => {
    expect(stackPropsFromContext(new App())).toEqual({
      providerUrl: undefined,
      deletionProtection: undefined,
      logLevel: undefined,
      logRetention: undefined,
      alarmEmail: undefined,
      fanoutStreams: undefined,
    });
  });

  it('reads inboxOrigins as a comma-separated list of origins', () => {
    const app = new App({ context: { inboxOrigins: 'https://shop.example.com, https://app.example.org:8443' } });
    expect(stackPropsFromContext(app).inboxOrigins).toEqual(['https://shop.example.com', 'https://app.example.org:8443']);
    expect(stackPropsFromContext(new App()).inboxOrigins).toBeUndefined();
  });

  it.each(['https://shop.example.com/', 'shop.example.com', 'https://shop.example.com/inbox', ' , '])(
    'refuses inboxOrigins=%s, naming the context key',
    (inboxOrigins) => {
      expect(() => stackPropsFromContext(new App({ context: { inboxOrigins } }))).toThrow(/^inboxOrigins: /);
    },
  );

  it('refuses values it cannot mean', () => {
    expect(() => stackPropsFromContext(new App({ context: { deletionProtection: 'no' } }))).toThrow(/true or false/);
    expect(() => stackPropsFromContext(new App({ context: { logRetentionDays: '8' } }))).toThrow(/logRetentionDays/);
    expect(() => stackPropsFromContext(new App({ context: { logLevel: 'verbose' } }))).toThrow(/logLevel/);
    expect(() => stackPropsFromContext(new App({ context: { fanoutStreams: 'eight' } }))).toThrow(/fanoutStreams/);
  });

  it.each(['http://sms.example.com/v2', 'http://10.0.0.5:8080', 'sms.example.com', 'ftp://127.0.0.1/'])(
    'refuses providerUrl=%s: the bearer token would leave over plain http:, naming the context key',
    (providerUrl) => {
      expect(() => createHeraldApp({ context: { providerUrl } })).toThrow(
        `providerUrl: must be an https: URL (http: only on loopback: 127.0.0.0/8, ::1, localhost); got ${JSON.stringify(providerUrl)}`,
      );
    },
  );

  it('refuses the same URL given as a stack property', () => {
    expect(() => createHeraldApp({}, { providerUrl: 'http://sms.example.com/v2' })).toThrow(/^providerUrl: must be an https: URL/);
  });

  it('refuses a fan-out stream count that does not divide the client shards before building anything', () => {
    expect(() => createHeraldApp({}, { fanoutStreams: 3 })).toThrow(/fanoutStreams: 3 does not divide/);
  });
});
