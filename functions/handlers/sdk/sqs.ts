export { SQSClient } from '@aws-sdk/client-sqs';
export { SqsFanoutQueue, SqsSendQueue } from '../../adapters/sqs.js';
