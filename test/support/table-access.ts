/**
 * Records what a DynamoDB client does, table by table, as IAM sees it: the action each request
 * needs (a transaction needs its items' own actions, a batch its batch action on every table it
 * names) and whether a Query reads an index. test/integration/table-access.test.ts compares it
 * with what the stack grants (functions/definitions/access.ts).
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { TableAction } from '../../functions/definitions/access.js';
import type { TableName } from '../../functions/definitions/tables.js';

export interface TableUse {
  table: TableName;
  action: TableAction;
  /** Set when the request reads one of the table's indexes. */
  index?: string;
}

type Input = Record<string, unknown> & {
  TableName?: string;
  IndexName?: string;
  RequestItems?: Record<string, unknown>;
  TransactItems?: Record<string, { TableName?: string }>[];
};

/** The SDK command's name (`UpdateItemCommand`, or `UpdateCommand` of lib-dynamodb) as the IAM action of a single-item request. */
const singleActions: Record<string, TableAction> = {
  GetItem: 'GetItem',
  Get: 'GetItem',
  PutItem: 'PutItem',
  Put: 'PutItem',
  UpdateItem: 'UpdateItem',
  Update: 'UpdateItem',
  DeleteItem: 'DeleteItem',
  Delete: 'DeleteItem',
  Query: 'Query',
  Scan: 'Scan',
};
const transactItemActions: Record<string, TableAction> = {
  ConditionCheck: 'ConditionCheckItem',
  Put: 'PutItem',
  Update: 'UpdateItem',
  Delete: 'DeleteItem',
  Get: 'GetItem',
};

export interface TableAccessRecorder {
  /** Every distinct use since the last reset. */
  uses(): TableUse[];
  reset(): void;
}

/**
 * Adds a middleware to `db` that records each request before it is sent. `tableNames` maps the
 * physical names back to the logical ones; a request this cannot read (another command, another
 * table) throws, so a new kind of call cannot slip past the comparison.
 */
export function recordTableAccess(db: DynamoDBDocumentClient, tableNames: Record<TableName, string>): TableAccessRecorder {
  const logical = new Map(Object.entries(tableNames).map(([name, physical]) => [physical, name as TableName]));
  const seen = new Map<string, TableUse>();
  const add = (physical: string | undefined, action: TableAction, index?: string) => {
    const table = physical === undefined ? undefined : logical.get(physical);
    if (!table) throw new Error(`a ${action} on a table the test does not know: ${physical}`);
    const use: TableUse = index ? { table, action, index } : { table, action };
    seen.set(JSON.stringify(use), use);
  };

  db.middlewareStack.add(
    (next, context) => async (args) => {
      const command = String(context.commandName).replace(/Command$/, '');
      const input = args.input as Input;
      if (command in singleActions) add(input.TableName, singleActions[command]!, input.IndexName);
      else if (command === 'BatchGetItem' || command === 'BatchGet')
        for (const physical of Object.keys(input.RequestItems ?? {})) add(physical, 'BatchGetItem');
      else if (command === 'BatchWriteItem' || command === 'BatchWrite')
        for (const physical of Object.keys(input.RequestItems ?? {})) add(physical, 'BatchWriteItem');
      else if (/^Transact(Write|Get)(Items)?$/.test(command)) {
        for (const item of input.TransactItems ?? []) {
          for (const [kind, request] of Object.entries(item)) {
            const action = transactItemActions[kind];
            if (!action) throw new Error(`a transaction item of an unknown kind: ${kind}`);
            add(request.TableName, action);
          }
        }
      } else throw new Error(`a DynamoDB command the recorder does not know: ${String(context.commandName)}`);
      return next(args);
    },
    { step: 'initialize', name: 'recordTableAccess' },
  );

  return {
    uses: () => [...seen.values()],
    reset: () => seen.clear(),
  };
}
