import { beforeAll, describe, expect, it } from 'vitest';
import { functionIdByName, logicalId, referencedIds, resourcesOfType, statementsOfRole, type Json, type SynthesizedHerald } from '../fixture.js';

/** `GET /docs/{proxy+}`-style keys for every API Gateway method in the template. */
function methodsByRoute(resources: Record<string, Json>, restApiId: string): Map<string, Json> {
  const pathOf = (resourceRef: Json): string => {
    if (resourceRef['Fn::GetAtt']?.[0] === restApiId && resourceRef['Fn::GetAtt'][1] === 'RootResourceId') return '';
    const resource = resources[resourceRef.Ref]!;
    return `${pathOf(resource.Properties.ParentId)}/${resource.Properties.PathPart}`;
  };
  return new Map(
    resourcesOfType(resources, 'AWS::ApiGateway::Method').map(([, method]) => [
      `${method.Properties.HttpMethod} ${pathOf(method.Properties.ResourceId) || '/'}`,
      method,
    ]),
  );
}

const documentation = ['GET /openapi.json', 'GET /docs', 'GET /docs/{proxy+}'];
/** An e-mail's unsubscribe link, followed from a mail client: its signed token is the authorization. */
const unsubscribe = ['GET /unsubscribe/{token}', 'POST /unsubscribe/{token}'];
const publicRoutes = [...documentation, ...unsubscribe];
/** The end user's inbox (functions/api/routes/inbox.ts): a bearer inbox token, checked by the REQUEST authorizer. */
const inboxRoutes = [
  'GET /inbox',
  'GET /inbox/count',
  'POST /inbox/read-all',
  'DELETE /inbox/{itemId}',
  'POST /inbox/{itemId}/read',
  'POST /inbox/{itemId}/unread',
];
const inboxPaths = ['/inbox', '/inbox/count', '/inbox/read-all', '/inbox/{itemId}', '/inbox/{itemId}/read', '/inbox/{itemId}/unread'];
/** The stack context `inboxOrigins` stack.test.ts synthesizes with. */
export const INBOX_ORIGINS = ['https://shop.example.com', 'https://app.example.org:8443'];

/** Registered by stack.test.ts, which synthesizes the stack once for all of them. */
export function apiCases(synthesized: () => SynthesizedHerald): void {
  describe('REST API', () => {
    let herald: SynthesizedHerald;
    let methods: Map<string, Json>;
    let restApiId: string;
    beforeAll(() => {
      herald = synthesized();
      restApiId = logicalId(herald.stack.api.restApi);
      methods = methodsByRoute(herald.resources, restApiId);
    });

    const stage = (): Json => resourcesOfType(herald.resources, 'AWS::ApiGateway::Stage')[0]![1];

    it('passes Swagger UI favicons through as binary', () => {
      expect(herald.resources[restApiId]!.Properties.BinaryMediaTypes).toEqual(['image/png']);
    });

    const routes = (): [string, Json][] => [...methods].filter(([route]) => !route.startsWith('OPTIONS '));
    const preflights = (): [string, Json][] => [...methods].filter(([route]) => route.startsWith('OPTIONS '));

    it('routes everything to the api function: ANY on / and /{proxy+}, plus the public documentation and unsubscribe routes', () => {
      expect(
        routes()
          .map(([route]) => route)
          .sort(),
      ).toEqual(['ANY /', 'ANY /{proxy+}', ...publicRoutes, ...inboxRoutes].sort());
    });

    it('requires AWS_IAM (SigV4) on every method except CORS preflights, GET /docs, its assets, GET /openapi.json, GET and POST /unsubscribe/{token} and the inbox routes', () => {
      for (const [route, method] of routes()) {
        const expected = publicRoutes.includes(route) ? 'NONE' : inboxRoutes.includes(route) ? 'CUSTOM' : 'AWS_IAM';
        expect(method.Properties.AuthorizationType, route).toBe(expected);
      }
      expect([...methods.values()].filter((method) => method.Properties.AuthorizationType === 'AWS_IAM').length).toBe(2);
    });

    it('the unsubscribe routes take their token from the path, and no other method on it is routed (the gateway refuses it, unsigned or not)', () => {
      for (const route of unsubscribe) expect(methods.get(route)!.Properties.RequestParameters, route).toEqual({ 'method.request.path.token': true });
      expect([...methods.keys()].filter((route) => route.includes('/unsubscribe')).sort()).toEqual(
        [...unsubscribe, 'OPTIONS /unsubscribe', 'OPTIONS /unsubscribe/{token}'].sort(),
      );
    });

    it('every route is a Lambda proxy integration of the api function', () => {
      const apiFunctionId = functionIdByName(herald.resources, 'herald-api');
      for (const [route, method] of routes()) {
        const integration = method.Properties.Integration;
        expect(integration.Type, route).toBe('AWS_PROXY');
        expect(integration.IntegrationHttpMethod, route).toBe('POST');
        expect(JSON.stringify(integration.Uri), route).toContain(`"${apiFunctionId}","Arn"`);
      }
    });

    it('every route goes through the request validator (parameters and body)', () => {
      const [[validatorId, validator]] = resourcesOfType(herald.resources, 'AWS::ApiGateway::RequestValidator') as [[string, Json]];
      expect(validator.Properties).toMatchObject({ ValidateRequestBody: true, ValidateRequestParameters: true, RestApiId: { Ref: restApiId } });
      for (const [route, method] of routes()) expect(method.Properties.RequestValidatorId, route).toEqual({ Ref: validatorId });
    });

    describe('CORS for the admin app on CloudFront', () => {
      const distributionDomain = () => ({ 'Fn::GetAtt': [logicalId(herald.stack.admin.distribution), 'DomainName'] });

      it('answers a preflight on every resource', () => {
        expect(
          preflights()
            .map(([route]) => route.replace('OPTIONS ', ''))
            .sort(),
        ).toEqual(['/', '/docs', '/docs/{proxy+}', '/openapi.json', '/unsubscribe', '/unsubscribe/{token}', '/{proxy+}', ...inboxPaths].sort());
      });

      it('preflights are answered by API Gateway itself (a mock, no function, no data): unsigned, since a browser cannot sign them', () => {
        for (const [route, method] of preflights()) {
          expect(method.Properties.AuthorizationType, route).toBe('NONE');
          expect(method.Properties.Integration.Type, route).toBe('MOCK');
          expect(JSON.stringify(method.Properties.Integration), route).not.toContain('Lambda');
          expect(method.Properties.Integration.RequestTemplates, route).toEqual({ 'application/json': '{ statusCode: 200 }' });
        }
      });

      it('allow only the distribution as origin, SigV4 and the app headers, and the methods of the API', () => {
        for (const [route, method] of preflights().filter(([key]) => !inboxPaths.includes(key.replace('OPTIONS ', '')))) {
          const [response] = method.Properties.Integration.IntegrationResponses as Json[];
          const headers = response!.ResponseParameters as Json;
          expect(headers['method.response.header.Access-Control-Allow-Origin'], route).toEqual({ 'Fn::Join': ['', ["'https://", distributionDomain(), "'"]] });
          expect(headers['method.response.header.Access-Control-Allow-Headers'], route).toBe(
            "'authorization,content-type,idempotency-key,x-amz-date,x-amz-security-token'",
          );
          expect(headers['method.response.header.Access-Control-Allow-Methods'], route).toBe("'GET,POST,PUT,PATCH,DELETE'");
          expect(headers['method.response.header.Access-Control-Allow-Credentials'], route).toBeUndefined();
        }
      });

      it('tells the api function the origin to name in its answers (CORS_ALLOWED_ORIGIN)', () => {
        const fn = herald.resources[functionIdByName(herald.resources, 'herald-api')]!;
        expect(fn.Properties.Environment.Variables.CORS_ALLOWED_ORIGIN).toEqual({ 'Fn::Join': ['', ['https://', distributionDomain()]] });
      });
    });

    describe("the end user's inbox routes: a bearer inbox token, not SigV4", () => {
      const authorizers = () => resourcesOfType(herald.resources, 'AWS::ApiGateway::Authorizer');

      it('one REQUEST authorizer, the inbox-authorizer function, reading the Authorization header, its answer cached a minute at most', () => {
        expect(authorizers()).toHaveLength(1);
        const [, authorizer] = authorizers()[0]!;
        expect(authorizer.Properties).toMatchObject({
          Type: 'REQUEST',
          IdentitySource: 'method.request.header.Authorization',
          RestApiId: { Ref: restApiId },
        });
        expect(authorizer.Properties.AuthorizerResultTtlInSeconds).toBeLessThanOrEqual(60);
        expect(referencedIds(authorizer.Properties.AuthorizerUri)).toContain(functionIdByName(herald.resources, 'herald-inbox-authorizer'));
      });

      it('each inbox route, and no other, goes through that authorizer; no inbox route takes AWS_IAM or NONE', () => {
        const [[authorizerId]] = authorizers() as [[string, Json]];
        for (const [route, method] of routes()) {
          if (inboxRoutes.includes(route)) expect(method.Properties, route).toMatchObject({ AuthorizationType: 'CUSTOM', AuthorizerId: { Ref: authorizerId } });
          else expect(method.Properties.AuthorizerId, route).toBeUndefined();
        }
        expect([...methods.keys()].filter((route) => route.includes(' /inbox') && !route.startsWith('OPTIONS ')).sort()).toEqual([...inboxRoutes].sort());
      });

      it('the item routes take their item id from the path', () => {
        for (const route of inboxRoutes.filter((key) => key.includes('{itemId}'))) {
          expect(methods.get(route)!.Properties.RequestParameters, route).toEqual({ 'method.request.path.itemId': true });
        }
      });

      it("preflights answer the stack's inboxOrigins (each, and no other), with the bearer header and the inbox methods", () => {
        for (const path of inboxPaths) {
          const method = methods.get(`OPTIONS ${path}`)!;
          expect(method.Properties.AuthorizationType, path).toBe('NONE');
          expect(method.Properties.Integration.Type, path).toBe('MOCK');
          const [response] = method.Properties.Integration.IntegrationResponses as Json[];
          const headers = response!.ResponseParameters as Json;
          // API Gateway states one origin; the template names the request's when it is another of the list.
          expect(headers['method.response.header.Access-Control-Allow-Origin'], path).toBe(`'${INBOX_ORIGINS[0]}'`);
          expect(headers['method.response.header.Vary'], path).toBe("'Origin'");
          const template = response!.ResponseTemplates['application/json'] as string;
          for (const origin of INBOX_ORIGINS.slice(1)) expect(template, path).toContain(origin);
          expect(template, path).not.toContain('cloudfront');
          expect(headers['method.response.header.Access-Control-Allow-Headers'], path).toBe("'Authorization,Content-Type'");
          expect(headers['method.response.header.Access-Control-Allow-Methods'], path).toBe("'GET,POST,DELETE'");
          expect(headers['method.response.header.Access-Control-Allow-Credentials'], path).toBeUndefined();
        }
      });

      it("the authorizer's 401 is problem+json the calling site may read (it names the request's origin)", () => {
        const unauthorized = resourcesOfType(herald.resources, 'AWS::ApiGateway::GatewayResponse').filter(
          ([, response]) => response.Properties.ResponseType === 'UNAUTHORIZED',
        );
        expect(unauthorized).toHaveLength(1);
        expect(unauthorized[0]![1].Properties.ResponseParameters).toEqual({
          'gatewayresponse.header.Content-Type': "'application/problem+json'",
          'gatewayresponse.header.Access-Control-Allow-Origin': 'method.request.header.Origin',
          'gatewayresponse.header.Vary': "'Origin'",
        });
      });

      it('tells the api function the inbox origins (INBOX_ORIGINS), as its config parses them', () => {
        const fn = herald.resources[functionIdByName(herald.resources, 'herald-api')]!;
        expect(fn.Properties.Environment.Variables.INBOX_ORIGINS).toBe(INBOX_ORIGINS.join(','));
      });

      it('the authorizer function may write its logs and read the inbox token key, nothing else', () => {
        const fn = herald.resources[functionIdByName(herald.resources, 'herald-inbox-authorizer')]!;
        expect(Object.keys(fn.Properties.Environment.Variables).filter((key) => !/^(NODE_OPTIONS|POWERTOOLS_|LOG_LEVEL)/.test(key))).toEqual([
          'INBOX_TOKEN_SECRET',
        ]);
        const role = herald.resources[fn.Properties.Role['Fn::GetAtt'][0]]!;
        expect(role.Properties.ManagedPolicyArns ?? []).toEqual([]);
        const statements = statementsOfRole(herald.resources, fn.Properties.Role['Fn::GetAtt'][0]);
        const secretId = logicalId(herald.stack.realtime.inboxTokenKey.secret);
        const logGroupId = fn.Properties.LoggingConfig.LogGroup.Ref as string;
        for (const statement of statements) {
          const targets = referencedIds(statement.Resource);
          expect(targets.length, JSON.stringify(statement)).toBeGreaterThan(0);
          expect(
            targets.every((id) => id === secretId || id === logGroupId),
            JSON.stringify(statement),
          ).toBe(true);
        }
        expect(statements.filter((statement) => referencedIds(statement.Resource).includes(secretId))).toEqual([
          { Action: 'secretsmanager:GetSecretValue', Effect: 'Allow', Resource: { Ref: secretId } },
        ]);
      });
    });

    it('throttles the stage and logs errors without request bodies', () => {
      expect(stage().Properties.MethodSettings).toEqual([
        {
          HttpMethod: '*',
          ResourcePath: '/*',
          ThrottlingRateLimit: 50,
          ThrottlingBurstLimit: 100,
          LoggingLevel: 'ERROR',
          DataTraceEnabled: false,
        },
      ]);
      expect(stage().Properties.StageName).toBe('v1');
    });

    it('writes JSON access logs to its own log group', () => {
      const accessLogGroupId = logicalId(herald.stack.api.accessLogGroup);
      const setting = stage().Properties.AccessLogSetting;
      expect(setting.DestinationArn).toEqual({ 'Fn::GetAtt': [accessLogGroupId, 'Arn'] });
      const format = JSON.parse(setting.Format) as Record<string, string>;
      expect(format).toMatchObject({
        requestId: '$context.requestId',
        caller: '$context.identity.userArn',
        httpMethod: '$context.httpMethod',
        status: '$context.status',
        integrationLatency: '$context.integrationLatency',
      });
      expect(herald.resources[accessLogGroupId]!.Properties).toMatchObject({
        LogGroupName: '/aws/apigateway/herald-access',
        RetentionInDays: 30,
      });
    });

    it('lets API Gateway write those logs (account CloudWatch role)', () => {
      herald.template.resourceCountIs('AWS::ApiGateway::Account', 1);
    });

    it('answers its own errors (missing signature, throttled, too large) as problem+json', () => {
      const responses = resourcesOfType(herald.resources, 'AWS::ApiGateway::GatewayResponse')
        .map(([, response]) => response.Properties)
        .filter((response) => response.ResponseType !== 'UNAUTHORIZED');
      expect(responses.map((response) => response.ResponseType).sort()).toEqual(['DEFAULT_4XX', 'DEFAULT_5XX']);
      for (const response of responses) {
        expect(response.ResponseParameters).toEqual({
          'gatewayresponse.header.Content-Type': "'application/problem+json'",
          // The admin app reads these errors too (an expired signature is a gateway 403).
          'gatewayresponse.header.Access-Control-Allow-Origin': {
            'Fn::Join': ['', ["'https://", { 'Fn::GetAtt': [logicalId(herald.stack.admin.distribution), 'DomainName'] }, "'"]],
          },
        });
        const template = response.ResponseTemplates['application/json'] as string;
        // VTL: the message arrives already quoted, so fill it with a sample before parsing the JSON.
        const rendered = JSON.parse(template.replace('$context.error.messageString', '"Missing Authentication Token"'));
        expect(rendered).toMatchObject({ type: 'about:blank', title: '$context.error.responseType', detail: 'Missing Authentication Token' });
      }
    });

    it('is regional and prints its URL once, as ApiUrl', () => {
      herald.template.hasResourceProperties('AWS::ApiGateway::RestApi', { Name: 'herald', EndpointConfiguration: { Types: ['REGIONAL'] } });
      const outputs = Object.keys(herald.json.Outputs as Json);
      expect(outputs).toContain('ApiUrl');
      expect(outputs.filter((name) => name.startsWith('ApiRestApiEndpoint'))).toEqual([]);
    });
  });
}
