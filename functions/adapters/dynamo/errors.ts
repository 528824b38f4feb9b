import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';

export function isConditionFailure(error: unknown): error is ConditionalCheckFailedException {
  return error instanceof ConditionalCheckFailedException || (error as { name?: string })?.name === 'ConditionalCheckFailedException';
}

/** The item a failed condition saw (ReturnValuesOnConditionCheckFailure: ALL_OLD). */
export function itemOfConditionFailure(error: ConditionalCheckFailedException): Record<string, unknown> | undefined {
  return error.Item ? unmarshall(error.Item) : undefined;
}

/** Indexes of the transaction's items whose condition failed. */
export function failedConditions(error: unknown): number[] | undefined {
  if (!(error instanceof TransactionCanceledException) && (error as { name?: string })?.name !== 'TransactionCanceledException') return undefined;
  const reasons = (error as TransactionCanceledException).CancellationReasons ?? [];
  return reasons.flatMap((reason, index) => (reason.Code === 'ConditionalCheckFailed' ? [index] : []));
}

/**
 * A transaction cancelled only because another transaction held one of its items (no condition
 * failed): trying again decides it. Concurrent imports meeting on a phone reservation see this.
 */
export function isTransactionConflict(error: unknown): boolean {
  if (!(error instanceof TransactionCanceledException) && (error as { name?: string })?.name !== 'TransactionCanceledException') return false;
  const codes = ((error as TransactionCanceledException).CancellationReasons ?? []).map((reason) => reason.Code);
  return codes.includes('TransactionConflict') && !codes.includes('ConditionalCheckFailed');
}

/** What DynamoDB answers when it throttles, as the SDK's retry rules name it. */
const THROTTLING = new Set([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'RequestLimitExceeded',
  'LimitExceededException',
  'TransactionInProgressException',
]);
const TIMEOUTS = new Set(['TimeoutError', 'RequestTimeout', 'RequestTimeoutException']);
const NETWORK = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);

/**
 * A call DynamoDB throttled, or one that failed on the way (a timeout, a reset, a 5xx): the
 * same call may succeed if made again. The SDK's own retry rules for the errors DynamoDB gives,
 * written out: importing the SDK's classifier bundles its whole retry module into every
 * function, 14 KB, which took the api past its 300 KB budget.
 */
export function isRetryable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const { $metadata, $retryable, code } = error as Error & { $metadata?: { httpStatusCode?: number }; $retryable?: unknown; code?: string };
  const status = $metadata?.httpStatusCode ?? 0;
  return (
    $retryable !== undefined ||
    THROTTLING.has(error.name) ||
    TIMEOUTS.has(error.name) ||
    NETWORK.has(code ?? '') ||
    status === 429 ||
    (status >= 500 && status <= 599)
  );
}
