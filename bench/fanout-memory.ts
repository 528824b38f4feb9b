/**
 * Fan-out memory for growing audiences: a page of clients is all the fan-out holds, so its
 * peak RSS should not grow with the audience. For each size the parent seeds fresh tables,
 * creates a running campaign over them, and starts ./fanout-memory-child.ts, which only
 * drives the fan-out and measures itself; the emulators run in the parent, so their memory
 * is not counted.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { DeleteTableCommand } from '@aws-sdk/client-dynamodb';
import { DeleteQueueCommand } from '@aws-sdk/client-sqs';
import { functionSettings } from '../functions/definitions/functions.js';
import { queues } from '../functions/definitions/queues.js';
import { tableList, tables, type TableName } from '../functions/definitions/tables.js';
import { stores, systemClock } from '../functions/handlers/wiring.js';
import { newCampaignRecord } from '../functions/domain/campaigns.js';
import { createTables, localDynamoClient } from '../local/dynamodb.js';
import { createQueues, localSqsClient, withSuffix } from '../local/sqs.js';
import { awsEnvironment, type Endpoints } from './emulators.js';
import type { FanoutMemoryResult } from './fanout-memory-child.js';
import { figure, type Figure } from './figures.js';
import { benchDocumentClient, seedClients } from './seed.js';

const run = promisify(execFile);
const childScript = fileURLToPath(new URL('./fanout-memory-child.ts', import.meta.url));
const projectRoot = fileURLToPath(new URL('..', import.meta.url));
const MB = 1024 * 1024;

export interface FanoutMemoryRun extends FanoutMemoryResult {
  audience: number;
  seedMs: number;
  nodeFlags: string[];
}

/**
 * The flags the Lambda Node.js runtime's bootstrap starts node with for a function of
 * `memoryMb`: a tenth of the memory for the young generation (half of it per semi-space),
 * the rest for the old generation, and gc exposed.
 */
export function lambdaNodeFlags(memoryMb: number): string[] {
  const newSpace = Math.floor(memoryMb / 10);
  return ['--expose-gc', `--max-semi-space-size=${Math.floor(newSpace / 2)}`, `--max-old-space-size=${memoryMb - newSpace}`];
}

async function fanoutOnce(endpoints: Endpoints, audience: number): Promise<FanoutMemoryRun> {
  const suffix = `mem${randomBytes(3).toString('hex')}`;
  const raw = localDynamoClient(endpoints.dynamoEndpoint);
  const sqsClient = localSqsClient(endpoints.sqsEndpoint);
  const db = benchDocumentClient(endpoints.dynamoEndpoint);
  const names = (await createTables(raw, tableList, (table) => `${table.name}-${suffix}`)) as Record<TableName, string>;
  const created = await createQueues(sqsClient, queues, (name) => withSuffix(name, suffix));
  try {
    const seedStarted = Date.now();
    await seedClients(db, { table: names.clients, count: audience, tag: 'memory' });
    const seedMs = Date.now() - seedStarted;
    const tablesEnv = Object.fromEntries(Object.values(tables).map((table) => [table.envVar, names[table.name]])) as Parameters<typeof stores>[0];
    const now = new Date();
    const campaign = await stores(tablesEnv, systemClock, db).campaigns.create((id) =>
      newCampaignRecord(
        { text: 'Herald bench: memory', startAt: now.toISOString(), endAt: new Date(now.getTime() + 3_600_000).toISOString(), filter: { tags: ['memory'] } },
        id,
        now,
      ),
    );
    const nodeFlags = lambdaNodeFlags(functionSettings.fanout.memoryMb);
    const { stdout } = await run(process.execPath, [...nodeFlags, '--import', 'tsx', childScript], {
      cwd: projectRoot,
      env: {
        ...process.env,
        ...awsEnvironment(endpoints),
        ...tablesEnv,
        FANOUT_QUEUE_URL: created.fanout.url,
        SEND_QUEUE_URL: created.send.url,
        BENCH_CAMPAIGN_ID: campaign.id,
        BENCH_FANOUT_QUEUE_ARN: created.fanout.arn,
      },
      timeout: Math.max(120_000, audience * 5),
      maxBuffer: 1024 * 1024,
    });
    const line = stdout.trim().split('\n').pop() ?? '';
    const result = JSON.parse(line) as FanoutMemoryResult;
    if (result.queued !== audience) throw new Error(`fan-out of ${audience} clients queued ${result.queued} messages`);
    return { audience, seedMs, nodeFlags, ...result };
  } finally {
    // The runs leave 100k clients and 10k chunks behind; DynamoDB Local keeps them in memory.
    await Promise.all(Object.values(names).map((TableName) => raw.send(new DeleteTableCommand({ TableName })).catch(() => undefined)));
    const urls = Object.values(created).flatMap((queue) => [queue.url, queue.deadLetter.url]);
    await Promise.all(urls.map((QueueUrl) => sqsClient.send(new DeleteQueueCommand({ QueueUrl })).catch(() => undefined)));
    raw.destroy();
    sqsClient.destroy();
    db.destroy();
  }
}

export async function measureFanoutMemory(endpoints: Endpoints, audiences: number[]): Promise<FanoutMemoryRun[]> {
  const runs: FanoutMemoryRun[] = [];
  for (const audience of audiences) runs.push(await fanoutOnce(endpoints, audience));
  return runs;
}

/** How far apart the largest and the smallest peak RSS are, as a share of the smallest. */
export function peakSpread(runs: FanoutMemoryRun[]): number {
  const peaks = runs.map((r) => r.peakRssBytes);
  return (Math.max(...peaks) - Math.min(...peaks)) / Math.min(...peaks);
}

export function memoryFigures(runs: FanoutMemoryRun[], command: string): Figure[] {
  const figures = runs.flatMap((r) => [
    figure({
      id: `memory.${r.audience}.peakRssMb`,
      section: 'memory',
      figure: `fan-out peak RSS, ${r.audience.toLocaleString('en-US')} clients`,
      value: r.peakRssBytes / MB,
      unit: 'MB',
      command,
      note: `${r.pages} pages in ${(r.durationMs / 1000).toFixed(1)} s; RSS ${Math.round(r.baselineRssBytes / MB)} MB before the fan-out; node ${r.nodeFlags.join(' ')} (Lambda's, ${functionSettings.fanout.memoryMb} MB)`,
    }),
    figure({
      id: `memory.${r.audience}.peakHeapMb`,
      section: 'memory',
      figure: `fan-out peak heap used, ${r.audience.toLocaleString('en-US')} clients`,
      value: r.peakHeapUsedBytes / MB,
      unit: 'MB',
      command,
      note: `${Math.round(r.baselineHeapUsedBytes / MB)} MB before the fan-out, ${Math.round(r.retainedHeapUsedBytes / MB)} MB after it and a full GC`,
    }),
  ]);
  if (runs.length > 1) {
    const sizes = runs.map((r) => r.audience.toLocaleString('en-US')).join(' vs ');
    figures.push(
      figure({
        id: 'memory.peakRssSpread',
        section: 'memory',
        figure: `fan-out peak RSS spread, ${sizes}`,
        value: peakSpread(runs) * 100,
        unit: '%',
        target: { op: '<=', limit: 20 },
        command,
      }),
    );
  }
  return figures;
}
