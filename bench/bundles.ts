/**
 * Lambda bundles as `cdk synth` builds them, and how long each takes to load cold.
 *
 * The bundles come from the stack itself: createHeraldApp (lib/app.ts) is constructed with a
 * temporary output directory, which makes every NodejsFunction bundle its entry with the
 * stack's own esbuild settings (lib/functions.ts: CommonJS, minified, source maps without
 * sources, node22, the AWS SDK external as the runtime provides it, the import.meta.url banner,
 * the copied package files), so the bench cannot drift from what is deployed.
 *
 * Load time: a fresh `node` per run imports the bundle and reports how long the import took,
 * with the function's environment as the stack defines it (its NODE_OPTIONS included),
 * deploy-time references replaced by dummy values, checked against the handler's config
 * schema first. The median of `runs`. This machine's CPU and Node 20, not Lambda's
 * arm64 share of a core at 256-512 MB on Node 22: a relative figure, and a budget. Where a
 * function defers work from its load to its first invocation (the api's request schemas), that
 * invocation is timed right after the load too (FIRST_INVOCATIONS), so the load is read beside it.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import type * as z from 'zod/mini';
import {
  apiEnvSchema,
  deadLetterEnvSchema,
  emailEventsEnvSchema,
  sendEmailEnvSchema,
  tallyEnvSchema,
  fanoutEnvSchema,
  parseEnv,
  sendEnvSchema,
  sendInappEnvSchema,
  startTimerEnvSchema,
  wsAuthorizerEnvSchema,
  inboxAuthorizerEnvSchema,
  wsConnectionsEnvSchema,
  wsDefaultEnvSchema,
} from '../functions/adapters/config.js';
import { NODE_OPTIONS, type FunctionName } from '../functions/definitions/functions.js';
import { buildAdmin } from '../local/admin-build.js';
import { toProxyEvent } from '../local/http.js';
import { LAZY_PACKAGES } from '../functions/domain/lazy-packages.js';
import { figure, type Figure } from './figures.js';

const run = promisify(execFile);
const projectRoot = fileURLToPath(new URL('..', import.meta.url));

const configSchemas: Record<FunctionName, z.ZodMiniObject> = {
  api: apiEnvSchema,
  fanout: fanoutEnvSchema,
  send: sendEnvSchema,
  sendEmail: sendEmailEnvSchema,
  emailEvents: emailEventsEnvSchema,
  sendInapp: sendInappEnvSchema,
  deadLetter: deadLetterEnvSchema,
  tally: tallyEnvSchema,
  startTimer: startTimerEnvSchema,
  wsAuthorizer: wsAuthorizerEnvSchema,
  inboxAuthorizer: inboxAuthorizerEnvSchema,
  wsConnect: wsConnectionsEnvSchema,
  wsDisconnect: wsConnectionsEnvSchema,
  wsDefault: wsDefaultEnvSchema,
};

/** Stand-ins for what CloudFormation fills in at deploy time. */
const dummyValues: Record<string, string> = {
  CLIENTS_TABLE: 'Herald-Clients',
  UNIQUES_TABLE: 'Herald-Uniques',
  CAMPAIGNS_TABLE: 'Herald-Campaigns',
  MESSAGES_TABLE: 'Herald-Messages',
  INBOX_TABLE: 'Herald-Inbox',
  FANOUT_QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/123456789012/herald-fanout.fifo',
  SEND_QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/123456789012/herald-send',
  SEND_EMAIL_QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/123456789012/herald-send-email',
  UNSUBSCRIBE_KEY_SECRET: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:herald/unsubscribe-key',
  PUBLIC_BASE_URL: 'https://abcdef1234.execute-api.us-east-1.amazonaws.com/v1',
  SEND_INAPP_QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/123456789012/herald-send-inapp',
  START_TIMER_QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/123456789012/herald-start-timer',
  SCHEDULE_GROUP: 'herald',
  SCHEDULE_TARGET_ARN: 'arn:aws:sqs:us-east-1:123456789012:herald-start-timer',
  OCCURRENCE_TARGET_ARN: 'arn:aws:sqs:us-east-1:123456789012:herald-fanout.fifo',
  SCHEDULE_ROLE_ARN: 'arn:aws:iam::123456789012:role/herald-scheduler',
  SCHEDULE_DLQ_ARN: 'arn:aws:sqs:us-east-1:123456789012:herald-schedule-dlq',
  CORS_ALLOWED_ORIGIN: 'https://d111111abcdef8.cloudfront.net',
  PROVIDER_URL: 'https://probe.example.com/v1',
  PROVIDER_TOKEN_SECRET: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:herald/provider-token',
  CONNECTIONS_TABLE: 'Herald-Connections',
  WS_CONNECTIONS_ENDPOINT: 'https://abcdef1234.execute-api.us-east-1.amazonaws.com/v1',
  INBOX_TOKEN_SECRET: 'herald/inbox-token-key',
};

/** What the Lambda runtime itself sets (Node 22 on arm64 in the stack). */
function lambdaRuntimeEnvironment(fn: FunctionName, memoryMb: number): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    AWS_REGION: 'us-east-1',
    AWS_DEFAULT_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'dummy',
    AWS_SECRET_ACCESS_KEY: 'dummy',
    AWS_LAMBDA_FUNCTION_NAME: `herald-${fn}`,
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(memoryMb),
    AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  };
}

export interface BuiltBundle {
  fn: FunctionName;
  dir: string;
  file: string;
  bytes: number;
  mapBytes: number;
  environment: Record<string, string>;
}

/** A package the handler loads on first use (functions/domain/lazy-packages.ts), shipped beside the bundle. */
export interface LazyPart {
  name: string;
  bytes: number;
  /** Median time of its first require, after the handler has loaded. */
  medianLoadMs: number;
}

export interface BundleMeasure extends Omit<BuiltBundle, 'environment' | 'dir'> {
  loadMs: number[];
  medianLoadMs: number;
  /** Of each load, the part inside the runtime-provided AWS SDK's requires. */
  sdkLoadMs: number[];
  /** Median of each run's load less its SDK part: what the bundle's own code costs at a cold start. */
  medianOwnLoadMs: number;
  /** Minified bytes by package, largest first (Herald's own code as `herald`). */
  composition: { name: string; bytes: number }[];
  lazy: LazyPart[];
  /** Median of the first invocation right after each load, for a function with one in FIRST_INVOCATIONS. */
  firstInvocation?: { name: string; medianMs: number };
}

function handlerFile(dir: string): string {
  const name = readdirSync(dir).find((file) => file === 'index.mjs' || file === 'index.js');
  if (!name) throw new Error(`no index.mjs or index.js in the bundle ${dir}`);
  return join(dir, name);
}

/** Builds the stack (which bundles every function) and returns each function's bundle and environment. */
export async function buildBundles(outdir: string): Promise<BuiltBundle[]> {
  // The stack deploys the admin app's build too, so synth needs it (a no-op when it is fresh).
  await buildAdmin({ quiet: true });
  const [{ createHeraldApp }, { HeraldFunction }, { AssetStaging, Stack }, { functionSettings }] = await Promise.all([
    import('../lib/app.js'),
    import('../lib/functions.js'),
    import('aws-cdk-lib'),
    import('../functions/definitions/functions.js'),
  ]);
  const { stack } = createHeraldApp({ outdir });
  const functions = stack.node.findAll().filter((construct): construct is InstanceType<typeof HeraldFunction> => construct instanceof HeraldFunction);
  if (functions.length === 0) throw new Error('the stack has no HeraldFunction');
  return functions.map((herald) => {
    const staging = herald.function.node.findAll().find((construct): construct is InstanceType<typeof AssetStaging> => construct instanceof AssetStaging);
    if (!staging) throw new Error(`${herald.name}: no bundled asset`);
    const file = handlerFile(staging.absoluteStagedPath);
    const map = `${file}.map`;
    const cfn = herald.function.node.defaultChild as { environment?: unknown };
    const resolved = Stack.of(herald).resolve(cfn.environment) as { variables?: Record<string, unknown> } | undefined;
    const variables = Object.fromEntries(
      Object.entries(resolved?.variables ?? {}).map(([key, value]) => [key, typeof value === 'string' ? value : (dummyValues[key] ?? `dummy-${key}`)]),
    );
    const environment = { ...lambdaRuntimeEnvironment(herald.name, functionSettings[herald.name].memoryMb), ...variables };
    // The handler reads its config at load: a variable the stack forgets would fail here, not in the timing.
    parseEnv(configSchemas[herald.name], environment);
    return {
      fn: herald.name,
      dir: staging.absoluteStagedPath,
      file,
      bytes: statSync(file).size,
      mapBytes: statSync(map, { throwIfNoEntry: false })?.size ?? 0,
      environment,
    };
  });
}

/** One cold load: the whole of it, and the part spent inside the runtime-provided AWS SDK. */
export interface ColdLoad {
  ms: number;
  sdkMs: number;
  /** Each lazy package's first require after the load, by name. */
  lazyMs: Record<string, number>;
  /** The function's first invocation right after the load, where it has one (FIRST_INVOCATIONS). */
  firstInvocationMs?: number;
}

/**
 * A first invocation to time right after the load, and the status it must answer. The api
 * builds a route group's request schemas on that group's first request, not at load
 * (functions/api/schemas.ts): what the load no longer pays, the first request does, so the
 * load figure is read beside this one. POST /campaigns with an empty body is refused by its
 * schema (400) before any I/O, so nothing outside the process answers it.
 */
export const FIRST_INVOCATIONS: Partial<Record<FunctionName, { name: string; event: object; status: number }>> = {
  api: {
    name: 'POST /campaigns refused by its schema',
    // The event the local runtime's HTTP server builds for it, as API Gateway's {proxy+} resource does.
    event: toProxyEvent(
      { method: 'POST', url: '/campaigns', rawHeaders: ['Content-Type', 'application/json'], headers: {}, httpVersion: '1.1', socket: {} },
      Buffer.from('{}'),
      'bench',
    ),
    status: 400,
  },
};

/** The lazy packages' files in a bundle's own node_modules; throws when one is missing (the handler would fail on first use). */
export function lazyFiles(dir: string): { name: string; file: string }[] {
  return LAZY_PACKAGES.map((name) => {
    const file = join(dir, 'node_modules', name, 'index.js');
    if (!existsSync(file)) throw new Error(`${dir}: ${name} is loaded on first use but not shipped (${file} is missing)`);
    return { name, file };
  });
}

/**
 * A fresh node process loading the bundle (it must export `handler`) the way Lambda's Node.js
 * runtime loads it: `require` for CommonJS, `import` for an ES module. The AWS SDK is external:
 * Lambda's runtime provides it (here the project's node_modules stand in), and the bundle's
 * `require` of it at load is part of the cold start on Lambda too. For CommonJS the time spent
 * inside those requires is measured apart (a hook on the module loader around each `@aws-sdk/`
 * require the bundle itself makes), so the figure splits into the SDK and the bundle's own code.
 * A function with an entry in FIRST_INVOCATIONS is then invoked once in the same process, timed.
 */
export async function coldLoadMs(bundle: BuiltBundle): Promise<ColdLoad> {
  const esm = bundle.file.endsWith('.mjs');
  const load = esm ? `await import(${JSON.stringify(pathToFileURL(bundle.file).href)})` : `require(${JSON.stringify(bundle.file)})`;
  const sdkHook = esm
    ? ''
    : [
        "const Module = require('node:module');",
        'const load = Module._load;',
        'let depth = 0;',
        'Module._load = function (request, parent, ...rest) {',
        `  if (depth > 0 || !request.startsWith('@aws-sdk/') || parent?.filename !== ${JSON.stringify(bundle.file)}) return load.call(this, request, parent, ...rest);`,
        '  const begun = performance.now();',
        '  depth += 1;',
        '  try { return load.call(this, request, parent, ...rest); } finally { depth -= 1; sdkMs += performance.now() - begun; }',
        '};',
      ].join('\n');
  const first = FIRST_INVOCATIONS[bundle.fn];
  const firstInvocation = first
    ? [
        'const invoked = performance.now();',
        `const answer = await module.handler(${JSON.stringify(first.event)}, { awsRequestId: 'bench', functionName: 'bench', getRemainingTimeInMillis: () => 10000 });`,
        'const firstInvocationMs = performance.now() - invoked;',
        `if (answer?.statusCode !== ${first.status}) throw new Error(\`the first invocation answered \${answer?.statusCode}, not ${first.status}: \${answer?.body}\`);`,
      ].join('\n')
    : 'const firstInvocationMs = undefined;';
  const script = [
    'let sdkMs = 0;',
    sdkHook,
    '(async () => {',
    'const started = performance.now();',
    `const module = ${load};`,
    'const ms = performance.now() - started;',
    "if (typeof module.handler !== 'function') throw new Error('the bundle exports no handler');",
    firstInvocation,
    // What the first template or cron costs later: the shipped file itself, by its path, so the
    // project's node_modules (linked above the bundle here) cannot stand in for a missing one.
    'const lazyMs = {};',
    `for (const { name, file } of ${JSON.stringify(lazyFiles(bundle.dir))}) {`,
    '  const begun = performance.now();',
    '  if (Object.keys(require(file)).length === 0) throw new Error(`${name} exports nothing`);',
    '  lazyMs[name] = performance.now() - begun;',
    '}',
    // The last line: the handler's own log lines come before it on stdout.
    "process.stdout.write('\\n' + JSON.stringify({ ms, sdkMs, lazyMs, firstInvocationMs }));",
    '})().catch((error) => { console.error(error); process.exitCode = 1; });',
  ].join('\n');
  const { stdout } = await run(process.execPath, [`--input-type=${esm ? 'module' : 'commonjs'}`, '-e', script], {
    env: bundle.environment,
    cwd: bundle.dir,
    timeout: 60_000,
  });
  return JSON.parse(stdout.slice(stdout.lastIndexOf('\n') + 1)) as ColdLoad;
}

/** The AWS SDK's pieces, reported as one: they come and go together. */
function packageGroup(name: string): string {
  return name.startsWith('@aws-sdk/') || name.startsWith('@smithy/') || name === 'bowser' ? 'AWS SDK v3' : name;
}

/**
 * What a bundle is made of. esbuild's metafile for the same entry and the same core settings
 * and aliases (the stack's build does not write one); used only to attribute the bytes, not
 * to size them.
 */
export async function composition(entry: string): Promise<{ name: string; bytes: number }[]> {
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    platform: 'node',
    target: 'node22',
    format: 'esm',
    minify: true,
    write: false,
    metafile: true,
    outfile: 'out/index.mjs',
    absWorkingDir: projectRoot,
    logLevel: 'silent',
    external: ['@aws-sdk/*'],
    // The stack's stand-ins (lib/functions.ts), so the parts named are the ones deployed.
    alias: {
      'form-data': join(projectRoot, 'lib/bundling/form-data.cjs'),
      debug: join(projectRoot, 'lib/bundling/debug.cjs'),
    },
  });
  const output = Object.values(result.metafile.outputs).find((candidate) => candidate.entryPoint);
  const groups = new Map<string, number>();
  for (const [path, input] of Object.entries(output?.inputs ?? {})) {
    const name = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path)?.[1];
    const group = name ? packageGroup(name) : 'herald';
    groups.set(group, (groups.get(group) ?? 0) + input.bytesInOutput);
  }
  return [...groups].map(([name, bytes]) => ({ name, bytes })).sort((a, b) => b.bytes - a.bytes);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

export async function measureBundles(options: { runs: number }): Promise<BundleMeasure[]> {
  const outdir = mkdtempSync(join(tmpdir(), 'herald-bench-cdk-'));
  // The bundles import the AWS SDK that Lambda's Node.js runtime provides; the project's
  // node_modules stand in for it, so a cold load includes loading the SDK, as on Lambda.
  symlinkSync(join(projectRoot, 'node_modules'), join(outdir, 'node_modules'), 'dir');
  try {
    const bundles = await buildBundles(outdir);
    const { functionSettings } = await import('../functions/definitions/functions.js');
    const loadsOf = bundles.map((): ColdLoad[] => []);
    // One after another: parallel processes would compete for the two cores and slow each other.
    // Round by round, each bundle once a round: a slow spell of this shared machine then falls on
    // one run of every bundle, not on every run of one.
    for (let i = 0; i < options.runs; i++) {
      for (const [index, bundle] of bundles.entries()) loadsOf[index]?.push(await coldLoadMs(bundle));
    }
    const measures: BundleMeasure[] = [];
    for (const [index, bundle] of bundles.entries()) {
      const loads = loadsOf[index] as ColdLoad[];
      const loadMs = loads.map((load) => load.ms);
      const parts = await composition(functionSettings[bundle.fn].entry);
      const first = FIRST_INVOCATIONS[bundle.fn];
      measures.push({
        fn: bundle.fn,
        file: basename(bundle.file),
        bytes: bundle.bytes,
        mapBytes: bundle.mapBytes,
        loadMs,
        medianLoadMs: median(loadMs),
        sdkLoadMs: loads.map((load) => load.sdkMs),
        medianOwnLoadMs: median(loads.map((load) => load.ms - load.sdkMs)),
        composition: parts,
        lazy: lazyFiles(bundle.dir).map(({ name, file }) => ({
          name,
          bytes: statSync(file).size,
          medianLoadMs: median(loads.map((load) => load.lazyMs[name] as number)),
        })),
        ...(first ? { firstInvocation: { name: first.name, medianMs: median(loads.map((load) => load.firstInvocationMs as number)) } } : {}),
      });
    }
    return measures;
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

/** Every bundle under 300 KB minified and loading in under 100 ms cold here. */
export const BUNDLE_KB_TARGET = 300;
export const LOAD_MS_TARGET = 100;

export function bundleFigures(measures: BundleMeasure[], command: string, runs: number): Figure[] {
  return measures.flatMap((m) => [
    figure({
      id: `bundles.${m.fn}.kb`,
      section: 'bundles',
      figure: `${m.fn} bundle, minified`,
      value: m.bytes / 1024,
      unit: 'KB',
      target: { op: '<', limit: BUNDLE_KB_TARGET },
      command,
      note: `largest parts: ${m.composition
        .slice(0, 4)
        .map((part) => `${part.name} ${Math.round(part.bytes / 1024)} KB`)
        .join(', ')}; source map ${Math.round(m.mapBytes / 1024)} KB beside it; loaded on first use, beside it: ${m.lazy
        .map((part) => `${part.name} ${Math.round(part.bytes / 1024)} KB`)
        .join(', ')}`,
    }),
    figure({
      id: `bundles.${m.fn}.loadMs`,
      section: 'bundles',
      figure: `${m.fn} cold module load (median of ${runs})`,
      value: m.medianLoadMs,
      unit: 'ms',
      target: { op: '<', limit: LOAD_MS_TARGET },
      command,
      note: `fresh node ${process.version} per run, NODE_OPTIONS=${NODE_OPTIONS}, the runtime's AWS SDK included; runs ${m.loadMs.map((ms) => Math.round(ms)).join(', ')} ms; the first template or cron later adds ${m.lazy
        .map((part) => `${part.name} ${Math.round(part.medianLoadMs)} ms`)
        .join(', ')}`,
    }),
    figure({
      id: `bundles.${m.fn}.ownLoadMs`,
      section: 'bundles',
      figure: `${m.fn} cold load without the AWS SDK (median of ${runs})`,
      value: m.medianOwnLoadMs,
      unit: 'ms',
      target: { op: '<', limit: LOAD_MS_TARGET },
      command,
      note: `the same loads less the time inside the bundle's requires of @aws-sdk/* (SDK: ${m.sdkLoadMs.map((ms) => Math.round(ms)).join(', ')} ms)`,
    }),
    ...(m.firstInvocation
      ? [
          figure({
            id: `bundles.${m.fn}.firstInvocationMs`,
            section: 'bundles',
            figure: `${m.fn} first invocation after the load (median of ${runs})`,
            value: m.firstInvocation.medianMs,
            unit: 'ms',
            command,
            note: `${m.firstInvocation.name}, right after each cold load above: what a cold start pays after the load, the route group's request schemas built on its first request included`,
          }),
        ]
      : []),
  ]);
}
