import { ArnFormat, Duration, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq, SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { NagSuppressions } from 'cdk-nag';
import { Construct } from 'constructs';
import { channelPaths, type DefinedChannel } from '../functions/definitions/channels.js';
import { functionSettings, tallyStream } from '../functions/definitions/functions.js';
import { queues, type QueueDefinition, type QueueName } from '../functions/definitions/queues.js';
import { isSecureOrLoopback, SECURE_URL_RULE } from '../functions/domain/secure-url.js';
import { isStreamCount, SHARD_COUNT } from '../functions/domain/shards.js';
import type { HeraldData } from './data.js';
import { HeraldFunction, type FunctionDefaults } from './functions.js';
import type { ProviderTokenSecret } from './secrets.js';

/** The channels whose send path is defined, in a fixed order. */
const CHANNELS_DEFINED = Object.keys(channelPaths) as DefinedChannel[];
type ChannelQueueName = (typeof channelPaths)[DefinedChannel]['queue'];

/** Lambda's advice for SQS event sources: a visibility timeout of at least six times the function timeout. */
export const VISIBILITY_TO_TIMEOUT_RATIO = 6;

/** Fails the synth when a queue would hand a message to a second consumer while the first still runs it. */
export function assertVisibilityCoversConsumer(definition: QueueDefinition): void {
  const timeout = functionSettings[definition.consumer].timeoutSeconds;
  if (definition.visibilityTimeoutSeconds < VISIBILITY_TO_TIMEOUT_RATIO * timeout) {
    throw new Error(
      `Queue ${definition.name}: visibility timeout ${definition.visibilityTimeoutSeconds}s is under ` +
        `${VISIBILITY_TO_TIMEOUT_RATIO} x the ${definition.consumer} function timeout (${timeout}s)`,
    );
  }
}

/** DLQs keep what they hold for the longest time SQS allows, so on-call has two weeks to look. */
const DEAD_LETTER_RETENTION = Duration.days(14);

/**
 * A queue that is itself where undeliverable things go (a stream mapping's, Scheduler's or an
 * EventBridge target's failures): TLS only, SQS-managed encryption, kept as long as SQS allows, no DLQ of its own.
 */
export function deadLetterDestination(scope: Construct, id: string, whyNoDeadLetterQueue: string): sqs.Queue {
  const queue = new sqs.Queue(scope, id, { encryption: sqs.QueueEncryption.SQS_MANAGED, enforceSSL: true, retentionPeriod: DEAD_LETTER_RETENTION });
  NagSuppressions.addResourceSuppressions(queue, [{ id: 'AwsSolutions-SQS3', reason: whyNoDeadLetterQueue }]);
  return queue;
}

export interface QueuePair {
  definition: QueueDefinition;
  queue: sqs.Queue;
  deadLetterQueue: sqs.Queue;
}

export interface HeraldDeliveryProps {
  data: HeraldData;
  providerToken: ProviderTokenSecret;
  /** Base URL of the sending API (`POST {providerUrl}/send/{msgId}`). */
  providerUrl: string;
  /** Name of the EventBridge Scheduler schedule group holding the campaign starts. */
  scheduleGroupName: string;
  functionDefaults: FunctionDefaults;
  /** Parallel fan-out streams per campaign; a divisor of SHARD_COUNT (functions/domain/shards.ts). */
  fanoutStreams: number;
}

/**
 * Everything behind the API that moves messages: the fan-out and send queues with their DLQs
 * (built from functions/adapters/queues.ts, as the local runtime builds its emulated queues),
 * the fanout, send and dead-letter functions on their event sources, and the schedule group
 * plus the role EventBridge Scheduler uses to put a campaign start on the start timer queue (which waits for startAt and then starts the fan-out).
 */
export class HeraldDelivery extends Construct {
  readonly queues: Record<QueueName, QueuePair>;
  readonly functions: {
    fanout: HeraldFunction;
    send: HeraldFunction;
    sendInapp: HeraldFunction;
    deadLetter: HeraldFunction;
    tally: HeraldFunction;
    startTimer: HeraldFunction;
  };
  /** Where stream batches go that the tally could not apply after its retries (an alarm watches it). */
  readonly tallyDeadLetterQueue: sqs.Queue;
  readonly scheduleGroup: scheduler.CfnScheduleGroup;
  readonly schedulerRole: iam.Role;
  /** Where Scheduler puts a start it could not deliver to the start timer queue. */
  readonly schedulerDeadLetterQueue: sqs.Queue;

  constructor(scope: Construct, id: string, props: HeraldDeliveryProps) {
    super(scope, id);
    const { data } = props;
    if (!isStreamCount(props.fanoutStreams)) {
      throw new Error(`fanoutStreams: ${props.fanoutStreams} does not divide the ${SHARD_COUNT} client shards (1, 2, 4, 8 or 16)`);
    }
    // The send function puts the provider's bearer token on every call to this URL. The same rule as PROVIDER_URL's (functions/adapters/config.ts), at synth.
    const { providerUrl } = props;
    if (!Token.isUnresolved(providerUrl) && !(URL.canParse(providerUrl) && isSecureOrLoopback(new URL(providerUrl)))) {
      throw new Error(`providerUrl: ${SECURE_URL_RULE}; got ${JSON.stringify(providerUrl)}`);
    }

    this.queues = {
      fanout: this.queuePair('Fanout', queues.fanout),
      startTimer: this.queuePair('StartTimer', queues.startTimer),
      // Every channel's send queue and DLQ (functions/definitions/channels.ts): `Send` for SMS, `SendEmail`, ...
      ...(Object.fromEntries(
        CHANNELS_DEFINED.map((channel) => {
          const name = channelPaths[channel].queue;
          return [name, this.queuePair(`${name[0]!.toUpperCase()}${name.slice(1)}`, queues[name])];
        }),
      ) as Record<ChannelQueueName, QueuePair>),
    };
    const startTimerQueue = this.queues.startTimer.queue;
    const fanoutQueue = this.queues.fanout.queue;
    const sendQueue = this.queues.send.queue;

    const fanout = new HeraldFunction(this, 'FanoutFunction', {
      name: 'fanout',
      description: 'Writes one page of a campaign audience as message chunks and queues them for sending',
      defaults: props.functionDefaults,
      environment: {
        ...data.environment,
        [queues.fanout.urlEnvVar]: fanoutQueue.queueUrl,
        ...this.channelQueueEnvironment,
        [queues.startTimer.urlEnvVar]: startTimerQueue.queueUrl,
        FANOUT_STREAMS: String(props.fanoutStreams),
      },
    });
    data.grantTables(fanout);
    // The next page's cursor goes back onto the fan-out queue; a page's chunks go onto their channel's send queue.
    fanoutQueue.grantSendMessages(fanout);
    for (const channel of CHANNELS_DEFINED) this.sendQueueOf(channel).grantSendMessages(fanout);
    // A start that came before its startAt goes back to the start timer.
    startTimerQueue.grantSendMessages(fanout);
    this.subscribe(fanout, this.queues.fanout.queue, queues.fanout);

    const startTimer = new HeraldFunction(this, 'StartTimerFunction', {
      name: 'startTimer',
      description:
        'Holds an early-fired campaign start or event step until its time (SQS delays, then a short precise wait), then starts the fan-out or sends the step',
      defaults: props.functionDefaults,
      environment: {
        ...data.environment,
        [queues.fanout.urlEnvVar]: fanoutQueue.queueUrl,
        [queues.startTimer.urlEnvVar]: startTimerQueue.queueUrl,
        ...this.channelQueueEnvironment,
      },
    });
    // An event's due step: its event, client and notice (functions/definitions/access.ts).
    data.grantTables(startTimer);
    // It sends to its own queue: each hop is a new, delayed message.
    startTimerQueue.grantSendMessages(startTimer);
    fanoutQueue.grantSendMessages(startTimer);
    // A due event step's notice goes on its channel's send queue.
    for (const channel of CHANNELS_DEFINED) this.sendQueueOf(channel).grantSendMessages(startTimer);
    this.subscribe(startTimer, startTimerQueue, queues.startTimer);

    const send = new HeraldFunction(this, 'SendFunction', {
      name: 'send',
      description: 'Claims message chunks and calls the provider for each open message before the campaign ends',
      defaults: props.functionDefaults,
      environment: {
        ...data.environment,
        [queues.send.urlEnvVar]: sendQueue.queueUrl,
        PROVIDER_URL: props.providerUrl,
        PROVIDER_TOKEN_SECRET: props.providerToken.secretName,
      },
    });
    // Reads campaigns and writes none (functions/definitions/access.ts).
    data.grantTables(send);
    props.providerToken.grantRead(send);
    // A chunk held by a pause or a closed send window goes back as a new, delayed message: SendMessage
    // alone (to the URL it is given), without the GetQueueAttributes and GetQueueUrl of grantSendMessages.
    sendQueue.grant(send, 'sqs:SendMessage');
    // The event source grants receive, delete and ChangeMessageVisibility (the retry backoff).
    this.subscribe(send, sendQueue, queues.send);

    // The in-app channel's sender: it writes inboxes, and reads no provider token.
    const sendInappQueue = this.queues.sendInapp.queue;
    const sendInapp = new HeraldFunction(this, 'SendInappFunction', {
      name: 'sendInapp',
      description: "Claims in-app message chunks and writes each message as an item of its client's inbox",
      defaults: props.functionDefaults,
      environment: { ...data.environment, [queues.sendInapp.urlEnvVar]: sendInappQueue.queueUrl },
    });
    data.grantTables(sendInapp);
    sendInappQueue.grant(sendInapp, 'sqs:SendMessage');
    this.subscribe(sendInapp, sendInappQueue, queues.sendInapp);

    const deadLetter = new HeraldFunction(this, 'DeadLetterFunction', {
      name: 'deadLetter',
      description: 'Marks the open messages of a chunk that exhausted its retries as failed',
      defaults: props.functionDefaults,
      environment: { ...data.environment },
    });
    data.grantTables(deadLetter);
    // One dead-letter function drains every channel's DLQ: failing a chunk's open messages is the same on each.
    for (const channel of CHANNELS_DEFINED) {
      const pair = this.queues[channelPaths[channel].queue];
      deadLetter.function.addEventSource(
        new SqsEventSource(pair.deadLetterQueue, {
          batchSize: pair.definition.deadLetter.batchSize,
          maxConcurrency: pair.definition.deadLetter.maxConcurrency,
          reportBatchItemFailures: true,
        }),
      );
    }

    const tally = new HeraldFunction(this, 'TallyFunction', {
      name: 'tally',
      description: "Keeps campaign counters and totals from the messages table's stream",
      defaults: props.functionDefaults,
      environment: { ...data.environment },
    });
    data.grantTables(tally);
    this.tallyDeadLetterQueue = deadLetterDestination(
      this,
      'TallyDeadLetterQueue',
      'This is the dead-letter destination of the tally stream mapping; it needs none of its own.',
    );
    NagSuppressions.addResourceSuppressions(
      tally.function.role as iam.IRole,
      [
        {
          id: 'AwsSolutions-IAM5',
          reason: 'dynamodb:ListStreams has no resource type and takes only *; reading the records is scoped to the messages table stream.',
          appliesTo: ['Resource::*'],
        },
      ],
      true,
    );
    tally.function.addEventSource(
      new DynamoEventSource(data.table('messages'), {
        startingPosition: lambda.StartingPosition.TRIM_HORIZON,
        batchSize: tallyStream.batchSize,
        maxBatchingWindow: Duration.seconds(tallyStream.batchingWindowSeconds),
        reportBatchItemFailures: true,
        bisectBatchOnError: true,
        // The tally is idempotent, so retries are safe; a batch that still fails is kept for replay, and alarmed on.
        retryAttempts: 100,
        onFailure: new SqsDlq(this.tallyDeadLetterQueue),
      }),
    );

    this.functions = { fanout, send, sendInapp, deadLetter, tally, startTimer };

    this.scheduleGroup = new scheduler.CfnScheduleGroup(this, 'ScheduleGroup', { name: props.scheduleGroupName });

    this.schedulerDeadLetterQueue = deadLetterDestination(
      this,
      'SchedulerDeadLetterQueue',
      'It is itself a dead-letter queue: the one EventBridge Scheduler writes undeliverable starts to.',
    );

    const account = Stack.of(this).account;
    this.schedulerRole = new iam.Role(this, 'SchedulerRole', {
      description: 'Assumed by EventBridge Scheduler to put a campaign start on the start timer queue, and an occurrence on the fan-out queue',
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', {
        // Confused-deputy guard: only schedules of this account may use the role.
        conditions: { StringEquals: { 'aws:SourceAccount': account } },
      }),
    });
    // Only SendMessage: Scheduler sends a start to the start timer queue, an occurrence of a
    // recurring campaign to the fan-out queue and, failing that, either to its DLQ.
    startTimerQueue.grant(this.schedulerRole, 'sqs:SendMessage');
    fanoutQueue.grant(this.schedulerRole, 'sqs:SendMessage');
    this.schedulerDeadLetterQueue.grant(this.schedulerRole, 'sqs:SendMessage');
  }

  /** Every channel's send queue URL under its variable (SEND_QUEUE_URL, SEND_EMAIL_QUEUE_URL, ...). */
  get channelQueueEnvironment(): Record<string, string> {
    return Object.fromEntries(CHANNELS_DEFINED.map((channel) => [queues[channelPaths[channel].queue].urlEnvVar, this.sendQueueOf(channel).queueUrl]));
  }

  /** The send queue of a channel. */
  sendQueueOf(channel: DefinedChannel): sqs.Queue {
    return this.queues[channelPaths[channel].queue].queue;
  }

  /** What the API function needs to queue notices (POST /notices) straight for their channel's sender. */
  get noticeEnvironment(): Record<string, string> {
    return this.channelQueueEnvironment;
  }

  /** Lets the API put a notice's chunk on its channel's send queue, and nothing else on them. */
  grantSendNotices(grantee: iam.IGrantable): void {
    for (const channel of CHANNELS_DEFINED) this.sendQueueOf(channel).grantSendMessages(grantee);
  }

  /** What the API function needs to start campaigns now (FANOUT_QUEUE_URL) or at their start (SCHEDULE_*, START_TIMER_QUEUE_URL). */
  get startEnvironment(): Record<string, string> {
    return {
      [queues.fanout.urlEnvVar]: this.queues.fanout.queue.queueUrl,
      SCHEDULE_GROUP: this.scheduleGroupName,
      SCHEDULE_TARGET_ARN: this.queues.startTimer.queue.queueArn,
      OCCURRENCE_TARGET_ARN: this.queues.fanout.queue.queueArn,
      [queues.startTimer.urlEnvVar]: this.queues.startTimer.queue.queueUrl,
      SCHEDULE_ROLE_ARN: this.schedulerRole.roleArn,
      SCHEDULE_DLQ_ARN: this.schedulerDeadLetterQueue.queueArn,
    };
  }

  get scheduleGroupName(): string {
    // The group's own Ref, so a schedule is never created before its group exists.
    return this.scheduleGroup.ref;
  }

  /** ARNs of the schedules in Herald's group, and nothing else. */
  get scheduleArns(): string {
    return Stack.of(this).formatArn({
      service: 'scheduler',
      resource: 'schedule',
      resourceName: `${this.scheduleGroupName}/*`,
      arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
    });
  }

  /**
   * Lets the API start campaigns: send a start straight onto the fan-out queue, and create,
   * update and delete one-time schedules in Herald's group that run with the scheduler role.
   */
  grantStartCampaigns(grantee: iam.IGrantable & Construct): void {
    this.queues.fanout.queue.grantSendMessages(grantee);
    // A start within the schedule's lead goes straight onto the start timer.
    this.queues.startTimer.queue.grantSendMessages(grantee);
    grantee.grantPrincipal.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['scheduler:CreateSchedule', 'scheduler:UpdateSchedule', 'scheduler:DeleteSchedule'],
        resources: [this.scheduleArns],
      }),
    );
    grantee.grantPrincipal.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['iam:PassRole'],
        resources: [this.schedulerRole.roleArn],
        conditions: { StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } },
      }),
    );
    NagSuppressions.addResourceSuppressions(
      grantee,
      [
        {
          id: 'AwsSolutions-IAM5',
          reason: "Schedules are named per campaign at run time; the wildcard covers only schedules in Herald's own group.",
          appliesTo: [{ regex: '/^Resource::arn:<AWS::Partition>:scheduler:<AWS::Region>:<AWS::AccountId>:schedule\\/<[^>]+>\\/\\*$/' }],
        },
      ],
      true,
    );
  }

  private queuePair(id: string, definition: QueueDefinition): QueuePair {
    assertVisibilityCoversConsumer(definition);
    const common = { encryption: sqs.QueueEncryption.SQS_MANAGED, enforceSSL: true, fifo: definition.fifo || undefined };
    const deadLetterConsumer = definition.deadLetter.consumer;
    const deadLetterQueue = new sqs.Queue(this, `${id}DeadLetterQueue`, {
      ...common,
      retentionPeriod: DEAD_LETTER_RETENTION,
      visibilityTimeout: deadLetterConsumer ? Duration.seconds(VISIBILITY_TO_TIMEOUT_RATIO * functionSettings[deadLetterConsumer].timeoutSeconds) : undefined,
    });
    const queue = new sqs.Queue(this, `${id}Queue`, {
      ...common,
      // EventBridge Scheduler targets the fan-out queue and cannot pass a deduplication id.
      contentBasedDeduplication: definition.contentBasedDeduplication,
      visibilityTimeout: Duration.seconds(definition.visibilityTimeoutSeconds),
      deadLetterQueue: { queue: deadLetterQueue, maxReceiveCount: definition.deadLetter.maxReceiveCount },
    });
    return { definition, queue, deadLetterQueue };
  }

  /** The consumer's event source on a queue, with the queue definition's batch size and concurrency. */
  subscribe(consumer: HeraldFunction, queue: sqs.Queue, definition: QueueDefinition): void {
    consumer.function.addEventSource(
      new SqsEventSource(queue, {
        batchSize: definition.batchSize,
        maxConcurrency: definition.maxConcurrency,
        reportBatchItemFailures: true,
      }),
    );
  }
}
