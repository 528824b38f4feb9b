import { Logger } from '@aws-lambda-powertools/logger';
import { SERVICE_NAME } from '../definitions/functions.js';
import { maskToken } from '../domain/inbox-token.js';

/**
 * The one logger. Lines about a message carry campaignId, messageId and clientId; phones only
 * masked (maskPhone). No line carries an inbox token: every string a line holds (a message, an
 * error's, a key's value) is masked on its way out, wherever the token came from.
 */
export const logger = new Logger({
  serviceName: SERVICE_NAME,
  jsonReplacerFn: (_key, value) => (typeof value === 'string' ? maskToken(value) : value),
});
