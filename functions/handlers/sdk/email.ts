export { SesSender, sesClient } from '../../adapters/ses-sender.js';
export { SesSendQuota } from '../../adapters/ses-quota.js';
export { preparedLinks } from '../../adapters/unsubscribe-links.js';
export { createEmailRules } from '../../domain/channels/email.js';
