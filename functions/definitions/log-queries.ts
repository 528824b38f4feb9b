/**
 * The searches for every log line about a campaign, a message, a client or an event: the CloudWatch
 * Logs Insights queries the stack saves (lib/observability.ts) and `npm run logs` runs
 * (bin/log-search.ts), defined once so the two cannot search differently.
 */
export const idKinds = ['campaign', 'message', 'client', 'event'] as const;
export type IdKind = (typeof idKinds)[number];

/** The log field that carries each kind of id (Powertools Logger keys, see functions/telemetry/logger.ts). */
export const idFields: Record<IdKind, string> = {
  campaign: 'campaignId',
  message: 'messageId',
  client: 'clientId',
  // Every line about an event or one of its steps (the api's, the start timer's, the sender's, the tally's).
  event: 'eventId',
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
