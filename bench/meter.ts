/**
 * Counts the AWS calls Herald's handlers make, per caller and operation, with an AWS SDK
 * middleware on the handlers' process-wide clients (functions/handlers/wiring.ts), and the
 * Lambda invocations the local runtime makes, through its `instrument` hook.
 *
 * Each call is attributed to whoever made it: a function (the runtime runs every invocation
 * inside an AsyncLocalStorage context named after the function), the event source mapping
 * (the pollers' ReceiveMessage / DeleteMessageBatch, which Lambda makes on AWS and SQS bills),
 * or the local runtime's own machinery (local scheduler, recovery), which has no AWS
 * counterpart and is not priced.
 *
 * DynamoDB inputs get `ReturnConsumedCapacity: 'TOTAL'` (table and indexes), and the units
 * come from the outputs. A write refused by its condition reports no capacity, but DynamoDB
 * bills it as a write of the item: counted as 1 WRU (Herald's items are under 1 KB) and
 * marked estimated.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { performance } from 'node:perf_hooks';
import type { DynamoDBClient, ServiceInputTypes as DynamoInput, ServiceOutputTypes as DynamoOutput } from '@aws-sdk/client-dynamodb';
import type { SQSClient, ServiceInputTypes as SqsInput, ServiceOutputTypes as SqsOutput } from '@aws-sdk/client-sqs';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { HandlerExecutionContext, InitializeHandlerArguments, InitializeHandlerOutput, InitializeMiddleware, MetadataBearer } from '@smithy/types';
import type { FunctionName } from '../functions/definitions/functions.js';

export type Service = 'dynamodb' | 'sqs';
export type Caller = FunctionName | 'eventSourceMapping' | 'localOnly';

export interface CallTally {
  service: Service;
  caller: Caller;
  /** `PutItem`, `SendMessageBatch`; `ReceiveMessage:empty` for a receive that got nothing. */
  operation: string;
  /** Table or queue name. */
  resource: string;
  calls: number;
  failed: number;
  wru: number;
  rru: number;
  /** WRU counted for conditional writes that failed (no capacity reported; 1 each). */
  estimatedWru: number;
  /** Messages that ReceiveMessage returned. */
  received: number;
  /** The calls' summed latency as the handler saw it (queueing in the emulator included), ms. */
  ms: number;
}

export interface Invocation {
  fn: FunctionName;
  /** Epoch ms when the invocation began. */
  startedAt: number;
  durationMs: number;
  /** SQS records in the event (0 for the API). */
  records: number;
  failed: boolean;
}

export interface MeterSnapshot {
  calls: CallTally[];
  invocations: Invocation[];
}

const DYNAMO_WRITES = new Set(['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem', 'TransactWriteItems']);
const DYNAMO_READS = new Set(['GetItem', 'Query', 'Scan', 'BatchGetItem', 'TransactGetItems']);
/** Calls Lambda's event source mapping makes on AWS (the local poller stands in for it). */
const EVENT_SOURCE_OPERATIONS = new Set(['ReceiveMessage', 'DeleteMessageBatch', 'ChangeMessageVisibilityBatch']);

interface ConsumedCapacity {
  TableName?: string;
  CapacityUnits?: number;
  ReadCapacityUnits?: number;
  WriteCapacityUnits?: number;
}

type Input = Record<string, unknown>;

function operationOf(context: HandlerExecutionContext): string {
  return String(context.commandName ?? 'unknown').replace(/Command$/, '');
}

function queueNameOf(url: unknown): string {
  return typeof url === 'string' ? (url.split('/').pop() ?? url) : '';
}

function dynamoResource(input: Input): string {
  if (typeof input.TableName === 'string') return input.TableName;
  const requestItems = input.RequestItems;
  if (requestItems && typeof requestItems === 'object') return Object.keys(requestItems).join(',');
  const transactItems = input.TransactItems;
  if (Array.isArray(transactItems)) {
    const names = transactItems.flatMap((item: Record<string, { TableName?: string }>) => Object.values(item).map((part) => part.TableName ?? ''));
    return [...new Set(names)].join(',');
  }
  return '';
}

function capacityUnits(consumed: unknown, kind: 'read' | 'write'): number {
  const entries = (Array.isArray(consumed) ? consumed : consumed ? [consumed] : []) as ConsumedCapacity[];
  return entries.reduce((sum, entry) => sum + ((kind === 'read' ? entry.ReadCapacityUnits : entry.WriteCapacityUnits) ?? entry.CapacityUnits ?? 0), 0);
}

function isConditionFailure(error: unknown): boolean {
  return (error as { name?: string } | undefined)?.name === 'ConditionalCheckFailedException';
}

export class AwsCallMeter {
  private readonly running = new AsyncLocalStorage<FunctionName>();
  private readonly tallies = new Map<string, CallTally>();
  private invocations: Invocation[] = [];
  private readonly attached = new WeakSet<object>();

  /** Counts every call of a DynamoDB client (a document client shares its base client's stack). */
  attachDynamo(client: DynamoDBDocumentClient | DynamoDBClient): void {
    if (this.attached.has(client.middlewareStack)) return;
    this.attached.add(client.middlewareStack);
    (client as DynamoDBClient).middlewareStack.add(this.middleware<DynamoInput, DynamoOutput>('dynamodb'), {
      step: 'initialize',
      name: 'heraldBenchMeter',
      priority: 'high',
    });
  }

  attachSqs(client: SQSClient): void {
    if (this.attached.has(client.middlewareStack)) return;
    this.attached.add(client.middlewareStack);
    client.middlewareStack.add(this.middleware<SqsInput, SqsOutput>('sqs'), { step: 'initialize', name: 'heraldBenchMeter', priority: 'high' });
  }

  /** The runtime's `instrument` option: every invocation counted, timed and given its caller context. */
  readonly instrument = <H extends (...args: never[]) => Promise<unknown>>(fn: FunctionName, handler: H): H => {
    const invoke = handler as unknown as (...args: unknown[]) => Promise<unknown>;
    const instrumented = async (...args: unknown[]) => {
      const records = (args[0] as { Records?: unknown[] } | undefined)?.Records?.length ?? 0;
      const startedAt = Date.now();
      const started = performance.now();
      let failed = false;
      try {
        return await this.running.run(fn, () => invoke(...args));
      } catch (error) {
        failed = true;
        throw error;
      } finally {
        this.invocations.push({ fn, startedAt, durationMs: performance.now() - started, records, failed });
      }
    };
    return instrumented as unknown as H;
  };

  reset(): void {
    this.tallies.clear();
    this.invocations = [];
  }

  snapshot(): MeterSnapshot {
    return { calls: [...this.tallies.values()].map((tally) => ({ ...tally })), invocations: [...this.invocations] };
  }

  private tally(service: Service, caller: Caller, operation: string, resource: string): CallTally {
    const key = `${service}|${caller}|${operation}|${resource}`;
    let tally = this.tallies.get(key);
    if (!tally) {
      tally = { service, caller, operation, resource, calls: 0, failed: 0, wru: 0, rru: 0, estimatedWru: 0, received: 0, ms: 0 };
      this.tallies.set(key, tally);
    }
    return tally;
  }

  private callerOf(operation: string): Caller {
    const fn = this.running.getStore();
    if (fn) return fn;
    return EVENT_SOURCE_OPERATIONS.has(operation) ? 'eventSourceMapping' : 'localOnly';
  }

  private middleware<I extends object, O extends MetadataBearer>(service: Service): InitializeMiddleware<I, O> {
    return (next, context: HandlerExecutionContext) =>
      async (args: InitializeHandlerArguments<I>): Promise<InitializeHandlerOutput<O>> => {
        const input = args.input as Input;
        const operation = operationOf(context);
        const caller = this.callerOf(operation);
        const isWrite = service === 'dynamodb' && DYNAMO_WRITES.has(operation);
        const isRead = service === 'dynamodb' && DYNAMO_READS.has(operation);
        if (isWrite || isRead) input.ReturnConsumedCapacity = 'TOTAL';
        const resource = service === 'dynamodb' ? dynamoResource(input) : queueNameOf(input.QueueUrl);
        const started = performance.now();
        try {
          const result = await next(args);
          const output = result.output as unknown as Input;
          const received = operation === 'ReceiveMessage' ? ((output.Messages as unknown[] | undefined)?.length ?? 0) : 0;
          const tally = this.tally(service, caller, operation === 'ReceiveMessage' && received === 0 ? 'ReceiveMessage:empty' : operation, resource);
          tally.calls += 1;
          tally.ms += performance.now() - started;
          tally.received += received;
          if (isWrite) tally.wru += capacityUnits(output.ConsumedCapacity, 'write');
          if (isRead) tally.rru += capacityUnits(output.ConsumedCapacity, 'read');
          return result;
        } catch (error) {
          const tally = this.tally(service, caller, operation, resource);
          tally.calls += 1;
          tally.ms += performance.now() - started;
          tally.failed += 1;
          if (isWrite && isConditionFailure(error)) {
            tally.wru += 1;
            tally.estimatedWru += 1;
          }
          throw error;
        }
      };
  }
}

let meter: AwsCallMeter | undefined;

/** The process's meter, attached to the handlers' own SDK clients (call before the runtime starts). */
export async function handlerClientsMeter(): Promise<AwsCallMeter> {
  const { dynamoDocumentClient, sqs } = await import('../functions/handlers/wiring.js');
  meter ??= new AwsCallMeter();
  meter.attachDynamo(dynamoDocumentClient());
  meter.attachSqs(sqs());
  return meter;
}
