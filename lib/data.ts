import { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import { NagSuppressions } from 'cdk-nag';
import { Construct } from 'constructs';
import type { HeraldFunction } from './functions.js';
import { coversIndexes, tableAccess, type TableAction } from '../functions/definitions/access.js';
import { tableList, type KeyAttribute, type TableName } from '../functions/definitions/tables.js';

export interface HeraldDataProps {
  /** DynamoDB deletion protection on every table; when off the tables also go with the stack. */
  deletionProtection: boolean;
}

function attribute(key: KeyAttribute): dynamodb.Attribute {
  return { name: key.name, type: key.type === 'S' ? dynamodb.AttributeType.STRING : dynamodb.AttributeType.NUMBER };
}

/**
 * Herald's DynamoDB tables, built from the one table definition (functions/adapters/tables.ts)
 * that the local runtime also creates in DynamoDB Local: keys and indexes cannot drift apart.
 */
export class HeraldData extends Construct {
  private readonly tablesByName = new Map<string, { table: dynamodb.Table; envVar: string }>();

  constructor(scope: Construct, id: string, props: HeraldDataProps) {
    super(scope, id);
    for (const definition of tableList) {
      const table = new dynamodb.Table(this, definition.name, {
        partitionKey: attribute(definition.partitionKey),
        sortKey: definition.sortKey && attribute(definition.sortKey),
        billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
        pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
        deletionProtection: props.deletionProtection,
        removalPolicy: props.deletionProtection ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
        ...(definition.stream ? { stream: dynamodb.StreamViewType[definition.stream] } : {}),
        ...(definition.timeToLiveAttribute ? { timeToLiveAttribute: definition.timeToLiveAttribute } : {}),
      });
      for (const index of definition.indexes) {
        table.addGlobalSecondaryIndex({
          indexName: index.indexName,
          partitionKey: attribute(index.partitionKey),
          sortKey: index.sortKey && attribute(index.sortKey),
          projectionType: dynamodb.ProjectionType.ALL,
        });
      }
      this.tablesByName.set(definition.name, { table, envVar: definition.envVar });
    }
  }

  table(name: TableName): dynamodb.Table {
    const entry = this.tablesByName.get(name);
    if (!entry) throw new Error(`No table named ${name} in functions/adapters/tables.ts`);
    return entry.table;
  }

  /** Every table's name under its environment variable (CLIENTS_TABLE, ...): each handler schema asks for all four. */
  get environment(): Record<string, string> {
    return Object.fromEntries([...this.tablesByName.values()].map(({ table, envVar }) => [envVar, table.tableName]));
  }

  /**
   * Grants a function exactly the actions functions/definitions/access.ts lists for it, on each
   * table itself and, only for a Query on a table that has indexes, on its indexes; never
   * `dynamodb:*`, and no table it does not list.
   */
  grantTables(grantee: HeraldFunction): void {
    let indexed = false;
    for (const [name, actions] of Object.entries(tableAccess[grantee.name]) as [TableName, readonly TableAction[]][]) {
      const table = this.table(name);
      const withIndexes = coversIndexes(name, actions);
      iam.Grant.addToPrincipal({
        grantee,
        actions: actions.map((action) => `dynamodb:${action}`),
        resourceArns: withIndexes ? [table.tableArn, `${table.tableArn}/index/*`] : [table.tableArn],
      });
      indexed ||= withIndexes;
    }
    if (indexed) {
      NagSuppressions.addResourceSuppressions(
        grantee,
        [
          {
            id: 'AwsSolutions-IAM5',
            reason: "Queries on a granted table's own GSIs: the index ARNs are `<table ARN>/index/*`, no other table.",
            appliesTo: [{ regex: '/^Resource::<.*\\.Arn>\\/index\\/\\*$/' }],
          },
        ],
        true,
      );
    }
  }

  get names(): TableName[] {
    return [...this.tablesByName.keys()] as TableName[];
  }
}
