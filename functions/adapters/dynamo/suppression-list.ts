import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { BatchGetCommand, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { SuppressibleChannel } from '../../domain/clients.js';
import type { Clock, SuppressionStore } from '../../ports.js';

/**
 * The suppression list: one uniques item per suppressed address, kept when its client is deleted.
 * A phone's item is `suppressed#<phone>`, exactly as it was stored before there were other
 * channels (so no migration); an e-mail address's is `suppressed#email#<address>`.
 */
export function suppressedKey(address: string, channel: SuppressibleChannel = 'sms'): string {
  return channel === 'sms' ? `suppressed#${address}` : `suppressed#${channel}#${address}`;
}

/** When the latest opt-out was stored (epoch ms): the fan-out re-checks a page only when an opt-out may not have reached the index yet. */
export const LATEST_OPT_OUT_KEY = 'optout#latest';

type Key = Record<string, unknown>;
const keyNames = { '#k': 'key' };

export class DynamoSuppressionList implements SuppressionStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly uniquesTable: string,
    private readonly clock: Clock = { now: () => new Date() },
  ) {}

  async isSuppressed(address: string, channel: SuppressibleChannel = 'sms'): Promise<boolean> {
    const { Item } = await this.db.send(
      new GetCommand({
        TableName: this.uniquesTable,
        Key: { key: suppressedKey(address, channel) },
        ConsistentRead: true,
        ProjectionExpression: '#k',
        ExpressionAttributeNames: keyNames,
      }),
    );
    return Item !== undefined;
  }

  /** Which of `addresses` are on the list: strongly consistent batch reads of up to 100 keys. */
  async suppressedAmong(addresses: readonly string[], channel: SuppressibleChannel = 'sms'): Promise<Set<string>> {
    const keyed = new Map([...new Set(addresses)].map((address) => [suppressedKey(address, channel), address]));
    const found = new Set<string>();
    const keys = [...keyed.keys()];
    for (let start = 0; start < keys.length; start += 100) {
      let request: Key[] | undefined = keys.slice(start, start + 100).map((key) => ({ key }));
      while (request?.length) {
        const output: { Responses?: Record<string, Key[]>; UnprocessedKeys?: Record<string, { Keys?: Key[] }> } = await this.db.send(
          new BatchGetCommand({
            RequestItems: { [this.uniquesTable]: { Keys: request, ConsistentRead: true, ProjectionExpression: '#k', ExpressionAttributeNames: keyNames } },
          }),
        );
        for (const item of output.Responses?.[this.uniquesTable] ?? []) found.add(keyed.get(String(item.key)) as string);
        request = output.UnprocessedKeys?.[this.uniquesTable]?.Keys;
      }
    }
    return found;
  }

  /**
   * Puts an address on the list without a client write (a bounce, a complaint): it stays there
   * after its client is deleted, and the latest-opt-out mark moves so a fan-out page read from a
   * lagging index re-checks it.
   */
  async suppress(address: string, channel: SuppressibleChannel): Promise<void> {
    const at = this.clock.now().getTime();
    await this.db.send(new PutCommand({ TableName: this.uniquesTable, Item: { key: suppressedKey(address, channel), at } }));
    await this.db.send(new PutCommand({ TableName: this.uniquesTable, Item: { key: LATEST_OPT_OUT_KEY, at } }));
  }
}
