import { beforeAll, describe, expect, it } from 'vitest';
import { functionIdByName, logicalId, resourcesOfType, type Json, type SynthesizedHerald } from '../fixture.js';

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
      ).toEqual(['ANY /', 'ANY /{proxy+}', ...publicRoutes].sort());
    });

    it('requires AWS_IAM (SigV4) on every method except CORS preflights, GET /docs, its assets, GET /openapi.json and GET and POST /unsubscribe/{token}', () => {
      for (const [route, method] of routes()) {
        expect(method.Properties.AuthorizationType, route).toBe(publicRoutes.includes(route) ? 'NONE' : 'AWS_IAM');
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
        ).toEqual(['/', '/docs', '/docs/{proxy+}', '/openapi.json', '/unsubscribe', '/unsubscribe/{token}', '/{proxy+}']);
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
        for (const [route, method] of preflights()) {
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
      const responses = resourcesOfType(herald.resources, 'AWS::ApiGateway::GatewayResponse').map(([, response]) => response.Properties);
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
