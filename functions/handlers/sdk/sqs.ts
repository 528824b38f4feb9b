export { SQSClient } from '@aws-sdk/client-sqs';
export { SqsFanoutQueue, SqsSendQueue, SqsStartTimerQueue } from '../../adapters/sqs.js';
