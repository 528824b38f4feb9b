/**
 * Events: from the start of POST /events to the fake provider receiving the first step's call,
 * and the DynamoDB write units one event of two SMS steps (now, and 2 s later through the start
 * timer) costs over every function that handles it (the api, the start timer, the sender, the
 * tally), on the local runtime with the handlers' clients metered.
 */
import { startLocalRuntime } from '../local/runtime.js';
import type { Endpoints } from './emulators.js';
import { figure, type Figure } from './figures.js';
import { handlerClientsMeter } from './meter.js';
import { percentile } from './notices.js';

export interface EventRun {
  events: number;
  concurrency: number;
  p50Ms: number;
  p95Ms: number;
  maxMs: number;
  /** DynamoDB write units per event of two steps, both sent. */
  wruPerEvent: number;
}

/** The target: an event's first step reaches the provider within 2 s (p95) of its POST, as a notice does. */
export const EVENT_P95_TARGET_MS = 2000;

interface EventView {
  id: string;
  steps: { status: string; messageId?: number }[];
}

export async function measureEvents(endpoints: Endpoints, options: { events: number; concurrency: number }): Promise<EventRun> {
  const meter = await handlerClientsMeter();
  const runtime = await startLocalRuntime({ port: 0, ...endpoints, suffix: `eventbench${Date.now().toString(36)}`, instrument: meter.instrument });
  try {
    const call = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
      const response = await fetch(`${runtime.url}${path}`, {
        method,
        ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
      });
      const answer = (await response.json()) as T;
      if (!response.ok) throw new Error(`${method} ${path}: HTTP ${response.status} ${JSON.stringify(answer)}`);
      return answer;
    };
    await call('PUT', '/event-types/bench.receipt', {
      steps: [
        { channel: 'sms', text: 'Hello {{ name }}, receipt {{ receipt }}' },
        { channel: 'sms', text: 'Receipt {{ receipt }} is waiting', delaySeconds: 2 },
      ],
    });
    const clients: string[] = [];
    for (let i = 0; i < 10; i++)
      clients.push(
        (
          await call<{ id: string }>('POST', '/clients', {
            phone: `7913${String(Date.now() % 1e6).padStart(6, '0')}${i}`,
            timezone: 'UTC',
            name: `Client ${i}`,
          })
        ).id,
      );
    meter.reset();
    const postedAt = new Map<string, number>();
    let next = 0;
    const worker = async () => {
      while (next < options.events) {
        const index = next++;
        const started = Date.now();
        const { id } = await call<EventView>('POST', '/events', {
          type: 'bench.receipt',
          clientId: clients[index % clients.length],
          variables: { receipt: `R-${index}` },
        });
        postedAt.set(id, started);
        // Events arrive spread out, not as one burst.
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    };
    await Promise.all(Array.from({ length: options.concurrency }, worker));
    const deadline = Date.now() + 90_000;
    let views: EventView[] = [];
    do {
      await new Promise((resolve) => setTimeout(resolve, 250));
      views = await Promise.all([...postedAt.keys()].map((id) => call<EventView>('GET', `/events/${id}`)));
    } while (!views.every((view) => view.steps.every((step) => step.status === 'sent')) && Date.now() < deadline);
    const unsent = views.filter((view) => !view.steps.every((step) => step.status === 'sent'));
    if (unsent.length > 0) throw new Error(`${unsent.length} of ${views.length} events not fully sent within 90 s`);
    // The GETs above are reads; the tally's last settles may still be on their way: wait for the stream to go quiet.
    await new Promise((resolve) => setTimeout(resolve, 2000));
    const wru = meter
      .snapshot()
      .calls.filter((tally) => tally.service === 'dynamodb' && tally.caller !== 'localOnly')
      .reduce((sum, tally) => sum + tally.wru, 0);
    const arrivals = new Map((runtime.provider?.requests() ?? []).map((request) => [request.msgId, request.receivedAt]));
    const latencies = views.map((view) => (arrivals.get(view.steps[0]?.messageId ?? null) as number) - (postedAt.get(view.id) as number)).sort((a, b) => a - b);
    return {
      events: latencies.length,
      concurrency: options.concurrency,
      p50Ms: percentile(latencies, 50),
      p95Ms: percentile(latencies, 95),
      maxMs: latencies.at(-1) ?? NaN,
      wruPerEvent: wru / latencies.length,
    };
  } finally {
    await runtime.stop();
  }
}

export function eventFigures(run: EventRun, command: string): Figure[] {
  const note = `${run.events} events of two SMS steps (now, +2 s), ${run.concurrency} posting at a time, fake provider without latency; p50 ${run.p50Ms} ms, max ${run.maxMs} ms`;
  return [
    figure({
      id: 'events.p95PostToFirstStepMs',
      section: 'events',
      figure: "event: POST /events to the first step's provider call, p95",
      value: run.p95Ms,
      unit: 'ms',
      target: { op: '<', limit: EVENT_P95_TARGET_MS },
      command,
      note,
    }),
    figure({
      id: 'events.wruPerTwoStepEvent',
      section: 'events',
      figure: 'event of two steps: DynamoDB WRU, every function',
      value: run.wruPerEvent,
      unit: 'WRU',
      command,
      note: 'the event (1); per step: a notice id (1), its notice and the step queued in one transaction (4: a transaction bills each write twice), the claim and the outcome (2), the step settled (1)',
    }),
  ];
}
