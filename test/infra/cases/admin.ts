import { readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { beforeAll, describe, expect, it } from 'vitest';
import { HeraldAdmin } from '../../../lib/admin.js';
import {
  ADMIN_SITE_FIXTURE,
  INBOX_SITE_FIXTURE,
  isBucketDeploymentResource,
  logicalId,
  resourcesOfType,
  statementsOfRole,
  type Json,
  type SynthesizedHerald,
} from '../fixture.js';

/** The files of the cloud assembly's asset directories with this name. */
function assetFiles(outdir: string, name: string): string[] {
  return readdirSync(outdir)
    .filter((entry) => entry.startsWith('asset.') && statSync(path.join(outdir, entry)).isDirectory())
    .map((entry) => path.join(outdir, entry, name))
    .filter((file) => {
      try {
        return statSync(file).isFile();
      } catch {
        return false;
      }
    });
}

/** Registered by stack.test.ts, which synthesizes the stack once for all of them. */
export function adminCases(synthesized: () => SynthesizedHerald): void {
  describe('admin web app on AWS', () => {
    let herald: SynthesizedHerald;
    let ids: {
      bucket: string;
      distribution: string;
      userPool: string;
      client: string;
      identityPool: string;
      operatorRole: string;
      viewerRole: string;
      noGroupRole: string;
      restApi: string;
      stage: string;
    };
    beforeAll(() => {
      herald = synthesized();
      const { admin, api } = herald.stack;
      ids = {
        bucket: logicalId(admin.bucket),
        distribution: logicalId(admin.distribution),
        userPool: logicalId(admin.userPool),
        client: logicalId(admin.userPoolClient),
        identityPool: logicalId(admin.identityPool),
        operatorRole: logicalId(admin.operatorRole),
        viewerRole: logicalId(admin.viewerRole),
        noGroupRole: logicalId(admin.noGroupRole),
        restApi: logicalId(api.restApi),
        stage: logicalId(api.restApi.deploymentStage),
      };
    });

    const properties = (id: string): Json => herald.resources[id]!.Properties as Json;
    const distributionDomain = () => ({ 'Fn::GetAtt': [ids.distribution, 'DomainName'] });
    const appUrl = () => ({ 'Fn::Join': ['', ['https://', distributionDomain(), '/admin/']] });

    describe('S3 and CloudFront', () => {
      it('the bucket is private: SSE-encrypted, every public access blocked, no ACLs, no website hosting', () => {
        const bucket = properties(ids.bucket);
        expect(bucket.BucketEncryption.ServerSideEncryptionConfiguration).toEqual([{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }]);
        expect(bucket.PublicAccessBlockConfiguration).toEqual({
          BlockPublicAcls: true,
          BlockPublicPolicy: true,
          IgnorePublicAcls: true,
          RestrictPublicBuckets: true,
        });
        expect(bucket.OwnershipControls).toEqual({ Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] });
        expect(bucket.WebsiteConfiguration).toBeUndefined();
        expect(bucket.AccessControl).toBeUndefined();
      });

      it('the bucket policy lets only this distribution read (s3:GetObject), and refuses requests without TLS', () => {
        const [[, policy]] = resourcesOfType(herald.resources, 'AWS::S3::BucketPolicy').filter(
          ([, candidate]) => candidate.Properties.Bucket.Ref === ids.bucket,
        ) as [[string, Json]];
        const statements = policy.Properties.PolicyDocument.Statement as Json[];
        const allows = statements.filter((statement) => statement.Effect === 'Allow');
        expect(allows).toEqual([
          {
            Action: 's3:GetObject',
            Effect: 'Allow',
            Principal: { Service: 'cloudfront.amazonaws.com' },
            Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [ids.bucket, 'Arn'] }, '/*']] },
            Condition: {
              StringEquals: {
                'AWS:SourceArn': {
                  'Fn::Join': [
                    '',
                    ['arn:', { Ref: 'AWS::Partition' }, ':cloudfront::', { Ref: 'AWS::AccountId' }, ':distribution/', { Ref: ids.distribution }],
                  ],
                },
              },
            },
          },
        ]);
        const denies = statements.filter((statement) => statement.Effect === 'Deny');
        expect(denies).toHaveLength(1);
        expect(denies[0]).toMatchObject({ Action: 's3:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } });
      });

      it('CloudFront reaches the bucket through origin access control (SigV4, always), not a public endpoint or an OAI', () => {
        const config = properties(ids.distribution).DistributionConfig as Json;
        expect(config.Origins).toHaveLength(1);
        const [origin] = config.Origins as Json[];
        expect(origin!.DomainName).toEqual({ 'Fn::GetAtt': [ids.bucket, 'RegionalDomainName'] });
        expect(origin!.S3OriginConfig).toEqual({ OriginAccessIdentity: '' });
        const oacId = (origin!.OriginAccessControlId as Json)['Fn::GetAtt'][0] as string;
        expect(properties(oacId).OriginAccessControlConfig).toMatchObject({
          OriginAccessControlOriginType: 's3',
          SigningBehavior: 'always',
          SigningProtocol: 'sigv4',
        });
        herald.template.resourceCountIs('AWS::CloudFront::CloudFrontOriginAccessIdentity', 0);
      });

      it('serves HTTPS only, GET and HEAD, the app at / and /admin/, and the app for its own paths (SPA)', () => {
        const config = properties(ids.distribution).DistributionConfig as Json;
        expect(config.DefaultCacheBehavior).toMatchObject({ ViewerProtocolPolicy: 'https-only', AllowedMethods: ['GET', 'HEAD'] });
        expect(config.DefaultRootObject).toBe('admin/index.html');
        expect(config.CustomErrorResponses).toEqual(
          [403, 404].map((code) => ({ ErrorCode: code, ResponseCode: 200, ResponsePagePath: '/admin/index.html', ErrorCachingMinTTL: 10 })),
        );
      });

      it('adds security headers: a CSP that connects only to this API, Cognito and itself, HSTS, no framing, no sniffing, no referrer', () => {
        const config = properties(ids.distribution).DistributionConfig as Json;
        const policyId = config.DefaultCacheBehavior.ResponseHeadersPolicyId.Ref as string;
        const headers = properties(policyId).ResponseHeadersPolicyConfig.SecurityHeadersConfig as Json;
        expect(headers.StrictTransportSecurity).toMatchObject({ AccessControlMaxAgeSec: 31_536_000, IncludeSubdomains: true, Override: true });
        expect(headers.FrameOptions).toEqual({ FrameOption: 'DENY', Override: true });
        expect(headers.ContentTypeOptions).toEqual({ Override: true });
        expect(headers.ReferrerPolicy).toEqual({ ReferrerPolicy: 'no-referrer', Override: true });
        const csp = headers.ContentSecurityPolicy.ContentSecurityPolicy as Json;
        const literal = (csp['Fn::Join'][1] as unknown[]).filter((part): part is string => typeof part === 'string').join('');
        expect(literal).toContain("default-src 'self'; script-src 'self';");
        expect(literal).toContain("frame-ancestors 'none'");
        expect(literal).toContain("connect-src 'self' https://");
        expect(csp['Fn::Join'][1]).toContainEqual({ Ref: ids.restApi });
      });

      const deployments = () => resourcesOfType(herald.resources, 'Custom::CDKBucketDeployment').map(([, deployment]) => deployment.Properties as Json);

      it('deploys the built app under admin/ with a config.json naming the API and the Cognito pools, and invalidates the distribution', () => {
        const deployment = { Properties: deployments().find((props) => props.DestinationBucketKeyPrefix === 'admin/') } as Json;
        const props = deployment.Properties as Json;
        expect(props.DestinationBucketName).toEqual({ Ref: ids.bucket });
        expect(props.DestinationBucketKeyPrefix).toBe('admin/');
        expect(props.DistributionId).toEqual({ Ref: ids.distribution });
        expect(props.DistributionPaths).toEqual(['/admin/*']);
        expect(props.SourceObjectKeys).toHaveLength(2);

        const [configFile] = assetFiles(herald.outdir, 'config.json');
        const markers = (props.SourceMarkers as Json[]).find((entry) => Object.keys(entry).length > 0)!;
        // Deploy-time values arrive as markers the deployment function replaces; resolve them to what they stand for.
        const resolved = (value: string): unknown => {
          const parts = value.split(/(<<marker:0xbaba:\d+>>)/).filter(Boolean);
          return parts.length === 1 ? (markers[parts[0]!] ?? parts[0]) : parts.map((part) => markers[part] ?? part);
        };
        const config = JSON.parse(readFileSync(configFile!, 'utf8')) as { apiUrl: string; auth: Record<string, string>; inboxSocketUrl: string };
        expect(Object.keys(config).sort()).toEqual(['apiUrl', 'auth', 'inboxSocketUrl']);
        // The client page's <herald-inbox> connects to the WebSocket API's stage.
        expect(JSON.stringify(resolved(config.inboxSocketUrl))).toContain(`{"Ref":"${logicalId(herald.stack.realtime.api)}"}`);
        expect(Object.keys(config.auth).sort()).toEqual(['apiUrl', 'authDomain', 'identityPoolId', 'region', 'userPoolClientId', 'userPoolId']);
        expect(resolved(config.auth.apiUrl!)).toEqual(resolved(config.apiUrl));
        expect(JSON.stringify(resolved(config.apiUrl))).toContain(`{"Ref":"${ids.restApi}"}`);
        expect(resolved(config.auth.region!)).toEqual({ Ref: 'AWS::Region' });
        expect(resolved(config.auth.userPoolId!)).toEqual({ Ref: ids.userPool });
        expect(resolved(config.auth.userPoolClientId!)).toEqual({ Ref: ids.client });
        expect(resolved(config.auth.identityPoolId!)).toEqual({ Ref: ids.identityPool });
        expect(JSON.stringify(resolved(config.auth.authDomain!))).toMatch(
          /^\["herald-admin-",\{"Fn::Select".*\},".auth.",\{"Ref":"AWS::Region"\},".amazoncognito.com"\]$/,
        );
      });

      it('deploys the <herald-inbox> script at the root of the site as /inbox.js, revalidated, and invalidates that path alone', () => {
        const inbox = deployments().filter((props) => props.DestinationBucketKeyPrefix === undefined);
        expect(inbox).toHaveLength(1);
        expect(inbox[0]).toMatchObject({
          DestinationBucketName: { Ref: ids.bucket },
          DistributionId: { Ref: ids.distribution },
          DistributionPaths: ['/inbox.js'],
          Prune: false,
          SystemMetadata: { 'cache-control': 'no-cache' },
        });
        expect(inbox[0]!.SourceObjectKeys).toHaveLength(1);
        expect(assetFiles(herald.outdir, 'inbox.js')).toHaveLength(1);
        expect((herald.json.Outputs as Json).InboxScriptUrl.Value).toEqual({ 'Fn::Join': ['', ['https://', distributionDomain(), '/inbox.js']] });
      });

      it("CDK's copying function may touch only the site bucket, the CDK asset bucket and invalidations", () => {
        const policies = resourcesOfType(herald.resources, 'AWS::IAM::Policy').filter(([id]) => isBucketDeploymentResource(id));
        expect(policies).toHaveLength(1);
        for (const statement of policies[0]![1].Properties.PolicyDocument.Statement as Json[]) {
          const actions = [statement.Action].flat() as string[];
          if (actions.every((action) => action.startsWith('cloudfront:'))) {
            expect(actions.sort()).toEqual(['cloudfront:CreateInvalidation', 'cloudfront:GetInvalidation']);
            continue;
          }
          expect(actions.every((action) => action.startsWith('s3:'))).toBe(true);
          const resources = JSON.stringify(statement.Resource);
          expect(resources.includes(`"${ids.bucket}"`) || resources.includes('cdk-hnb659fds-assets')).toBe(true);
        }
      });
    });

    describe('Cognito', () => {
      it('the user pool: no self sign-up, MFA required (TOTP), a strong password policy, threat protection', () => {
        const pool = properties(ids.userPool);
        expect(pool.AdminCreateUserConfig.AllowAdminCreateUserOnly).toBe(true);
        expect(pool.MfaConfiguration).toBe('ON');
        expect(pool.EnabledMfas).toEqual(['SOFTWARE_TOKEN_MFA']);
        expect(pool.Policies.PasswordPolicy).toMatchObject({ RequireLowercase: true, RequireUppercase: true, RequireNumbers: true, RequireSymbols: true });
        expect(pool.Policies.PasswordPolicy.MinimumLength).toBeGreaterThanOrEqual(12);
        expect(pool.UserPoolTier).toBe('PLUS');
        expect(pool.UserPoolAddOns).toEqual({ AdvancedSecurityMode: 'ENFORCED' });
        expect(JSON.stringify(pool.AdminCreateUserConfig.InviteMessageTemplate.EmailMessage)).toContain(ids.distribution);
      });

      it('the app client is public (no secret) and uses the authorization code flow only, back to the app on CloudFront', () => {
        const client = properties(ids.client);
        expect(client.GenerateSecret).toBe(false);
        expect(client.AllowedOAuthFlows).toEqual(['code']);
        expect(client.AllowedOAuthFlowsUserPoolClient).toBe(true);
        expect(client.SupportedIdentityProviders).toEqual(['COGNITO']);
        expect(client.CallbackURLs).toEqual([appUrl()]);
        expect(client.LogoutURLs).toEqual([appUrl()]);
        expect(client.ExplicitAuthFlows).toEqual(['ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH']);
        expect(client.AllowedOAuthScopes.sort()).toEqual(['email', 'openid', 'profile']);
      });

      it('the user pool has a Cognito prefix domain', () => {
        const [[, domain]] = resourcesOfType(herald.resources, 'AWS::Cognito::UserPoolDomain') as [[string, Json]];
        expect(domain.Properties.UserPoolId).toEqual({ Ref: ids.userPool });
        expect(domain.Properties.CustomDomainConfig).toBeUndefined();
        expect(JSON.stringify(domain.Properties.Domain)).toContain('herald-admin-');
      });

      it('the identity pool admits no unauthenticated identities, only tokens of this app client', () => {
        const pool = properties(ids.identityPool);
        expect(pool.AllowUnauthenticatedIdentities).toBe(false);
        expect(pool.AllowClassicFlow).toBe(false);
        expect(pool.CognitoIdentityProviders).toEqual([
          { ClientId: { Ref: ids.client }, ProviderName: { 'Fn::GetAtt': [ids.userPool, 'ProviderName'] }, ServerSideTokenCheck: true },
        ]);
      });

      it("maps each user to their group's role through the token; a user in no group is refused, the pool's default role may do nothing", () => {
        const attachments = resourcesOfType(herald.resources, 'AWS::Cognito::IdentityPoolRoleAttachment');
        expect(attachments.map(([, attachment]) => attachment.Properties)).toEqual([
          {
            IdentityPoolId: { Ref: ids.identityPool },
            RoleMappings: {
              adminApp: {
                IdentityProvider: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [ids.userPool, 'ProviderName'] }, ':', { Ref: ids.client }]] },
                Type: 'Token',
                AmbiguousRoleResolution: 'Deny',
              },
            },
            Roles: { authenticated: { 'Fn::GetAtt': [ids.noGroupRole, 'Arn'] } },
          },
        ]);
        expect(statementsOfRole(herald.resources, ids.noGroupRole)).toEqual([]);
      });

      it('has the groups operators and viewers, each with its own role; operators win for a user in both', () => {
        const groups = resourcesOfType(herald.resources, 'AWS::Cognito::UserPoolGroup').map(([, group]) => group.Properties as Json);
        expect(groups.map(({ Description: _, ...rest }) => rest)).toEqual([
          { GroupName: 'operators', Precedence: 1, RoleArn: { 'Fn::GetAtt': [ids.operatorRole, 'Arn'] }, UserPoolId: { Ref: ids.userPool } },
          { GroupName: 'viewers', Precedence: 2, RoleArn: { 'Fn::GetAtt': [ids.viewerRole, 'Arn'] }, UserPoolId: { Ref: ids.userPool } },
        ]);
      });

      it.each(['operatorRole', 'viewerRole', 'noGroupRole'] as const)(
        'the %s is assumable only through this identity pool, by authenticated identities',
        (role) => {
          const props = properties(ids[role]);
          expect(props.AssumeRolePolicyDocument.Statement).toEqual([
            {
              Action: 'sts:AssumeRoleWithWebIdentity',
              Effect: 'Allow',
              Principal: { Federated: 'cognito-identity.amazonaws.com' },
              Condition: {
                StringEquals: { 'cognito-identity.amazonaws.com:aud': { Ref: ids.identityPool } },
                'ForAnyValue:StringLike': { 'cognito-identity.amazonaws.com:amr': 'authenticated' },
              },
            },
          ]);
          expect(props.ManagedPolicyArns).toBeUndefined();
          expect(props.Policies).toBeUndefined();
          const managed = resourcesOfType(herald.resources, 'AWS::IAM::ManagedPolicy').filter(([, policy]) => JSON.stringify(policy).includes(ids[role]));
          expect(managed).toEqual([]);
        },
      );

      /** `execute-api:Invoke` on `<api>/<stage>/<method>/*`, and nothing else. */
      const invokeOnly = (method: string) => [
        {
          Action: 'execute-api:Invoke',
          Effect: 'Allow',
          Resource: {
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
                { Ref: ids.restApi },
                '/',
                { Ref: ids.stage },
                `/${method}/*`,
              ],
            ],
          },
        },
      ];

      it('an operator may do exactly one thing: execute-api:Invoke on every route of this API stage', () => {
        expect(statementsOfRole(herald.resources, ids.operatorRole)).toEqual(invokeOnly('*'));
      });

      it('a viewer may only invoke the GET routes of this API stage', () => {
        expect(statementsOfRole(herald.resources, ids.viewerRole)).toEqual(invokeOnly('GET'));
      });
    });

    it('prints the app URL and the user pool id', () => {
      const outputs = herald.json.Outputs as Json;
      expect(outputs.AdminUrl.Value).toEqual(appUrl());
      expect(outputs.AdminUserPoolId.Value).toEqual({ Ref: ids.userPool });
    });

    it('refuses to synthesize without a built app, naming the build command', () => {
      const stack = new Stack(new App(), 'Unbuilt');
      expect(
        () =>
          new HeraldAdmin(stack, 'Admin', {
            namePrefix: 'x',
            assetPath: path.join(herald.outdir, 'no-such-dist'),
            inboxAssetPath: INBOX_SITE_FIXTURE,
            logRetention: RetentionDays.ONE_DAY,
          }),
      ).toThrow(/The admin app is not built: .*npm run build:web/);
      expect(
        () =>
          new HeraldAdmin(stack, 'Inbox', {
            namePrefix: 'x',
            assetPath: ADMIN_SITE_FIXTURE,
            inboxAssetPath: path.join(herald.outdir, 'no-such-dist'),
            logRetention: RetentionDays.ONE_DAY,
          }),
      ).toThrow(/The inbox element is not built: .*inbox\.js does not exist \(npm run build:web\)/);
    });
  });
}
