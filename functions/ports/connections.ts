/** Where a client's live WebSocket connections are kept (the connections table, functions/adapters/dynamo/connection-store.ts). */
import type { Connection } from '../domain/connections.js';

export interface ConnectionStore {
  add(connection: Connection): Promise<void>;
  /** Forgets one connection of a client; forgetting one already gone is no error. */
  remove(clientId: string, connectionId: string): Promise<void>;
  /** The ids of the client's connections, and of no other client's. */
  ofClient(clientId: string): Promise<string[]>;
}
