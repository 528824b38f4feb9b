/**
 * `npm start` as a user runs it (tsx bin/local.ts), in a process group of its own, on a data
 * directory that outlives it, against a provider the test runs: started, then stopped the
 * way a user stops it (Ctrl-C) or the way a crash does (SIGKILL of the whole group).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

export interface NpmStart {
  url: string;
  /** Sends `signal` to the whole process group and waits until the runtime process is gone. */
  stop(signal: 'SIGINT' | 'SIGKILL'): Promise<void>;
  /** Pids of live processes whose command line names the data directory (DynamoDB Local's -dbPath). */
  processesOnDataDir(): number[];
}

export async function npmStart(options: { port: number; dataDir: string; providerUrl: string; token: string }): Promise<NpmStart> {
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'bin/local.ts'], {
    detached: true,
    stdio: 'ignore',
    env: {
      ...process.env,
      PORT: String(options.port),
      HERALD_DATA_DIR: options.dataDir,
      HERALD_PROVIDER_URL: options.providerUrl,
      HERALD_PROVIDER_TOKEN: options.token,
      LOG_LEVEL: 'ERROR',
    },
  });
  const url = `http://127.0.0.1:${options.port}`;
  const processesOnDataDir = () =>
    readdirSync('/proc')
      .filter((name) => /^\d+$/.test(name))
      .filter((pid) => {
        try {
          return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(options.dataDir);
        } catch {
          return false;
        }
      })
      .map(Number);
  const stop = async (signal: 'SIGINT' | 'SIGKILL') => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    process.kill(-(child.pid as number), signal);
    await exited;
  };
  const deadline = Date.now() + 90_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`npm start exited with ${child.exitCode}`);
    try {
      if ((await fetch(`${url}/openapi.json`)).ok) return { url, stop, processesOnDataDir };
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop('SIGKILL');
      throw new Error('npm start did not answer in time');
    }
    await sleep(250);
  }
}
