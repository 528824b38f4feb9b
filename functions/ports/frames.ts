/** What pushes frames to live WebSocket connections (API Gateway's @connections endpoint, functions/adapters/frame-publisher.ts). */
import type { InboxFrame } from '../domain/inbox-frames.js';

export interface FramePublisher {
  /**
   * Sends `frames`, in order, to every live connection of `clientId` and to no other client's. Best
   * effort: a gone connection is forgotten, never thrown for; an app that missed a frame catches up with `GET /inbox`.
   */
  toClient(clientId: string, ...frames: InboxFrame[]): Promise<void>;
}

/** One connection's end of the gateway: `gone` when the connection no longer exists (API Gateway's 410, GoneException). */
export interface ConnectionPoster {
  post(connectionId: string, frame: InboxFrame): Promise<'sent' | 'gone'>;
}
