/**
 * The one definition of Herald's queues, read by the CDK stack and by the local
 * runtime (SQS emulator and its poller), so both run the same redrive policies.
 */
import type { FunctionName } from './functions.js';

export interface QueueDefinition {
  name: string;
  /** The environment variable that carries the queue URL to the handlers. */
  urlEnvVar: string;
  fifo: boolean;
  /**
   * FIFO only. EventBridge Scheduler cannot pass a deduplication id, so a queue it
   * targets must deduplicate by content; Herald's own sends still set explicit ids.
   */
  contentBasedDeduplication?: boolean;
  /** Seconds; at least six times the consuming function's timeout. */
  visibilityTimeoutSeconds: number;
  /** The handler that consumes it (a key of `functionSettings`). */
  consumer: FunctionName;
  batchSize: number;
  /** How many handler invocations may run at once (the event source's MaximumConcurrency). */
  maxConcurrency: number;
  deadLetter: {
    name: string;
    maxReceiveCount: number;
    /** The handler that drains the DLQ, if any, and how (2 is the smallest MaximumConcurrency Lambda accepts). */
    consumer?: FunctionName;
    batchSize?: number;
    maxConcurrency?: number;
  };
}

export const queues = {
  /**
   * Campaign starts and fan-out pages. FIFO, grouped by campaign and by fan-out stream
   * (`<campaign>#<stream>`): one page of a stream in flight at a time, the streams in parallel.
   * Lambda runs at most one batch per group at once, so `maxConcurrency` bounds how many
   * streams (over every campaign) advance together: two campaigns' 8 streams.
   */
  fanout: {
    name: 'herald-fanout.fifo',
    urlEnvVar: 'FANOUT_QUEUE_URL',
    fifo: true,
    contentBasedDeduplication: true,
    visibilityTimeoutSeconds: 180,
    consumer: 'fanout',
    batchSize: 1,
    maxConcurrency: 16,
    deadLetter: { name: 'herald-fanout-dlq.fifo', maxReceiveCount: 5 },
  },
  /** Chunks of up to ten messages to send. */
  send: {
    name: 'herald-send',
    urlEnvVar: 'SEND_QUEUE_URL',
    fifo: false,
    visibilityTimeoutSeconds: 180,
    consumer: 'send',
    batchSize: 10,
    maxConcurrency: 10,
    deadLetter: { name: 'herald-send-dlq', maxReceiveCount: 8, consumer: 'deadLetter', batchSize: 10, maxConcurrency: 2 },
  },
  /** E-mail chunks: the e-mail channel's own queue, drained into its own DLQ, as SMS chunks are (functions/definitions/channels.ts). */
  sendEmail: {
    name: 'herald-send-email',
    urlEnvVar: 'SEND_EMAIL_QUEUE_URL',
    fifo: false,
    visibilityTimeoutSeconds: 180,
    consumer: 'sendEmail',
    batchSize: 10,
    maxConcurrency: 5,
    deadLetter: { name: 'herald-send-email-dlq', maxReceiveCount: 8, consumer: 'deadLetter', batchSize: 10, maxConcurrency: 2 },
  },
  /** Chunks of up to ten in-app messages: each becomes an item of its client's inbox. */
  sendInapp: {
    name: 'herald-send-inapp',
    urlEnvVar: 'SEND_INAPP_QUEUE_URL',
    fifo: false,
    visibilityTimeoutSeconds: 180,
    consumer: 'sendInapp',
    batchSize: 10,
    maxConcurrency: 10,
    deadLetter: { name: 'herald-send-inapp-dlq', maxReceiveCount: 8, consumer: 'deadLetter', batchSize: 10, maxConcurrency: 2 },
  },
  /**
   * Campaign starts on their way to `startAt`: the schedule fires early onto this standard
   * queue, whose messages can each carry a delay (functions/delivery/start-timer.ts).
   */
  startTimer: {
    name: 'herald-start-timer',
    urlEnvVar: 'START_TIMER_QUEUE_URL',
    fifo: false,
    visibilityTimeoutSeconds: 180,
    consumer: 'startTimer',
    batchSize: 10,
    maxConcurrency: 2,
    deadLetter: { name: 'herald-start-timer-dlq', maxReceiveCount: 5 },
  },
} as const satisfies Record<string, QueueDefinition>;

export type QueueName = keyof typeof queues;
