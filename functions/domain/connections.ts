/**
 * A client's live WebSocket connections (DESIGN.md, In-app inbox and real time): one record per
 * connection, under its client, so the frames for a client reach every tab and device of that
 * client and no one else's.
 */

export interface Connection {
  clientId: string;
  connectionId: string;
  connectedAt: string;
  /** Epoch seconds: TTL removes a record whose `$disconnect` never came (a crashed gateway, a lost invocation). */
  expiration: number;
}

/**
 * API Gateway ends every WebSocket connection after two hours, idle or not; an hour more lets
 * a late `$disconnect` still find its record, and a record older than that is a connection gone.
 */
export const CONNECTION_MAX_SECONDS = 2 * 60 * 60;
export const CONNECTION_TTL_SECONDS = CONNECTION_MAX_SECONDS + 60 * 60;

export function newConnection(clientId: string, connectionId: string, now: Date): Connection {
  return {
    clientId,
    connectionId,
    connectedAt: now.toISOString(),
    expiration: Math.floor(now.getTime() / 1000) + CONNECTION_TTL_SECONDS,
  };
}
