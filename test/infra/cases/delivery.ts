import { beforeAll, describe, expect, it } from 'vitest';
import { functionSettings, tallyStream } from '../../../functions/definitions/functions.js';
import { queues, type QueueDefinition } from '../../../functions/definitions/queues.js';
import { assertVisibilityCoversConsumer, VISIBILITY_TO_TIMEOUT_RATIO } from '../../../lib/delivery.js';
import { kebabCase } from '../../../lib/functions.js';
import { asList, functionIdByName, logicalId, referencedIds, resourcesOfType, statementsOfRole, type Json, type SynthesizedHerald } from '../fixture.js';

const FOURTEEN_DAYS = 14 * 24 * 3600;

/** Registered by stack.test.ts, which synthesizes the stack once for all of them. */
export function deliveryCases(synthesized: () => SynthesizedHerald): void {
  describe('delivery: queues, event sources, scheduler', () => {
    let herald: SynthesizedHerald;
    beforeAll(() => {
      herald = synthesized();
    });

    const queueIds = () => {
      const { queues: pairs, schedulerDeadLetterQueue } = herald.stack.delivery;
      return {
        fanout: logicalId(pairs.fanout.queue),
        fanoutDlq: logicalId(pairs.fanout.deadLetterQueue),
        send: logicalId(pairs.send.queue),
        sendDlq: logicalId(pairs.send.deadLetterQueue),
        sendEmail: logicalId(pairs.sendEmail.queue),
        sendEmailDlq: logicalId(pairs.sendEmail.deadLetterQueue),
        sendInapp: logicalId(pairs.sendInapp.queue),
        sendInappDlq: logicalId(pairs.sendInapp.deadLetterQueue),
        startTimer: logicalId(pairs.startTimer.queue),
        startTimerDlq: logicalId(pairs.startTimer.deadLetterQueue),
        schedulerDlq: logicalId(schedulerDeadLetterQueue),
      };
    };
    const functionOf = (name: string): [string, Json] => {
      const id = functionIdByName(herald.resources, name);
      return [id, herald.resources[id]!];
    };

    it("has the five queues (fan-out, start timer, each channel's send queue), their five DLQs, and the scheduler's, the tally's and the SES events' DLQs", () => {
      herald.template.resourceCountIs('AWS::SQS::Queue', 13);
    });

    it("feeds the tally from the messages table's stream, resuming from failed records and keeping what still fails", () => {
      const [[, mapping]] = resourcesOfType(herald.resources, 'AWS::Lambda::EventSourceMapping').filter(
        ([, candidate]) => candidate.Properties.StartingPosition,
      ) as [[string, Json]];
      expect(mapping.Properties).toMatchObject({
        StartingPosition: 'TRIM_HORIZON',
        BatchSize: tallyStream.batchSize,
        MaximumBatchingWindowInSeconds: tallyStream.batchingWindowSeconds,
        BisectBatchOnFunctionError: true,
        FunctionResponseTypes: ['ReportBatchItemFailures'],
        DestinationConfig: { OnFailure: { Destination: expect.anything() } },
      });
      const [[, messagesTable]] = resourcesOfType(herald.resources, 'AWS::DynamoDB::Table').filter(([, table]) => table.Properties.StreamSpecification) as [
        [string, Json],
      ];
      expect(messagesTable.Properties.StreamSpecification).toEqual({ StreamViewType: 'NEW_AND_OLD_IMAGES' });
    });

    it('encrypts every queue with SQS-managed keys and refuses requests without TLS', () => {
      const queuesInTemplate = resourcesOfType(herald.resources, 'AWS::SQS::Queue');
      const policies = resourcesOfType(herald.resources, 'AWS::SQS::QueuePolicy');
      for (const [id, queue] of queuesInTemplate) {
        expect(queue.Properties.SqsManagedSseEnabled, id).toBe(true);
        const policy = policies.find(([, candidate]) => (candidate.Properties.Queues as Json[]).some((ref) => ref.Ref === id));
        expect(policy, `queue policy of ${id}`).toBeDefined();
        const denyInsecure = (policy![1].Properties.PolicyDocument.Statement as Json[]).find(
          (statement) => statement.Effect === 'Deny' && statement.Condition?.Bool?.['aws:SecureTransport'] === 'false',
        );
        expect(denyInsecure, `TLS-only statement on ${id}`).toBeDefined();
      }
    });

    it.each(Object.entries(queues))('%s queue: redrive to its DLQ after maxReceiveCount receives', (name, definition) => {
      const ids = queueIds();
      const pairs: Record<keyof typeof queues, [string, string]> = {
        fanout: [ids.fanout, ids.fanoutDlq],
        send: [ids.send, ids.sendDlq],
        sendEmail: [ids.sendEmail, ids.sendEmailDlq],
        sendInapp: [ids.sendInapp, ids.sendInappDlq],
        startTimer: [ids.startTimer, ids.startTimerDlq],
      };
      const [queueId, dlqId] = pairs[name as keyof typeof queues];
      const queue = herald.resources[queueId]!;
      expect(queue.Properties.RedrivePolicy).toEqual({
        deadLetterTargetArn: { 'Fn::GetAtt': [dlqId, 'Arn'] },
        maxReceiveCount: definition.deadLetter.maxReceiveCount,
      });
      expect(herald.resources[dlqId]!.Properties.MessageRetentionPeriod).toBe(FOURTEEN_DAYS);
    });

    it('fan-out queue and its DLQ are FIFO; the fan-out queue deduplicates by content (a Scheduler target must)', () => {
      const ids = queueIds();
      expect(herald.resources[ids.fanout]!.Properties.FifoQueue).toBe(true);
      expect(herald.resources[ids.fanout]!.Properties.ContentBasedDeduplication).toBe(true);
      expect(herald.resources[ids.fanoutDlq]!.Properties.FifoQueue).toBe(true);
      expect(herald.resources[ids.send]!.Properties.FifoQueue).toBeUndefined();
      // Standard: each start it holds carries its own DelaySeconds, which a FIFO queue refuses.
      expect(herald.resources[ids.startTimer]!.Properties.FifoQueue).toBeUndefined();
      // Scheduler only supports a standard queue as its DLQ.
      expect(herald.resources[ids.schedulerDlq]!.Properties.FifoQueue).toBeUndefined();
    });

    it.each(Object.entries(queues))('%s: visibility timeout is at least 6 x its consumer function timeout', (name, definition: QueueDefinition) => {
      const queue = herald.resources[queueIds()[name as keyof typeof queues]]!;
      const [, consumer] = functionOf(`herald-${kebabCase(definition.consumer)}`);
      expect(queue.Properties.VisibilityTimeout).toBe(definition.visibilityTimeoutSeconds);
      expect(queue.Properties.VisibilityTimeout).toBeGreaterThanOrEqual(VISIBILITY_TO_TIMEOUT_RATIO * consumer.Properties.Timeout);
    });

    it.each(['sendDlq', 'sendEmailDlq'] as const)('the %s, drained by the dead-letter function, also covers 6 x that function timeout', (key) => {
      const [, deadLetter] = functionOf('herald-dead-letter');
      const dlq = herald.resources[queueIds()[key]]!;
      expect(dlq.Properties.VisibilityTimeout).toBeGreaterThanOrEqual(VISIBILITY_TO_TIMEOUT_RATIO * deadLetter.Properties.Timeout);
    });

    it('refuses a queue definition whose visibility timeout is under 6 x the consumer timeout', () => {
      const tooShort: QueueDefinition = { ...queues.send, visibilityTimeoutSeconds: 6 * functionSettings.send.timeoutSeconds - 1 };
      expect(() => assertVisibilityCoversConsumer(tooShort)).toThrow(/under 6 x the send function timeout/);
      expect(() => assertVisibilityCoversConsumer(queues.send)).not.toThrow();
    });

    it.each([
      ['herald-fanout', 'fanout', queues.fanout.batchSize, queues.fanout.maxConcurrency],
      ['herald-send', 'send', queues.send.batchSize, queues.send.maxConcurrency],
      ['herald-send-email', 'sendEmail', queues.sendEmail.batchSize, queues.sendEmail.maxConcurrency],
      ['herald-start-timer', 'startTimer', queues.startTimer.batchSize, queues.startTimer.maxConcurrency],
      ['herald-send-inapp', 'sendInapp', queues.sendInapp.batchSize, queues.sendInapp.maxConcurrency],
      ['herald-dead-letter', 'sendDlq', 10, 2],
      ['herald-dead-letter', 'sendEmailDlq', 10, 2],
      ['herald-dead-letter', 'sendInappDlq', 10, 2],
    ] as const)('%s consumes its queue (%s) with ReportBatchItemFailures and MaximumConcurrency', (functionName, queueKey, batchSize, maxConcurrency) => {
      const [functionId] = functionOf(functionName);
      const mappings = resourcesOfType(herald.resources, 'AWS::Lambda::EventSourceMapping').filter(
        ([, mapping]) =>
          mapping.Properties.FunctionName.Ref === functionId &&
          JSON.stringify(mapping.Properties.EventSourceArn) === JSON.stringify({ 'Fn::GetAtt': [queueIds()[queueKey], 'Arn'] }),
      );
      // The dead-letter function drains every channel's DLQ; each sender consumes its own queue only.
      expect(mappings).toHaveLength(1);
      const found = mappings.find(
        ([, mapping]) => JSON.stringify(mapping.Properties.EventSourceArn) === JSON.stringify({ 'Fn::GetAtt': [queueIds()[queueKey], 'Arn'] }),
      );
      expect(found, `${functionName} on ${queueKey}`).toBeDefined();
      const mapping = found![1].Properties;
      expect(mapping.FunctionResponseTypes).toEqual(['ReportBatchItemFailures']);
      expect(mapping.ScalingConfig).toEqual({ MaximumConcurrency: maxConcurrency });
      expect(mapping.BatchSize).toBe(batchSize);
    });

    it('creates the schedule group `herald`', () => {
      herald.template.hasResourceProperties('AWS::Scheduler::ScheduleGroup', { Name: 'herald' });
    });

    it('the scheduler role is assumable only by EventBridge Scheduler of this account', () => {
      const role = herald.resources[logicalId(herald.stack.delivery.schedulerRole)]!;
      expect(role.Properties.AssumeRolePolicyDocument.Statement).toEqual([
        {
          Action: 'sts:AssumeRole',
          Effect: 'Allow',
          Principal: { Service: 'scheduler.amazonaws.com' },
          Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
        },
      ]);
      expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    });

    it('the scheduler role may only sqs:SendMessage, to the start timer queue (starts), the fan-out queue (occurrences) and the scheduler DLQ', () => {
      const ids = queueIds();
      const statements = statementsOfRole(herald.resources, logicalId(herald.stack.delivery.schedulerRole));
      expect(statements.flatMap((statement) => asList(statement.Action))).toEqual(['sqs:SendMessage', 'sqs:SendMessage', 'sqs:SendMessage']);
      expect(statements.every((statement) => statement.Effect === 'Allow')).toBe(true);
      expect(statements.flatMap((statement) => referencedIds(statement.Resource)).sort()).toEqual([ids.startTimer, ids.fanout, ids.schedulerDlq].sort());
    });

    it("the start timer may send to its own queue (each hop is a new delayed message), to the fan-out queue and (a due event step's notice) to each channel's send queue, nothing else", () => {
      const ids = queueIds();
      const [, startTimer] = functionOf('herald-start-timer');
      const statements = statementsOfRole(herald.resources, startTimer.Properties.Role['Fn::GetAtt'][0]);
      const sending = statements.filter((statement) => asList(statement.Action).includes('sqs:SendMessage'));
      expect(sending.flatMap((statement) => referencedIds(statement.Resource)).sort()).toEqual(
        [ids.fanout, ids.startTimer, ids.send, ids.sendEmail, ids.sendInapp].sort(),
      );
      const actions = statements.flatMap((statement) => asList(statement.Action));
      // Its tables are pinned in test/infra/cases/functions.ts, and its one secret (the unsubscribe key) there too; no Scheduler.
      expect(actions.filter((action) => action.startsWith('scheduler:'))).toEqual([]);
      expect(startTimer.Properties.Environment.Variables).toMatchObject({
        FANOUT_QUEUE_URL: { Ref: ids.fanout },
        SEND_QUEUE_URL: { Ref: ids.send },
        SEND_EMAIL_QUEUE_URL: { Ref: ids.sendEmail },
        SEND_INAPP_QUEUE_URL: { Ref: ids.sendInapp },
        START_TIMER_QUEUE_URL: { Ref: ids.startTimer },
      });
    });

    it('the api function may put a start within the lead on the start timer, and is told its URL and ARN as the schedule target', () => {
      const ids = queueIds();
      const [, api] = functionOf('herald-api');
      const statements = statementsOfRole(herald.resources, api.Properties.Role['Fn::GetAtt'][0]);
      const sending = statements.filter((statement) => asList(statement.Action).includes('sqs:SendMessage'));
      expect(sending.flatMap((statement) => referencedIds(statement.Resource))).toEqual(expect.arrayContaining([ids.startTimer, ids.fanout]));
      expect(api.Properties.Environment.Variables).toMatchObject({
        START_TIMER_QUEUE_URL: { Ref: ids.startTimer },
        SCHEDULE_TARGET_ARN: { 'Fn::GetAtt': [ids.startTimer, 'Arn'] },
        OCCURRENCE_TARGET_ARN: { 'Fn::GetAtt': [ids.fanout, 'Arn'] },
      });
    });

    it('the fan-out function may send an early start back to the start timer', () => {
      const [, fanout] = functionOf('herald-fanout');
      const statements = statementsOfRole(herald.resources, fanout.Properties.Role['Fn::GetAtt'][0]);
      const sending = statements.filter((statement) => asList(statement.Action).includes('sqs:SendMessage'));
      expect(sending.flatMap((statement) => referencedIds(statement.Resource))).toContain(queueIds().startTimer);
      expect(fanout.Properties.Environment.Variables.START_TIMER_QUEUE_URL).toEqual({ Ref: queueIds().startTimer });
    });

    it.each(['herald-api', 'herald-fanout'])('%s is told the in-app send queue (SEND_INAPP_QUEUE_URL) and may send to it', (functionName) => {
      const ids = queueIds();
      const [, fn] = functionOf(functionName);
      const statements = statementsOfRole(herald.resources, fn.Properties.Role['Fn::GetAtt'][0]);
      const sending = statements.filter((statement) => asList(statement.Action).includes('sqs:SendMessage'));
      expect(sending.flatMap((statement) => referencedIds(statement.Resource))).toContain(ids.sendInapp);
      expect(fn.Properties.Environment.Variables.SEND_INAPP_QUEUE_URL).toEqual({ Ref: ids.sendInapp });
    });

    it('the fan-out function reads its audience in the default 8 streams, set explicitly', () => {
      const [, fanout] = functionOf('herald-fanout');
      expect(fanout.Properties.Environment.Variables.FANOUT_STREAMS).toBe('8');
    });

    it('the api function may manage schedules only in the herald group, and pass only the scheduler role, only to Scheduler', () => {
      const [, api] = functionOf('herald-api');
      const statements = statementsOfRole(herald.resources, api.Properties.Role['Fn::GetAtt'][0]);
      const scheduling = statements.find((statement) => asList(statement.Action).includes('scheduler:CreateSchedule'))!;
      expect(asList(scheduling.Action).sort()).toEqual(['scheduler:CreateSchedule', 'scheduler:DeleteSchedule', 'scheduler:UpdateSchedule']);
      const arn = JSON.stringify(scheduling.Resource);
      expect(arn).toContain(':schedule/');
      expect(referencedIds(scheduling.Resource)).toContain(logicalId(herald.stack.delivery.scheduleGroup));
      expect(arn.endsWith('/*"]]}')).toBe(true);

      const passRole = statements.find((statement) => asList(statement.Action).includes('iam:PassRole'))!;
      expect(passRole.Action).toBe('iam:PassRole');
      expect(passRole.Resource).toEqual({ 'Fn::GetAtt': [logicalId(herald.stack.delivery.schedulerRole), 'Arn'] });
      expect(passRole.Condition).toEqual({ StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } });
    });

    it('no other function may touch schedules or pass roles', () => {
      for (const name of ['herald-fanout', 'herald-send', 'herald-send-email', 'herald-email-events', 'herald-dead-letter', 'herald-start-timer']) {
        const [, fn] = functionOf(name);
        const actions = statementsOfRole(herald.resources, fn.Properties.Role['Fn::GetAtt'][0]).flatMap((statement) => asList(statement.Action));
        expect(
          actions.filter((action) => action.startsWith('scheduler:') || action.startsWith('iam:')),
          name,
        ).toEqual([]);
      }
    });
  });
}
