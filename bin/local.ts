/** `npm start`: the whole of Herald on this machine. Settings: local/settings.ts. */
import { createWriteStream, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ConfigError, parseEnv } from '../functions/adapters/config.js';
import { localEnvSchema } from '../local/settings.js';
import { stableUnsubscribeKey } from '../local/unsubscribe-key.js';

async function main(): Promise<void> {
  const env = parseEnv(localEnvSchema);
  // Powertools reads these when the handlers' modules load, so they are set before the import.
  process.env.POWERTOOLS_LOG_LEVEL = env.LOG_LEVEL;
  // Metrics are CloudWatch's (EMF); on one machine they would only double the log lines.
  process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
  const { startLocalRuntime } = await import('../local/runtime.js');
  await buildAdminIfStale();
  const dataDir = resolve(env.HERALD_DATA_DIR);
  teeLogs(join(dataDir, 'logs'));
  if (env.HERALD_PROVIDER_URL && !env.HERALD_PROVIDER_TOKEN)
    throw new ConfigError(['HERALD_PROVIDER_TOKEN'], 'HERALD_PROVIDER_TOKEN: required with HERALD_PROVIDER_URL');

  const runtime = await startLocalRuntime({
    port: env.PORT,
    dataDir: join(dataDir, 'dynamodb'),
    ...(env.HERALD_PROVIDER_URL && env.HERALD_PROVIDER_TOKEN ? { provider: { url: env.HERALD_PROVIDER_URL, token: env.HERALD_PROVIDER_TOKEN } } : {}),
    fakeProvider: { latencyMs: env.HERALD_FAKE_LATENCY_MS, errorRate: env.HERALD_FAKE_ERROR_RATE },
    providerConcurrency: env.HERALD_PROVIDER_CONCURRENCY,
    scheduleJitterMs: env.HERALD_SCHEDULE_JITTER_SECONDS * 1000,
    fanoutStreams: env.HERALD_FANOUT_STREAMS,
    unsubscribeKey: env.HERALD_UNSUBSCRIBE_KEY ?? stableUnsubscribeKey(dataDir),
    ...(env.HERALD_SES_ENDPOINT ? { sesEndpoint: env.HERALD_SES_ENDPOINT } : {}),
    emailFrom: env.HERALD_EMAIL_FROM,
    ...(env.HERALD_INBOX_KEY ? { inboxTokenKey: env.HERALD_INBOX_KEY } : {}),
  });
  process.stderr.write(
    [
      `Herald is running (data in ${dataDir})`,
      `  API          ${runtime.url}`,
      `  Admin app    ${runtime.url}/admin/`,
      `  Swagger UI   ${runtime.url}/docs`,
      `  OpenAPI      ${runtime.url}/openapi.json`,
      `  WebSocket    ${runtime.websocketUrl}?token=<inbox token>`,
      `  provider     ${runtime.provider ? `${runtime.provider.url} (fake; faults: POST ${runtime.provider.url}/_faults)` : env.HERALD_PROVIDER_URL}`,
      `  SES          ${runtime.ses.endpoint}${runtime.ses.started ? ' (aws-ses-v2-local)' : ''}, from ${env.HERALD_EMAIL_FROM}`,
      `  mail viewer  ${runtime.ses.viewerUrl}`,
      `  logs         ${join(dataDir, 'logs', 'herald.log')} (npm run logs -- --campaign ID)`,
      'Ctrl-C stops everything.',
      '',
    ].join('\n'),
  );

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`\n${signal}: finishing in-flight work, then stopping...\n`);
    await runtime.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

/** The admin app (web/) is built on a fresh clone or after its sources changed; a failed build leaves the API running. */
async function buildAdminIfStale(): Promise<void> {
  const { adminBuildIsStale, buildAdmin } = await import('../local/admin-build.js');
  if (!adminBuildIsStale()) return;
  process.stderr.write('Building the admin app (web/ -> web/dist)...\n');
  try {
    await buildAdmin({ quiet: true });
  } catch (error) {
    process.stderr.write(`The admin app could not be built (${error instanceof Error ? error.message : String(error)}); the API starts without it.\n`);
  }
}

/** Log lines go to the terminal and to a file that `npm run logs` searches. */
function teeLogs(directory: string): void {
  mkdirSync(directory, { recursive: true });
  const file = createWriteStream(join(directory, 'herald.log'), { flags: 'a' });
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    file.write(chunk);
    return (write as (...args: unknown[]) => boolean)(chunk, ...rest);
  }) as typeof process.stdout.write;
}

main().catch((error: unknown) => {
  process.stderr.write(`Herald could not start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
