/**
 * The interfaces the domain and the handlers need, one small module per concern under ports/;
 * adapters/ implements them for AWS and local/ for one machine. Imported from here.
 */
import type { CampaignStore } from './ports/campaigns.js';
import type { ClientStore, SuppressionStore } from './ports/clients.js';
import type { MessageStore } from './ports/messages.js';

export type * from './ports/common.js';
export type * from './ports/clients.js';
export type * from './ports/campaigns.js';
export type * from './ports/messages.js';
export type * from './ports/queues.js';
export type * from './ports/schedulers.js';
export type * from './ports/rate-slots.js';
export type * from './ports/channels.js';
export type * from './ports/frames.js';
export type * from './ports/signing.js';
export type * from './ports/connections.js';
export type * from './ports/inbox.js';
export type * from './ports/send-quota.js';
export type * from './ports/email-events.js';
export type * from './ports/events.js';

/** The stores every handler reads from: the three tables', and the suppression list. */
export interface Stores {
  clients: ClientStore;
  campaigns: CampaignStore;
  messages: MessageStore;
  suppression: SuppressionStore;
}
