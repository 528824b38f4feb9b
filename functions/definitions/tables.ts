/**
 * The one definition of Herald's DynamoDB tables. The CDK stack builds its tables
 * from it and the local runtime creates the same tables in DynamoDB Local, so the
 * keys and indexes cannot drift apart.
 */
export type KeyType = 'S' | 'N';

export interface KeyAttribute {
  name: string;
  type: KeyType;
}

export interface IndexDefinition {
  indexName: string;
  partitionKey: KeyAttribute;
  sortKey?: KeyAttribute;
}

export interface TableDefinition {
  /** Logical name: the CDK construct id and the local table name. */
  name: string;
  /** The environment variable that carries the physical table name to the handlers. */
  envVar: string;
  partitionKey: KeyAttribute;
  sortKey?: KeyAttribute;
  indexes: IndexDefinition[];
  /** A DynamoDB stream of the table's changes, with the item before and after each write. */
  stream?: 'NEW_AND_OLD_IMAGES';
  /** The epoch-seconds attribute DynamoDB's TTL deletes items by, when the table has one. */
  timeToLiveAttribute?: string;
}

export const CLIENTS_BY_TAG = 'byTag';
export const CLIENTS_BY_OPERATOR = 'byOperatorCode';
/** A recurring campaign's runs, by occurrence: a sparse index (only runs carry recurringId). */
export const CAMPAIGNS_BY_RECURRING = 'byRecurring';
/**
 * The fan-out's indexes: partition key `<value>#<shard>` (functions/domain/shards.ts), so one
 * tag's or operator code's clients spread over SHARD_COUNT partitions, each read by one stream.
 */
export const CLIENTS_BY_TAG_SHARD = 'byTagShard';
export const CLIENTS_BY_OPERATOR_SHARD = 'byOperatorCodeShard';
/** The stored attributes those indexes are keyed on, and the client's shard number. */
export const SHARD_ATTRIBUTES = { shard: 'shard', tag: 'tagShard', operatorCode: 'operatorCodeShard' } as const;

export const tables = {
  /** The client directory; the audience of a filter is a Query on one of its indexes. */
  clients: {
    name: 'clients',
    envVar: 'CLIENTS_TABLE',
    partitionKey: { name: 'id', type: 'S' },
    indexes: [
      { indexName: CLIENTS_BY_TAG, partitionKey: { name: 'tag', type: 'S' }, sortKey: { name: 'id', type: 'S' } },
      { indexName: CLIENTS_BY_OPERATOR, partitionKey: { name: 'operatorCode', type: 'S' }, sortKey: { name: 'id', type: 'S' } },
      { indexName: CLIENTS_BY_TAG_SHARD, partitionKey: { name: SHARD_ATTRIBUTES.tag, type: 'S' }, sortKey: { name: 'id', type: 'S' } },
      { indexName: CLIENTS_BY_OPERATOR_SHARD, partitionKey: { name: SHARD_ATTRIBUTES.operatorCode, type: 'S' }, sortKey: { name: 'id', type: 'S' } },
    ],
  },
  /**
   * Reservations of unique values (`phone#<phone>`), sequences (`sequence#campaign`), and the
   * suppression list (`suppressed#<phone>`, outliving its client; `optout#latest`, when the last opt-out was stored),
   * and the run of each occurrence of a recurring campaign (`run#<recurringId>#<occurrence>`, holding the run's id),
   * and the rate limit's per-second slot counters (`rate#<campaignId>#<second>`), which alone
   * carry `expiration`: TTL removes them once their second is long past; the other items never expire.
   */
  uniques: {
    name: 'uniques',
    envVar: 'UNIQUES_TABLE',
    partitionKey: { name: 'key', type: 'S' },
    indexes: [],
    timeToLiveAttribute: 'expiration',
  },
  campaigns: {
    name: 'campaigns',
    envVar: 'CAMPAIGNS_TABLE',
    partitionKey: { name: 'id', type: 'S' },
    indexes: [{ indexName: CAMPAIGNS_BY_RECURRING, partitionKey: { name: 'recurringId', type: 'S' }, sortKey: { name: 'occurrence', type: 'S' } }],
  },
  /**
   * One item per chunk of up to ten messages of one campaign. Its stream feeds the tally
   * function, which keeps the campaigns' counters from each chunk's before and after.
   */
  messages: {
    name: 'messages',
    envVar: 'MESSAGES_TABLE',
    partitionKey: { name: 'campaignId', type: 'S' },
    sortKey: { name: 'chunk', type: 'N' },
    indexes: [],
    stream: 'NEW_AND_OLD_IMAGES',
  },
  /**
   * Powertools idempotency records of POSTs carrying an `Idempotency-Key` (functions/api/idempotency.ts):
   * its persistence layer's default attribute names, `expiration` in epoch seconds as the TTL.
   */
  idempotency: {
    name: 'idempotency',
    envVar: 'IDEMPOTENCY_TABLE',
    partitionKey: { name: 'id', type: 'S' },
    indexes: [],
    timeToLiveAttribute: 'expiration',
  },
  /**
   * A client's live WebSocket connections (functions/domain/connections.ts): one Query of the client's
   * partition finds every tab and device to push a frame to. `$disconnect` deletes by both keys (the
   * client id is in the `$connect` authorizer's context, which API Gateway hands to every route), and
   * `expiration` lets TTL remove what a lost `$disconnect` left.
   */
  connections: {
    name: 'connections',
    envVar: 'CONNECTIONS_TABLE',
    partitionKey: { name: 'clientId', type: 'S' },
    sortKey: { name: 'connectionId', type: 'S' },
    indexes: [],
    timeToLiveAttribute: 'expiration',
  },
  /**
   * Each client's in-app inbox, one partition per client (functions/adapters/dynamo/inbox-store.ts):
   * its items (`item#<createdAt>`, listed newest first), one guard per message delivered
   * (`message#<id>`, so a retried send writes nothing twice), and its counter (`counter`). Items and
   * guards carry `expiration`: TTL removes them after the retention (90 days by default).
   */
  inbox: {
    name: 'inbox',
    envVar: 'INBOX_TABLE',
    partitionKey: { name: 'clientId', type: 'S' },
    sortKey: { name: 'entry', type: 'S' },
    indexes: [],
    timeToLiveAttribute: 'expiration',
  },
  /** Event types by key (functions/domain/event-types.ts). */
  eventTypes: {
    name: 'eventTypes',
    envVar: 'EVENT_TYPES_TABLE',
    partitionKey: { name: 'key', type: 'S' },
    indexes: [],
  },
  /**
   * One item per fired event, with each step's status (functions/domain/events.ts); read by id
   * only. `expiration` (epoch seconds) lets TTL remove an event a while after its last step.
   */
  events: {
    name: 'events',
    envVar: 'EVENTS_TABLE',
    partitionKey: { name: 'id', type: 'S' },
    indexes: [],
    timeToLiveAttribute: 'expiration',
  },
} as const satisfies Record<string, TableDefinition>;

export type TableName = keyof typeof tables;
export const tableList: TableDefinition[] = Object.values(tables);
