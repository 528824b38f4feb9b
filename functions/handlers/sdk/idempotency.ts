export { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
