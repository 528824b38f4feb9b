/**
 * A stand-in for a remote service in a process of its own: the fake provider, or the SQS
 * emulator. Both are remote on AWS; here, in the bench's process, their timers and request
 * parsing would share an event loop with the senders whose throughput the bench measures.
 * Started by ./service-process.ts.
 *
 * Input: argv[2], JSON ServiceRequest. Output: one JSON line `{ url }` on stdout once it
 * listens. It stops when its stdin closes (the bench ended, however it ended).
 */
import { startFakeProvider } from '../local/fake-provider.js';
import { startSqsEmulator } from '../local/sqs.js';

export type ServiceRequest = { kind: 'provider'; latencyMs: number; token: string } | { kind: 'sqs' };

const request = JSON.parse(process.argv[2] ?? '') as ServiceRequest;
const service =
  request.kind === 'provider'
    ? await startFakeProvider({ latencyMs: request.latencyMs, token: request.token })
    : await startSqsEmulator().then((sqs) => ({ url: sqs.endpoint, stop: sqs.stop }));
process.stdout.write(`${JSON.stringify({ url: service.url })}\n`);
process.stdin.resume();
process.stdin.once('close', () => void service.stop().finally(() => process.exit(0)));
