import { DEFAULT_LOG_LEVEL, SERVICE_NAME } from '../functions/definitions/functions.js';
import * as path from 'node:path';
import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { tables } from '../functions/definitions/tables.js';
import { DEFAULT_STREAMS } from '../functions/domain/shards.js';
import { HeraldAdmin } from './admin.js';
import { HeraldApi, type ApiThrottling } from './api.js';
import { HeraldData } from './data.js';
import { HeraldDelivery } from './delivery.js';
import { projectRoot, type FunctionDefaults, type LogLevel } from './functions.js';
import { HeraldObservability } from './observability.js';
import { apiBaseUrl, HeraldEmail } from './email.js';
import { HeraldRealtime } from './realtime.js';
import { ProviderTokenSecret, UnsubscribeKeySecret } from './secrets.js';

export const DEFAULT_PROVIDER_URL = 'https://probe.fbrq.cloud/v1';
/** The local runtime's default too (HERALD_EMAIL_FROM): set `emailFrom` to an address or domain verified in SES. */
export const DEFAULT_EMAIL_FROM = 'herald@example.com';

export interface HeraldStackProps extends StackProps {
  /** Base URL of the external sending API. Default: the probe service of the original brief. */
  providerUrl?: string;
  /** DynamoDB deletion protection (and retention on stack delete). Default true. */
  deletionProtection?: boolean;
  /** Default one month. */
  logRetention?: logs.RetentionDays;
  /** Default INFO. */
  logLevel?: LogLevel;
  /** Stage-wide limits. Default 50 requests per second, bursts of 100. */
  apiThrottling?: ApiThrottling;
  /** Default `v1`. */
  apiStageName?: string;
  /** Receives the alarm notices (an SNS e-mail subscription) when given. */
  alarmEmail?: string;
  /** Prefix of the names the stack gives (functions, log groups, schedule group, secret, dashboard). Default `herald`. */
  namePrefix?: string;
  /** The built admin app deployed to S3 behind CloudFront. Default `web/dist` (`npm run build:web`). */
  adminAssetPath?: string;
  /** The built `<herald-inbox>` script's directory, deployed at /inbox.js beside the admin app. Default `web/inbox/dist` (`npm run build:web`). */
  inboxAssetPath?: string;
  /** Parallel fan-out streams per campaign (FANOUT_STREAMS); a divisor of 16. Default 8. */
  fanoutStreams?: number;
  /** Every e-mail's From; it or its domain must be a verified SES identity. Default herald@example.com. */
  emailFrom?: string;
  /** The sites that embed `<herald-inbox>` and call the `/inbox` routes from the browser. Default any origin. */
  inboxOrigins?: string[];
}

/** The whole service on AWS: one construct per concern, wired here. */
export class HeraldStack extends Stack {
  readonly data: HeraldData;
  readonly providerToken: ProviderTokenSecret;
  readonly unsubscribeKey: UnsubscribeKeySecret;
  readonly email: HeraldEmail;
  readonly delivery: HeraldDelivery;
  readonly api: HeraldApi;
  readonly admin: HeraldAdmin;
  readonly realtime: HeraldRealtime;
  readonly observability: HeraldObservability;

  constructor(scope: Construct, id: string, props: HeraldStackProps = {}) {
    super(scope, id, props);
    const namePrefix = props.namePrefix ?? 'herald';
    const stageName = props.apiStageName ?? 'v1';
    const functionDefaults: FunctionDefaults = {
      namePrefix,
      logRetention: props.logRetention ?? logs.RetentionDays.ONE_MONTH,
      logLevel: props.logLevel ?? DEFAULT_LOG_LEVEL,
      // The Powertools service name, the same as functions/adapters/logger.ts and metrics.ts use.
      serviceName: SERVICE_NAME,
    };

    this.data = new HeraldData(this, 'Data', { deletionProtection: props.deletionProtection ?? true });
    this.providerToken = new ProviderTokenSecret(this, 'ProviderToken', { secretName: `${namePrefix}/provider-token` });
    this.unsubscribeKey = new UnsubscribeKeySecret(this, 'UnsubscribeKey', { secretName: `${namePrefix}/unsubscribe-key` });
    this.delivery = new HeraldDelivery(this, 'Delivery', {
      data: this.data,
      providerToken: this.providerToken,
      providerUrl: props.providerUrl ?? DEFAULT_PROVIDER_URL,
      scheduleGroupName: namePrefix,
      functionDefaults,
      fanoutStreams: props.fanoutStreams ?? DEFAULT_STREAMS,
    });
    this.admin = new HeraldAdmin(this, 'Admin', {
      namePrefix,
      assetPath: props.adminAssetPath ?? path.join(projectRoot, 'web', 'dist'),
      inboxAssetPath: props.inboxAssetPath ?? path.join(projectRoot, 'web', 'inbox', 'dist'),
      logRetention: functionDefaults.logRetention,
    });
    this.realtime = new HeraldRealtime(this, 'Realtime', {
      data: this.data,
      functionDefaults,
      stageName,
      throttling: props.apiThrottling ?? { rateLimit: 50, burstLimit: 100 },
    });
    this.api = new HeraldApi(this, 'Api', {
      data: this.data,
      delivery: this.delivery,
      throttling: props.apiThrottling ?? { rateLimit: 50, burstLimit: 100 },
      stageName,
      functionDefaults,
      allowedOrigin: this.admin.origin,
      inboxAuthorizer: this.realtime.functions.inboxAuthorizer,
      inboxOrigins: props.inboxOrigins,
    });
    // The api signs inbox tokens and, after a read, unread, read-all or archive, pushes the unread count.
    this.realtime.inboxTokenKey.grantRead(this.api.handler);
    this.api.handler.function.addEnvironment('INBOX_TOKEN_SECRET', this.realtime.inboxTokenKey.secretName);
    this.realtime.allowFrames(this.api.handler);
    // The in-app sender tells the client's connections of each item it writes.
    this.realtime.allowFrames(this.delivery.functions.sendInapp);
    this.admin.connect(this.api, { inboxSocketUrl: this.realtime.url });
    this.email = new HeraldEmail(this, 'Email', {
      data: this.data,
      delivery: this.delivery,
      functionDefaults,
      emailFrom: props.emailFrom ?? DEFAULT_EMAIL_FROM,
      configurationSetName: namePrefix,
    });
    // Every unsubscribe link points at the API. The e-mail sender signs them, the api checks them and
    // signs those of e-mail notices, the start timer those of e-mail steps due later.
    const unsubscribeBaseUrl = apiBaseUrl(this.api.restApi.restApiId, stageName);
    for (const signer of [this.email.functions.sendEmail, this.api.handler, this.delivery.functions.startTimer])
      this.unsubscribeKey.allowLinks(signer, unsubscribeBaseUrl);
    const functions = [
      this.api.handler,
      this.delivery.functions.fanout,
      this.delivery.functions.send,
      this.email.functions.sendEmail,
      this.email.functions.emailEvents,
      this.delivery.functions.sendInapp,
      this.delivery.functions.deadLetter,
      this.delivery.functions.tally,
      this.delivery.functions.startTimer,
      ...Object.values(this.realtime.functions),
    ];
    this.observability = new HeraldObservability(this, 'Observability', {
      namePrefix,
      serviceName: functionDefaults.serviceName,
      functions,
      delivery: this.delivery,
      email: this.email,
      api: this.api,
      alarmEmail: props.alarmEmail,
    });

    new CfnOutput(this, 'ApiUrl', { value: this.api.url, description: 'Base URL of the REST API (SigV4, service execute-api)' });
    new CfnOutput(this, 'InboxWebSocketUrl', {
      value: this.realtime.url,
      description: "Where an end user's app connects for live inbox frames: <url>?token=<inbox token>",
    });
    new CfnOutput(this, 'ProviderTokenSecretName', {
      value: this.providerToken.secretName,
      description: 'Put the provider JWT here: aws secretsmanager put-secret-value --secret-id <name> --secret-string <jwt>',
    });
    for (const name of this.data.names) {
      new CfnOutput(this, `${pascalCase(name)}TableName`, {
        value: this.data.table(name).tableName,
        description: `The handlers' ${tables[name].envVar}`,
      });
    }
    for (const [name, pair] of Object.entries(this.delivery.queues)) {
      new CfnOutput(this, `${pascalCase(name)}QueueUrl`, { value: pair.queue.queueUrl });
      new CfnOutput(this, `${pascalCase(name)}DeadLetterQueueUrl`, { value: pair.deadLetterQueue.queueUrl });
    }
    new CfnOutput(this, 'SchedulerDeadLetterQueueUrl', { value: this.delivery.schedulerDeadLetterQueue.queueUrl });
    new CfnOutput(this, 'ScheduleGroupName', { value: this.delivery.scheduleGroupName });
    for (const fn of functions) {
      new CfnOutput(this, `${pascalCase(fn.name)}LogGroupName`, { value: fn.logGroup.logGroupName });
    }
    new CfnOutput(this, 'ApiAccessLogGroupName', { value: this.api.accessLogGroup.logGroupName });
    new CfnOutput(this, 'DashboardName', { value: namePrefix });
    new CfnOutput(this, 'AlarmTopicArn', { value: this.observability.alarmTopic.topicArn });
    new CfnOutput(this, 'AdminUrl', { value: this.admin.url, description: 'The admin web app (sign in with a user of AdminUserPoolId)' });
    new CfnOutput(this, 'InboxScriptUrl', {
      value: this.admin.inboxScriptUrl,
      description: 'The <herald-inbox> element a site embeds: <script src="..."></script>',
    });
    new CfnOutput(this, 'AdminUserPoolId', {
      value: this.admin.userPool.userPoolId,
      description:
        'Create users here (admin-create-user), then put each in a group: aws cognito-idp admin-add-user-to-group --user-pool-id <id> --username <name> --group-name operators (or viewers: GET routes only)',
    });
  }
}

function pascalCase(name: string): string {
  return `${name[0]!.toUpperCase()}${name.slice(1)}`;
}
