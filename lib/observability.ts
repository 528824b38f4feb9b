import { FINAL_STATUSES } from '../functions/domain/messages.js';
import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { NagSuppressions } from 'cdk-nag';
import { Construct } from 'constructs';
import { idKinds, savedQuery, savedQueryParameter, idFields } from '../functions/definitions/log-queries.js';
import { METRICS_NAMESPACE, metricNames } from '../functions/telemetry/metrics.js';
import type { HeraldApi } from './api.js';
import type { HeraldDelivery } from './delivery.js';
import type { HeraldFunction } from './functions.js';

/** Final message statuses; each has a `Messages_<status>` metric (functions/adapters/metrics.ts). */

export interface HeraldObservabilityProps {
  namePrefix: string;
  /** Powertools service name: the `service` dimension Powertools Metrics puts on every metric. */
  serviceName: string;
  functions: HeraldFunction[];
  delivery: HeraldDelivery;
  api: HeraldApi;
  /** Subscribed to the alarm topic when given. */
  alarmEmail?: string;
}

/**
 * What on-call works with: saved Logs Insights queries by campaign, message and client id over
 * every function's logs (the same queries `npm run logs` runs), alarms on dead letters, function
 * errors and throttles, API 5xx and messages failed on a refused provider token, and a dashboard of delivery outcomes, provider latency and
 * queue age fed by Powertools Metrics (EMF).
 */
export class HeraldObservability extends Construct {
  readonly alarmTopic: sns.Topic;
  readonly alarms: cloudwatch.Alarm[] = [];
  readonly dashboard: cloudwatch.Dashboard;
  readonly queryDefinitions: logs.QueryDefinition[] = [];

  constructor(scope: Construct, id: string, props: HeraldObservabilityProps) {
    super(scope, id);
    const { delivery } = props;

    for (const kind of idKinds) {
      const definition = new logs.QueryDefinition(this, `By${kind[0]!.toUpperCase()}${kind.slice(1)}`, {
        queryDefinitionName: `${props.namePrefix}/by ${kind}`,
        queryString: new logs.QueryString(savedQuery(kind)),
        logGroups: props.functions.map((fn) => fn.logGroup),
      });
      // Logs Insights asks for the id when the saved query runs.
      (definition.node.defaultChild as logs.CfnQueryDefinition).parameters = [
        { name: savedQueryParameter(kind), description: `The ${idFields[kind]} to find every log line about` },
      ];
      this.queryDefinitions.push(definition);
    }

    this.alarmTopic = new sns.Topic(this, 'AlarmTopic', { displayName: 'Herald alarms', enforceSSL: true });
    NagSuppressions.addResourceSuppressions(this.alarmTopic, [
      {
        id: 'AwsSolutions-SNS2',
        reason: 'Alarm notices carry no customer data, and CloudWatch cannot publish to a topic under the AWS-managed SNS key.',
      },
    ]);
    if (props.alarmEmail) this.alarmTopic.addSubscription(new subscriptions.EmailSubscription(props.alarmEmail));

    const deadLetterQueues: [string, sqs.IQueue][] = [
      ['FanoutDeadLetters', delivery.queues.fanout.deadLetterQueue],
      ['SendDeadLetters', delivery.queues.send.deadLetterQueue],
      ['SendInappDeadLetters', delivery.queues.sendInapp.deadLetterQueue],
      ['StartTimerDeadLetters', delivery.queues.startTimer.deadLetterQueue],
      ['SchedulerDeadLetters', delivery.schedulerDeadLetterQueue],
      ['TallyDeadLetters', delivery.tallyDeadLetterQueue],
    ];
    for (const [name, queue] of deadLetterQueues) {
      this.alarm(
        name,
        `${name}: a message reached a dead-letter queue`,
        queue.metricApproximateNumberOfMessagesVisible({
          period: Duration.minutes(1),
          statistic: cloudwatch.Stats.MAXIMUM,
        }),
      );
    }

    for (const fn of props.functions) {
      const period = Duration.minutes(5);
      const id = `${fn.name[0]!.toUpperCase()}${fn.name.slice(1)}`;
      this.alarm(`${id}Errors`, `${fn.functionName} failed an invocation`, fn.function.metricErrors({ period }));
      this.alarm(`${id}Throttles`, `${fn.functionName} was throttled`, fn.function.metricThrottles({ period }));
    }

    const stage = props.api.restApi.deploymentStage;
    this.alarm('Api5xx', 'The API answered 5xx', stage.metricServerError({ period: Duration.minutes(5), statistic: cloudwatch.Stats.SUM }));

    const heraldMetric = (metricName: string, options: cloudwatch.MetricOptions) =>
      new cloudwatch.Metric({
        namespace: METRICS_NAMESPACE,
        metricName,
        dimensionsMap: { service: props.serviceName },
        period: Duration.minutes(5),
        ...options,
      });
    this.alarm(
      'ProviderAuthFailures',
      'The SMS provider refused the token (HTTP 401) and messages failed: put the right token in the provider token secret',
      heraldMetric(metricNames.providerAuthFailures, { statistic: cloudwatch.Stats.SUM }),
    );

    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      dashboardName: props.namePrefix,
      defaultInterval: Duration.hours(6),
    });
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'Messages by status (per 5 minutes)',
        width: 12,
        left: [...FINAL_STATUSES].map((status) => heraldMetric(metricNames.messagesByStatus(status), { statistic: cloudwatch.Stats.SUM, label: status })),
      }),
      new cloudwatch.GraphWidget({
        title: 'Provider latency (ms)',
        width: 12,
        left: [cloudwatch.Stats.p(50), cloudwatch.Stats.p(90), cloudwatch.Stats.p(99)].map((statistic) =>
          heraldMetric(metricNames.providerLatency, { statistic, label: statistic, unit: cloudwatch.Unit.MILLISECONDS }),
        ),
        leftYAxis: { label: 'ms', showUnits: false, min: 0 },
      }),
    );
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'Age of the oldest message (s)',
        width: 12,
        left: [
          delivery.queues.fanout.queue.metricApproximateAgeOfOldestMessage({ label: 'fan-out queue', statistic: cloudwatch.Stats.MAXIMUM }),
          delivery.queues.send.queue.metricApproximateAgeOfOldestMessage({ label: 'send queue', statistic: cloudwatch.Stats.MAXIMUM }),
        ],
      }),
      new cloudwatch.AlarmStatusWidget({ title: 'Alarms', width: 12, alarms: this.alarms }),
    );
  }

  /** Alarms as soon as one datapoint reaches 1; no data (nothing happening) is fine. */
  private alarm(id: string, description: string, metric: cloudwatch.IMetric): void {
    const alarm = new cloudwatch.Alarm(this, id, {
      alarmDescription: description,
      metric,
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    alarm.addAlarmAction(new actions.SnsAction(this.alarmTopic));
    this.alarms.push(alarm);
  }
}
