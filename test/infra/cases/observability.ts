import { channelPaths } from '../../../functions/definitions/channels.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { idFields, idKinds, renderQuery, savedQuery } from '../../../functions/definitions/log-queries.js';
import { METRICS_NAMESPACE, metricNames } from '../../../functions/telemetry/metrics.js';
import { FINAL_STATUSES } from '../../../functions/domain/messages.js';
import { SERVICE_NAME } from '../../../functions/definitions/functions.js';
import { functionIdByName, logicalId, resourcesOfType, type Json, type SynthesizedHerald } from '../fixture.js';

const functionNames = [
  'herald-api',
  'herald-fanout',
  'herald-send',
  'herald-send-email',
  'herald-email-events',
  'herald-send-inapp',
  'herald-dead-letter',
  'herald-tally',
  'herald-start-timer',
  'herald-ws-authorizer',
  'herald-ws-connect',
  'herald-ws-disconnect',
  'herald-ws-default',
  'herald-inbox-authorizer',
];

/** The dashboard body is a Fn::Join of JSON text and deploy-time tokens; tokens become "TOKEN" so the JSON parses. */
function dashboardBody(dashboard: Json): { widgets: Json[] } {
  const body = dashboard.Properties.DashboardBody;
  const text = typeof body === 'string' ? body : (body['Fn::Join'][1] as unknown[]).map((part) => (typeof part === 'string' ? part : 'TOKEN')).join('');
  return JSON.parse(text) as { widgets: Json[] };
}

/** Registered by stack.test.ts, which synthesizes the stack once for all of them. */
export function observabilityCases(synthesized: () => SynthesizedHerald): void {
  describe('observability', () => {
    let herald: SynthesizedHerald;
    beforeAll(() => {
      herald = synthesized();
    });

    const logGroupRefs = () =>
      functionNames.map((name) => herald.resources[functionIdByName(herald.resources, name)]!.Properties.LoggingConfig.LogGroup as Json);

    describe('saved Logs Insights queries', () => {
      it.each(idKinds)('"by %s": the query npm run logs runs, over every function log group, asking for the id', (kind) => {
        const [[, definition]] = resourcesOfType(herald.resources, 'AWS::Logs::QueryDefinition').filter(
          ([, candidate]) => candidate.Properties.Name === `herald/by ${kind}`,
        ) as [[string, Json]];
        expect(definition.Properties.QueryString).toBe(renderQuery(savedQuery(kind)));
        expect(definition.Properties.QueryString).toContain(`{{${idFields[kind]}}}`);
        expect(definition.Properties.LogGroupNames).toEqual(logGroupRefs());
        expect(definition.Properties.Parameters).toEqual([{ Name: idFields[kind], Description: expect.any(String) }]);
      });

      it('there are exactly four', () => {
        herald.template.resourceCountIs('AWS::Logs::QueryDefinition', 4);
      });
    });

    describe('alarms', () => {
      const alarms = () => resourcesOfType(herald.resources, 'AWS::CloudWatch::Alarm').map(([, alarm]) => alarm.Properties as Json);
      const topicId = () => logicalId(herald.stack.observability.alarmTopic);

      it.each([
        ['fan-out DLQ', () => herald.stack.delivery.queues.fanout.deadLetterQueue],
        ['send DLQ', () => herald.stack.delivery.queues.send.deadLetterQueue],
        ['e-mail send DLQ', () => herald.stack.delivery.queues.sendEmail.deadLetterQueue],
        ['SES events DLQ (EventBridge could not invoke emailEvents)', () => herald.stack.email.eventsDeadLetterQueue],
        ['in-app send DLQ', () => herald.stack.delivery.queues.sendInapp.deadLetterQueue],
        ['start timer DLQ', () => herald.stack.delivery.queues.startTimer.deadLetterQueue],
        ['scheduler DLQ', () => herald.stack.delivery.schedulerDeadLetterQueue],
      ] as const)('%s: alarms on the first visible message', (_, queue) => {
        const queueId = logicalId(queue());
        const matching = alarms().filter(
          (alarm) =>
            alarm.MetricName === 'ApproximateNumberOfMessagesVisible' &&
            JSON.stringify(alarm.Dimensions) === JSON.stringify([{ Name: 'QueueName', Value: { 'Fn::GetAtt': [queueId, 'QueueName'] } }]),
        );
        expect(matching).toHaveLength(1);
        expect(matching[0]).toMatchObject({
          Namespace: 'AWS/SQS',
          Threshold: 1,
          ComparisonOperator: 'GreaterThanOrEqualToThreshold',
          EvaluationPeriods: 1,
          TreatMissingData: 'notBreaching',
          AlarmActions: [{ Ref: topicId() }],
        });
      });

      it.each(functionNames)('%s: alarms on errors and on throttles', (functionName) => {
        const functionId = functionIdByName(herald.resources, functionName);
        for (const metricName of ['Errors', 'Throttles']) {
          const matching = alarms().filter(
            (alarm) =>
              alarm.Namespace === 'AWS/Lambda' &&
              alarm.MetricName === metricName &&
              JSON.stringify(alarm.Dimensions) === JSON.stringify([{ Name: 'FunctionName', Value: { Ref: functionId } }]),
          );
          expect(matching, `${functionName} ${metricName}`).toHaveLength(1);
          expect(matching[0]).toMatchObject({ Statistic: 'Sum', Threshold: 1, AlarmActions: [{ Ref: topicId() }] });
        }
      });

      it('the API: alarms on 5XXError of its stage', () => {
        const matching = alarms().filter((alarm) => alarm.Namespace === 'AWS/ApiGateway' && alarm.MetricName === '5XXError');
        expect(matching).toHaveLength(1);
        expect(matching[0]!.Dimensions).toEqual(
          expect.arrayContaining([
            { Name: 'ApiName', Value: 'herald' },
            { Name: 'Stage', Value: { Ref: expect.any(String) } },
          ]),
        );
        expect(matching[0]).toMatchObject({ Statistic: 'Sum', Threshold: 1 });
      });

      it('messages failed on a refused provider token: alarms on the first, from the metric the send function emits', () => {
        const matching = alarms().filter((alarm) => alarm.MetricName === metricNames.providerAuthFailures);
        expect(matching).toHaveLength(1);
        expect(matching[0]).toEqual({
          AlarmDescription: expect.stringMatching(/refused the token \(HTTP 401\)/),
          Namespace: METRICS_NAMESPACE,
          MetricName: 'ProviderAuthFailures',
          Dimensions: [{ Name: 'service', Value: SERVICE_NAME }],
          Statistic: 'Sum',
          Period: 300,
          Threshold: 1,
          ComparisonOperator: 'GreaterThanOrEqualToThreshold',
          EvaluationPeriods: 1,
          TreatMissingData: 'notBreaching',
          AlarmActions: [{ Ref: topicId() }],
        });
      });

      it('alarm notices go to one topic that refuses unencrypted publishing', () => {
        // One per dead-letter queue (fan-out, send, e-mail send, in-app send, start timer, scheduler, tally, SES events), errors and throttles per function, 5xx of the API, refused provider token.
        expect(alarms()).toHaveLength(8 + 2 * functionNames.length + 1 + 1);
        const topicPolicy = resourcesOfType(herald.resources, 'AWS::SNS::TopicPolicy')[0]![1];
        const statements = topicPolicy.Properties.PolicyDocument.Statement as Json[];
        expect(statements.some((statement) => statement.Effect === 'Deny' && statement.Condition?.Bool?.['aws:SecureTransport'] === 'false')).toBe(true);
      });
    });

    describe('dashboard', () => {
      const metricsOf = (title: string): unknown[][] => {
        const [[, dashboard]] = resourcesOfType(herald.resources, 'AWS::CloudWatch::Dashboard') as [[string, Json]];
        const widget = dashboardBody(dashboard).widgets.find((candidate) => candidate.properties.title === title);
        expect(widget, title).toBeDefined();
        return widget!.properties.metrics as unknown[][];
      };

      it('shows messages by final status from the Powertools metrics (namespace Herald, service herald)', () => {
        const metrics = metricsOf('Messages by status (per 5 minutes)');
        expect(metrics.map((metric) => metric.slice(0, 4))).toEqual(
          [...FINAL_STATUSES].map((status) => [METRICS_NAMESPACE, metricNames.messagesByStatus(status), 'service', SERVICE_NAME]),
        );
        expect(metrics.map((metric) => metric.slice(0, 2))).toEqual([
          ['Herald', 'Messages_sent'],
          ['Herald', 'Messages_failed'],
          ['Herald', 'Messages_expired'],
          ['Herald', 'Messages_cancelled'],
        ]);
        for (const metric of metrics) expect(metric[4]).toMatchObject({ stat: 'Sum' });
      });

      it('shows provider latency percentiles in milliseconds', () => {
        const metrics = metricsOf('Provider latency (ms)');
        expect(metrics.map((metric) => metric.slice(0, 4))).toEqual(Array(3).fill(['Herald', 'ProviderLatency', 'service', 'herald']));
        expect(metrics.map((metric) => (metric[4] as Json).stat)).toEqual(['p50', 'p90', 'p99']);
      });

      it("shows the age of the oldest message of the fan-out queue and each channel's send queue", () => {
        const metrics = metricsOf('Age of the oldest message (s)');
        // The fan-out queue and one send queue per channel: SMS, e-mail, in-app.
        expect(metrics).toHaveLength(1 + Object.keys(channelPaths).length);
        expect(Object.keys(channelPaths)).toEqual(['sms', 'email', 'inapp']);
        for (const metric of metrics) expect(metric.slice(0, 3)).toEqual(['AWS/SQS', 'ApproximateAgeOfOldestMessage', 'QueueName']);
      });
    });

    it('prints the outputs an operator needs', () => {
      const outputs = herald.json.Outputs as Record<string, Json>;
      expect(Object.keys(outputs)).toEqual(
        expect.arrayContaining([
          'ApiUrl',
          'ProviderTokenSecretName',
          'ClientsTableName',
          'UniquesTableName',
          'CampaignsTableName',
          'MessagesTableName',
          'FanoutQueueUrl',
          'SendQueueUrl',
          'FanoutDeadLetterQueueUrl',
          'SendDeadLetterQueueUrl',
          'SchedulerDeadLetterQueueUrl',
          'ScheduleGroupName',
          'ApiLogGroupName',
          'FanoutLogGroupName',
          'SendLogGroupName',
          'DeadLetterLogGroupName',
          'ApiAccessLogGroupName',
          'DashboardName',
        ]),
      );
      expect(outputs.ProviderTokenSecretName!.Value).toBe('herald/provider-token');
      expect(outputs.SendLogGroupName!.Value).toEqual({ Ref: logGroupRefs()[2]!.Ref });
    });
  });
}
