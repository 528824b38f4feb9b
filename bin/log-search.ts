/**
 * `npm run logs`: runs the saved searches (functions/definitions/log-queries.ts) against
 * CloudWatch Logs Insights, or the same search over the local runtime's JSON-lines files.
 */
import { createReadStream } from 'node:fs';
import { readdir } from 'node:fs/promises';
import * as path from 'node:path';
import { createInterface } from 'node:readline';
import {
  GetQueryResultsCommand,
  StartQueryCommand,
  StopQueryCommand,
  paginateDescribeLogGroups,
  type CloudWatchLogsClient,
  type ResultField,
} from '@aws-sdk/client-cloudwatch-logs';
import { assertValidId, idFields, mentionsId, QUERY_LIMIT, queryForId, renderQuery, type IdKind } from '../functions/definitions/log-queries.js';

/** The line's time (Powertools writes `timestamp`), or undefined when it has none. */
function lineTime(record: unknown): number | undefined {
  if (record === null || typeof record !== 'object') return undefined;
  const stamp = (record as Record<string, unknown>).timestamp;
  if (typeof stamp !== 'string' && typeof stamp !== 'number') return undefined;
  const time = new Date(stamp).getTime();
  return Number.isNaN(time) ? undefined : time;
}

export interface LocalSearch {
  kind: IdKind;
  id: string;
  /** The folder the local runtime writes its JSON-lines logs to (every file in it, recursively). */
  dir: string;
  /** Lines older than this are left out; lines without a timestamp are kept. */
  since?: Date;
}

/** Every JSON line under `dir` that mentions the id, file by file in name order. Non-JSON lines are skipped. */
export async function searchLocalLogs(search: LocalSearch): Promise<string[]> {
  assertValidId(search.id);
  const field = idFields[search.kind];
  const entries = await readdir(search.dir, { recursive: true, withFileTypes: true });
  const files = entries
    .filter((entry) => entry.isFile())
    .map((entry) => path.join(entry.parentPath, entry.name))
    .sort();
  const matches: string[] = [];
  for (const file of files) {
    const lines = createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Infinity });
    for await (const line of lines) {
      const record = parseJsonLine(line);
      if (record === undefined || !mentionsId(record, field, search.id)) continue;
      const time = lineTime(record);
      if (search.since && time !== undefined && time < search.since.getTime()) continue;
      matches.push(line);
    }
  }
  return matches;
}

function parseJsonLine(line: string): unknown {
  if (!line.trimStart().startsWith('{')) return undefined;
  try {
    return JSON.parse(line);
  } catch {
    return undefined;
  }
}

/** Log groups whose name starts with `prefix` (the stack names them `/aws/lambda/<prefix>-<function>`). */
export async function findLogGroups(client: CloudWatchLogsClient, prefix: string): Promise<string[]> {
  const names: string[] = [];
  for await (const page of paginateDescribeLogGroups({ client }, { logGroupNamePrefix: prefix })) {
    for (const group of page.logGroups ?? []) if (group.logGroupName) names.push(group.logGroupName);
  }
  return names;
}

export interface CloudWatchSearch {
  client: CloudWatchLogsClient;
  kind: IdKind;
  id: string;
  logGroupNames: string[];
  since: Date;
  until?: Date;
  /** Between two GetQueryResults calls. */
  pollIntervalMs?: number;
  /** Gives up (and stops the query) after this long. */
  timeoutMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

const finishedStatuses = new Set(['Complete', 'Failed', 'Cancelled', 'Timeout', 'Unknown']);

/** Runs the id's Logs Insights query over the log groups and returns the matching lines, oldest first. */
export async function searchCloudWatch(search: CloudWatchSearch): Promise<string[]> {
  if (search.logGroupNames.length === 0) throw new Error('No log groups to search');
  const sleep = search.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const pollIntervalMs = search.pollIntervalMs ?? 1000;
  const timeoutMs = search.timeoutMs ?? 10 * 60_000;
  const until = search.until ?? new Date();
  const { queryId } = await search.client.send(
    new StartQueryCommand({
      logGroupNames: search.logGroupNames,
      startTime: Math.floor(search.since.getTime() / 1000),
      endTime: Math.ceil(until.getTime() / 1000),
      queryString: renderQuery(queryForId(search.kind, search.id)),
      limit: QUERY_LIMIT,
    }),
  );
  if (!queryId) throw new Error('StartQuery returned no query id');

  for (let waited = 0; ; waited += pollIntervalMs) {
    const answer = await search.client.send(new GetQueryResultsCommand({ queryId }));
    const status = answer.status ?? 'Unknown';
    if (finishedStatuses.has(status)) {
      if (status !== 'Complete') throw new Error(`Logs Insights query ${queryId} ended ${status}`);
      return (answer.results ?? []).map(messageOf).filter((line): line is string => line !== undefined);
    }
    if (waited >= timeoutMs) {
      await search.client.send(new StopQueryCommand({ queryId }));
      throw new Error(`Logs Insights query ${queryId} still ${status} after ${timeoutMs} ms; stopped it`);
    }
    await sleep(pollIntervalMs);
  }
}

function messageOf(row: ResultField[]): string | undefined {
  return row.find((cell) => cell.field === '@message')?.value?.trimEnd();
}

const durationUnits: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** `--since`: a duration back from now (`90s`, `15m`, `1h`, `2d`, `1w`) or an ISO 8601 time. */
export function parseSince(text: string, now: Date = new Date()): Date {
  const duration = /^(\d+)([smhdw])$/.exec(text.trim());
  if (duration) return new Date(now.getTime() - Number(duration[1]) * durationUnits[duration[2]!]!);
  const time = new Date(text);
  if (/^\d{4}-\d{2}-\d{2}/.test(text) && !Number.isNaN(time.getTime())) return time;
  throw new Error(`--since: expected a duration like 30m, 1h, 2d or an ISO time, got ${JSON.stringify(text)}`);
}
