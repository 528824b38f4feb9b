import { DeleteCommand, GetCommand, PutCommand, ScanCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { tables } from '../../definitions/tables.js';
import type { EventType } from '../../domain/event-types.js';
import type { EventTypeStore, Page, PageRequest } from '../../ports.js';
import { fromStartKey, listCursor, startKeyFields } from './cursor.js';

/** GET /event-types pages through this one list. */
const eventTypesCursor = listCursor<Record<string, unknown>>('event-types', startKeyFields(tables.eventTypes));

/** One item per type, keyed by its key, stored as the API shows it. */
export class DynamoEventTypeStore implements EventTypeStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async put(type: EventType): Promise<'created' | 'replaced'> {
    const { Attributes } = await this.db.send(new PutCommand({ TableName: this.tableName, Item: type, ReturnValues: 'ALL_OLD' }));
    return Attributes ? 'replaced' : 'created';
  }

  async get(key: string): Promise<EventType | undefined> {
    const { Item } = await this.db.send(new GetCommand({ TableName: this.tableName, Key: { key }, ConsistentRead: true }));
    return Item as EventType | undefined;
  }

  async delete(key: string): Promise<boolean> {
    const { Attributes } = await this.db.send(new DeleteCommand({ TableName: this.tableName, Key: { key }, ReturnValues: 'ALL_OLD' }));
    return Attributes !== undefined;
  }

  async list(request: PageRequest): Promise<Page<EventType>> {
    const startKey = eventTypesCursor.decode(request.cursor);
    const output = await fromStartKey(startKey, () =>
      this.db.send(new ScanCommand({ TableName: this.tableName, Limit: request.limit, ExclusiveStartKey: startKey })),
    );
    return { items: (output.Items ?? []) as EventType[], nextCursor: eventTypesCursor.encode(output.LastEvaluatedKey) };
  }
}
