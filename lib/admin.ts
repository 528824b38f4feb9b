import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { Aws, Duration, Fn, Lazy, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3deploy from 'aws-cdk-lib/aws-s3-deployment';
import { NagSuppressions } from 'cdk-nag';
import { Construct } from 'constructs';
import { ADMIN_PATH, OPERATORS_GROUP, VIEWERS_GROUP, type AdminConfig } from '../web/src/auth/config.js';
import type { HeraldApi } from './api.js';

/** The `<herald-inbox>` script's file name: the build's (web/inbox/vite.config.ts) and its path at the distribution's root. */
export const INBOX_SCRIPT = 'inbox.js';

export interface HeraldAdminProps {
  namePrefix: string;
  /** The built app (`npm run build:web` writes web/dist). */
  assetPath: string;
  /** The directory holding the built `<herald-inbox>` script, inbox.js (`npm run build:web` writes web/inbox/dist). */
  inboxAssetPath: string;
  /** Of the log group of the function that copies the app into the bucket. */
  logRetention: logs.RetentionDays;
  /**
   * Prefix of the Cognito sign-in domain (`<prefix>.auth.<region>.amazoncognito.com`), unique
   * per region across all accounts. Default: `<namePrefix>-admin-` and 8 hex digits of the stack's id.
   */
  authDomainPrefix?: string;
}

/**
 * The admin web app on AWS: its files in a private S3 bucket behind CloudFront (origin access
 * control, the only reader), sign-in with a Cognito user pool (users created by an admin, MFA
 * required), and an identity pool that swaps the user pool's id token for temporary
 * credentials whose role may only invoke this API: every route for the `operators` group, the
 * GET routes for `viewers`, nothing for a user in neither. The browser signs its API calls with
 * them (web/src/auth/); no route of the API is opened for the app.
 *
 * Two steps, because the API needs the app's origin (CORS) before it exists and the app's
 * config.json needs the API: construct, hand `origin` to HeraldApi, then `connect(api)`.
 */
export class HeraldAdmin extends Construct {
  readonly bucket: s3.Bucket;
  readonly distribution: cloudfront.Distribution;
  readonly userPool: cognito.UserPool;
  readonly userPoolClient: cognito.UserPoolClient;
  readonly userPoolDomain: cognito.UserPoolDomain;
  readonly identityPool: cognito.CfnIdentityPool;
  /** Users who run Herald (create, change, pause, cancel, import): the `operators` group. */
  readonly operators: cognito.UserPoolGroup;
  /** Users who may only look: the `viewers` group. */
  readonly viewers: cognito.UserPoolGroup;
  /** The role of the operators: `execute-api:Invoke` on every route of the connected API, nothing else. */
  readonly operatorRole: iam.Role;
  /** The role of the viewers: `execute-api:Invoke` on the GET routes of the connected API, nothing else. */
  readonly viewerRole: iam.Role;
  /** The identity pool's default role, for a user in no group, were role mapping ever to fall back to it: no permission at all. */
  readonly noGroupRole: iam.Role;
  /** `https://<distribution>.cloudfront.net`: the only origin the API answers cross-origin. */
  readonly origin: string;
  /** Where operators open the app and where Cognito sends them back after signing in or out. */
  readonly url: string;
  /** Host name of the Cognito sign-in domain. */
  readonly authDomain: string;
  /** `https://<distribution>.cloudfront.net/inbox.js`: the `<herald-inbox>` script a site embeds. */
  readonly inboxScriptUrl: string;
  private readonly assetPath: string;
  private readonly inboxAssetPath: string;
  private readonly logRetention: logs.RetentionDays;
  private api?: HeraldApi;
  private inboxSocketUrl?: string;

  constructor(scope: Construct, id: string, props: HeraldAdminProps) {
    super(scope, id);
    if (!existsSync(props.assetPath)) {
      throw new Error(`The admin app is not built: ${props.assetPath} does not exist (npm run build:web)`);
    }
    if (!existsSync(path.join(props.inboxAssetPath, INBOX_SCRIPT))) {
      throw new Error(`The inbox element is not built: ${path.join(props.inboxAssetPath, INBOX_SCRIPT)} does not exist (npm run build:web)`);
    }
    this.assetPath = props.assetPath;
    this.inboxAssetPath = props.inboxAssetPath;
    this.logRetention = props.logRetention;
    const region = Stack.of(this).region;

    // Versioning is off: the bucket holds the build of a commit, which a deploy of that commit
    // restores; old hashed assets stay (prune: false below) for pages loaded before a deploy.
    this.bucket = new s3.Bucket(this, 'Site', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
    });
    NagSuppressions.addResourceSuppressions(this.bucket, [
      {
        id: 'AwsSolutions-S1',
        reason: 'Holds only the static build of the admin app, read by CloudFront alone; every data access goes through the API, whose access log records it.',
      },
    ]);

    // Every page may talk to itself, the API (its origin is filled in by connect()), the
    // identity pool and the Cognito token endpoint; nothing else, and no one may frame it.
    const contentSecurityPolicy = Lazy.string({
      produce: () =>
        [
          "default-src 'self'",
          "script-src 'self'",
          // Charts and components set style attributes; no script runs from them.
          "style-src 'self' 'unsafe-inline'",
          "img-src 'self' data:",
          `connect-src 'self' ${this.connectedApi().origin}${this.inboxSocketUrl ? ` ${this.inboxSocketUrl}` : ''} https://cognito-identity.${region}.${Aws.URL_SUFFIX} https://${this.authDomain}`,
          "frame-ancestors 'none'",
          "base-uri 'self'",
          "form-action 'self'",
          "object-src 'none'",
        ].join('; '),
    });
    const securityHeaders = new cloudfront.ResponseHeadersPolicy(this, 'SecurityHeaders', {
      comment: 'Herald admin app: CSP, HSTS, no framing, no sniffing, no referrer',
      securityHeadersBehavior: {
        contentSecurityPolicy: { contentSecurityPolicy, override: true },
        strictTransportSecurity: { accessControlMaxAge: Duration.days(365), includeSubdomains: true, override: true },
        contentTypeOptions: { override: true },
        frameOptions: { frameOption: cloudfront.HeadersFrameOption.DENY, override: true },
        // The sign-in code arrives in the URL; no other site learns it from a Referer.
        referrerPolicy: { referrerPolicy: cloudfront.HeadersReferrerPolicy.NO_REFERRER, override: true },
      },
    });

    // A path of the app (`/admin/campaigns/...`) has no object of its own: S3 answers 403 (the
    // distribution may not list the bucket), and the app's index.html takes over routing.
    const appIndex = `${ADMIN_PATH}index.html`;
    this.distribution = new cloudfront.Distribution(this, 'Distribution', {
      comment: `${props.namePrefix} admin app`,
      defaultBehavior: {
        origin: origins.S3BucketOrigin.withOriginAccessControl(this.bucket),
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
        allowedMethods: cloudfront.AllowedMethods.ALLOW_GET_HEAD,
        cachePolicy: cloudfront.CachePolicy.CACHING_OPTIMIZED,
        responseHeadersPolicy: securityHeaders,
        compress: true,
      },
      defaultRootObject: appIndex.slice(1),
      errorResponses: [403, 404].map((httpStatus) => ({ httpStatus, responseHttpStatus: 200, responsePagePath: appIndex, ttl: Duration.seconds(10) })),
      httpVersion: cloudfront.HttpVersion.HTTP2_AND_3,
      priceClass: cloudfront.PriceClass.PRICE_CLASS_100,
    });
    NagSuppressions.addResourceSuppressions(this.distribution, [
      {
        id: 'AwsSolutions-CFR3',
        reason: 'Serves only the static admin app to signed-in operators; what they do is in the API access log and CloudTrail.',
      },
      {
        id: 'AwsSolutions-CFR4',
        reason:
          'Uses the default *.cloudfront.net certificate, whose TLS policy CloudFront fixes; a custom domain with TLSv1.2_2021 needs a certificate the stack does not own.',
      },
    ]);
    this.origin = `https://${this.distribution.distributionDomainName}`;
    this.url = `${this.origin}${ADMIN_PATH}`;
    this.inboxScriptUrl = `${this.origin}/${INBOX_SCRIPT}`;

    this.userPool = new cognito.UserPool(this, 'UserPool', {
      userPoolName: `${props.namePrefix}-admins`,
      // Operators are created by an admin (docs/operations.md: the first admin user), never by themselves.
      selfSignUpEnabled: false,
      signInAliases: { username: true, email: true },
      autoVerify: { email: true },
      standardAttributes: { email: { required: true, mutable: true } },
      passwordPolicy: {
        minLength: 14,
        requireLowercase: true,
        requireUppercase: true,
        requireDigits: true,
        requireSymbols: true,
        tempPasswordValidity: Duration.days(3),
      },
      // The app can pause, cancel and send campaigns: a password alone is not enough. TOTP only
      // (the hosted sign-in page enrols the authenticator app on first sign-in); SMS would need SNS.
      mfa: cognito.Mfa.REQUIRED,
      mfaSecondFactor: { otp: true, sms: false },
      accountRecovery: cognito.AccountRecovery.EMAIL_ONLY,
      // Plus adds threat protection (compromised credentials, risky sign-ins blocked); a handful
      // of operators makes its per-user price negligible.
      featurePlan: cognito.FeaturePlan.PLUS,
      standardThreatProtectionMode: cognito.StandardThreatProtectionMode.FULL_FUNCTION,
      userInvitation: {
        emailSubject: 'Your Herald admin account',
        emailBody: `Sign in at ${this.url} as {username} with the temporary password {####}, then choose your own.`,
      },
      deletionProtection: true,
    });

    this.userPoolClient = this.userPool.addClient('AppClient', {
      userPoolClientName: `${props.namePrefix}-admin-app`,
      // A browser keeps no secret: authorization code with PKCE (web/src/auth/pkce.ts).
      generateSecret: false,
      authFlows: { userSrp: true },
      oAuth: {
        flows: { authorizationCodeGrant: true },
        scopes: [cognito.OAuthScope.OPENID, cognito.OAuthScope.EMAIL, cognito.OAuthScope.PROFILE],
        callbackUrls: [this.url],
        logoutUrls: [this.url],
      },
      supportedIdentityProviders: [cognito.UserPoolClientIdentityProvider.COGNITO],
      preventUserExistenceErrors: true,
      idTokenValidity: Duration.hours(1),
      accessTokenValidity: Duration.hours(1),
      refreshTokenValidity: Duration.hours(12),
      enableTokenRevocation: true,
    });

    // The prefix must be unique in the region across accounts: the stack id's first 8 hex digits.
    const stackIdSuffix = Fn.select(0, Fn.split('-', Fn.select(2, Fn.split('/', Aws.STACK_ID))));
    const domainPrefix = props.authDomainPrefix ?? `${props.namePrefix}-admin-${stackIdSuffix}`;
    this.userPoolDomain = this.userPool.addDomain('Domain', { cognitoDomain: { domainPrefix } });
    // Built from the prefix, not the domain resource: the distribution's CSP names this host, and
    // the user pool (its invitation names the app's URL) comes after the distribution.
    this.authDomain = `${domainPrefix}.auth.${region}.amazoncognito.com`;

    this.identityPool = new cognito.CfnIdentityPool(this, 'IdentityPool', {
      identityPoolName: `${props.namePrefix}_admins`,
      allowUnauthenticatedIdentities: false,
      allowClassicFlow: false,
      cognitoIdentityProviders: [
        { clientId: this.userPoolClient.userPoolClientId, providerName: this.userPool.userPoolProviderName, serverSideTokenCheck: true },
      ],
    });
    // A user is given the role of their group, through the id token's cognito:preferred_role. A user
    // in no group is refused credentials (Deny below); should Cognito ever fall back to the pool's
    // default role instead, that role may do nothing at all, so there is still no API access.
    this.operatorRole = this.groupRole('OperatorRole', 'Admin app users of the operators group: may invoke every route of the Herald API');
    this.viewerRole = this.groupRole('ViewerRole', 'Admin app users of the viewers group: may invoke only the GET routes of the Herald API');
    this.noGroupRole = this.groupRole('NoGroupRole', 'Admin app users in neither group: may do nothing');
    // A lower precedence wins: a user in both groups is an operator.
    this.operators = this.userPool.addGroup('Operators', {
      groupName: OPERATORS_GROUP,
      description: 'May use every route of the Herald API: create, change, pause, cancel, import',
      precedence: 1,
      role: this.operatorRole,
    });
    this.viewers = this.userPool.addGroup('Viewers', {
      groupName: VIEWERS_GROUP,
      description: 'May only read the Herald API (GET routes): campaigns, clients, messages, statistics',
      precedence: 2,
      role: this.viewerRole,
    });
    new cognito.CfnIdentityPoolRoleAttachment(this, 'IdentityPoolRoles', {
      identityPoolId: this.identityPool.ref,
      roles: { authenticated: this.noGroupRole.roleArn },
      roleMappings: {
        adminApp: {
          identityProvider: `${this.userPool.userPoolProviderName}:${this.userPoolClient.userPoolClientId}`,
          type: 'Token',
          // No role in the token (no group), or several and none preferred: no credentials.
          ambiguousRoleResolution: 'Deny',
        },
      },
    });
  }

  /** A role only this identity pool's authenticated identities can assume; a group's permissions come with connect(). */
  private groupRole(id: string, description: string): iam.Role {
    return new iam.Role(this, id, {
      description,
      assumedBy: new iam.FederatedPrincipal(
        'cognito-identity.amazonaws.com',
        {
          StringEquals: { 'cognito-identity.amazonaws.com:aud': this.identityPool.ref },
          'ForAnyValue:StringLike': { 'cognito-identity.amazonaws.com:amr': 'authenticated' },
        },
        'sts:AssumeRoleWithWebIdentity',
      ),
      maxSessionDuration: Duration.hours(1),
    });
  }

  /**
   * Lets operators invoke every route of `api`, viewers its GET routes (and nothing else), and deploys the app with a config.json pointing at it.
   * `inboxSocketUrl`, the WebSocket API's URL, is where the client page's `<herald-inbox>` connects (config.json and the CSP name it).
   */
  connect(api: HeraldApi, { inboxSocketUrl }: { inboxSocketUrl?: string } = {}): void {
    if (this.api) throw new Error('The admin app is already connected to an API');
    this.api = api;
    if (inboxSocketUrl !== undefined) this.inboxSocketUrl = inboxSocketUrl;
    const stage = api.restApi.deploymentStage.stageName;
    const grants: [iam.Role, string, string][] = [
      [this.operatorRole, '*', 'Operators call every route of the Herald API: the wildcard is over methods and paths of this API stage only.'],
      [this.viewerRole, 'GET', 'Viewers read every GET route of the Herald API: the wildcard is over the paths of GET on this API stage only.'],
    ];
    for (const [role, method, reason] of grants) {
      role.addToPolicy(new iam.PolicyStatement({ actions: ['execute-api:Invoke'], resources: [api.restApi.arnForExecuteApi(method, '/*', stage)] }));
      NagSuppressions.addResourceSuppressions(
        role,
        [
          {
            id: 'AwsSolutions-IAM5',
            reason,
            appliesTo: [
              {
                regex: `/^Resource::arn:<AWS::Partition>:execute-api:<AWS::Region>:<AWS::AccountId>:<ApiRestApi[0-9A-F]+>\\/<ApiRestApiDeploymentStage[A-Za-z0-9]+>\\/${method === '*' ? '\\*' : method}\\/\\*$/g`,
              },
            ],
          },
        ],
        true,
      );
    }

    const config: { apiUrl: string; auth: AdminConfig; inboxSocketUrl?: string } = {
      apiUrl: api.url,
      ...(inboxSocketUrl === undefined ? {} : { inboxSocketUrl }),
      auth: {
        apiUrl: api.url,
        region: Stack.of(this).region,
        userPoolId: this.userPool.userPoolId,
        userPoolClientId: this.userPoolClient.userPoolClientId,
        identityPoolId: this.identityPool.ref,
        authDomain: this.authDomain,
      },
    };
    new s3deploy.BucketDeployment(this, 'Deployment', {
      sources: [s3deploy.Source.asset(this.assetPath), s3deploy.Source.jsonData('config.json', config)],
      destinationBucket: this.bucket,
      destinationKeyPrefix: ADMIN_PATH.slice(1),
      // Pages loaded before a deploy still fetch their lazily loaded chunks.
      prune: false,
      // Browsers revalidate (a 304 costs little) so a deploy shows at the next load.
      cacheControl: [s3deploy.CacheControl.noCache()],
      distribution: this.distribution,
      distributionPaths: [`${ADMIN_PATH}*`],
      memoryLimit: 512,
      logGroup: new logs.LogGroup(this, 'DeploymentLogs', { retention: this.logRetention, removalPolicy: RemovalPolicy.DESTROY }),
    });
    // The `<herald-inbox>` script beside the app, at the distribution's root, as /inbox.js is beside
    // /admin/ locally (local/admin-static.ts). A classic script: any site may load it without CORS.
    new s3deploy.BucketDeployment(this, 'InboxScript', {
      sources: [s3deploy.Source.asset(this.inboxAssetPath)],
      destinationBucket: this.bucket,
      prune: false,
      // Its name carries no content hash: revalidated, so a deploy shows at the next load.
      cacheControl: [s3deploy.CacheControl.noCache()],
      distribution: this.distribution,
      distributionPaths: [`/${INBOX_SCRIPT}`],
      memoryLimit: 512,
      logGroup: new logs.LogGroup(this, 'InboxScriptDeploymentLogs', { retention: this.logRetention, removalPolicy: RemovalPolicy.DESTROY }),
    });
    // The copying function is CDK's own singleton at the stack's root: suppress there, and only there.
    const stack = Stack.of(this);
    for (const child of stack.node.children.filter((node) => node.node.id.startsWith('Custom::CDKBucketDeployment'))) {
      NagSuppressions.addResourceSuppressions(
        child,
        [
          {
            id: 'AwsSolutions-IAM4',
            reason: "CDK's BucketDeployment function writes its logs with AWSLambdaBasicExecutionRole.",
            appliesTo: ['Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole'],
          },
          {
            id: 'AwsSolutions-IAM5',
            reason: "CDK's BucketDeployment function copies every object of the app's asset into the site bucket and invalidates the distribution's paths.",
          },
          { id: 'AwsSolutions-L1', reason: "The runtime of CDK's BucketDeployment function is chosen by aws-cdk-lib, which updates it." },
        ],
        true,
      );
    }
  }

  private connectedApi(): { origin: string } {
    if (!this.api) throw new Error('HeraldAdmin.connect(api) was not called');
    const restApi = this.api.restApi;
    return { origin: `https://${restApi.restApiId}.execute-api.${Stack.of(this).region}.${Aws.URL_SUFFIX}` };
  }
}
