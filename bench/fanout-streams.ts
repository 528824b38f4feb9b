/**
 * Parallel fan-out rate: one campaign over N clients (one tag, so the sharded index is
 * queried) fanned out with S = 1, 2, 4, 8 streams, by the real fan-out handler polled off the
 * SQS emulator's FIFO queue as Lambda's event source mapping does (local/poller.ts). Every
 * DynamoDB call waits `dynamoLatencyMs` and every SQS call `sqsLatencyMs` first (an AWS SDK
 * middleware at the `initialize` step), so the time is set by the calls on each stream's
 * critical path, as on AWS, rather than by this machine's cores. The clients are seeded once
 * with BatchWriteItem (./seed.ts); each S gets a campaign of its own over them.
 */
import { randomBytes } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { PurgeQueueCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { backfillClientShards } from '../functions/adapters/dynamo/client-shards.js';
import { SqsFanoutQueue, SqsSendQueue } from '../functions/adapters/sqs.js';
import { functionSettings } from '../functions/definitions/functions.js';
import { queues as queueDefinitions } from '../functions/definitions/queues.js';
import { tableList, tables } from '../functions/definitions/tables.js';
import { createFanoutHandler } from '../functions/delivery/fanout.js';
import { isFannedOut, newCampaignRecord } from '../functions/domain/campaigns.js';
import { PAGE_SIZE } from '../functions/domain/messages.js';
import { stores, systemClock } from '../functions/handlers/wiring.js';
import { createTables } from '../local/dynamodb.js';
import { startPoller } from '../local/poller.js';
import { createQueues, withSuffix } from '../local/sqs.js';
import type { Endpoints } from './emulators.js';
import { figure, type Figure } from './figures.js';
import { benchDocumentClient, seedClients } from './seed.js';

export interface FanoutStreamsOptions {
  audience: number;
  streams: number[];
  dynamoLatencyMs: number;
  sqsLatencyMs: number;
}

export interface FanoutStreamsRun {
  streams: number;
  audience: number;
  fannedOut: number;
  durationMs: number;
  clientsPerSecond: number;
  pages: number;
  /** Wall time of one page on one stream: the run's duration over each stream's share of the pages. */
  msPerStreamPage: number;
  dynamoCalls: number;
  sqsCalls: number;
}

export interface FanoutStreamsResult {
  options: FanoutStreamsOptions;
  seedMs: number;
  runs: FanoutStreamsRun[];
  /** Time to fan out 1,000,000 clients at the largest S measured, from its per-page cost. */
  modeledMillionSeconds: number;
  modeledStreams: number;
}

const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
const sleep = (ms: number) => new Promise((wake) => setTimeout(wake, ms));

/** AWS-like latency before every call of an SDK client, counted. */
function withLatency<C extends { middlewareStack: { add: (...args: never[]) => void } }>(client: C, ms: number, count: () => void): C {
  (client.middlewareStack as unknown as { add: (middleware: unknown, options: unknown) => void }).add(
    (next: (args: unknown) => Promise<unknown>) => async (args: unknown) => {
      count();
      await sleep(ms);
      return next(args);
    },
    { step: 'initialize', name: 'benchLatency' },
  );
  return client;
}

export async function measureFanoutStreams(endpoints: Endpoints, options: FanoutStreamsOptions): Promise<FanoutStreamsResult> {
  const suffix = `fan${randomBytes(3).toString('hex')}`;
  const raw = new DynamoDBClient({ endpoint: endpoints.dynamoEndpoint, region: 'us-east-1', credentials });
  const plainSqs = new SQSClient({ endpoint: endpoints.sqsEndpoint, region: 'us-east-1', credentials, useQueueUrlAsEndpoint: false });
  const names = (await createTables(raw, tableList, (table) => `${table.name}-${suffix}`)) as Record<keyof typeof tables, string>;
  const env = Object.fromEntries(Object.values(tables).map((table) => [table.envVar, names[table.name]])) as Parameters<typeof stores>[0];
  const created = await createQueues(plainSqs, { fanout: queueDefinitions.fanout, send: queueDefinitions.send }, (name) => withSuffix(name, suffix));
  const seedDb = benchDocumentClient(endpoints.dynamoEndpoint);
  const tag = 'fanout';
  const runs: FanoutStreamsRun[] = [];
  let seedMs = 0;
  try {
    const seedStarted = Date.now();
    await seedClients(seedDb, { table: names.clients, count: options.audience, tag, concurrency: 16 });
    // Seeded with their shards: the mark says so, and the campaigns query the sharded index.
    await backfillClientShards(seedDb, { clients: names.clients, uniques: names.uniques });
    seedMs = Date.now() - seedStarted;
    const plainStores = stores(env, systemClock, seedDb);

    for (const streams of options.streams) {
      let dynamoCalls = 0;
      let sqsCalls = 0;
      const db = DynamoDBDocumentClient.from(
        withLatency(new DynamoDBClient({ endpoint: endpoints.dynamoEndpoint, region: 'us-east-1', credentials }), options.dynamoLatencyMs, () => dynamoCalls++),
        { marshallOptions: { removeUndefinedValues: true } },
      );
      const sqs = withLatency(
        new SQSClient({ endpoint: endpoints.sqsEndpoint, region: 'us-east-1', credentials, useQueueUrlAsEndpoint: false }),
        options.sqsLatencyMs,
        () => sqsCalls++,
      );
      const fanoutQueue = new SqsFanoutQueue(sqs, created.fanout.url);
      const handler = createFanoutHandler({
        ...stores(env, systemClock, db),
        clock: systemClock,
        fanoutQueue,
        sendQueue: new SqsSendQueue(sqs, created.send.url),
        streams,
      });
      const now = new Date();
      const campaign = await plainStores.campaigns.create((id) =>
        newCampaignRecord(
          { text: 'Herald bench: fan-out', startAt: now.toISOString(), endAt: new Date(now.getTime() + 3_600_000).toISOString(), filter: { tags: [tag] } },
          id,
          now,
        ),
      );
      const poller = startPoller({
        sqs,
        queueUrl: created.fanout.url,
        queueArn: created.fanout.arn,
        batchSize: queueDefinitions.fanout.batchSize,
        maxConcurrency: queueDefinitions.fanout.maxConcurrency,
        handler,
        timeoutSeconds: functionSettings.fanout.timeoutSeconds,
        waitTimeSeconds: 1,
      });
      const started = performance.now();
      await fanoutQueue.start(campaign.id);
      let current = await plainStores.campaigns.get(campaign.id);
      const deadline = Date.now() + Math.max(300_000, options.audience * 10);
      while (!isFannedOut(current?.fanout)) {
        if (Date.now() > deadline) throw new Error(`fan-out with ${streams} stream(s) not done in time: ${JSON.stringify(current?.fanout)}`);
        // Not every 20 ms: that would be a third as many DynamoDB Local calls as the fan-out's own
        // at S = 8. The end is seen at most 100 ms late, under 0.5 % of a 100,000-client run.
        await sleep(100);
        current = await plainStores.campaigns.get(campaign.id);
      }
      const durationMs = performance.now() - started;
      await poller.stop();
      db.destroy();
      sqs.destroy();
      // The chunks are not sent here: the send queue is emptied for the next run.
      await plainSqs.send(new PurgeQueueCommand({ QueueUrl: created.send.url }));
      const fannedOut = current?.fannedOut ?? 0;
      if (fannedOut !== options.audience) throw new Error(`fan-out with ${streams} stream(s) wrote ${fannedOut} messages for ${options.audience} clients`);
      const pages = (current?.fanout?.streams ?? []).reduce((sum, stream) => sum + stream.page, 0);
      runs.push({
        streams,
        audience: options.audience,
        fannedOut,
        durationMs: Math.round(durationMs),
        clientsPerSecond: Math.round((fannedOut / durationMs) * 1000),
        pages,
        msPerStreamPage: Math.round((durationMs / (pages / streams)) * 10) / 10,
        dynamoCalls,
        sqsCalls,
      });
      process.stderr.write(`  S=${streams}: ${fannedOut} clients in ${(durationMs / 1000).toFixed(1)} s (${runs.at(-1)?.clientsPerSecond}/s)\n`);
    }
  } finally {
    seedDb.destroy();
    raw.destroy();
    plainSqs.destroy();
  }
  const widest = runs.reduce<FanoutStreamsRun | undefined>((best, run) => (!best || run.streams > best.streams ? run : best), undefined);
  const modeledStreams = widest?.streams ?? 8;
  const modeledMillionSeconds = widest ? (1_000_000 / PAGE_SIZE / modeledStreams) * (widest.msPerStreamPage / 1000) : NaN;
  return { options, seedMs, runs, modeledMillionSeconds, modeledStreams };
}

export function fanoutStreamsFigures(result: FanoutStreamsResult, command: string): Figure[] {
  const { options } = result;
  const latency = `${options.dynamoLatencyMs} ms per DynamoDB call, ${options.sqsLatencyMs} ms per SQS call injected`;
  const figures: Figure[] = result.runs.map((run) =>
    figure({
      id: `fanout.rate.s${run.streams}`,
      section: 'fanout',
      figure: `fan-out rate, ${run.audience.toLocaleString('en-US')} clients, S = ${run.streams}`,
      value: run.clientsPerSecond,
      unit: 'clients/s',
      command,
      note: `${(run.durationMs / 1000).toFixed(1)} s, ${run.msPerStreamPage} ms per page per stream; ${latency}`,
    }),
  );
  const one = result.runs.find((run) => run.streams === 1);
  const eight = result.runs.find((run) => run.streams === 8);
  if (one && eight) {
    figures.push(
      figure({
        id: 'fanout.speedup.s8',
        section: 'fanout',
        figure: 'fan-out speed-up, S = 8 over S = 1',
        value: Math.round((eight.clientsPerSecond / one.clientsPerSecond) * 100) / 100,
        unit: 'x',
        target: { op: '>=', limit: 4 },
        command,
      }),
    );
  }
  if (Number.isFinite(result.modeledMillionSeconds)) {
    figures.push(
      figure({
        id: `fanout.modeledMillion.s${result.modeledStreams}`,
        section: 'fanout',
        figure: `modeled fan-out of 1,000,000 clients on AWS, S = ${result.modeledStreams}`,
        value: Math.round((result.modeledMillionSeconds / 60) * 100) / 100,
        unit: 'min',
        command,
        note: `${(1_000_000 / PAGE_SIZE / result.modeledStreams).toLocaleString('en-US')} pages per stream x the measured ms per page per stream`,
      }),
    );
  }
  return figures;
}
