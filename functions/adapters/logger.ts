import { Logger } from '@aws-lambda-powertools/logger';

/** The one logger. Lines about a message carry campaignId, messageId and clientId; phones only masked (maskPhone). */
export const logger = new Logger({ serviceName: 'herald' });
