import { createRequire } from 'node:module';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { LogLevel as EsbuildLogLevel, NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { NagSuppressions } from 'cdk-nag';
import { Construct } from 'constructs';
import { METRICS_NAMESPACE } from '../functions/telemetry/metrics.js';
import { functionSettings, NODE_OPTIONS, type FunctionName } from '../functions/definitions/functions.js';
import { LAZY_PACKAGES, lazySubpaths } from '../functions/domain/lazy-packages.js';

/** The repository root: entries in `functionSettings` and the lock file are relative to it. */
export const projectRoot = fileURLToPath(new URL('..', import.meta.url));

export type LogLevel = 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';

/** Settings every Herald function shares; the stack decides them once. */
export interface FunctionDefaults {
  /** Prefix of function and log group names (`herald` gives `herald-send`, `/aws/lambda/herald-send`). */
  namePrefix: string;
  logRetention: logs.RetentionDays;
  logLevel: LogLevel;
  /** Powertools service name: the `service` dimension of every metric and a field of every log line. */
  serviceName: string;
}

export interface HeraldFunctionProps {
  name: FunctionName;
  defaults: FunctionDefaults;
  /** The variables the handler's config schema (functions/adapters/config.ts) reads. */
  environment: Record<string, string>;
  description: string;
  /**
   * Package files the handler loads from disk at run time, which esbuild cannot bundle
   * (`{ 'swagger-ui-dist': ['package.json', 'swagger-ui.css'] }`): copied from the project's
   * node_modules into the bundle's node_modules.
   */
  nodeModuleFiles?: Record<string, string[]>;
  /**
   * Files generated at build time beside the bundle: the file's name, and the project script
   * (run with tsx) that writes it to the path it is given (`{ 'openapi.json': 'bin/openapi.ts' }`).
   */
  generatedFiles?: Record<string, string>;
}

/** `deadLetter` becomes `dead-letter`: function names, log groups and entry files use kebab case. */
export function kebabCase(name: string): string {
  return name.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`);
}

function copyCommands(inputDir: string, outputDir: string, files: Record<string, string[]>): string[] {
  return Object.entries(files).flatMap(([pkg, names]) => {
    const from = path.join(inputDir, 'node_modules', pkg);
    const to = path.join(outputDir, 'node_modules', pkg);
    return [`mkdir -p "${to}"`, ...names.map((name) => `cp "${path.join(from, name)}" "${path.join(to, name)}"`)];
  });
}

const esbuildBin = path.join(projectRoot, 'node_modules', '.bin', 'esbuild');
const tsxBin = path.join(projectRoot, 'node_modules', '.bin', 'tsx');

function generateCommands(outputDir: string, files: Record<string, string>): string[] {
  return Object.entries(files).map(([name, script]) => `"${tsxBin}" "${path.join(projectRoot, script)}" "${path.join(outputDir, name)}"`);
}
const packageRequire = createRequire(import.meta.url);

/**
 * The packages the handlers load on first use (functions/domain/lazy-packages.ts), each bundled
 * and minified into the bundle's own node_modules as `<package>/index.js`, where the handler's
 * require finds it. The handler's bundle itself leaves them out (esbuild does not follow a
 * require made through createRequire), so a cold start does not parse them. A package whose
 * subpaths are required too is bundled from an entry that re-exports them all, and each subpath
 * is a `<package>/<subpath>.js` that requires that one file: one copy of the package's classes.
 * The AWS SDK stays the runtime's, as in the bundles.
 */
function lazyPackageCommands(outputDir: string): string[] {
  return LAZY_PACKAGES.flatMap((pkg) => {
    const dir = path.join(outputDir, 'node_modules', pkg);
    const subpaths = lazySubpaths(pkg);
    const build = [
      '--bundle --minify --platform=node --format=cjs --target=node22 --log-level=warning',
      "'--external:@aws-sdk/*'",
      `--outfile="${path.join(dir, 'index.js')}"`,
    ];
    if (subpaths.length === 0) return [[`"${esbuildBin}" "${packageRequire.resolve(pkg)}"`, ...build].join(' ')];
    // Read from stdin, the entry's imports resolve from the working directory, the project root.
    const entry = [pkg, ...subpaths.map((subpath) => `${pkg}/${subpath}`)].map((specifier) => `export * from '${specifier}';`).join(' ');
    return [
      [`echo "${entry}" | "${esbuildBin}"`, ...build].join(' '),
      ...subpaths.map((subpath) => `echo "module.exports = require('./index.js');" > "${path.join(dir, `${subpath}.js`)}"`),
    ];
  });
}

/**
 * The bundles are CommonJS: the runtime's AWS SDK then loads as one file per package
 * (its dist-cjs) instead of hundreds of ES modules, about 50 ms less cold start. The
 * source is ESM, so `import.meta.url` (the docs route locates swagger-ui-dist with it)
 * is given the bundle's own file URL.
 */
const importMetaUrlShim = "const __heraldImportMetaUrl = require('node:url').pathToFileURL(__filename).href;";

/**
 * One Herald Lambda: Node.js 22 on arm64, bundled locally by esbuild (minified, with source
 * maps), Powertools settings in the environment, its own log group with a retention, and a
 * role that may write only to that log group (instead of AWSLambdaBasicExecutionRole, which
 * may create and write any log group).
 */
export class HeraldFunction extends Construct implements iam.IGrantable {
  readonly function: NodejsFunction;
  readonly logGroup: logs.LogGroup;
  readonly role: iam.Role;
  /** The handler's name in functions/adapters/queues.ts (`api`, `fanout`, `send`, `deadLetter`). */
  readonly name: FunctionName;
  readonly functionName: string;
  readonly grantPrincipal: iam.IPrincipal;

  constructor(scope: Construct, id: string, props: HeraldFunctionProps) {
    super(scope, id);
    const settings = functionSettings[props.name];
    const { defaults } = props;
    this.name = props.name;
    this.functionName = `${defaults.namePrefix}-${kebabCase(props.name)}`;

    this.logGroup = new logs.LogGroup(this, 'LogGroup', {
      logGroupName: `/aws/lambda/${this.functionName}`,
      retention: defaults.logRetention,
      // The name is fixed, so a retained group would block the next deploy of the stack.
      removalPolicy: RemovalPolicy.DESTROY,
    });

    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Runs the ${this.functionName} function`,
    });
    this.logGroup.grantWrite(this.role);
    this.grantPrincipal = this.role;

    this.function = new NodejsFunction(this, 'Function', {
      functionName: this.functionName,
      description: props.description,
      entry: path.join(projectRoot, settings.entry),
      handler: 'handler',
      projectRoot,
      depsLockFilePath: path.join(projectRoot, 'package-lock.json'),
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: settings.memoryMb,
      timeout: Duration.seconds(settings.timeoutSeconds),
      role: this.role,
      logGroup: this.logGroup,
      environment: {
        ...props.environment,
        NODE_OPTIONS,
        POWERTOOLS_SERVICE_NAME: defaults.serviceName,
        POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
        LOG_LEVEL: defaults.logLevel,
      },
      bundling: {
        forceDockerBundling: false,
        // esbuild's warnings and errors only, not its size summary of every bundle.
        logLevel: EsbuildLogLevel.WARNING,
        format: OutputFormat.CJS,
        target: 'node22',
        minify: true,
        sourceMap: true,
        // Stack traces map to file and line without shipping the sources themselves.
        sourcesContent: false,
        banner: importMetaUrlShim,
        define: { 'import.meta.url': '__heraldImportMetaUrl' },
        // The Node.js 22 runtime ships AWS SDK v3: leaving it out keeps each bundle a few hundred
        // KB smaller (npm run bench measures size and cold load).
        externalModules: ['@aws-sdk/*'],
        // axios's form-data (multipart bodies, never sent here) and its MIME database stay out: ~160 KB less in send;
        // so does `debug` (logging of axios's redirect and proxy helpers, off unless DEBUG names them): ~10 KB;
        // and the OpenAPI generator's zod extension, whose document the api reads from a file generated at build time: ~29 KB.
        esbuildArgs: {
          '--alias:form-data': fileURLToPath(new URL('./bundling/form-data.cjs', import.meta.url)),
          '--alias:debug': fileURLToPath(new URL('./bundling/debug.cjs', import.meta.url)),
          '--alias:@asteasolutions/zod-to-openapi': fileURLToPath(new URL('./bundling/zod-to-openapi.cjs', import.meta.url)),
        },
        commandHooks: {
          beforeBundling: () => [],
          beforeInstall: () => [],
          afterBundling: (inputDir, outputDir) => [
            ...copyCommands(inputDir, outputDir, props.nodeModuleFiles ?? {}),
            ...lazyPackageCommands(outputDir),
            ...generateCommands(outputDir, props.generatedFiles ?? {}),
          ],
        },
      },
    });
    NagSuppressions.addResourceSuppressions(this.function, [
      {
        id: 'AwsSolutions-L1',
        reason: 'Node.js 22 is the runtime Herald is built and tested for (docs/deploy.md); a runtime upgrade is a deliberate change.',
      },
    ]);
  }
}
