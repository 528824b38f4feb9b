/**
 * Puts load on one API endpoint with autocannon, in a process of its own so the load
 * generator does not share an event loop with the server it measures.
 *
 * Input: argv[2], JSON ApiLoadRequest. Output: one JSON line on stdout (ApiLoadResult).
 */
import autocannon, { type AutocannonRequest } from 'autocannon';

export type ApiLoadRequest =
  | { kind: 'createClient'; url: string; connections: number; seconds: number; firstPhone: number }
  | { kind: 'get'; url: string; path: string; connections: number; seconds: number };

export interface ApiLoadResult {
  requests: number;
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  non2xx: number;
  errors: number;
  timeouts: number;
}

function requestsOf(load: ApiLoadRequest): AutocannonRequest[] {
  if (load.kind === 'get') return [{ method: 'GET', path: load.path }];
  // Phones are unique across clients: every request takes the next number.
  let next = load.firstPhone;
  return [
    {
      method: 'POST',
      path: '/clients',
      headers: { 'content-type': 'application/json' },
      setupRequest: (request) => ({ ...request, body: JSON.stringify({ phone: String(next++), timezone: 'Europe/Moscow', tag: 'load' }) }),
    },
  ];
}

async function main(): Promise<void> {
  const load = JSON.parse(process.argv[2] ?? '') as ApiLoadRequest;
  const result = await autocannon({ url: load.url, connections: load.connections, duration: load.seconds, requests: requestsOf(load) });
  const summary: ApiLoadResult = {
    requests: result.requests.total,
    requestsPerSecond: result.requests.average,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
  };
  process.stdout.write(`${JSON.stringify(summary)}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
