/**
 * Remote services' stand-ins run by ./service-child.ts in processes of their own: the fake
 * provider (read through its HTTP admin routes, local/fake-provider.ts) and the SQS emulator.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { ReceivedRequest } from '../local/fake-provider.js';
import type { ServiceRequest } from './service-child.js';

interface ServiceProcess {
  url: string;
  pid: number | undefined;
  stop(): Promise<void>;
}

const childScript = fileURLToPath(new URL('./service-child.ts', import.meta.url));

async function startServiceProcess(request: ServiceRequest): Promise<ServiceProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', childScript, JSON.stringify(request)], { stdio: ['pipe', 'pipe', 'inherit'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout }).once('line', (line) => resolve((JSON.parse(line) as { url: string }).url));
    child.once('exit', (code) => reject(new Error(`the ${request.kind} process exited with ${code} before it listened`)));
  });
  return {
    url,
    pid: child.pid,
    stop: async () => {
      child.stdin?.end();
      const killer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(killer);
    },
  };
}

export const startSqsProcess = (): Promise<ServiceProcess> => startServiceProcess({ kind: 'sqs' });

export interface ProviderProcess extends ServiceProcess {
  token: string;
  reset(): Promise<void>;
  requests(): Promise<ReceivedRequest[]>;
  maxInFlight(): Promise<number>;
}

export async function startProviderProcess(options: { latencyMs: number }): Promise<ProviderProcess> {
  const token = randomBytes(24).toString('base64url');
  const service = await startServiceProcess({ kind: 'provider', latencyMs: options.latencyMs, token });
  const admin = async <T>(path: string, method = 'GET'): Promise<T> => {
    const response = await fetch(`${service.url}${path}`, { method });
    if (!response.ok) throw new Error(`${method} ${path} answered ${response.status}`);
    return (await response.json()) as T;
  };
  return {
    ...service,
    token,
    reset: async () => void (await admin('/_reset', 'POST')),
    requests: () => admin<ReceivedRequest[]>('/_requests'),
    maxInFlight: async () => (await admin<{ maxInFlight: number }>('/_stats')).maxInFlight,
  };
}
