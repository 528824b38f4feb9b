import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as logs from 'aws-cdk-lib/aws-logs';
import { NagSuppressions } from 'cdk-nag';
import { Construct } from 'constructs';
import type { HeraldData } from './data.js';
import type { HeraldDelivery } from './delivery.js';
import { HeraldFunction, type FunctionDefaults } from './functions.js';
import { OPENAPI_FILE } from '../functions/definitions/functions.js';
import { INBOX_CORS } from '../functions/api/cors.js';

export interface ApiThrottling {
  /** Steady requests per second for the whole stage. */
  rateLimit: number;
  burstLimit: number;
}

export interface HeraldApiProps {
  data: HeraldData;
  delivery: HeraldDelivery;
  throttling: ApiThrottling;
  stageName: string;
  functionDefaults: FunctionDefaults;
  /** The admin app's origin (lib/admin.ts): the one origin a browser may call the API from. */
  allowedOrigin?: string;
  /** The REST authorizer of the end user's inbox routes (functions/api/inbox-authorizer.ts; lib/realtime.ts builds it). */
  inboxAuthorizer: HeraldFunction;
  /** The sites that embed the inbox and call `/inbox...` from the browser (stack context `inboxOrigins`); unset, any origin. */
  inboxOrigins?: string[];
}

/**
 * The end user's inbox routes (functions/api/routes/inbox.ts), each its own method so that no other
 * method or path is opened to an inbox token; the authorizer's policy covers them all.
 */
export const INBOX_ROUTES: readonly { method: string; path: string[] }[] = [
  { method: 'GET', path: [] },
  { method: 'GET', path: ['count'] },
  { method: 'POST', path: ['read-all'] },
  { method: 'DELETE', path: ['{itemId}'] },
  { method: 'POST', path: ['{itemId}', 'read'] },
  { method: 'POST', path: ['{itemId}', 'unread'] },
];

/**
 * Request headers the admin app sends: SigV4's (authorization, x-amz-date, x-amz-security-token),
 * the body's type and the retry key of POSTs.
 */
export const CORS_ALLOWED_HEADERS = ['authorization', 'content-type', 'idempotency-key', 'x-amz-date', 'x-amz-security-token'];

/**
 * Swagger UI's files, which the api handler reads from the swagger-ui-dist package at run time
 * (functions/api/routes/docs.ts), so esbuild cannot bundle them: the package's entry and
 * absolute-path.js, and the assets the /docs page links.
 */
export const SWAGGER_UI_FILES = [
  'package.json',
  'index.js',
  'absolute-path.js',
  'swagger-ui-bundle.js',
  'swagger-ui-standalone-preset.js',
  'swagger-ui.css',
  'index.css',
  'favicon-16x16.png',
  'favicon-32x32.png',
];

/**
 * Gateway errors (missing signature, throttled, too large) in the same RFC 9457 shape as the
 * handler's own errors, so a client parses one error format.
 */
const problemTemplate = '{"type":"about:blank","title":"$context.error.responseType","detail":$context.error.messageString,"requestId":"$context.requestId"}';

/**
 * The REST API: API Gateway with IAM (SigV4) authorization in front of the api function,
 * which routes every path itself (Lambda proxy integration on `/` and `/{proxy+}`).
 *
 * Body size: API Gateway accepts payloads up to its hard limit of 10 MB and offers no smaller
 * setting; the api handler enforces Herald's own limit (16 KB, MAX_BODY_BYTES in
 * functions/api/problem.ts) and answers 413.
 * The request validator checks what API Gateway can check without a model per route (the
 * request parameters); the handler validates bodies with its zod schemas.
 */
export class HeraldApi extends Construct {
  readonly handler: HeraldFunction;
  readonly restApi: apigateway.RestApi;
  readonly accessLogGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: HeraldApiProps) {
    super(scope, id);
    const { data, delivery } = props;

    this.handler = new HeraldFunction(this, 'Function', {
      name: 'api',
      description: 'Herald REST API: clients, campaigns, statistics and the OpenAPI document',
      defaults: props.functionDefaults,
      environment: {
        ...data.environment,
        ...delivery.startEnvironment,
        ...delivery.noticeEnvironment,
        ...(props.allowedOrigin !== undefined ? { CORS_ALLOWED_ORIGIN: props.allowedOrigin } : {}),
        ...(props.inboxOrigins !== undefined ? { INBOX_ORIGINS: props.inboxOrigins.join(',') } : {}),
      },
      nodeModuleFiles: { 'swagger-ui-dist': SWAGGER_UI_FILES },
      generatedFiles: { [OPENAPI_FILE]: 'bin/openapi.ts' },
    });
    data.grantTables(this.handler);
    delivery.grantStartCampaigns(this.handler);
    delivery.grantSendNotices(this.handler);

    this.accessLogGroup = new logs.LogGroup(this, 'AccessLogs', {
      logGroupName: `/aws/apigateway/${props.functionDefaults.namePrefix}-access`,
      retention: props.functionDefaults.logRetention,
      removalPolicy: RemovalPolicy.DESTROY,
    });

    this.restApi = new apigateway.RestApi(this, 'RestApi', {
      restApiName: props.functionDefaults.namePrefix,
      description: 'Herald: clients, campaigns and delivery statistics',
      endpointTypes: [apigateway.EndpointType.REGIONAL],
      // Swagger UI's favicons are the only binary answers; the handler returns them base64-encoded.
      binaryMediaTypes: ['image/png'],
      // Access and execution logs need the account's API Gateway CloudWatch role.
      cloudWatchRole: true,
      deployOptions: {
        stageName: props.stageName,
        throttlingRateLimit: props.throttling.rateLimit,
        throttlingBurstLimit: props.throttling.burstLimit,
        accessLogDestination: new apigateway.LogGroupLogDestination(this.accessLogGroup),
        accessLogFormat: accessLogFormat(),
        loggingLevel: apigateway.MethodLoggingLevel.ERROR,
        // Bodies hold phone numbers: never copied into execution logs.
        dataTraceEnabled: false,
      },
      defaultMethodOptions: { authorizationType: apigateway.AuthorizationType.IAM },
      // A browser asks before a signed cross-origin call (OPTIONS, no credentials: it cannot sign
      // a preflight). API Gateway answers it itself (a mock integration, authorization NONE), with
      // headers only: no data route is opened, since the call that follows still needs SigV4.
      ...(props.allowedOrigin !== undefined
        ? {
            defaultCorsPreflightOptions: {
              allowOrigins: [props.allowedOrigin],
              allowMethods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'],
              allowHeaders: CORS_ALLOWED_HEADERS,
              maxAge: Duration.hours(1),
            },
          }
        : {}),
    });

    // The stack prints the URL once, as ApiUrl.
    this.restApi.node.tryRemoveChild('Endpoint');

    const requestValidator = new apigateway.RequestValidator(this, 'RequestValidator', {
      restApi: this.restApi,
      validateRequestParameters: true,
      validateRequestBody: true,
    });

    const integration = new apigateway.LambdaIntegration(this.handler.function, { proxy: true, allowTestInvoke: false });
    const signed: apigateway.MethodOptions = { authorizationType: apigateway.AuthorizationType.IAM, requestValidator };
    this.restApi.root.addMethod('ANY', integration, signed);
    // Method options given to addProxy() itself do not reach its ANY method: add it explicitly.
    this.restApi.root.addProxy({ anyMethod: false }).addMethod('ANY', integration, signed);

    // Anyone may read the API's documentation: GET /openapi.json, GET /docs and its assets.
    const unsigned: apigateway.MethodOptions = { authorizationType: apigateway.AuthorizationType.NONE, requestValidator };
    const docs = this.restApi.root.addResource('docs');
    const publicMethods = [
      this.restApi.root.addResource('openapi.json').addMethod('GET', integration, unsigned),
      docs.addMethod('GET', integration, unsigned),
      docs.addResource('{proxy+}').addMethod('GET', integration, unsigned),
    ];
    for (const method of publicMethods) {
      NagSuppressions.addResourceSuppressions(method, [
        { id: 'AwsSolutions-APIG4', reason: 'The API documentation is public by design; every other route requires SigV4.' },
        { id: 'AwsSolutions-COG4', reason: 'The API documentation is public by design; every other route requires SigV4.' },
      ]);
    }

    // An e-mail's unsubscribe link (RFC 8058): its reader follows it from a mail client, with no
    // credentials. The token in the path is signed (functions/domain/unsubscribe.ts) and names the
    // one client and channel it opts out; GET shows a confirm page and changes nothing. The only
    // operator routes without a signature; any other method on this path is refused by the gateway.
    const unsubscribe = this.restApi.root.addResource('unsubscribe').addResource('{token}');
    for (const httpMethod of ['GET', 'POST']) {
      const method = unsubscribe.addMethod(httpMethod, integration, { ...unsigned, requestParameters: { 'method.request.path.token': true } });
      NagSuppressions.addResourceSuppressions(method, [
        { id: 'AwsSolutions-APIG4', reason: 'An unsubscribe link is followed from a mail client without credentials; its signed token is the authorization.' },
        { id: 'AwsSolutions-COG4', reason: 'An unsubscribe link is followed from a mail client without credentials; its signed token is the authorization.' },
      ]);
    }

    this.addInboxRoutes(integration, requestValidator, props);

    for (const preflight of this.restApi.methods.filter((method) => method.httpMethod === 'OPTIONS')) {
      NagSuppressions.addResourceSuppressions(preflight, [
        {
          id: 'AwsSolutions-APIG4',
          reason:
            'CORS preflight: a browser sends it unsigned; API Gateway answers with headers only and the call that follows needs SigV4 (on /inbox, an inbox token).',
        },
      ]);
    }

    // The admin app reads these too (an expired signature is a 403 from the gateway).
    const corsHeaders: Record<string, string> = props.allowedOrigin !== undefined ? { 'Access-Control-Allow-Origin': `'${props.allowedOrigin}'` } : {};
    for (const [type, name] of [
      [apigateway.ResponseType.DEFAULT_4XX, 'Default4xx'],
      [apigateway.ResponseType.DEFAULT_5XX, 'Default5xx'],
    ] as const) {
      this.restApi.addGatewayResponse(name, {
        type,
        responseHeaders: { 'Content-Type': "'application/problem+json'", ...corsHeaders },
        templates: { 'application/json': problemTemplate },
      });
    }

    // The inbox authorizer's refusal (no or a bad inbox token) reaches the end user's site, whose
    // widget fetches a new token on a 401: it must be readable there. It says nothing but "Unauthorized",
    // so it names the request's origin whatever it is; only the inbox authorizer answers 401.
    this.restApi.addGatewayResponse('InboxUnauthorized', {
      type: apigateway.ResponseType.UNAUTHORIZED,
      responseHeaders: { 'Content-Type': "'application/problem+json'", 'Access-Control-Allow-Origin': 'method.request.header.Origin', Vary: "'Origin'" },
      templates: { 'application/json': problemTemplate },
    });

    NagSuppressions.addResourceSuppressions(
      this.restApi,
      [
        {
          id: 'AwsSolutions-COG4',
          reason:
            'Callers are other services, admins with IAM credentials and the admin app with temporary credentials from the Cognito identity pool: every route uses AWS_IAM (SigV4).',
        },
        {
          id: 'AwsSolutions-IAM4',
          reason: 'AmazonAPIGatewayPushToCloudWatchLogs is the role API Gateway itself needs to write access and execution logs.',
          appliesTo: ['Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs'],
        },
      ],
      true,
    );
  }

  get url(): string {
    return this.restApi.url;
  }

  /**
   * The end user's inbox: called from the operator's own sites with `Authorization: Bearer <inbox
   * token>`, not SigV4, so a REQUEST authorizer checks the token before the api runs. Its answer
   * allows every inbox route (functions/api/inbox-authorizer.ts), so API Gateway may cache it per
   * token; a minute at most, so an expired token is refused soon after its `exp`. The preflight of
   * these paths names the inbox origins instead of the admin app's, and allows the bearer header.
   */
  private addInboxRoutes(integration: apigateway.Integration, requestValidator: apigateway.IRequestValidator, props: HeraldApiProps): void {
    const authorizer = new apigateway.RequestAuthorizer(this, 'InboxAuthorizer', {
      authorizerName: `${props.functionDefaults.namePrefix}-inbox-token`,
      handler: props.inboxAuthorizer.function,
      identitySources: [apigateway.IdentitySource.header('Authorization')],
      resultsCacheTtl: Duration.minutes(1),
    });
    const bearer: apigateway.MethodOptions = { authorizationType: apigateway.AuthorizationType.CUSTOM, authorizer, requestValidator };
    const inbox = this.restApi.root.addResource('inbox', {
      defaultCorsPreflightOptions: {
        allowOrigins: props.inboxOrigins ?? apigateway.Cors.ALL_ORIGINS,
        allowMethods: INBOX_CORS.methods.filter((method) => method !== 'OPTIONS'),
        allowHeaders: [...INBOX_CORS.headers],
        maxAge: Duration.seconds(INBOX_CORS.maxAgeSeconds),
      },
    });
    for (const route of INBOX_ROUTES) {
      const resource = route.path.reduce<apigateway.IResource>((parent, part) => parent.getResource(part) ?? parent.addResource(part), inbox);
      const itemId = route.path.includes('{itemId}') ? { requestParameters: { 'method.request.path.itemId': true } } : {};
      const method = resource.addMethod(route.method, integration, { ...bearer, ...itemId });
      NagSuppressions.addResourceSuppressions(method, [
        {
          id: 'AwsSolutions-COG4',
          reason:
            "An end user's inbox is called from the operator's sites with an inbox token (HS256) that the REQUEST authorizer checks; there is no Cognito user.",
        },
      ]);
    }
  }
}

/** One JSON line per request: who called what, the answer, and where the time went. */
function accessLogFormat(): apigateway.AccessLogFormat {
  const field = apigateway.AccessLogField;
  return apigateway.AccessLogFormat.custom(
    JSON.stringify({
      requestId: field.contextRequestId(),
      requestTime: field.contextRequestTime(),
      sourceIp: field.contextIdentitySourceIp(),
      caller: field.contextIdentityUserArn(),
      httpMethod: field.contextHttpMethod(),
      resourcePath: field.contextResourcePath(),
      path: field.contextPath(),
      protocol: field.contextProtocol(),
      status: field.contextStatus(),
      responseLength: field.contextResponseLength(),
      responseLatency: field.contextResponseLatency(),
      integrationLatency: field.contextIntegrationLatency(),
      integrationStatus: field.contextIntegrationStatus(),
      errorMessage: field.contextErrorMessage(),
    }),
  );
}
