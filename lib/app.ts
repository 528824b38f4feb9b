import { App, Aspects, type AppProps } from 'aws-cdk-lib';
import * as logs from 'aws-cdk-lib/aws-logs';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { LogLevel } from './functions.js';
import { HeraldStack, type HeraldStackProps } from './herald-stack.js';

export const STACK_NAME = 'Herald';

/** Context values (`cdk deploy -c providerUrl=...` or cdk.json) arrive as strings from the command line. */
function contextBoolean(value: unknown): boolean | undefined {
  if (value === undefined) return undefined;
  if (value === true || value === 'true') return true;
  if (value === false || value === 'false') return false;
  throw new Error(`Expected true or false, got ${JSON.stringify(value)}`);
}

const logLevels: LogLevel[] = ['DEBUG', 'INFO', 'WARN', 'ERROR'];

function contextLogLevel(value: unknown): LogLevel | undefined {
  if (value === undefined) return undefined;
  if (!logLevels.includes(value as LogLevel)) throw new Error(`logLevel: expected one of ${logLevels.join(', ')}, got ${JSON.stringify(value)}`);
  return value as LogLevel;
}

function contextRetention(value: unknown): logs.RetentionDays | undefined {
  if (value === undefined) return undefined;
  const days = Number(value);
  if (!Object.values(logs.RetentionDays).includes(days)) {
    throw new Error(`logRetentionDays: ${JSON.stringify(value)} is not a retention CloudWatch Logs offers (1, 3, 5, 7, 14, 30, ...)`);
  }
  return days as logs.RetentionDays;
}

function contextInteger(key: string, value: unknown): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (!Number.isInteger(number)) throw new Error(`${key}: expected an integer, got ${JSON.stringify(value)}`);
  return number;
}

/** A comma-separated list of origins (`https://shop.example.com,https://app.example.com`), each a bare origin. */
function contextOrigins(key: string, value: unknown): string[] | undefined {
  if (value === undefined) return undefined;
  const origins = String(value)
    .split(',')
    .map((origin) => origin.trim())
    .filter((origin) => origin !== '');
  if (origins.length === 0) throw new Error(`${key}: expected at least one origin, got ${JSON.stringify(value)}`);
  for (const origin of origins) {
    const url = URL.canParse(origin) ? new URL(origin) : undefined;
    if (url?.origin !== origin) throw new Error(`${key}: ${JSON.stringify(origin)} is not an origin (scheme://host[:port], no path or trailing slash)`);
  }
  return origins;
}

/** Stack settings from the app's context: providerUrl, deletionProtection, logLevel, logRetentionDays, alarmEmail, fanoutStreams, emailFrom, inboxOrigins. */
export function stackPropsFromContext(app: App): HeraldStackProps {
  const context = (key: string): unknown => app.node.tryGetContext(key);
  return {
    providerUrl: context('providerUrl') as string | undefined,
    deletionProtection: contextBoolean(context('deletionProtection')),
    logLevel: contextLogLevel(context('logLevel')),
    logRetention: contextRetention(context('logRetentionDays')),
    alarmEmail: context('alarmEmail') as string | undefined,
    fanoutStreams: contextInteger('fanoutStreams', context('fanoutStreams')),
    emailFrom: context('emailFrom') as string | undefined,
    inboxOrigins: contextOrigins('inboxOrigins', context('inboxOrigins')),
  };
}

/**
 * The CDK app: the Herald stack, environment-agnostic (no account or region, no lookups, so
 * `cdk synth` runs offline), checked by cdk-nag's AwsSolutions pack.
 */
export function createHeraldApp(appProps: AppProps = {}, stackProps: HeraldStackProps = {}): { app: App; stack: HeraldStack } {
  const app = new App(appProps);
  const stack = new HeraldStack(app, STACK_NAME, {
    description: 'Herald: mailing campaigns over an external SMS API',
    ...stackPropsFromContext(app),
    ...stackProps,
  });
  Aspects.of(app).add(new AwsSolutionsChecks({ verbose: true }));
  return { app, stack };
}
