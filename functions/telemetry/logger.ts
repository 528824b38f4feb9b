import { Logger } from '@aws-lambda-powertools/logger';
import { SERVICE_NAME } from '../definitions/functions.js';

/** The one logger. Lines about a message carry campaignId, messageId and clientId; phones only masked (maskPhone). */
export const logger = new Logger({ serviceName: SERVICE_NAME });
