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

  async toClient(clientId: string, ...frames: InboxFrame[]): Promise<void> {
    // One read of the connections for all the frames (an in-app message sends two).
    let ids: string[];
    try {
      ids = await this.connections.ofClient(clientId);
    } catch (error) {
      logger.warn('frame not sent: the connections could not be read', { clientId, frames: frames.map(({ type }) => type), error: String(error) });
      return;
    }
    await Promise.all(ids.map((connectionId) => this.toConnection(clientId, connectionId, frames)));
  }

  /** The frames one after another, so the connection sees them in order; a gone connection takes no more. */
  private async toConnection(clientId: string, connectionId: string, frames: InboxFrame[]): Promise<void> {
    for (const frame of frames) {
      try {
        if ((await this.poster.post(connectionId, frame)) === 'gone') {
          await this.connections.remove(clientId, connectionId);
          logger.info('stale connection removed', { clientId, connectionId });
          return;
        }
      } catch (error) {
        logger.warn('frame not sent', { clientId, connectionId, frame: frame.type, error: String(error) });
      }
    }
  }
}
