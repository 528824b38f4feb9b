/**
 * API throughput and latency under autocannon: POST /clients (a conditional transaction per
 * request, each with a new phone) and GET /campaigns/{id}/stats (a delivered campaign's
 * counts and its first page of messages, the default page size) on the local runtime.
 * Everything runs on this machine: the load generator, the API, DynamoDB Local (Java) share
 * its cores, so these are local figures, not API Gateway's and Lambda's.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { tables } from '../functions/definitions/tables.js';
import { stores, systemClock } from '../functions/handlers/wiring.js';
import { startLocalRuntime } from '../local/runtime.js';
import type { ApiLoadRequest, ApiLoadResult } from './api-load-child.js';
import type { Endpoints } from './emulators.js';
import { figure, type Figure } from './figures.js';
import { createCampaign, waitForDelivery } from './pipeline.js';
import { benchDocumentClient, seedCampaigns, seedClients } from './seed.js';

const run = promisify(execFile);
const childScript = fileURLToPath(new URL('./api-load-child.ts', import.meta.url));
const projectRoot = fileURLToPath(new URL('..', import.meta.url));

export interface ApiOptions {
  seconds: number;
  connections: number;
  /** Messages in the campaign whose statistics are read. */
  statsAudience: number;
  /** Campaigns in the table while GET /stats is measured. */
  statsCampaigns: number;
}

export interface ApiRun {
  connections: number;
  seconds: number;
  createClient: ApiLoadResult;
  campaignStats: ApiLoadResult;
  overallStats: ApiLoadResult & { campaigns: number };
}

async function load(request: ApiLoadRequest): Promise<ApiLoadResult> {
  const { stdout } = await run(process.execPath, ['--import', 'tsx', childScript, JSON.stringify(request)], {
    cwd: projectRoot,
    timeout: (request.seconds + 60) * 1000,
  });
  const result = JSON.parse(stdout.trim().split('\n').pop() ?? '') as ApiLoadResult;
  if (result.requests === 0) throw new Error(`autocannon made no requests: ${stdout}`);
  return result;
}

export async function measureApi(endpoints: Endpoints, options: ApiOptions): Promise<ApiRun> {
  const runtime = await startLocalRuntime({ port: 0, ...endpoints, suffix: `api${randomBytes(3).toString('hex')}`, fakeProvider: { latencyMs: 0 } });
  const db = benchDocumentClient(endpoints.dynamoEndpoint);
  try {
    await seedClients(db, { table: runtime.tableNames.clients, count: options.statsAudience, tag: 'stats' });
    const campaignId = await createCampaign(runtime.url, 'stats');
    const tablesEnv = Object.fromEntries(Object.values(tables).map((table) => [table.envVar, runtime.tableNames[table.name]])) as Parameters<typeof stores>[0];
    const { campaigns } = stores(tablesEnv, systemClock, db);
    await waitForDelivery(() => campaigns.get(campaignId), options.statsAudience, 120_000);

    const common = { url: runtime.url, connections: options.connections, seconds: options.seconds };
    // 78xxxxxxxxx: apart from the seeded 79xxxxxxxxx, so no request is refused as a taken phone.
    const createClient = await load({ kind: 'createClient', firstPhone: 78_000_000_000, ...common });
    const campaignStats = await load({ kind: 'get', path: `/campaigns/${campaignId}/stats`, ...common });
    // GET /stats answers one page of campaigns and the totals item, whatever the table holds.
    await seedCampaigns(db, { table: runtime.tableNames.campaigns, count: options.statsCampaigns, firstId: 1_000_000 });
    const overallStats = { ...(await load({ kind: 'get', path: '/stats', ...common })), campaigns: options.statsCampaigns + 1 };
    return { connections: options.connections, seconds: options.seconds, createClient, campaignStats, overallStats };
  } finally {
    await runtime.stop();
    db.destroy();
  }
}

export function apiFigures(api: ApiRun, command: string): Figure[] {
  const endpoints = [
    ['createClient', 'POST /clients', api.createClient],
    ['campaignStats', 'GET /campaigns/{id}/stats', api.campaignStats],
    ['overallStats', `GET /stats (${api.overallStats.campaigns.toLocaleString('en-US')} campaigns)`, api.overallStats],
  ] as const;
  return endpoints.flatMap(([key, name, result]) => {
    const failures = result.non2xx + result.errors + result.timeouts;
    const note = `${api.connections} connections, ${api.seconds} s, ${result.requests} requests${failures ? `, ${failures} failed (non-2xx ${result.non2xx}, errors ${result.errors}, timeouts ${result.timeouts})` : ', all 2xx'}`;
    return [
      figure({
        id: `api.${key}.requestsPerSecond`,
        section: 'api',
        figure: `${name} throughput`,
        value: result.requestsPerSecond,
        unit: 'req/s',
        command,
        note,
      }),
      figure({
        id: `api.${key}.p99Ms`,
        section: 'api',
        figure: `${name} p99 latency`,
        value: result.p99Ms,
        unit: 'ms',
        // The API function's timeout: GET /stats must answer within it however many campaigns there are.
        ...(key === 'overallStats' ? { target: { op: '<' as const, limit: 10_000 } } : {}),
        command,
        note: `p50 ${result.p50Ms} ms`,
      }),
    ];
  });
}
