import { ConditionalCheckFailedException, DynamoDBServiceException, ProvisionedThroughputExceededException } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { isRetryable } from '../../functions/adapters/dynamo/errors.js';

const metadata = (httpStatusCode: number) => ({ $metadata: { httpStatusCode } });

describe('DynamoDB errors: what may succeed if made again', () => {
  it('counts throttling, a timeout, a reset and a 5xx as worth another attempt', () => {
    expect(isRetryable(new ProvisionedThroughputExceededException({ message: 'throttled', ...metadata(400) }))).toBe(true);
    expect(isRetryable(new DynamoDBServiceException({ name: 'ThrottlingException', $fault: 'client', ...metadata(400), message: 'slow down' }))).toBe(true);
    expect(isRetryable(new DynamoDBServiceException({ name: 'InternalServerError', $fault: 'server', ...metadata(500), message: 'oops' }))).toBe(true);
    expect(isRetryable(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }))).toBe(true);
    expect(isRetryable(Object.assign(new Error('timed out'), { name: 'TimeoutError' }))).toBe(true);
  });

  it('never counts a refusal of the write itself: a failed condition, a malformed request, a missing table', () => {
    expect(isRetryable(new ConditionalCheckFailedException({ message: 'no', ...metadata(400) }))).toBe(false);
    expect(isRetryable(new DynamoDBServiceException({ name: 'ValidationException', $fault: 'client', ...metadata(400), message: 'bad' }))).toBe(false);
    expect(isRetryable(new DynamoDBServiceException({ name: 'ResourceNotFoundException', $fault: 'client', ...metadata(400), message: 'no table' }))).toBe(
      false,
    );
    expect(isRetryable('throttled')).toBe(false);
    expect(isRetryable(undefined)).toBe(false);
  });
});
