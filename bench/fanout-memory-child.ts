/**
 * One fan-out of a campaign, alone in this process, so its memory can be measured: the
 * fanout handler behind the local poller (as Lambda's event source mapping runs it) on a
 * real FIFO queue of the SQS emulator, page by page until the campaign's fan-out is done.
 * Started by ./fanout-memory.ts, which seeds the audience first (seeding is not measured),
 * with the node flags Lambda's runtime gives a function of the fan-out's memory size.
 *
 * Input: the fan-out's Lambda environment (fanoutEnvSchema) plus BENCH_CAMPAIGN_ID and
 * BENCH_FANOUT_QUEUE_ARN; the AWS SDK's own variables point at the emulators.
 * Output: one JSON line on stdout (FanoutMemoryResult).
 */
import './env.js';
import { performance } from 'node:perf_hooks';
import { fanoutEnvSchema, parseEnv } from '../functions/adapters/config.js';
import { queues } from '../functions/definitions/queues.js';
import { functionSettings } from '../functions/definitions/functions.js';
import { SqsFanoutQueue } from '../functions/adapters/sqs.js';
import { dynamoDocumentClient, fanoutDependencies, sqs, stores } from '../functions/handlers/wiring.js';
import { backfillClientShards } from '../functions/adapters/dynamo/client-shards.js';
import { isFannedOut } from '../functions/domain/campaigns.js';
import { createFanoutHandler } from '../functions/delivery/fanout.js';
import { startPoller } from '../local/poller.js';
import { resolveLocalhostSubdomains } from '../local/sqs.js';

export interface FanoutMemoryResult {
  pages: number;
  queued: number;
  durationMs: number;
  /** RSS and heap in use right before the fan-out started (modules loaded, clients built). */
  baselineRssBytes: number;
  baselineHeapUsedBytes: number;
  /** The kernel's high-water mark of this process's RSS: no spike between samples is missed. */
  peakRssBytes: number;
  /** Highest of the samples taken every SAMPLE_MS during the fan-out. */
  sampledPeakRssBytes: number;
  peakHeapUsedBytes: number;
  /** Heap still in use after the fan-out and a full garbage collection: what the fan-out kept. */
  retainedHeapUsedBytes: number;
}

const SAMPLE_MS = 10;

async function main(): Promise<void> {
  const env = parseEnv(fanoutEnvSchema);
  const campaignId = process.env.BENCH_CAMPAIGN_ID;
  const queueArn = process.env.BENCH_FANOUT_QUEUE_ARN;
  if (!campaignId || !queueArn) throw new Error('BENCH_CAMPAIGN_ID and BENCH_FANOUT_QUEUE_ARN are required');
  resolveLocalhostSubdomains();
  const { campaigns } = stores(env);
  const handler = createFanoutHandler(fanoutDependencies(env));
  // The bench seeds clients with their shards: the mark lets the fan-out read the sharded indexes.
  await backfillClientShards(dynamoDocumentClient(), { clients: env.CLIENTS_TABLE, uniques: env.UNIQUES_TABLE });

  const baseline = process.memoryUsage();
  let sampledPeakRssBytes = baseline.rss;
  let peakHeapUsedBytes = baseline.heapUsed;
  const sampler = setInterval(() => {
    const usage = process.memoryUsage();
    sampledPeakRssBytes = Math.max(sampledPeakRssBytes, usage.rss);
    peakHeapUsedBytes = Math.max(peakHeapUsedBytes, usage.heapUsed);
  }, SAMPLE_MS);

  const started = performance.now();
  const poller = startPoller({
    sqs: sqs(),
    queueUrl: env.FANOUT_QUEUE_URL,
    queueArn,
    batchSize: queues.fanout.batchSize,
    maxConcurrency: queues.fanout.maxConcurrency,
    handler,
    timeoutSeconds: functionSettings.fanout.timeoutSeconds,
  });
  await new SqsFanoutQueue(sqs(), env.FANOUT_QUEUE_URL).start(campaignId);
  let campaign = await campaigns.get(campaignId);
  while (!isFannedOut(campaign?.fanout)) {
    await new Promise((wake) => setTimeout(wake, 100));
    campaign = await campaigns.get(campaignId);
  }
  const durationMs = performance.now() - started;
  await poller.stop();
  clearInterval(sampler);
  // Lambda starts node with --expose-gc, and so does the parent.
  globalThis.gc?.();

  const result: FanoutMemoryResult = {
    pages: campaign?.fanout?.streams ? campaign.fanout.streams.reduce((sum, stream) => sum + stream.page, 0) : (campaign?.fanout?.page ?? 0),
    queued: campaign?.fannedOut ?? 0,
    durationMs,
    baselineRssBytes: baseline.rss,
    baselineHeapUsedBytes: baseline.heapUsed,
    peakRssBytes: process.resourceUsage().maxRSS * 1024,
    sampledPeakRssBytes,
    peakHeapUsedBytes,
    retainedHeapUsedBytes: process.memoryUsage().heapUsed,
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
