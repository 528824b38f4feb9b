/**
 * AWS list prices the cost figure is priced with: us-east-1, on-demand, free tiers ignored.
 * Dated list prices that match the public pricing pages named below; not re-checked
 * against the pages on `asOf`, since the bench machine has no internet.
 */
export const prices = {
  asOf: '2026-11-21',
  region: 'us-east-1',
  sqs: {
    /** https://aws.amazon.com/sqs/pricing/ - a request is one API call (a batch of 10 is one request) per 64 KB of payload. */
    standardPerMillionRequests: 0.4,
    /** The fan-out queue is FIFO (one page of a campaign in flight at a time), which costs more per request. */
    fifoPerMillionRequests: 0.5,
  },
  lambda: {
    /** https://aws.amazon.com/lambda/pricing/ */
    perMillionRequests: 0.2,
    /** arm64 (Herald's functions run on Graviton), first pricing tier. Billed duration is rounded up to 1 ms. */
    perGbSecondArm64: 0.0000133334,
  },
  dynamodb: {
    /** https://aws.amazon.com/dynamodb/pricing/on-demand/ */
    perMillionWriteRequestUnits: 0.625,
    perMillionReadRequestUnits: 0.125,
  },
  cloudwatchLogs: {
    /**
     * https://aws.amazon.com/cloudwatch/pricing/ - Logs, Standard log class, data ingested. Lambda's
     * logs are priced as vended logs since 2025, from the same $0.50 for the first 10 TB a month.
     * The stack's log groups are in the Standard class, the default (lib/functions.ts).
     */
    ingestionPerGb: 0.5,
  },
  apiGatewayWebSocket: {
    /**
     * https://aws.amazon.com/api-gateway/pricing/ - WebSocket APIs, first billion messages a
     * month. A message is one frame sent or received, counted in 32 KB units (Herald's frames
     * are far smaller). Connection minutes are billed apart, however idle the connection is.
     */
    perMillionMessages: 1.0,
    perMillionConnectionMinutes: 0.25,
  },
  scheduler: {
    /** https://aws.amazon.com/eventbridge/pricing/ - EventBridge Scheduler invocations. */
    perMillionInvocations: 1.0,
  },
} as const;

export type Prices = typeof prices;
