/**
 * `npm run migrate:shards -- --clients TABLE --uniques TABLE`
 *
 * The one-off migration for a directory stored before parallel fan-out: gives every client
 * without shard attributes its attributes (so the sharded indexes hold it), then leaves the
 * mark after which campaigns query the sharded indexes. Run it once after deploying the code
 * that writes shards; until it has finished campaigns still reach every client, on the old
 * indexes. Safe to run again and while the API serves (functions/adapters/dynamo/client-shards.ts).
 * The table names are the stack's outputs; the AWS SDK's own settings say where (AWS_REGION, a profile).
 */
import { parseArgs } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { backfillClientShards } from '../functions/adapters/dynamo/client-shards.js';

const { values } = parseArgs({ options: { clients: { type: 'string' }, uniques: { type: 'string' }, segments: { type: 'string' } }, strict: true });
if (!values.clients || !values.uniques) {
  process.stderr.write('usage: npm run migrate:shards -- --clients TABLE --uniques TABLE [--segments 4]\n');
  process.exit(2);
}
const db = DynamoDBDocumentClient.from(new DynamoDBClient({}), { marshallOptions: { removeUndefinedValues: true } });
const started = Date.now();
const result = await backfillClientShards(
  db,
  { clients: values.clients, uniques: values.uniques },
  {
    segments: Number(values.segments ?? 4),
    onProgress: (scanned, updated) => process.stderr.write(`\r${scanned} clients read, ${updated} given their shard`),
  },
);
process.stderr.write('\n');
process.stdout.write(
  result.alreadyDone
    ? 'already migrated: nothing to do\n'
    : `${result.updated} clients of ${result.scanned} given their shard in ${((Date.now() - started) / 1000).toFixed(1)} s; campaigns now query the sharded indexes\n`,
);
db.destroy();
