/**
 * The SQS emulator (fauxqs, in memory) with Herald's queues, created from the same
 * definitions the CDK stack reads (functions/adapters/queues.ts), so local redrive
 * behaves as AWS redrive: same visibility timeouts, FIFO-ness and maxReceiveCount.
 *
 * `startSqs(options?)` -> `{ endpoint, queues, queueUrls, queueArns, dlqUrls, dlqArns, stop() }`
 *   - `port?: number`  default: a free port chosen by the OS.
 *   - `definitions?`   default: `queues`.
 *   fauxqs listens on every interface. Its queue URLs are `http://sqs.<region>.localhost:<port>/000000000000/<name>`
 *   whatever the endpoint, and an SQSClient without an explicit `endpoint` (one configured by
 *   AWS_ENDPOINT_URL_SQS) sends each request to its QueueUrl's host instead. So starting the
 *   emulator makes `*.localhost` resolve to 127.0.0.1 in this process (as RFC 6761 says it
 *   should; glibc does not). Clients built with `useQueueUrlAsEndpoint: false` (see
 *   `localSqsClient`) avoid the SDK's warning about the differing host on every call.
 *   Nothing survives `stop()`: after a restart see local/recover.ts.
 *
 * `createQueues(sqs, definitions?, physicalName?)` creates each queue and its dead-letter
 * queue through the SDK against any SQS endpoint (idempotent for equal attributes), and
 * returns their URLs and ARNs by logical name. `physicalName` lets tests use unique names;
 * `withSuffix(name, suffix)` keeps `.fifo` last.
 */
import { CreateQueueCommand, GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { interceptLocalhostDns, startFauxqs } from 'fauxqs';
import { queues, type QueueDefinition, type QueueName } from '../functions/definitions/queues.js';
import { quietSdkLogger } from '../functions/adapters/sdk-logger.js';
import { LOOPBACK } from './ports.js';

/** Dead letters are kept as long as SQS allows, so an operator has time to look at them. */
const DEAD_LETTER_RETENTION_SECONDS = 14 * 24 * 3600;

export interface QueueHandle {
  name: string;
  url: string;
  arn: string;
}

export interface CreatedQueue extends QueueHandle {
  definition: QueueDefinition;
  deadLetter: QueueHandle;
}

/** `herald-send` + `-ab12` -> `herald-send-ab12`; `herald-fanout.fifo` -> `herald-fanout-ab12.fifo`. */
export function withSuffix(name: string, suffix: string): string {
  if (suffix === '') return name;
  return name.endsWith('.fifo') ? `${name.slice(0, -'.fifo'.length)}-${suffix}.fifo` : `${name}-${suffix}`;
}

async function createQueue(sqs: SQSClient, name: string, attributes: Record<string, string>): Promise<QueueHandle> {
  const created = await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }));
  const url = created.QueueUrl;
  if (!url) throw new Error(`CreateQueue ${name} returned no QueueUrl`);
  const described = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }));
  const arn = described.Attributes?.QueueArn;
  if (!arn) throw new Error(`GetQueueAttributes ${name} returned no QueueArn`);
  return { name, url, arn };
}

/** Deduplication as the definition (and so the stack) says: explicit ids, or by content where a sender cannot give one. */
function fifoAttributes(definition: QueueDefinition): Record<string, string> {
  return definition.fifo ? { FifoQueue: 'true', ContentBasedDeduplication: String(definition.contentBasedDeduplication ?? false) } : {};
}

export async function createQueues<N extends string>(
  sqs: SQSClient,
  definitions: Record<N, QueueDefinition>,
  physicalName: (name: string) => string = (name) => name,
): Promise<Record<N, CreatedQueue>> {
  const entries = await Promise.all(
    (Object.entries(definitions) as [N, QueueDefinition][]).map(async ([key, definition]) => {
      const deadLetter = await createQueue(sqs, physicalName(definition.deadLetter.name), {
        ...fifoAttributes(definition),
        MessageRetentionPeriod: String(DEAD_LETTER_RETENTION_SECONDS),
      });
      const queue = await createQueue(sqs, physicalName(definition.name), {
        ...fifoAttributes(definition),
        VisibilityTimeout: String(definition.visibilityTimeoutSeconds),
        RedrivePolicy: JSON.stringify({ deadLetterTargetArn: deadLetter.arn, maxReceiveCount: definition.deadLetter.maxReceiveCount }),
      });
      return [key, { ...queue, definition, deadLetter }] as const;
    }),
  );
  return Object.fromEntries(entries) as Record<N, CreatedQueue>;
}

/** A client for a local endpoint (fauxqs accepts any credentials). */
export function localSqsClient(endpoint: string): SQSClient {
  return new SQSClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    useQueueUrlAsEndpoint: false,
    logger: quietSdkLogger,
  });
}

let localhostResolves = false;

/** `sqs.us-east-1.localhost` -> 127.0.0.1 for every lookup in this process; once. */
export function resolveLocalhostSubdomains(): void {
  if (localhostResolves) return;
  localhostResolves = true;
  interceptLocalhostDns('localhost');
}

export interface LocalSqs {
  endpoint: string;
  queues: Record<QueueName, CreatedQueue>;
  queueUrls: Record<QueueName, string>;
  queueArns: Record<QueueName, string>;
  dlqUrls: Record<QueueName, string>;
  dlqArns: Record<QueueName, string>;
  stop(): Promise<void>;
}

function pick(created: Record<QueueName, CreatedQueue>, field: (queue: CreatedQueue) => string): Record<QueueName, string> {
  return Object.fromEntries(Object.entries(created).map(([key, queue]) => [key, field(queue as CreatedQueue)])) as Record<QueueName, string>;
}

/** Starts fauxqs and only the SQS emulator, without queues. */
export async function startSqsEmulator(options: { port?: number } = {}): Promise<{ endpoint: string; stop(): Promise<void> }> {
  resolveLocalhostSubdomains();
  const server = await startFauxqs({ port: options.port ?? 0, logger: false });
  return { endpoint: `http://${LOOPBACK}:${server.port}`, stop: () => server.stop() };
}

export async function startSqs(options: { port?: number; definitions?: Record<QueueName, QueueDefinition> } = {}): Promise<LocalSqs> {
  const emulator = await startSqsEmulator(options);
  const sqs = localSqsClient(emulator.endpoint);
  try {
    const created = await createQueues(sqs, options.definitions ?? queues);
    return {
      endpoint: emulator.endpoint,
      queues: created,
      queueUrls: pick(created, (queue) => queue.url),
      queueArns: pick(created, (queue) => queue.arn),
      dlqUrls: pick(created, (queue) => queue.deadLetter.url),
      dlqArns: pick(created, (queue) => queue.deadLetter.arn),
      stop: emulator.stop,
    };
  } catch (error) {
    await emulator.stop();
    throw error;
  } finally {
    sqs.destroy();
  }
}
