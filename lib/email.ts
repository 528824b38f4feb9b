import { ArnFormat, Aws, Duration, Stack } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as ses from 'aws-cdk-lib/aws-ses';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { NagSuppressions } from 'cdk-nag';
import { Construct } from 'constructs';
import { queues } from '../functions/definitions/queues.js';
import { normalizeEmail } from '../functions/domain/channels/email.js';
import type { HeraldData } from './data.js';
import { deadLetterDestination, type HeraldDelivery } from './delivery.js';
import { HeraldFunction, type FunctionDefaults } from './functions.js';

/** The SES events Herald acts on (functions/domain/channels/email-events.ts): the configuration set publishes these and no others. */
export const SES_EVENT_TYPES = ['BOUNCE', 'COMPLAINT', 'DELIVERY'];
/** How EventBridge names them (its `detail-type`). */
export const SES_DETAIL_TYPES = ['Email Bounced', 'Email Complaint Received', 'Email Delivered'];
/** An event EventBridge could not hand to the function is tried again for this long, then kept in the DLQ. */
const EVENT_MAX_AGE = Duration.hours(6);

export interface HeraldEmailProps {
  data: HeraldData;
  delivery: HeraldDelivery;
  functionDefaults: FunctionDefaults;
  /** `FromEmailAddress` of every e-mail: the stack's `emailFrom`; the address or its domain must be a verified SES identity. */
  emailFrom: string;
  /** The configuration set's name. */
  configurationSetName: string;
}

/**
 * The e-mail channel on AWS: the SES v2 configuration set whose event destination is
 * EventBridge's default bus, the sendEmail function on the channel's queue (HeraldDelivery builds
 * the queue and its DLQ from functions/definitions/channels.ts), and the emailEvents function
 * behind an EventBridge rule matching that configuration set's bounces, complaints and deliveries.
 */
export class HeraldEmail extends Construct {
  readonly configurationSet: ses.CfnConfigurationSet;
  readonly eventDestination: ses.CfnConfigurationSetEventDestination;
  readonly functions: { sendEmail: HeraldFunction; emailEvents: HeraldFunction };
  readonly rule: events.Rule;
  /** Where EventBridge puts an SES event it could not deliver to emailEvents (an alarm watches it). */
  readonly eventsDeadLetterQueue: sqs.Queue;

  constructor(scope: Construct, id: string, props: HeraldEmailProps) {
    super(scope, id);
    const { data, delivery, configurationSetName } = props;
    const from = normalizeEmail(props.emailFrom);
    if (from === undefined) throw new Error(`emailFrom: ${JSON.stringify(props.emailFrom)} is not an e-mail address`);

    this.configurationSet = new ses.CfnConfigurationSet(this, 'ConfigurationSet', {
      name: configurationSetName,
      deliveryOptions: { tlsPolicy: 'REQUIRE' },
      reputationOptions: { reputationMetricsEnabled: true },
      sendingOptions: { sendingEnabled: true },
    });
    const defaultBus = Stack.of(this).formatArn({
      service: 'events',
      resource: 'event-bus',
      resourceName: 'default',
      arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
    });
    this.eventDestination = new ses.CfnConfigurationSetEventDestination(this, 'EventDestination', {
      configurationSetName: this.configurationSet.ref,
      eventDestination: {
        name: 'eventbridge',
        enabled: true,
        matchingEventTypes: SES_EVENT_TYPES,
        eventBridgeDestination: { eventBusArn: defaultBus },
      },
    });

    const queue = delivery.queues.sendEmail.queue;
    const sendEmail = new HeraldFunction(this, 'SendEmailFunction', {
      name: 'sendEmail',
      description: 'Claims e-mail chunks and sends each open message through SES v2 before the campaign ends',
      defaults: props.functionDefaults,
      environment: {
        ...data.environment,
        [queues.sendEmail.urlEnvVar]: queue.queueUrl,
        EMAIL_FROM: from,
        SES_CONFIGURATION_SET: configurationSetName,
      },
    });
    data.grantTables(sendEmail);
    // As the SMS sender: a held or retried chunk goes back as a new, delayed message.
    queue.grant(sendEmail, 'sqs:SendMessage');
    delivery.subscribe(sendEmail, queue, queues.sendEmail);
    this.grantSendEmail(sendEmail, from, configurationSetName);

    this.functions = {
      sendEmail,
      emailEvents: new HeraldFunction(this, 'EmailEventsFunction', {
        name: 'emailEvents',
        description: "Applies SES's bounces, complaints and deliveries: the suppression list, opt-outs, each message's delivery and its campaign's emailEvents",
        defaults: props.functionDefaults,
        environment: { ...data.environment },
      }),
    };
    data.grantTables(this.functions.emailEvents);

    this.eventsDeadLetterQueue = deadLetterDestination(
      this,
      'EventsDeadLetterQueue',
      'It is itself a dead-letter queue: the one EventBridge writes SES events to that it could not deliver.',
    );
    this.rule = new events.Rule(this, 'SesEventsRule', {
      description: "SES's bounces, complaints and deliveries of Herald's configuration set, to the emailEvents function",
      eventPattern: {
        source: ['aws.ses'],
        detailType: SES_DETAIL_TYPES,
        // SES tags every event of a configuration set with its name: another set's mail in the same account is not Herald's.
        detail: { mail: { tags: { 'ses:configuration-set': [configurationSetName] } } },
      },
      targets: [
        new targets.LambdaFunction(this.functions.emailEvents.function, {
          deadLetterQueue: this.eventsDeadLetterQueue,
          maxEventAge: EVENT_MAX_AGE,
          retryAttempts: 8,
        }),
      ],
    });
  }

  /**
   * `ses:SendEmail` on Herald's identity and configuration set only: the address's own identity
   * and its domain's (SES authorizes a send by whichever of the two is verified), and SendEmail
   * with any other From or configuration set is refused. `ses:GetAccount` (the account's
   * MaxSendRate, which every e-mail sender keeps under) names no resource.
   */
  private grantSendEmail(grantee: HeraldFunction, from: string, configurationSetName: string): void {
    const stack = Stack.of(this);
    const arn = (resource: string, resourceName: string) =>
      stack.formatArn({ service: 'ses', resource, resourceName, arnFormat: ArnFormat.SLASH_RESOURCE_NAME });
    const domain = from.slice(from.lastIndexOf('@') + 1);
    grantee.grantPrincipal.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['ses:SendEmail'],
        resources: [arn('identity', from), arn('identity', domain), arn('configuration-set', configurationSetName)],
        conditions: { StringEquals: { 'ses:FromAddress': from } },
      }),
    );
    grantee.grantPrincipal.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['ses:GetAccount'], resources: ['*'] }));
    NagSuppressions.addResourceSuppressions(
      grantee,
      [{ id: 'AwsSolutions-IAM5', reason: "ses:GetAccount reads the account's sending quota and takes no resource but *.", appliesTo: ['Resource::*'] }],
      true,
    );
  }
}

/** The API's base URL from its id and stage name, without a reference to the stage (which depends on every method, and so on the api function). */
export function apiBaseUrl(restApiId: string, stageName: string): string {
  return `https://${restApiId}.execute-api.${Aws.REGION}.${Aws.URL_SUFFIX}/${stageName}`;
}
