/**
 * Notice latency: from the start of POST /notices to the fake provider receiving the call,
 * on the local runtime (its pollers, DynamoDB Local, the SQS emulator). Notices are posted a
 * few at a time, as events arrive, and each one's latency is matched by its msgId.
 */
import { startLocalRuntime } from '../local/runtime.js';
import type { Endpoints } from './emulators.js';
import { figure, type Figure } from './figures.js';

export interface NoticeRun {
  notices: number;
  concurrency: number;
  p50Ms: number;
  p95Ms: number;
  maxMs: number;
}

/** The target: a notice reaches the provider within 2 s (p95) of its POST. */
export const NOTICE_P95_TARGET_MS = 2000;

export function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}

export async function measureNotices(endpoints: Endpoints, options: { notices: number; concurrency: number }): Promise<NoticeRun> {
  const runtime = await startLocalRuntime({ port: 0, ...endpoints, suffix: `noticebench${Date.now().toString(36)}` });
  try {
    const post = async (path: string, body: unknown) => {
      const response = await fetch(`${runtime.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      const answer = (await response.json()) as { id: number | string };
      if (!response.ok) throw new Error(`${path}: HTTP ${response.status} ${JSON.stringify(answer)}`);
      return answer;
    };
    const clients: string[] = [];
    for (let i = 0; i < 10; i++)
      clients.push(
        String((await post('/clients', { phone: `7912${String(Date.now() % 1e6).padStart(6, '0')}${i}`, timezone: 'UTC', name: `Client ${i}` })).id),
      );
    const postedAt = new Map<number, number>();
    let next = 0;
    const worker = async () => {
      while (next < options.notices) {
        const index = next++;
        const started = Date.now();
        const { id } = await post('/notices', {
          clientId: clients[index % clients.length],
          text: 'Hello {{ name }}, receipt {{ receipt }}',
          variables: { receipt: `R-${index}` },
        });
        postedAt.set(Number(id), started);
        // Events arrive spread out, not as one burst.
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    };
    await Promise.all(Array.from({ length: options.concurrency }, worker));
    const deadline = Date.now() + 60_000;
    const received = () =>
      new Map((runtime.provider?.requests() ?? []).filter((r) => r.msgId !== null && postedAt.has(r.msgId)).map((r) => [r.msgId as number, r.receivedAt]));
    while (received().size < postedAt.size && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
    const arrivals = received();
    if (arrivals.size < postedAt.size) throw new Error(`only ${arrivals.size} of ${postedAt.size} notices reached the provider within 60 s`);
    const latencies = [...postedAt].map(([id, at]) => (arrivals.get(id) as number) - at).sort((a, b) => a - b);
    return {
      notices: latencies.length,
      concurrency: options.concurrency,
      p50Ms: percentile(latencies, 50),
      p95Ms: percentile(latencies, 95),
      maxMs: latencies.at(-1) ?? NaN,
    };
  } finally {
    await runtime.stop();
  }
}

export function noticeFigures(run: NoticeRun, command: string): Figure[] {
  const note = `${run.notices} notices, ${run.concurrency} posting at a time, fake provider without latency; p50 ${run.p50Ms} ms, max ${run.maxMs} ms`;
  return [
    figure({
      id: 'notices.p95PostToProviderMs',
      section: 'notices',
      figure: 'notice: POST /notices to provider call, p95',
      value: run.p95Ms,
      unit: 'ms',
      target: { op: '<', limit: NOTICE_P95_TARGET_MS },
      command,
      note,
    }),
  ];
}
