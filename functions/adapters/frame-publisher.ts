import type { InboxFrame } from '../domain/inbox-frames.js';
import type { ConnectionPoster, ConnectionStore, FramePublisher } from '../ports.js';
import { logger } from '../telemetry/logger.js';

/**
 * Frames to every connection of one client: the connections come from that client's own partition
 * of the connections table, so a frame never reaches another client. A connection API Gateway calls
 * gone is deleted; any other failure is logged and left (best effort: an app catches up with `GET /inbox`).
 * Never throws: what called it (an item written, a read) has already happened.
 */
export class ConnectionsFramePublisher implements FramePublisher {
  constructor(
    private readonly connections: ConnectionStore,
    private readonly poster: ConnectionPoster,
  ) {}

  async toClient(clientId: string, frame: InboxFrame): Promise<void> {
    let ids: string[];
    try {
      ids = await this.connections.ofClient(clientId);
    } catch (error) {
      logger.warn('frame not sent: the connections could not be read', { clientId, frame: frame.type, error: String(error) });
      return;
    }
    await Promise.all(ids.map((connectionId) => this.toConnection(clientId, connectionId, frame)));
  }

  private async toConnection(clientId: string, connectionId: string, frame: InboxFrame): Promise<void> {
    try {
      if ((await this.poster.post(connectionId, frame)) === 'gone') {
        await this.connections.remove(clientId, connectionId);
        logger.info('stale connection removed', { clientId, connectionId });
      }
    } catch (error) {
      logger.warn('frame not sent', { clientId, connectionId, frame: frame.type, error: String(error) });
    }
  }
}
