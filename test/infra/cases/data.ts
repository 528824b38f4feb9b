import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { tableList, type KeyAttribute, type TableName } from '../../../functions/definitions/tables.js';
import { HeraldData } from '../../../lib/data.js';
import { logicalId, type Json, type SynthesizedHerald } from '../fixture.js';

function keySchema(partitionKey: KeyAttribute, sortKey?: KeyAttribute): Json[] {
  return [{ AttributeName: partitionKey.name, KeyType: 'HASH' }, ...(sortKey ? [{ AttributeName: sortKey.name, KeyType: 'RANGE' }] : [])];
}

/** Registered by stack.test.ts, which synthesizes the stack once for all of them. */
export function dataCases(synthesized: () => SynthesizedHerald): void {
  describe('DynamoDB tables', () => {
    let herald: SynthesizedHerald;
    beforeAll(() => {
      herald = synthesized();
    });

    const tableOf = (synth: SynthesizedHerald, name: string): Json => synth.resources[logicalId(synth.stack.data.table(name as TableName))]!;

    it('builds exactly the tables of functions/adapters/tables.ts', () => {
      herald.template.resourceCountIs('AWS::DynamoDB::Table', tableList.length);
    });

    it.each(tableList)('$name: keys, on-demand billing, point-in-time recovery, deletion protection', (definition) => {
      const table = tableOf(herald, definition.name);
      expect(table.Properties.KeySchema).toEqual(keySchema(definition.partitionKey, definition.sortKey));
      expect(table.Properties.BillingMode).toBe('PAY_PER_REQUEST');
      expect(table.Properties.PointInTimeRecoverySpecification).toEqual({ PointInTimeRecoveryEnabled: true });
      expect(table.Properties.DeletionProtectionEnabled).toBe(true);
      expect(table.DeletionPolicy).toBe('Retain');
      const declared = Object.fromEntries(
        (table.Properties.AttributeDefinitions as Json[]).map((attribute) => [attribute.AttributeName, attribute.AttributeType]),
      );
      const keys = [definition.partitionKey, definition.sortKey, ...definition.indexes.flatMap((index) => [index.partitionKey, index.sortKey])];
      for (const key of keys) if (key) expect(declared[key.name]).toBe(key.type);
    });

    it.each(tableList)('$name: one GSI per index definition, projecting ALL', (definition) => {
      const indexes = (tableOf(herald, definition.name).Properties.GlobalSecondaryIndexes ?? []) as Json[];
      expect(indexes.map((index) => index.IndexName).sort()).toEqual(definition.indexes.map((index) => index.indexName).sort());
      for (const index of definition.indexes) {
        const gsi = indexes.find((candidate) => candidate.IndexName === index.indexName)!;
        expect(gsi.KeySchema).toEqual(keySchema(index.partitionKey, index.sortKey));
        expect(gsi.Projection).toEqual({ ProjectionType: 'ALL' });
      }
    });

    it.each(tableList)('$name: TTL on the attribute its definition names, and none otherwise', (definition) => {
      const ttl = tableOf(herald, definition.name).Properties.TimeToLiveSpecification;
      const attribute = (definition as { timeToLiveAttribute?: string }).timeToLiveAttribute;
      if (attribute) expect(ttl).toEqual({ AttributeName: attribute, Enabled: true });
      else expect(ttl).toBeUndefined();
    });

    it('the idempotency table expires its records by `expiration`', () => {
      expect(tableOf(herald, 'idempotency').Properties.TimeToLiveSpecification).toEqual({ AttributeName: 'expiration', Enabled: true });
    });

    it('the uniques table expires the rate limit counters by `expiration`', () => {
      expect(tableOf(herald, 'uniques').Properties.TimeToLiveSpecification).toEqual({ AttributeName: 'expiration', Enabled: true });
    });

    it('the clients table has the tag and operator indexes the audience queries use, plain and sharded (parallel fan-out)', () => {
      const indexes = tableOf(herald, 'clients').Properties.GlobalSecondaryIndexes as Json[];
      expect(indexes.map((index) => index.IndexName).sort()).toEqual(['byOperatorCode', 'byOperatorCodeShard', 'byTag', 'byTagShard']);
    });

    it('deletion protection follows the prop: off means no protection, and the tables go with the stack', () => {
      const stack = new Stack();
      const data = new HeraldData(stack, 'Data', { deletionProtection: false });
      const resources = Template.fromStack(stack).toJSON().Resources as Record<string, Json>;
      for (const definition of tableList) {
        const table = resources[logicalId(data.table(definition.name as TableName))]!;
        expect(table.Properties.DeletionProtectionEnabled).toBe(false);
        expect(table.DeletionPolicy).toBe('Delete');
      }
    });
  });
}
