import * as iam from 'aws-cdk-lib/aws-iam';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { NagSuppressions } from 'cdk-nag';
import { Construct } from 'constructs';

export interface ProviderTokenSecretProps {
  /** Physical name of the secret, handed to the send function as PROVIDER_TOKEN_SECRET. */
  secretName: string;
}

/**
 * The JWT of the external sending API. The template only creates the secret with a random
 * placeholder; the operator puts the real token with `aws secretsmanager put-secret-value`,
 * so the token never appears in the template, the CDK code or an environment variable.
 * The send function reads it at run time (Powertools Parameters, cached).
 */
export class ProviderTokenSecret extends Construct {
  readonly secret: secretsmanager.Secret;
  /** The literal name: `secret.secretName` would be a token cut out of the ARN. */
  readonly secretName: string;

  constructor(scope: Construct, id: string, props: ProviderTokenSecretProps) {
    super(scope, id);
    this.secretName = props.secretName;
    this.secret = new secretsmanager.Secret(this, 'Secret', {
      secretName: props.secretName,
      description: 'JWT of the SMS provider; set the real value with put-secret-value after the first deploy',
      // Keep these settings as they are: changing them makes CloudFormation generate a new
      // value, overwriting the token the operator put.
      generateSecretString: { passwordLength: 32, excludePunctuation: true },
    });
    NagSuppressions.addResourceSuppressions(this.secret, [
      {
        id: 'AwsSolutions-SMG4',
        reason: 'The token is issued by the external provider; it is rotated by putting the new value, no rotation Lambda can mint one.',
      },
    ]);
  }

  /**
   * GetSecretValue alone, the one call Powertools' getSecret makes (functions/handlers/wiring.ts),
   * without the DescribeSecret that secret.grantRead adds. No KMS grant: the secret is under the
   * AWS managed key.
   */
  grantRead(grantee: iam.IGrantable): void {
    iam.Grant.addToPrincipal({ grantee, actions: ['secretsmanager:GetSecretValue'], resourceArns: [this.secret.secretArn] });
  }
}
