/**
 * Finding every log line about a campaign, a message or a client: the CloudWatch Logs Insights
 * query (saved in the stack by lib/observability.ts and run by `npm run logs`), and the same
 * search over the local runtime's JSON-lines files. One module, so the saved queries and the
 * command line cannot search differently.
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

export const idKinds = ['campaign', 'message', 'client'] as const;
export type IdKind = (typeof idKinds)[number];

/** The log field that carries each kind of id (Powertools Logger keys, see functions/adapters/logger.ts). */
export const idFields: Record<IdKind, string> = {
  campaign: 'campaignId',
  message: 'messageId',
  client: 'clientId',
};

/** Ids are numbers or opaque tokens; anything else is refused rather than spliced into a query. */
const ID_PATTERN = /^[A-Za-z0-9_.:-]{1,128}$/;

export function assertValidId(id: string): void {
  if (!ID_PATTERN.test(id)) throw new Error(`Not an id: ${JSON.stringify(id)} (letters, digits, _ . : - only)`);
}

/** The most rows one Logs Insights query returns. */
export const QUERY_LIMIT = 10_000;

/** A Logs Insights query in the parts CDK's `logs.QueryString` takes, so the stack renders the same text. */
export interface LogSearchQuery {
  fields: string[];
  filterStatements: string[];
  sort: string;
  limit: number;
}

/**
 * The query for one kind of id. `idPattern` is a regular-expression fragment: an escaped id,
 * or a saved query's `{{parameter}}`.
 *
 * It matches the raw JSON line rather than the discovered field because an id is logged as a
 * number by one handler and as a string by another (`"messageId":42` or `"messageId":"42"`),
 * and a field comparison is typed; `"?` on both sides accepts either, and `[,}]` after it stops
 * `42` from matching `420`. Ids nested in an object (`"ids":{"clientId":...}`) match too.
 */
export function logSearchQuery(kind: IdKind, idPattern: string): LogSearchQuery {
  const field = idFields[kind];
  return {
    fields: ['@timestamp', '@log', '@message'],
    filterStatements: [`@message like /"${field}":"?${idPattern}"?[,}]/`],
    sort: '@timestamp asc',
    limit: QUERY_LIMIT,
  };
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

/** The query `npm run logs` runs for one id. */
export function queryForId(kind: IdKind, id: string): LogSearchQuery {
  assertValidId(id);
  return logSearchQuery(kind, escapeRegExp(id));
}

/** Name of the saved query's parameter: the id field itself (`{{campaignId}}`). */
export function savedQueryParameter(kind: IdKind): string {
  return idFields[kind];
}

/** The saved query for one kind of id; Logs Insights asks for `{{campaignId}}` (etc.) when it runs. */
export function savedQuery(kind: IdKind): LogSearchQuery {
  return logSearchQuery(kind, `{{${savedQueryParameter(kind)}}}`);
}

/** The query text, exactly as aws-cdk-lib's `logs.QueryString` renders the same parts. */
export function renderQuery(query: LogSearchQuery): string {
  return [
    `fields ${query.fields.join(', ')}`,
    ...query.filterStatements.map((statement) => `filter ${statement}`),
    `sort ${query.sort}`,
    `limit ${query.limit}`,
  ].join('\n| ');
}

/** True when `value` holds `field` equal to `id` at any depth, as a string or as a number. */
export function mentionsId(value: unknown, field: string, id: string): boolean {
  if (Array.isArray(value)) return value.some((item) => mentionsId(item, field, id));
  if (value === null || typeof value !== 'object') return false;
  for (const [key, inner] of Object.entries(value)) {
    if (key === field && (typeof inner === 'string' || typeof inner === 'number') && String(inner) === id) return true;
    if (mentionsId(inner, field, id)) return true;
  }
  return false;
}

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
