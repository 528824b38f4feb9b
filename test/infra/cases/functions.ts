import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import * as z from 'zod/mini';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  apiEnvSchema,
  deadLetterEnvSchema,
  emailEventsEnvSchema,
  fanoutEnvSchema,
  sendEmailEnvSchema,
  sendEnvSchema,
  sendInappEnvSchema,
  startTimerEnvSchema,
  tallyEnvSchema,
} from '../../../functions/adapters/config.js';
import { METRICS_NAMESPACE } from '../../../functions/telemetry/metrics.js';
import { LAZY_PACKAGES, lazySubpaths, type LazyPackage } from '../../../functions/domain/lazy-packages.js';
import { functionSettings, OPENAPI_FILE, type FunctionName } from '../../../functions/definitions/functions.js';
import { generatedOpenApiDocument, openApiDocument } from '../../../functions/api/openapi.js';
import { tables, type TableName } from '../../../functions/definitions/tables.js';
import { DEFAULT_PROVIDER_URL } from '../../../lib/herald-stack.js';
import { createTestTablesOf, dynamoEndpoint } from '../../support/aws.js';
import {
  asList,
  functionIdByName,
  isBucketDeploymentResource,
  logicalId,
  referencedIds,
  resourcesOfType,
  statementsOfRole,
  type Json,
  type SynthesizedHerald,
} from '../fixture.js';

const handlers: { name: FunctionName; functionName: string; schema: z.ZodMiniObject }[] = [
  { name: 'api', functionName: 'herald-api', schema: apiEnvSchema },
  { name: 'fanout', functionName: 'herald-fanout', schema: fanoutEnvSchema },
  { name: 'send', functionName: 'herald-send', schema: sendEnvSchema },
  { name: 'sendEmail', functionName: 'herald-send-email', schema: sendEmailEnvSchema },
  { name: 'emailEvents', functionName: 'herald-email-events', schema: emailEventsEnvSchema },
  { name: 'sendInapp', functionName: 'herald-send-inapp', schema: sendInappEnvSchema },
  { name: 'deadLetter', functionName: 'herald-dead-letter', schema: deadLetterEnvSchema },
  { name: 'tally', functionName: 'herald-tally', schema: tallyEnvSchema },
  { name: 'startTimer', functionName: 'herald-start-timer', schema: startTimerEnvSchema },
];

/** Keys the handler cannot start without: the schema rejects them missing (no default, not optional). */
function requiredKeys(schema: z.ZodMiniObject): string[] {
  return Object.entries(schema.shape)
    .filter(([, field]) => !z.safeParse(field, undefined).success)
    .map(([key]) => key);
}

/** Deploy-time values (Ref, GetAtt, Join) stand in as a URL, which every string field of the schemas accepts. */
function withPlaceholders(variables: Json): Record<string, string> {
  return Object.fromEntries(Object.entries(variables).map(([key, value]) => [key, typeof value === 'string' ? value : `https://deploy-time.example/${key}`]));
}

/** Registered by stack.test.ts, which synthesizes the stack once for all of them. */
export function functionCases(synthesized: () => SynthesizedHerald): void {
  describe('Lambda functions', () => {
    let herald: SynthesizedHerald;
    beforeAll(() => {
      herald = synthesized();
    });

    const fn = (functionName: string): Json => herald.resources[functionIdByName(herald.resources, functionName)]!;
    const variables = (functionName: string): Json => fn(functionName).Properties.Environment.Variables;
    const assetDir = (functionName: string): string => {
      const key = fn(functionName).Properties.Code.S3Key as string;
      return path.join(herald.outdir, `asset.${key.replace(/\.zip$/, '')}`);
    };

    it('deploys one function per handler, besides the copier of the admin app', () => {
      const functions = resourcesOfType(herald.resources, 'AWS::Lambda::Function');
      // The WebSocket API's four and the inbox routes' authorizer are checked in ./realtime.ts and ./api.ts.
      expect(functions.filter(([id]) => !isBucketDeploymentResource(id))).toHaveLength(handlers.length + 5);
      expect(functions.filter(([id]) => isBucketDeploymentResource(id))).toHaveLength(1);
    });

    it.each(handlers)('$functionName: Node.js 22 on arm64, memory and timeout from functionSettings', ({ name, functionName }) => {
      const properties = fn(functionName).Properties;
      expect(properties.Runtime).toBe('nodejs22.x');
      expect(properties.Architectures).toEqual(['arm64']);
      expect(properties.Handler).toBe('index.handler');
      expect(properties.MemorySize).toBe(functionSettings[name].memoryMb);
      expect(properties.Timeout).toBe(functionSettings[name].timeoutSeconds);
    });

    it.each(handlers)('$functionName: logs to its own log group, kept one month', ({ functionName }) => {
      const logGroupRef = fn(functionName).Properties.LoggingConfig.LogGroup;
      const logGroup = herald.resources[logGroupRef.Ref]!;
      expect(logGroup.Type).toBe('AWS::Logs::LogGroup');
      expect(logGroup.Properties.LogGroupName).toBe(`/aws/lambda/${functionName}`);
      expect(logGroup.Properties.RetentionInDays).toBe(30);
    });

    it.each(handlers)('$functionName: Powertools settings and Node options in the environment', ({ functionName }) => {
      expect(variables(functionName)).toMatchObject({
        NODE_OPTIONS: '--no-experimental-fetch',
        POWERTOOLS_SERVICE_NAME: 'herald',
        POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
        LOG_LEVEL: 'INFO',
      });
    });

    it.each(handlers)('$functionName: the environment holds every variable its config schema requires', ({ functionName, schema }) => {
      const present = Object.keys(variables(functionName));
      for (const key of requiredKeys(schema)) expect(present, `${functionName} lacks ${key}`).toContain(key);
      const parsed = schema.safeParse(withPlaceholders(variables(functionName)));
      expect(parsed.success, JSON.stringify(parsed.error?.issues)).toBe(true);
    });

    it('the schemas do require things (so the check above can fail)', () => {
      expect(requiredKeys(apiEnvSchema)).toEqual(expect.arrayContaining(['CLIENTS_TABLE', 'FANOUT_QUEUE_URL', 'SCHEDULE_ROLE_ARN']));
      expect(requiredKeys(sendEnvSchema)).toEqual(expect.arrayContaining(['PROVIDER_URL', 'SEND_QUEUE_URL']));
    });

    it('wires the values, not only the names', () => {
      const { delivery, data, providerToken } = herald.stack;
      const ref = (construct: Parameters<typeof logicalId>[0]) => ({ Ref: logicalId(construct) });
      const arn = (construct: Parameters<typeof logicalId>[0]) => ({ 'Fn::GetAtt': [logicalId(construct), 'Arn'] });
      // The start timer reads no table: it only moves starts between queues.
      for (const { functionName } of handlers.filter(({ name }) => name !== 'startTimer')) {
        expect(variables(functionName)).toMatchObject({
          CLIENTS_TABLE: ref(data.table('clients')),
          UNIQUES_TABLE: ref(data.table('uniques')),
          CAMPAIGNS_TABLE: ref(data.table('campaigns')),
          MESSAGES_TABLE: ref(data.table('messages')),
        });
      }
      expect(variables('herald-api')).toMatchObject({
        IDEMPOTENCY_TABLE: ref(data.table('idempotency')),
        FANOUT_QUEUE_URL: ref(delivery.queues.fanout.queue),
        SCHEDULE_GROUP: ref(delivery.scheduleGroup),
        SCHEDULE_TARGET_ARN: arn(delivery.queues.startTimer.queue),
        OCCURRENCE_TARGET_ARN: arn(delivery.queues.fanout.queue),
        START_TIMER_QUEUE_URL: ref(delivery.queues.startTimer.queue),
        SCHEDULE_ROLE_ARN: arn(delivery.schedulerRole),
        SCHEDULE_DLQ_ARN: arn(delivery.schedulerDeadLetterQueue),
        SEND_QUEUE_URL: ref(delivery.queues.send.queue),
      });
      expect(variables('herald-fanout')).toMatchObject({
        FANOUT_QUEUE_URL: ref(delivery.queues.fanout.queue),
        SEND_QUEUE_URL: ref(delivery.queues.send.queue),
        START_TIMER_QUEUE_URL: ref(delivery.queues.startTimer.queue),
      });
      expect(variables('herald-start-timer')).toEqual(
        expect.objectContaining({
          FANOUT_QUEUE_URL: ref(delivery.queues.fanout.queue),
          START_TIMER_QUEUE_URL: ref(delivery.queues.startTimer.queue),
          INBOX_TABLE: ref(data.table('inbox')),
        }),
      );
      expect(variables('herald-send')).toMatchObject({
        SEND_QUEUE_URL: ref(delivery.queues.send.queue),
        PROVIDER_URL: DEFAULT_PROVIDER_URL,
        PROVIDER_TOKEN_SECRET: 'herald/provider-token',
      });
      expect(herald.resources[logicalId(providerToken.secret)]!.Properties.Name).toBe('herald/provider-token');
    });

    it.each(handlers)('$functionName: bundled by esbuild as minified CommonJS with an external source map', ({ functionName, name }) => {
      const dir = assetDir(functionName);
      const code = readFileSync(path.join(dir, 'index.js'), 'utf8');
      expect(code.startsWith("const __heraldImportMetaUrl = require('node:url').pathToFileURL(__filename).href;")).toBe(true);
      expect(code).not.toContain('import.meta');
      // Minified: long lines (only template literals keep their line breaks).
      expect(code.length / code.split('\n').length).toBeGreaterThan(1000);
      // The AWS SDK is the Lambda runtime's, imported rather than bundled.
      expect(code).toMatch(/require\(["']@aws-sdk\/client-dynamodb["']\)/);
      expect(code).toContain('//# sourceMappingURL=index.js.map');
      const map = JSON.parse(readFileSync(path.join(dir, 'index.js.map'), 'utf8')) as { sources: string[]; sourcesContent?: unknown };
      expect(map.sources.some((source) => source.endsWith(functionSettings[name].entry))).toBe(true);
      expect(map.sourcesContent).toBeUndefined();
    });

    it('ships Swagger UI files with the api bundle (the docs route reads them from swagger-ui-dist at run time)', () => {
      const dir = path.join(assetDir('herald-api'), 'node_modules', 'swagger-ui-dist');
      for (const file of ['package.json', 'index.js', 'swagger-ui.css', 'swagger-ui-bundle.js', 'swagger-ui-standalone-preset.js']) {
        expect(existsSync(path.join(dir, file)), file).toBe(true);
      }
      // The other bundles carry only the packages loaded on first use.
      const topLevel = new Set(LAZY_PACKAGES.map((pkg) => pkg.split('/')[0]!));
      expect(readdirSync(path.join(assetDir('herald-send'), 'node_modules')).sort()).toEqual([...topLevel].sort());
    });

    it('ships the OpenAPI document beside the api bundle, and neither its generator nor its zod extension inside', () => {
      const dir = assetDir('herald-api');
      expect(JSON.parse(readFileSync(path.join(dir, OPENAPI_FILE), 'utf8'))).toEqual(generatedOpenApiDocument());
      const bundle = readFileSync(path.join(dir, 'index.js'), 'utf8');
      // Strings of @asteasolutions/zod-to-openapi (its generator and its `.openapi()`) and of functions/api/openapi.ts.
      for (const marker of ['No discriminator found for discriminated union', 'already exists in the registry', 'RFC 9457 problem documents']) {
        expect(bundle, marker).not.toContain(marker);
      }
    });

    it.each(handlers)('$functionName: ships the packages it loads on first use minified beside the bundle, not inside it', ({ functionName }) => {
      const dir = assetDir(functionName);
      const bundle = readFileSync(path.join(dir, 'index.js'), 'utf8');
      // A string each package holds and Herald's own code does not.
      const marker: Record<LazyPackage, string> = {
        liquidjs: 'TokenizationError',
        croner: 'Pattern has to be',
        // The DynamoDB persistence layer's: it is in the same file as the utility's main entry.
        '@aws-lambda-powertools/idempotency': 'Failed to update success record',
      };
      for (const pkg of LAZY_PACKAGES) {
        const shipped = readFileSync(path.join(dir, 'node_modules', pkg, 'index.js'), 'utf8');
        expect(shipped, pkg).toContain(marker[pkg]);
        expect(shipped.length / shipped.split('\n').length, pkg).toBeGreaterThan(1000);
        expect(bundle, pkg).not.toContain(marker[pkg]);
        // A subpath is that same file required again, not a second copy of the package.
        for (const subpath of lazySubpaths(pkg)) {
          expect(readFileSync(path.join(dir, 'node_modules', pkg, `${subpath}.js`), 'utf8').trim(), `${pkg}/${subpath}`).toBe(
            "module.exports = require('./index.js');",
          );
        }
      }
    });

    /** On Lambda the runtime provides the AWS SDK; here the project's node_modules, linked above the bundles, stand in for it. */
    const linkRuntimeSdk = () => {
      const sdk = path.join(herald.outdir, 'node_modules');
      if (!existsSync(sdk)) symlinkSync(path.resolve('node_modules'), sdk, 'dir');
    };

    /** A bundle loaded in a fresh process: the `@aws-sdk/*` packages it requires meanwhile (a hook on Node's module loader reads them), and whether it installed the stack mapping. */
    type Loaded = { sdk: string[]; stacksMapped: boolean };
    const loads = new Map<string, Loaded>();
    const loaded = (functionName: string) => {
      const known = loads.get(functionName);
      if (known) return known;
      linkRuntimeSdk();
      const file = path.join(assetDir(functionName), 'index.js');
      const script = [
        "const Module = require('node:module');",
        'const load = Module._load;',
        'const seen = new Set();',
        `Module._load = function (request, parent, ...rest) { if (parent?.filename === ${JSON.stringify(file)} && request.startsWith('@aws-sdk/')) seen.add(request); return load.call(this, request, parent, ...rest); };`,
        `require(${JSON.stringify(file)});`,
        'console.log(JSON.stringify({ sdk: [...seen].sort(), stacksMapped: typeof Error.prepareStackTrace === "function" }));',
      ].join('\n');
      const env = { PATH: process.env.PATH, AWS_REGION: 'us-east-1', ...withPlaceholders(variables(functionName)), LOG_LEVEL: 'ERROR' };
      const result = JSON.parse(execFileSync(process.execPath, ['-e', script], { env, encoding: 'utf8' }).trim().split('\n').at(-1)!) as Loaded;
      loads.set(functionName, result);
      return result;
    };

    it.each(handlers)('$functionName: the entry maps stack traces through its source map (functions/telemetry/stack-traces.ts)', ({ functionName }) => {
      expect(loaded(functionName).stacksMapped).toBe(true);
    });

    it('api loads the Scheduler and SQS clients only when a call schedules or queues; send the SQS client only when a chunk is held or retried; fanout, which queues on every page, at once', () => {
      const api = loaded('herald-api').sdk;
      expect(api).toContain('@aws-sdk/client-dynamodb');
      expect(api).not.toContain('@aws-sdk/client-scheduler');
      expect(api).not.toContain('@aws-sdk/client-sqs');
      const apiCode = readFileSync(path.join(assetDir('herald-api'), 'index.js'), 'utf8');
      expect(apiCode).toMatch(/require\(["']@aws-sdk\/client-scheduler["']\)/);
      expect(apiCode).toMatch(/require\(["']@aws-sdk\/client-sqs["']\)/);
      const send = loaded('herald-send').sdk;
      expect(send).toContain('@aws-sdk/client-dynamodb');
      expect(send).not.toContain('@aws-sdk/client-sqs');
      // Still in the bundle, behind its first use.
      expect(readFileSync(path.join(assetDir('herald-send'), 'index.js'), 'utf8')).toMatch(/require\(["']@aws-sdk\/client-sqs["']\)/);
      // The hook sees an SQS client loaded at once.
      expect(loaded('herald-fanout').sdk).toContain('@aws-sdk/client-sqs');
    });

    it('the bundles load under Node with the stack environment (no fetch globals), and the api answers /openapi.json, a docs asset, a template preview and keyed POSTs', async () => {
      // The keyed POSTs store their records in DynamoDB Local, through the Powertools idempotency shipped beside the bundle.
      const { idempotency: idempotencyTable } = await createTestTablesOf([tables.idempotency]);
      const script = path.join(herald.outdir, 'smoke.mjs');
      linkRuntimeSdk();
      writeFileSync(
        script,
        `
  const [api, ...others] = JSON.parse(process.argv[2]);
  const event = (p, httpMethod = 'GET', body = null) => ({
    httpMethod, path: p, resource: '/{proxy+}', pathParameters: { proxy: p.slice(1) }, stageVariables: null,
    headers: body ? { 'Content-Type': 'application/json' } : {}, multiValueHeaders: {}, queryStringParameters: null, multiValueQueryStringParameters: null,
    body, isBase64Encoded: false,
    requestContext: { path: '/v1' + p, stage: 'v1', httpMethod, requestId: 'smoke', resourcePath: '/{proxy+}', identity: { sourceIp: '127.0.0.1' } },
  });
  const context = { awsRequestId: 'smoke', functionName: 'herald-api', getRemainingTimeInMillis: () => 10000 };
  const { handler } = await import(api.url);
  const spec = await handler(event('/openapi.json'), context);
  // A request the schemas refuse, built by the bundle's zod without the OpenAPI extension (lib/bundling/zod-to-openapi.cjs).
  const refused = await handler(event('/clients', 'POST', JSON.stringify({ phone: '12' })), context);
  const css = await handler(event('/docs/swagger-ui.css'), context);
  // Renders with LiquidJS, which the bundle loads on first use from beside itself.
  const preview = await handler(event('/campaigns/preview', 'POST', JSON.stringify({ text: "Hi {{ name | default: 'friend' }}" })), context);
  // Powertools idempotency, loaded on the first keyed POST from beside the bundle: a repeat replays, another body with the key is refused.
  const keyed = (text) => { const request = event('/campaigns/preview', 'POST', JSON.stringify({ text })); request.headers['Idempotency-Key'] = 'smoke'; return request; };
  const shown = (answer) => [answer.statusCode, answer.headers?.['Idempotent-Replayed'] ?? null, JSON.parse(answer.body)];
  const keyedAnswers = [];
  for (const text of ['Hi {{ name }}', 'Hi {{ name }}', 'Bye']) keyedAnswers.push(shown(await handler(keyed(text), context)));
  const loaded = [];
  for (const other of others) {
    process.env = { ...process.env, ...other.env };
    loaded.push(typeof (await import(other.url)).handler);
  }
  console.log(JSON.stringify({ spec: [spec.statusCode, JSON.parse(spec.body)], refused: [refused.statusCode, JSON.parse(refused.body).errors], css: [css.statusCode, css.headers['Content-Type']], preview: [preview.statusCode, JSON.parse(preview.body).text], keyed: keyedAnswers, loaded, fetch: typeof fetch }));
  `,
      );
      const bundles = handlers.map(({ functionName }) => ({
        url: pathToFileURL(path.join(assetDir(functionName), 'index.js')).href,
        env: withPlaceholders(variables(functionName)),
      }));
      const output = execFileSync(process.execPath, [script, JSON.stringify(bundles)], {
        env: {
          PATH: process.env.PATH,
          AWS_REGION: 'us-east-1',
          ...bundles[0]!.env,
          IDEMPOTENCY_TABLE: idempotencyTable!,
          AWS_ENDPOINT_URL_DYNAMODB: dynamoEndpoint(),
          AWS_ACCESS_KEY_ID: 'local',
          AWS_SECRET_ACCESS_KEY: 'local',
          POWERTOOLS_DEV: 'false',
          LOG_LEVEL: 'ERROR',
        },
        encoding: 'utf8',
      });
      const result = JSON.parse(output.trim().split('\n').at(-1)!);
      expect(result.spec[0]).toBe(200);
      // The document generated at build time beside the bundle is the one `npm start` generates in process (same generator).
      expect(result.spec[1]).toEqual(openApiDocument('/v1'));
      expect(result.refused[0]).toBe(400);
      expect(result.refused[1]).toContainEqual(expect.objectContaining({ field: 'phone' }));
      expect(result.css).toEqual([200, 'text/css; charset=utf-8']);
      expect(result.preview).toEqual([200, 'Hi <name>']);
      const [first, repeat, reused] = result.keyed;
      expect(first.slice(0, 2)).toEqual([200, null]);
      expect(repeat).toEqual([200, 'true', first[2]]);
      // The 422 needs the persistence layer's error to be an instance of the main entry's class: one copy of the package.
      expect(reused[0]).toBe(422);
      expect(reused[2].errors).toEqual([expect.objectContaining({ field: 'Idempotency-Key' })]);
      expect(result.loaded).toEqual(handlers.slice(1).map(() => 'function'));
      // The stack's NODE_OPTIONS reached Node: the bundles loaded and answered without the fetch globals.
      expect(result.fetch).toBe('undefined');
    });

    describe('least privilege', () => {
      const statementsOf = (functionName: string) => statementsOfRole(herald.resources, fn(functionName).Properties.Role['Fn::GetAtt'][0]);
      const tableId = (name: TableName) => logicalId(herald.stack.data.table(name));
      const arnOf = (id: string) => ({ 'Fn::GetAtt': [id, 'Arn'] });
      /** Statements in a stable order, so a list can be compared whatever order the constructs granted in. */
      const sorted = (statements: Json[]) => [...statements].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
      const eventSourceActions = ['sqs:ReceiveMessage', 'sqs:ChangeMessageVisibility', 'sqs:GetQueueUrl', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes'];
      const logWrite = (functionName: string) => ({
        Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        Effect: 'Allow',
        Resource: arnOf(fn(functionName).Properties.LoggingConfig.LogGroup.Ref),
      });

      it('herald-send: exactly its log group, a read of campaigns, the chunk updates, the rate slots and suppression list, the token, its queue', () => {
        const { queues: pairs } = herald.stack.delivery;
        expect(sorted(statementsOf('herald-send'))).toEqual(
          sorted([
            logWrite('herald-send'),
            // A read, and only of the item: no write, no Query or Scan, no index.
            { Action: 'dynamodb:GetItem', Effect: 'Allow', Resource: arnOf(tableId('campaigns')) },
            // The claim and the outcome.
            { Action: 'dynamodb:UpdateItem', Effect: 'Allow', Resource: arnOf(tableId('messages')) },
            // The suppression list (a notice's client) and the rate slots.
            { Action: ['dynamodb:GetItem', 'dynamodb:UpdateItem'], Effect: 'Allow', Resource: arnOf(tableId('uniques')) },
            { Action: 'secretsmanager:GetSecretValue', Effect: 'Allow', Resource: { Ref: logicalId(herald.stack.providerToken.secret) } },
            // A held chunk goes back as a new delayed message.
            { Action: 'sqs:SendMessage', Effect: 'Allow', Resource: arnOf(logicalId(pairs.send.queue)) },
            { Action: eventSourceActions, Effect: 'Allow', Resource: arnOf(logicalId(pairs.send.queue)) },
          ]),
        );
      });

      it('herald-dead-letter: exactly its log group, the chunk updates and its queue; no campaign at all', () => {
        expect(sorted(statementsOf('herald-dead-letter'))).toEqual(
          sorted([
            logWrite('herald-dead-letter'),
            { Action: 'dynamodb:UpdateItem', Effect: 'Allow', Resource: arnOf(tableId('messages')) },
            { Action: eventSourceActions, Effect: 'Allow', Resource: arnOf(logicalId(herald.stack.delivery.queues.send.deadLetterQueue)) },
            { Action: eventSourceActions, Effect: 'Allow', Resource: arnOf(logicalId(herald.stack.delivery.queues.sendEmail.deadLetterQueue)) },
            { Action: eventSourceActions, Effect: 'Allow', Resource: arnOf(logicalId(herald.stack.delivery.queues.sendInapp.deadLetterQueue)) },
          ]),
        );
      });

      /** An SES resource of this stack's account and region: `identity/<name>` or `configuration-set/<name>`. */
      const sesArn = (resource: string) => ({
        'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':ses:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, `:${resource}`]],
      });

      it('herald-send-email: as herald-send, but SES instead of the provider token: SendEmail from its identity through its configuration set, the unsubscribe key', () => {
        const { queues: pairs } = herald.stack.delivery;
        expect(sorted(statementsOf('herald-send-email'))).toEqual(
          sorted([
            logWrite('herald-send-email'),
            { Action: 'dynamodb:GetItem', Effect: 'Allow', Resource: arnOf(tableId('campaigns')) },
            { Action: 'dynamodb:UpdateItem', Effect: 'Allow', Resource: arnOf(tableId('messages')) },
            { Action: ['dynamodb:GetItem', 'dynamodb:UpdateItem'], Effect: 'Allow', Resource: arnOf(tableId('uniques')) },
            { Action: 'secretsmanager:GetSecretValue', Effect: 'Allow', Resource: { Ref: logicalId(herald.stack.unsubscribeKey.secret) } },
            { Action: 'sqs:SendMessage', Effect: 'Allow', Resource: arnOf(logicalId(pairs.sendEmail.queue)) },
            { Action: eventSourceActions, Effect: 'Allow', Resource: arnOf(logicalId(pairs.sendEmail.queue)) },
            {
              Action: 'ses:SendEmail',
              Effect: 'Allow',
              // The address's identity or its domain's, whichever the operator verified; the stack's configuration set; that From only.
              Resource: [sesArn('identity/herald@example.com'), sesArn('identity/example.com'), sesArn('configuration-set/herald')],
              Condition: { StringEquals: { 'ses:FromAddress': 'herald@example.com' } },
            },
            // The account's MaxSendRate: GetAccount names no resource.
            { Action: 'ses:GetAccount', Effect: 'Allow', Resource: '*' },
          ]),
        );
      });

      it('herald-email-events: exactly its log group and the table actions its code makes (invoked by EventBridge: no queue)', () => {
        const statements = statementsOf('herald-email-events');
        expect(statements.filter((statement) => !asList(statement.Action as string | string[]).some((a) => a.startsWith('dynamodb:')))).toEqual([
          logWrite('herald-email-events'),
        ]);
      });

      it('only the SES event rule may invoke herald-email-events, and only from this account', () => {
        const permissions = resourcesOfType(herald.resources, 'AWS::Lambda::Permission').filter(([, permission]) =>
          JSON.stringify(permission.Properties.FunctionName).includes(functionIdByName(herald.resources, 'herald-email-events')),
        );
        expect(permissions.map(([, permission]) => [permission.Properties.Principal, permission.Properties.SourceArn])).toEqual([
          ['events.amazonaws.com', arnOf(logicalId(herald.stack.email.rule))],
        ]);
      });

      it('only the e-mail sender, the start timer (links) and the api (links, the unsubscribe routes) may read the unsubscribe key, each told where the links point', () => {
        const secretId = logicalId(herald.stack.unsubscribeKey.secret);
        for (const { functionName } of handlers) {
          const reads = statementsOf(functionName)
            .filter((statement) => referencedIds(statement.Resource).includes(secretId))
            .flatMap((statement) => asList(statement.Action));
          const signs = ['herald-send-email', 'herald-api', 'herald-start-timer'].includes(functionName);
          expect(reads, functionName).toEqual(signs ? ['secretsmanager:GetSecretValue'] : []);
          if (!signs) continue;
          const variables = herald.resources[functionIdByName(herald.resources, functionName)]!.Properties.Environment.Variables as Json;
          expect(variables.UNSUBSCRIBE_KEY_SECRET, functionName).toBe('herald/unsubscribe-key');
          // The API's own URL and stage: `{base}/unsubscribe/{token}` is its public route.
          expect(JSON.stringify(variables.PUBLIC_BASE_URL), functionName).toContain(logicalId(herald.stack.api.restApi));
          expect(JSON.stringify(variables.PUBLIC_BASE_URL), functionName).toContain('/v1');
        }
      });

      it('only the e-mail sender may call SES', () => {
        for (const { functionName } of handlers) {
          const ses = statementsOf(functionName)
            .flatMap((statement) => asList(statement.Action as string | string[]))
            .filter((action) => action.startsWith('ses:'));
          expect(ses, functionName).toEqual(functionName === 'herald-send-email' ? ['ses:SendEmail', 'ses:GetAccount'] : []);
        }
      });

      const everyItemAction = ['BatchGetItem', 'BatchWriteItem', 'ConditionCheckItem', 'DeleteItem', 'GetItem', 'PutItem', 'Query', 'Scan', 'UpdateItem'];
      /** DynamoDB actions by table; `index/*` marks a grant that also covers the table's indexes. */
      const expectedTables: Record<string, Partial<Record<TableName, string[]>>> = {
        'herald-api': {
          clients: [...everyItemAction, 'index/*'],
          uniques: everyItemAction,
          campaigns: [...everyItemAction, 'index/*'],
          messages: everyItemAction,
          idempotency: everyItemAction,
          inbox: everyItemAction,
          eventTypes: everyItemAction,
          events: everyItemAction,
          // Frames after an inbox change: the client's connections, a stale one deleted.
          connections: ['DeleteItem', 'Query'],
        },
        'herald-fanout': {
          clients: ['Query', 'Scan', 'index/*'],
          uniques: ['BatchGetItem', 'GetItem', 'PutItem', 'UpdateItem'],
          campaigns: ['ConditionCheckItem', 'GetItem', 'PutItem', 'UpdateItem'],
          messages: ['BatchWriteItem', 'GetItem', 'PutItem', 'Query'],
        },
        'herald-send': { campaigns: ['GetItem'], messages: ['UpdateItem'], uniques: ['GetItem', 'UpdateItem'] },
        'herald-send-email': { campaigns: ['GetItem'], messages: ['UpdateItem'], uniques: ['GetItem', 'UpdateItem'] },
        // One write of a message's chunk (its campaign's emailEvents follow through the tally), the suppression list, a complaint's client.
        'herald-email-events': {
          messages: ['UpdateItem'],
          uniques: ['BatchGetItem', 'ConditionCheckItem', 'GetItem', 'PutItem'],
          clients: ['GetItem', 'PutItem'],
        },
        'herald-send-inapp': {
          campaigns: ['GetItem'],
          messages: ['UpdateItem'],
          uniques: ['UpdateItem'],
          inbox: ['GetItem', 'PutItem'],
          connections: ['DeleteItem', 'Query'],
        },
        'herald-dead-letter': { messages: ['UpdateItem'] },
        // The messages table's stream, through the tally's event source (ListStreams takes no resource).
        // An event step follows its notice's outcome.
        'herald-tally': {
          campaigns: ['GetItem', 'UpdateItem'],
          uniques: ['UpdateItem'],
          messages: ['DescribeStream', 'GetRecords', 'GetShardIterator'],
          events: ['UpdateItem'],
        },
        // A due event step: its event, client, suppression entry, an earlier in-app item's read, notice id and notice.
        'herald-start-timer': {
          events: ['GetItem', 'UpdateItem'],
          clients: ['GetItem'],
          uniques: ['GetItem', 'UpdateItem'],
          messages: ['PutItem'],
          inbox: ['GetItem'],
        },
      };

      it.each(Object.keys(expectedTables))('%s: only the DynamoDB actions its code uses, table by table', (functionName) => {
        const tableNames = Object.fromEntries((Object.keys(tables) as TableName[]).map((name) => [tableId(name), name]));
        const access: Record<string, Set<string>> = {};
        for (const statement of statementsOf(functionName)) {
          const actions = asList(statement.Action as string | string[]).filter((action) => action.startsWith('dynamodb:') && action !== 'dynamodb:ListStreams');
          if (actions.length === 0) continue;
          for (const resource of asList(statement.Resource as Json)) {
            for (const table of referencedIds(resource).map((id) => tableNames[id])) {
              if (!table) continue;
              const granted = (access[table] ??= new Set());
              for (const action of actions) granted.add(action.slice('dynamodb:'.length));
              if (JSON.stringify(resource).includes('/index/*')) granted.add('index/*');
            }
          }
        }
        const granted = Object.fromEntries(Object.entries(access).map(([table, actions]) => [table, [...actions].sort()]));
        expect(granted).toEqual(Object.fromEntries(Object.entries(expectedTables[functionName]!).map(([table, actions]) => [table, [...actions].sort()])));
      });

      it('no IAM statement grants every action, or every action of DynamoDB, SQS, Secrets Manager or Scheduler', () => {
        const policies = resourcesOfType(herald.resources, 'AWS::IAM::Policy').filter(([id]) => !isBucketDeploymentResource(id));
        for (const [id, policy] of policies) {
          for (const statement of policy.Properties.PolicyDocument.Statement as Json[]) {
            for (const action of asList(statement.Action as string | string[])) {
              expect(action, id).not.toBe('*');
              expect(action, id).not.toMatch(/^(dynamodb|sqs|secretsmanager|scheduler|iam):\*$/);
              expect(action, id).not.toMatch(/\*$/);
            }
          }
        }
      });

      it('only the send function may read the provider token secret', () => {
        const secretId = logicalId(herald.stack.providerToken.secret);
        for (const { functionName } of handlers) {
          const reads = statementsOf(functionName).filter((statement) => referencedIds(statement.Resource).includes(secretId));
          if (functionName === 'herald-send') {
            // GetSecretValue alone: Powertools' getSecret makes no other call.
            expect(reads.flatMap((statement) => asList(statement.Action))).toEqual(['secretsmanager:GetSecretValue']);
          } else expect(reads, functionName).toEqual([]);
        }
      });

      it('queues: api sends starts and notices; fanout sends pages and chunks; send consumes and delays its own queue', () => {
        const { queues: pairs } = herald.stack.delivery;
        const actionsOn = (functionName: string, queue: Parameters<typeof logicalId>[0]) =>
          statementsOf(functionName)
            .filter((statement) => referencedIds(statement.Resource).includes(logicalId(queue)))
            .flatMap((statement) => asList(statement.Action as string | string[]));
        expect(actionsOn('herald-api', pairs.fanout.queue)).toContain('sqs:SendMessage');
        // Notices (POST /notices) go straight onto the send queue: sending, and nothing else.
        expect(actionsOn('herald-api', pairs.send.queue).filter((action) => !action.startsWith('kms:'))).toEqual([
          'sqs:SendMessage',
          'sqs:GetQueueAttributes',
          'sqs:GetQueueUrl',
        ]);
        expect(actionsOn('herald-api', pairs.send.deadLetterQueue)).toEqual([]);
        expect(actionsOn('herald-fanout', pairs.fanout.queue)).toEqual(expect.arrayContaining(['sqs:SendMessage', 'sqs:ReceiveMessage']));
        expect(actionsOn('herald-fanout', pairs.send.queue)).toContain('sqs:SendMessage');
        expect(actionsOn('herald-send', pairs.send.queue)).toEqual(
          // SendMessage: a chunk held by a pause or a send window goes back as a new delayed message.
          expect.arrayContaining(['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:ChangeMessageVisibility', 'sqs:SendMessage']),
        );
        expect(actionsOn('herald-send', pairs.fanout.queue)).toEqual([]);
        expect(actionsOn('herald-dead-letter', pairs.send.deadLetterQueue)).toContain('sqs:ReceiveMessage');
      });

      it.each(handlers)('$functionName: writes logs only to its own log group, no managed policy', ({ functionName }) => {
        const role = herald.resources[fn(functionName).Properties.Role['Fn::GetAtt'][0]]!;
        expect(role.Properties.ManagedPolicyArns).toBeUndefined();
        const logStatements = statementsOf(functionName).filter((statement) =>
          asList(statement.Action as string | string[]).some((a) => a.startsWith('logs:')),
        );
        expect(logStatements).toHaveLength(1);
        expect(logStatements[0]!.Resource).toEqual({ 'Fn::GetAtt': [fn(functionName).Properties.LoggingConfig.LogGroup.Ref, 'Arn'] });
      });
    });
  });
}
