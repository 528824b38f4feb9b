/**
 * Test helpers for the run's shared DynamoDB Local and SQS emulator (started once by
 * ./global-setup.ts). Every file makes its own tables and queues with a random suffix,
 * so files run in parallel without seeing each other's data.
 *
 *   const tables = await createTestTables();   // tables.names.clients, tables.env.CLIENTS_TABLE
 *   const queues = await createTestQueues();   // queues.send.url, queues.send.deadLetter.url, queues.env.SEND_QUEUE_URL
 *   const ddb = documentClient(); const sqs = sqsClient();
 */
import { randomBytes } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { inject } from 'vitest';
import { queues, type QueueDefinition, type QueueName } from '../../functions/definitions/queues.js';
import { tables, tableList, type TableDefinition, type TableName } from '../../functions/definitions/tables.js';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { chunkChangeOf } from '../../functions/adapters/dynamo/message-store.js';
import { createTallyHandler, type TallyDependencies } from '../../functions/delivery/tally.js';
import type { MessageRecord } from '../../functions/domain/messages.js';
import type { CampaignStore, MessageStore } from '../../functions/ports.js';
import { createTables } from '../../local/dynamodb.js';
import { startStreamPoller } from '../../local/streams.js';
import { createQueues, withSuffix, type CreatedQueue } from '../../local/sqs.js';

const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };

export function dynamoEndpoint(): string {
  return inject('dynamoEndpoint');
}

export function sqsEndpoint(): string {
  return inject('sqsEndpoint');
}

export function dynamoClient(): DynamoDBClient {
  return new DynamoDBClient({ endpoint: dynamoEndpoint(), region: 'us-east-1', credentials });
}

export function documentClient(): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(dynamoClient(), { marshallOptions: { removeUndefinedValues: true } });
}

export function sqsClient(): SQSClient {
  return new SQSClient({ endpoint: sqsEndpoint(), region: 'us-east-1', credentials, useQueueUrlAsEndpoint: false });
}

/** Eight random hex characters: unique enough for one run. */
export function uniqueSuffix(): string {
  return randomBytes(4).toString('hex');
}

export interface TestTables {
  /** Physical table name by logical name. */
  names: Record<TableName, string>;
  /** CLIENTS_TABLE, UNIQUES_TABLE, CAMPAIGNS_TABLE, MESSAGES_TABLE. */
  env: Record<string, string>;
}

/** Every table of `tableList` under a fresh name. */
export async function createTestTables(suffix = uniqueSuffix()): Promise<TestTables> {
  const client = dynamoClient();
  try {
    const names = (await createTables(client, tableList, (table) => `${table.name}-${suffix}`)) as Record<TableName, string>;
    const env = Object.fromEntries(Object.values(tables).map((table) => [table.envVar, names[table.name]]));
    return { names, env };
  } finally {
    client.destroy();
  }
}

/** Extra tables (such as the local scheduler's) under a fresh name; returns name by logical name. */
export async function createTestTablesOf(definitions: TableDefinition[], suffix = uniqueSuffix()): Promise<Record<string, string>> {
  const client = dynamoClient();
  try {
    return await createTables(client, definitions, (table) => `${table.name}-${suffix}`);
  } finally {
    client.destroy();
  }
}

export type TestQueues<N extends string = QueueName> = Record<N, CreatedQueue> & {
  /** FANOUT_QUEUE_URL, SEND_QUEUE_URL (for the definitions given). */
  env: Record<string, string>;
};

/** Herald's queues (or `definitions`) and their DLQs under fresh names, with the same redrive policies. */
export async function createTestQueues<N extends string = QueueName>(
  definitions: Record<N, QueueDefinition> = queues as unknown as Record<N, QueueDefinition>,
  suffix = uniqueSuffix(),
): Promise<TestQueues<N>> {
  const sqs = sqsClient();
  try {
    const created = await createQueues(sqs, definitions, (name) => withSuffix(name, suffix));
    const env = Object.fromEntries(Object.values<CreatedQueue>(created).map((queue) => [queue.definition.urlEnvVar, queue.url]));
    return Object.assign(created, { env });
  } finally {
    sqs.destroy();
  }
}

export interface TestTally {
  /** Resolves when every chunk write so far is in the campaigns' counters. */
  settled(): Promise<void>;
  stop(): Promise<void>;
}

/** The tally function on a test's messages table, fed by the local stream poller as the runtime feeds it. */
export function startTestTally(
  messagesTable: string,
  campaigns: CampaignStore,
  wrap: TallyHandlerWrap = (handler) => handler,
  /** The events whose steps it settles (functions/delivery/tally.ts), when a test follows them. */
  events: Pick<TallyDependencies, 'events' | 'stepChangeOf'> = {},
): TestTally {
  const clients = { streams: new DynamoDBStreamsClient({ endpoint: dynamoEndpoint(), region: 'us-east-1', credentials }), dynamo: dynamoClient() };
  const poller = startStreamPoller({
    ...clients,
    tableName: messagesTable,
    intervalMs: 20,
    handler: wrap(createTallyHandler({ campaigns, changeOf: chunkChangeOf, ...events })),
  });
  return {
    settled: () => poller.idle(),
    async stop() {
      await poller.stop();
      clients.streams.destroy();
      clients.dynamo.destroy();
    },
  };
}

export type TallyHandler = ReturnType<typeof createTallyHandler>;
export type TallyHandlerWrap = (handler: TallyHandler) => TallyHandler;

/**
 * Gives a chunk the messages `records` as a worker would: a claim, then the outcome under its
 * lease (the only way the store writes one). For tests that need a chunk in a given state.
 */
export async function storeOutcome(messages: MessageStore, campaignId: string, chunk: number, records: MessageRecord[], now = new Date()): Promise<void> {
  const claim = await messages.claim(campaignId, chunk, 60_000, now);
  if (claim.kind !== 'claimed') throw new Error(`chunk ${campaignId}/${chunk} could not be claimed: ${claim.kind}`);
  await messages.saveOutcome(campaignId, chunk, records, claim.lease);
}
