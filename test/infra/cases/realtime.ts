import { execFileSync } from 'node:child_process';
import { existsSync, symlinkSync } from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import * as z from 'zod/mini';
import { beforeAll, describe, expect, it } from 'vitest';
import { wsAuthorizerEnvSchema, wsConnectionsEnvSchema, wsDefaultEnvSchema } from '../../../functions/adapters/config.js';
import { functionSettings, type WebSocketFunctionName } from '../../../functions/definitions/functions.js';
import { asList, functionIdByName, logicalId, referencedIds, resourcesOfType, statementsOfRole, type Json, type SynthesizedHerald } from '../fixture.js';

const wsFunctions: { name: WebSocketFunctionName; functionName: string; schema: z.ZodMiniObject }[] = [
  { name: 'wsAuthorizer', functionName: 'herald-ws-authorizer', schema: wsAuthorizerEnvSchema },
  { name: 'wsConnect', functionName: 'herald-ws-connect', schema: wsConnectionsEnvSchema },
  { name: 'wsDisconnect', functionName: 'herald-ws-disconnect', schema: wsConnectionsEnvSchema },
  { name: 'wsDefault', functionName: 'herald-ws-default', schema: wsDefaultEnvSchema },
];

/** Registered by stack.test.ts, which synthesizes the stack once for all of them. */
export function realtimeCases(synthesized: () => SynthesizedHerald): void {
  describe('WebSocket API', () => {
    let herald: SynthesizedHerald;
    beforeAll(() => {
      herald = synthesized();
    });

    const fn = (functionName: string): Json => herald.resources[functionIdByName(herald.resources, functionName)]!;
    const statementsOf = (functionName: string) => statementsOfRole(herald.resources, fn(functionName).Properties.Role['Fn::GetAtt'][0]);
    const apiId = () => logicalId(herald.stack.realtime.api);
    const routes = () =>
      new Map(resourcesOfType(herald.resources, 'AWS::ApiGatewayV2::Route').map(([, route]) => [route.Properties.RouteKey as string, route]));
    /** The function a route's Lambda integration invokes. */
    const targetOf = (route: Json): string => {
      const integration = herald.resources[(route.Properties.Target['Fn::Join'][1] as Json[]).find((part) => part.Ref)!.Ref]!;
      const functionIds = resourcesOfType(herald.resources, 'AWS::Lambda::Function').map(([id]) => id);
      return referencedIds(integration.Properties.IntegrationUri).find((id) => functionIds.includes(id))!;
    };

    it('is a WebSocket API with $connect, $disconnect and $default, each on its own function', () => {
      const api = herald.resources[apiId()]!.Properties;
      expect(api.ProtocolType).toBe('WEBSOCKET');
      expect(api.RouteSelectionExpression).toBe('$request.body.action');
      expect([...routes().keys()].sort()).toEqual(['$connect', '$default', '$disconnect']);
      expect(targetOf(routes().get('$connect')!)).toBe(functionIdByName(herald.resources, 'herald-ws-connect'));
      expect(targetOf(routes().get('$disconnect')!)).toBe(functionIdByName(herald.resources, 'herald-ws-disconnect'));
      expect(targetOf(routes().get('$default')!)).toBe(functionIdByName(herald.resources, 'herald-ws-default'));
    });

    it('$connect alone has a REQUEST authorizer, the ws-authorizer function, reading the `token` query value', () => {
      const authorizers = resourcesOfType(herald.resources, 'AWS::ApiGatewayV2::Authorizer');
      expect(authorizers).toHaveLength(1);
      const [authorizerId, authorizer] = authorizers[0]!;
      expect(authorizer.Properties).toMatchObject({ AuthorizerType: 'REQUEST', IdentitySource: ['route.request.querystring.token'] });
      expect(referencedIds(authorizer.Properties.AuthorizerUri)).toContain(functionIdByName(herald.resources, 'herald-ws-authorizer'));
      expect(routes().get('$connect')!.Properties).toMatchObject({ AuthorizationType: 'CUSTOM', AuthorizerId: { Ref: authorizerId } });
      for (const key of ['$disconnect', '$default']) expect(routes().get(key)!.Properties.AuthorizationType ?? 'NONE', key).toBe('NONE');
    });

    it('a stage that deploys itself, throttled, with access logs that leave out the query string (the token)', () => {
      const [, stage] = resourcesOfType(herald.resources, 'AWS::ApiGatewayV2::Stage')[0]!;
      expect(stage.Properties).toMatchObject({
        StageName: 'v1',
        AutoDeploy: true,
        DefaultRouteSettings: { ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 },
      });
      const format = stage.Properties.AccessLogSettings.Format as string;
      expect(JSON.parse(format)).toMatchObject({
        connectionId: '$context.connectionId',
        routeKey: '$context.routeKey',
        clientId: '$context.authorizer.principalId',
      });
      expect(format).not.toMatch(/querystring|requestOverride|\$input|\$request/i);
    });

    it('the connections table: client id and connection id, with TTL', () => {
      const table = herald.resources[logicalId(herald.stack.data.table('connections'))]!.Properties;
      expect(table.KeySchema).toEqual([
        { AttributeName: 'clientId', KeyType: 'HASH' },
        { AttributeName: 'connectionId', KeyType: 'RANGE' },
      ]);
      expect(table.TimeToLiveSpecification).toEqual({ AttributeName: 'expiration', Enabled: true });
    });

    it.each(wsFunctions)(
      '$functionName: memory and timeout from functionSettings; its environment holds exactly what its schema reads',
      ({ name, functionName, schema }) => {
        const properties = fn(functionName).Properties;
        expect(properties.MemorySize).toBe(functionSettings[name].memoryMb);
        expect(properties.Timeout).toBe(functionSettings[name].timeoutSeconds);
        const own = Object.keys(properties.Environment.Variables).filter((key) => !/^(NODE_OPTIONS|POWERTOOLS_|LOG_LEVEL)/.test(key));
        expect(own.sort()).toEqual(Object.keys(schema.shape).sort());
      },
    );

    const connectionsArn = () => ({ 'Fn::GetAtt': [logicalId(herald.stack.data.table('connections')), 'Arn'] });
    const actionsOf = (functionName: string, prefix: string) =>
      statementsOf(functionName)
        .flatMap((statement) => asList(statement.Action as string | string[]))
        .filter((action) => action.startsWith(prefix))
        .sort();

    it('least privilege: $connect puts and $disconnect deletes a connection, and nothing else of DynamoDB', () => {
      for (const [functionName, action] of [
        ['herald-ws-connect', 'dynamodb:PutItem'],
        ['herald-ws-disconnect', 'dynamodb:DeleteItem'],
      ] as const) {
        const dynamo = statementsOf(functionName).filter((statement) => asList(statement.Action).some((a: string) => a.startsWith('dynamodb:')));
        expect(dynamo, functionName).toEqual([{ Action: action, Effect: 'Allow', Resource: connectionsArn() }]);
      }
      expect(actionsOf('herald-ws-authorizer', 'dynamodb:')).toEqual([]);
      expect(actionsOf('herald-ws-default', 'dynamodb:')).toEqual([]);
      // The api reads a client's connections and deletes a stale one; nothing more of the table.
      const api = statementsOf('herald-api').filter((statement) =>
        referencedIds(statement.Resource).includes(logicalId(herald.stack.data.table('connections'))),
      );
      expect(api.flatMap((statement) => asList(statement.Action)).sort()).toEqual(['dynamodb:DeleteItem', 'dynamodb:Query']);
    });

    it("execute-api:ManageConnections only on this stage's @connections, and only for the functions that push frames", () => {
      const pushers = ['herald-api', 'herald-send-inapp', 'herald-ws-default'];
      const expected = {
        'Fn::Join': [
          '',
          [
            'arn:',
            { Ref: 'AWS::Partition' },
            ':execute-api:',
            { Ref: 'AWS::Region' },
            ':',
            { Ref: 'AWS::AccountId' },
            ':',
            { Ref: apiId() },
            '/v1/*/@connections/*',
          ],
        ],
      };
      const functions = resourcesOfType(herald.resources, 'AWS::Lambda::Function')
        .map(([, f]) => f.Properties.FunctionName as string)
        .filter((name) => name?.startsWith('herald-'));
      for (const functionName of functions) {
        const manage = statementsOf(functionName).filter((statement) =>
          asList(statement.Action as string | string[]).some((a) => a.startsWith('execute-api:')),
        );
        if (pushers.includes(functionName)) {
          expect(manage, functionName).toEqual([{ Action: 'execute-api:ManageConnections', Effect: 'Allow', Resource: expected }]);
          expect(fn(functionName).Properties.Environment.Variables.WS_CONNECTIONS_ENDPOINT, functionName).toBeDefined();
        } else expect(manage, functionName).toEqual([]);
      }
    });

    it('the inbox token key: a generated secret, read only by the two authorizers (WebSocket, REST inbox routes) and the api', () => {
      const secretId = logicalId(herald.stack.realtime.inboxTokenKey.secret);
      const secret = herald.resources[secretId]!.Properties;
      expect(secret).toMatchObject({ Name: 'herald/inbox-token-key', GenerateSecretString: { PasswordLength: 64 } });
      expect(secret.SecretString).toBeUndefined();
      const functions = resourcesOfType(herald.resources, 'AWS::Lambda::Function')
        .map(([, f]) => f.Properties.FunctionName as string)
        .filter((name) => name?.startsWith('herald-'));
      const readers = functions.filter((functionName) => statementsOf(functionName).some((statement) => referencedIds(statement.Resource).includes(secretId)));
      expect(readers.sort()).toEqual(['herald-api', 'herald-inbox-authorizer', 'herald-ws-authorizer']);
      for (const functionName of readers) {
        expect(actionsOf(functionName, 'secretsmanager:'), functionName).toContain('secretsmanager:GetSecretValue');
        expect(fn(functionName).Properties.Environment.Variables.INBOX_TOKEN_SECRET).toBe('herald/inbox-token-key');
      }
    });

    it('the bundles load with the stack environment; the authorizer refuses a missing token and $default ignores a non-ping without a call to AWS', () => {
      // The AWS SDK is the Lambda runtime's: the project's node_modules, linked above the bundles, stand in for it.
      const sdk = path.join(herald.outdir, 'node_modules');
      if (!existsSync(sdk)) symlinkSync(path.resolve('node_modules'), sdk, 'dir');
      const bundle = (functionName: string) => {
        const key = fn(functionName).Properties.Code.S3Key as string;
        return pathToFileURL(path.join(herald.outdir, `asset.${key.replace(/\.zip$/, '')}`, 'index.js')).href;
      };
      const script = `
        const [authorizer, fallback, ...others] = JSON.parse(process.argv[1]);
        const refused = await (await import(authorizer)).handler({ type: 'REQUEST', methodArn: 'arn', queryStringParameters: {} }).then(() => 'allowed', (error) => error.message);
        const ignored = await (await import(fallback)).handler({ body: 'hello', isBase64Encoded: false, requestContext: { connectionId: 'c', routeKey: '$default' } });
        const loaded = [];
        for (const other of others) loaded.push(typeof (await import(other)).handler);
        console.log(JSON.stringify({ refused, ignored, loaded }));`;
      const names = ['herald-ws-authorizer', 'herald-ws-default', 'herald-ws-connect', 'herald-ws-disconnect', 'herald-inbox-authorizer'];
      const env = Object.assign({}, ...names.map((name) => fn(name).Properties.Environment.Variables as Record<string, unknown>));
      const placeholders = Object.fromEntries(
        Object.entries(env).map(([key, value]) => [key, typeof value === 'string' ? value : `https://deploy-time.example/${key}`]),
      );
      const output = execFileSync(process.execPath, ['--input-type=module', '-e', script, JSON.stringify(names.map(bundle))], {
        env: { PATH: process.env.PATH, AWS_REGION: 'us-east-1', ...placeholders, LOG_LEVEL: 'ERROR' },
        encoding: 'utf8',
      });
      expect(JSON.parse(output.trim().split('\n').at(-1)!)).toEqual({
        refused: 'Unauthorized',
        ignored: { statusCode: 200 },
        loaded: ['function', 'function', 'function'],
      });
    });

    it('the admin app connects its <herald-inbox> to the stage URL, printed as InboxWebSocketUrl', () => {
      expect(herald.json.Outputs.InboxWebSocketUrl.Value).toEqual(herald.stack.resolve(herald.stack.realtime.url));
      expect(JSON.stringify(herald.stack.resolve(herald.stack.realtime.url))).toContain('wss://');
    });
  });
}
