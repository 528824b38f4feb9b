import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DeleteCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { Connection } from '../../domain/connections.js';
import type { ConnectionStore } from '../../ports.js';

/**
 * The connections table (functions/definitions/tables.ts): the client id as partition key and the
 * connection id as sort key, so a client's connections are one Query of its own partition, never
 * another client's, and `$disconnect` deletes by both (the client id comes from the authorizer's context).
 */
export class DynamoConnectionStore implements ConnectionStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async add(connection: Connection): Promise<void> {
    await this.db.send(new PutCommand({ TableName: this.table, Item: { ...connection } }));
  }

  async remove(clientId: string, connectionId: string): Promise<void> {
    await this.db.send(new DeleteCommand({ TableName: this.table, Key: { clientId, connectionId } }));
  }

  async ofClient(clientId: string): Promise<string[]> {
    const ids: string[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.db.send(
        new QueryCommand({
          TableName: this.table,
          KeyConditionExpression: 'clientId = :clientId',
          ExpressionAttributeValues: { ':clientId': clientId },
          ProjectionExpression: 'connectionId',
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      );
      for (const item of page.Items ?? []) ids.push(String(item.connectionId));
      start = page.LastEvaluatedKey;
    } while (start);
    return ids;
  }
}
