/**
 * `npm run logs -- --campaign|--message|--client|--event ID [--since 1h] [--local DIR] [--log-groups a,b] [--prefix P]`
 *
 * Prints every log line about one id: from CloudWatch Logs (a Logs Insights query over the
 * deployed functions' log groups) or, with --local or when no AWS region is configured, from
 * the local runtime's JSON-lines files.
 */
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { idKinds, type IdKind } from '../functions/definitions/log-queries.js';
import { findLogGroups, parseSince, searchCloudWatch, searchLocalLogs } from './log-search.js';

/** Where the stack puts its functions' logs: `/aws/lambda/herald-api`, `/aws/lambda/herald-send`, ... */
export const DEFAULT_LOG_GROUP_PREFIX = '/aws/lambda/herald-';
export const DEFAULT_SINCE = '24h';

export type LogsSource = { kind: 'local'; dir: string } | { kind: 'cloudwatch'; logGroupNames?: string[]; prefix: string };

export interface LogsRequest {
  idKind: IdKind;
  id: string;
  since: Date;
  /** The end of the searched time range: when the command started. */
  until: Date;
  /** Undefined: decided at run time (CloudWatch when an AWS region is configured). */
  source: LogsSource | undefined;
}

const usage =
  'usage: npm run logs -- (--campaign ID | --message ID | --client ID | --event ID) [--since 1h] [--local DIR] [--log-groups a,b] [--prefix /aws/lambda/herald-]';

/** The local runtime's log folder: `$HERALD_DATA_DIR/logs`, `.herald/logs` by default. */
export function defaultLocalDir(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(env.HERALD_DATA_DIR || '.herald', 'logs');
}

export function parseLogsArgs(argv: string[], now: Date = new Date()): LogsRequest {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    allowPositionals: false,
    options: {
      campaign: { type: 'string' },
      message: { type: 'string' },
      client: { type: 'string' },
      event: { type: 'string' },
      since: { type: 'string', default: DEFAULT_SINCE },
      local: { type: 'string' },
      'log-groups': { type: 'string' },
      prefix: { type: 'string' },
    },
  });
  const given = idKinds.filter((kind) => values[kind] !== undefined);
  if (given.length !== 1) throw new Error(`Give exactly one of --campaign, --message, --client, --event\n${usage}`);
  const idKind = given[0]!;
  if (values.local !== undefined && (values['log-groups'] !== undefined || values.prefix !== undefined)) {
    throw new Error('--local excludes --log-groups and --prefix');
  }
  let source: LogsSource | undefined;
  if (values.local !== undefined) source = { kind: 'local', dir: values.local };
  else if (values['log-groups'] !== undefined || values.prefix !== undefined) {
    const logGroupNames = values['log-groups']
      ?.split(',')
      .map((name) => name.trim())
      .filter(Boolean);
    source = { kind: 'cloudwatch', logGroupNames, prefix: values.prefix ?? DEFAULT_LOG_GROUP_PREFIX };
  }
  return { idKind, id: values[idKind]!, since: parseSince(values.since, now), until: now, source };
}

/** The configured region, or undefined when the SDK finds none (env, profile): then the search stays local. */
async function configuredRegion(client: CloudWatchLogsClient): Promise<string | undefined> {
  try {
    return await client.config.region();
  } catch {
    return undefined;
  }
}

export interface LogsOutput {
  out: (line: string) => void;
  err: (line: string) => void;
}

export interface LogsDependencies {
  client?: CloudWatchLogsClient;
  /** Waits between two GetQueryResults calls. */
  sleep?: (ms: number) => Promise<void>;
  env?: NodeJS.ProcessEnv;
}

/** Runs one search and prints the matching lines; returns how many there were. */
export async function runLogs(request: LogsRequest, output: LogsOutput, deps: LogsDependencies = {}): Promise<number> {
  const client = deps.client ?? new CloudWatchLogsClient({});
  let source = request.source;
  if (!source) {
    source = (await configuredRegion(client)) ? { kind: 'cloudwatch', prefix: DEFAULT_LOG_GROUP_PREFIX } : { kind: 'local', dir: defaultLocalDir(deps.env) };
  }
  const what = `${request.idKind} ${request.id}`;
  let lines: string[];
  if (source.kind === 'local') {
    lines = await searchLocalLogs({ kind: request.idKind, id: request.id, dir: source.dir, since: request.since });
    output.err(`${lines.length} line(s) about ${what} in ${source.dir} since ${request.since.toISOString()}`);
  } else {
    const logGroupNames = source.logGroupNames ?? (await findLogGroups(client, source.prefix));
    if (logGroupNames.length === 0) throw new Error(`No log groups start with ${source.prefix}; pass --log-groups or --prefix`);
    lines = await searchCloudWatch({
      client,
      kind: request.idKind,
      id: request.id,
      logGroupNames,
      since: request.since,
      until: request.until,
      sleep: deps.sleep,
    });
    output.err(`${lines.length} line(s) about ${what} in ${logGroupNames.join(', ')} since ${request.since.toISOString()}`);
  }
  for (const line of lines) output.out(line);
  return lines.length;
}

async function main(): Promise<void> {
  try {
    const request = parseLogsArgs(process.argv.slice(2));
    await runLogs(request, { out: (line) => console.log(line), err: (line) => console.error(line) });
  } catch (error) {
    console.error(error instanceof Error ? error.message : String(error));
    process.exitCode = 1;
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  await main();
}
