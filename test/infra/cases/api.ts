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

const publicRoutes = ['GET /openapi.json', 'GET /docs', 'GET /docs/{proxy+}'];

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

    it('routes everything to the api function: ANY on / and /{proxy+}, plus the public documentation routes', () => {
      expect([...methods.keys()].sort()).toEqual(['ANY /', 'ANY /{proxy+}', ...publicRoutes].sort());
    });

    it('requires AWS_IAM (SigV4) on every method except GET /docs, its assets and GET /openapi.json', () => {
      for (const [route, method] of methods) {
        expect(method.Properties.AuthorizationType, route).toBe(publicRoutes.includes(route) ? 'NONE' : 'AWS_IAM');
      }
      expect([...methods.values()].filter((method) => method.Properties.AuthorizationType === 'AWS_IAM').length).toBe(2);
    });

    it('every method is a Lambda proxy integration of the api function', () => {
      const apiFunctionId = functionIdByName(herald.resources, 'herald-api');
      for (const [route, method] of methods) {
        const integration = method.Properties.Integration;
        expect(integration.Type, route).toBe('AWS_PROXY');
        expect(integration.IntegrationHttpMethod, route).toBe('POST');
        expect(JSON.stringify(integration.Uri), route).toContain(`"${apiFunctionId}","Arn"`);
      }
    });

    it('every method goes through the request validator (parameters and body)', () => {
      const [[validatorId, validator]] = resourcesOfType(herald.resources, 'AWS::ApiGateway::RequestValidator') as [[string, Json]];
      expect(validator.Properties).toMatchObject({ ValidateRequestBody: true, ValidateRequestParameters: true, RestApiId: { Ref: restApiId } });
      for (const [route, method] of methods) expect(method.Properties.RequestValidatorId, route).toEqual({ Ref: validatorId });
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
        expect(response.ResponseParameters).toEqual({ 'gatewayresponse.header.Content-Type': "'application/problem+json'" });
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
