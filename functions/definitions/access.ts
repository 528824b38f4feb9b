/**
 * What each function does to each table, as the DynamoDB actions IAM knows: the stack grants
 * exactly these and nothing more (lib/data.ts), and test/integration/table-access.test.ts runs the
 * handlers as functions/handlers/wiring.ts builds them and checks each of their requests is among them.
 * A table left out is not granted at all.
 */
import type { FunctionName } from './functions.js';
import { tables, type TableName } from './tables.js';

/** Item actions only: no stream reads (the tally's event source grants its own), no DescribeTable, no table management. */
export const TABLE_ACTIONS = [
  'GetItem',
  'BatchGetItem',
  'Query',
  'Scan',
  'ConditionCheckItem',
  'PutItem',
  'UpdateItem',
  'DeleteItem',
  'BatchWriteItem',
] as const;

export type TableAction = (typeof TABLE_ACTIONS)[number];

export type TableAccess = Partial<Record<TableName, readonly TableAction[]>>;

/**
 * The api serves every route over every table (and keeps its idempotency records), so it may use
 * every item action on each; the others only what their code does.
 */
export const tableAccess: Record<FunctionName, TableAccess> = {
  api: {
    clients: TABLE_ACTIONS,
    uniques: TABLE_ACTIONS,
    campaigns: TABLE_ACTIONS,
    messages: TABLE_ACTIONS,
    idempotency: TABLE_ACTIONS,
    inbox: TABLE_ACTIONS,
    // Frames after a read, unread, read-all or archive (functions/adapters/frame-publisher.ts): a client's connections, a stale one deleted.
    connections: ['Query', 'DeleteItem'],
    eventTypes: TABLE_ACTIONS,
    events: TABLE_ACTIONS,
  },
  fanout: {
    // The audience: a Query on one of the directory's indexes, or a Scan when the filter has none.
    clients: ['Query', 'Scan'],
    // Read: the shard backfill's mark, the latest opt-out and the suppression list (one batch), a run's reservation.
    // Written: a recurring campaign's run takes a campaign number and its reservation.
    uniques: ['GetItem', 'BatchGetItem', 'UpdateItem', 'PutItem'],
    // Its progress and counters; a run created (a Put, checked against the recurring campaign) or cancelled.
    campaigns: ['GetItem', 'UpdateItem', 'PutItem', 'ConditionCheckItem'],
    // A page's chunks (one batch and its completion mark), read back on a replay or a resume.
    messages: ['GetItem', 'Query', 'PutItem', 'BatchWriteItem'],
  },
  send: {
    // Read only: its status, window, end and rate, through the sender's view (functions/delivery/campaign-view.ts).
    campaigns: ['GetItem'],
    // The claim and the outcome: two conditional updates of the chunk.
    messages: ['UpdateItem'],
    // A notice's client on the suppression list (read); the rate slots of a campaign with maxPerSecond (a counter).
    uniques: ['GetItem', 'UpdateItem'],
  },
  // The e-mail channel's sender: what the SMS sender does (functions/delivery/send.ts is one copy for every channel).
  sendEmail: {
    campaigns: ['GetItem'],
    messages: ['UpdateItem'],
    uniques: ['GetItem', 'UpdateItem'],
  },
  // SES's events (functions/delivery/email-events.ts).
  emailEvents: {
    // A message's delivery: one conditional write of its chunk (the campaign's emailEvents follow through the tally).
    messages: ['UpdateItem'],
    // A bounce's or complaint's address on the suppression list and the latest-opt-out mark (written); a complaint's
    // client found by its address's reservation, and opted out of e-mail as the directory writes it: the client
    // (read, put) with its addresses' suppression entries read and checked in the same transaction.
    uniques: ['GetItem', 'BatchGetItem', 'PutItem', 'ConditionCheckItem'],
    clients: ['GetItem', 'PutItem'],
  },
  sendInapp: {
    // As the SMS sender's: the campaign view, the claim and the outcome, the rate slots (an inbox has no address to suppress).
    campaigns: ['GetItem'],
    messages: ['UpdateItem'],
    uniques: ['UpdateItem'],
    // The inbox's counter (read), then an item, its guard and the counter in one transaction (functions/adapters/dynamo/inbox-store.ts).
    inbox: ['GetItem', 'PutItem'],
    // Frames to the client's connections; a stale one deleted.
    connections: ['Query', 'DeleteItem'],
  },
  // The claim and the outcome, as the sender's: the counters follow from them through the tally.
  deadLetter: { messages: ['UpdateItem'] },
  // The authorizer checks a token against a key from Secrets Manager; $default answers on its connection.
  wsAuthorizer: {},
  inboxAuthorizer: {},
  wsDefault: {},
  wsConnect: { connections: ['PutItem'] },
  wsDisconnect: { connections: ['DeleteItem'] },
  tally: {
    // Its mark and counters (read, then one conditional update), and the finish once drained.
    campaigns: ['GetItem', 'UpdateItem'],
    // The overall totals, in the same transaction.
    uniques: ['UpdateItem'],
    // An event step follows its notice's outcome (one conditional update).
    events: ['UpdateItem'],
  },
  // A campaign's start touches no table; an event's due step does (functions/services/events.ts).
  startTimer: {
    // The event, and its step's state: skipped, failed, or queued in the same transaction as its notice.
    events: ['GetItem', 'UpdateItem'],
    // The step's client: its address and opt-outs now.
    clients: ['GetItem'],
    // The notice ids' sequence; the address on the suppression list.
    uniques: ['GetItem', 'UpdateItem'],
    // The step's notice, a chunk of one message.
    messages: ['PutItem'],
    // An `unlessRead` step: the earlier message's item, its guard and the counter (DynamoInboxStore.isRead).
    inbox: ['GetItem'],
  },
};

/** Whether a grant of `actions` on `table` also covers its indexes: only a Query reads one here, and only where the table has any. */
export function coversIndexes(table: TableName, actions: readonly TableAction[]): boolean {
  return actions.includes('Query') && tables[table].indexes.length > 0;
}
