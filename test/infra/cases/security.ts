import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { App, Aspects, Stack } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { MIN_KEY_BYTES } from '../../../functions/adapters/hmac-signer.js';
import { resourcesOfType, type Json, type SynthesizedHerald } from '../fixture.js';

/** A token as an operator might have it in the shell that runs `cdk deploy`: stack.test.ts sets it before synthesizing. */
export const TOKEN_IN_SHELL = 'eyJhbGciOiJIUzI1NiJ9.herald-infra-test-token.c2lnbmF0dXJl';
/** The token the integration tests give the provider client. */
const TOKEN_IN_LOCAL_TESTS = 'jwt-token';

/** Every object key in a JSON document, at any depth. */
function keysOf(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(keysOf);
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([key, inner]) => [key, ...keysOf(inner)]);
}

const awsSolutionsErrors = (stack: Stack) => Annotations.fromStack(stack).findError('*', Match.stringLikeRegexp('AwsSolutions-.*'));

/** Registered by stack.test.ts, which synthesizes the stack once for all of them. */
export function securityCases(synthesized: () => SynthesizedHerald): void {
  describe('security checks', () => {
    let herald: SynthesizedHerald;
    beforeAll(() => {
      herald = synthesized();
    });

    describe('cdk-nag AwsSolutions', () => {
      it('reports no unsuppressed error on the Herald stack', () => {
        const errors = awsSolutionsErrors(herald.stack).map((error) => `${error.id}: ${String(error.entry.data).split(':')[0]}`);
        expect(errors).toEqual([]);
      });

      it('does report errors on a stack that breaks its rules (the check is live)', () => {
        const app = new App();
        const stack = new Stack(app, 'Careless');
        new sqs.Queue(stack, 'Plain', { encryption: sqs.QueueEncryption.UNENCRYPTED });
        Aspects.of(app).add(new AwsSolutionsChecks());
        const rules = awsSolutionsErrors(stack).map((error) => String(error.entry.data).split(':')[0]);
        expect(rules).toEqual(expect.arrayContaining(['AwsSolutions-SQS2', 'AwsSolutions-SQS3', 'AwsSolutions-SQS4']));
      });

      it('suppresses only the rules Herald has a reason to, each with its reason', () => {
        const suppressions = Object.values(herald.resources).flatMap(
          (resource) => (resource.Metadata?.cdk_nag?.rules_to_suppress ?? []) as { id: string; reason: string }[],
        );
        for (const suppression of suppressions) expect(suppression.reason.length, suppression.id).toBeGreaterThan(30);
        expect([...new Set(suppressions.map((suppression) => suppression.id))].sort()).toEqual([
          'AwsSolutions-APIG4', // the public documentation and unsubscribe routes; CORS preflights; WebSocket routes after the authorized $connect
          'AwsSolutions-CFR3', // the admin app's distribution serves static files only
          'AwsSolutions-CFR4', // the default CloudFront certificate fixes the TLS policy
          'AwsSolutions-COG4', // IAM, not Cognito, authorizes the API (the unsubscribe links: their signed token)
          'AwsSolutions-IAM4', // API Gateway's own CloudWatch role; CDK's BucketDeployment function
          'AwsSolutions-IAM5', // GSI ARNs of granted tables; schedules in Herald's group; this API's stage; the WebSocket stage's connections; BucketDeployment; ses:GetAccount
          'AwsSolutions-L1', // Node.js 22 is the chosen runtime; BucketDeployment's runtime is CDK's
          'AwsSolutions-S1', // the admin app's bucket holds static files, read by CloudFront only
          'AwsSolutions-SMG4', // the provider issues the token; no rotation Lambda can; inbox tokens end within a day; a new unsubscribe key voids every link sent
          'AwsSolutions-SNS2', // CloudWatch cannot publish to a topic under the AWS-managed key
          'AwsSolutions-SQS3', // the scheduler's, the tally's and the SES events' DLQs are themselves DLQs
        ]);
      });
    });

    describe('the provider token', () => {
      // Searched as text: whatever property a value might hide in.
      const templateText = () => JSON.stringify(herald.json);

      it('is a Secrets Manager secret created with a generated placeholder, as is the unsubscribe key (used as generated)', () => {
        const secrets = resourcesOfType(herald.resources, 'AWS::SecretsManager::Secret');
        expect(secrets.map(([, secret]) => secret.Properties.Name).sort()).toEqual([
          'herald/inbox-token-key',
          'herald/provider-token',
          'herald/unsubscribe-key',
        ]);
        for (const [, secret] of secrets) {
          const properties = secret.Properties as Json;
          expect(properties.GenerateSecretString).toBeDefined();
          expect(properties.SecretString).toBeUndefined();
        }
        // An HMAC-SHA256 key of more bytes than the signer's minimum (functions/adapters/hmac-signer.ts).
        const [[, key]] = secrets.filter(([, secret]) => secret.Properties.Name === 'herald/unsubscribe-key') as [[string, Json]];
        expect(key.Properties.GenerateSecretString.PasswordLength).toBeGreaterThanOrEqual(MIN_KEY_BYTES);
      });

      it('never appears in the template, whatever the deploying shell holds', () => {
        expect(templateText()).not.toContain(TOKEN_IN_SHELL);
        expect(templateText()).not.toContain(TOKEN_IN_LOCAL_TESTS);
        // `GenerateSecretString` is fine; a `SecretString` key anywhere would carry a value.
        expect(keysOf(herald.json).filter((key) => key === 'SecretString')).toEqual([]);
        expect(keysOf(herald.json)).toContain('GenerateSecretString');
        const manifest = readFileSync(path.join(herald.outdir, 'manifest.json'), 'utf8');
        expect(manifest).not.toContain(TOKEN_IN_SHELL);
      });

      it('reaches no function through its environment: only the secret name does', () => {
        for (const [, fn] of resourcesOfType(herald.resources, 'AWS::Lambda::Function')) {
          const names = Object.keys(fn.Properties.Environment.Variables as Json);
          expect(
            names.filter(
              (name) => /TOKEN|JWT|PASSWORD|KEY/i.test(name) && !['PROVIDER_TOKEN_SECRET', 'UNSUBSCRIBE_KEY_SECRET', 'INBOX_TOKEN_SECRET'].includes(name),
            ),
          ).toEqual([]);
        }
      });
    });
  });
}
