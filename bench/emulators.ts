/**
 * The bench's own DynamoDB Local and SQS emulator, started once per run and shared by every
 * section (each section's runtime and tables carry their own suffix). The AWS SDK's own
 * environment variables point at them, as the local runtime does, so the handlers' clients
 * and the fan-out memory child reach the same emulators.
 */
import { startDynamoDbLocal } from '../local/dynamodb.js';
import { resolveLocalhostSubdomains } from '../local/sqs.js';
import { startSqsProcess } from './service-process.js';

export interface Endpoints {
  dynamoEndpoint: string;
  sqsEndpoint: string;
}

/** Endpoints, with the emulators' processes when the bench started them (their CPU and memory are reported). */
export interface BenchEndpoints extends Endpoints {
  dynamoPid?: number | undefined;
  sqsPid?: number | undefined;
  /** A new DynamoDB Local between two runs of one section (Emulators.freshDynamo), when the bench started it. */
  freshDynamo?(): Promise<void>;
}

export interface Emulators extends Endpoints {
  /** DynamoDB Local's Java process (the soak samples its memory). */
  dynamoPid: number | undefined;
  /** The SQS emulator's process (./service-process.ts). */
  sqsPid: number | undefined;
  /**
   * A new DynamoDB Local on the same port, so clients already built keep their endpoint: after the
   * cost section's two campaigns the 500 ms throughput run gave 0.38-0.44 of its bound against
   * 0.69-0.79 on a fresh one (2026-12-03), DynamoDB Local at a full core, whether the earlier
   * runs' tables were dropped or not. AWS does not slow down after a campaign.
   */
  freshDynamo(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * fauxqs names its queues `http://sqs.<region>.localhost:<port>/...` whatever address it was
 * reached at, and an SQS client whose endpoint has another origin warns on every call (and
 * then follows the queue URL anyway). Giving the clients the queue URLs' own origin as their
 * endpoint keeps the output readable; `*.localhost` resolves to 127.0.0.1 in this process.
 */
export function queueUrlOrigin(sqsEndpoint: string, region = 'us-east-1'): string {
  const url = new URL(sqsEndpoint);
  return `${url.protocol}//sqs.${region}.localhost:${url.port}`;
}

/** The variables a process needs to reach the emulators through the SDK's defaults. */
export function awsEnvironment(endpoints: Endpoints): Record<string, string> {
  return {
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    AWS_ENDPOINT_URL_DYNAMODB: endpoints.dynamoEndpoint,
    AWS_ENDPOINT_URL_SQS: endpoints.sqsEndpoint,
  };
}

export async function startEmulators(): Promise<Emulators> {
  // The SQS emulator in a process of its own, as SQS is remote: in the bench's process its request
  // handling would share the event loop of the pollers and senders being measured.
  const [firstDynamo, sqs] = await Promise.all([startDynamoDbLocal(), startSqsProcess()]);
  let dynamo = firstDynamo;
  const endpoints = { dynamoEndpoint: dynamo.endpoint, sqsEndpoint: queueUrlOrigin(sqs.url) };
  Object.assign(process.env, awsEnvironment(endpoints));
  resolveLocalhostSubdomains();
  const emulators: Emulators = {
    ...endpoints,
    dynamoPid: dynamo.pid,
    sqsPid: sqs.pid,
    async freshDynamo() {
      await dynamo.stop();
      dynamo = await startDynamoDbLocal({ port: dynamo.port });
      emulators.dynamoPid = dynamo.pid;
    },
    async stop() {
      await Promise.all([sqs.stop(), dynamo.stop()]);
    },
  };
  return emulators;
}
