/** What pushes frames to a client's live connections (API Gateway's @connections endpoint, functions/adapters/frame-publisher.ts). */
import type { InboxFrame } from '../domain/inbox-frames.js';

export interface FramePublisher {
  /**
   * Sends `frame` to every live connection of `clientId` and to no other client's. Best effort: a
   * gone connection is forgotten, never thrown for; an app that missed a frame catches up with `GET /inbox`.
   */
  toClient(clientId: string, frame: InboxFrame): Promise<void>;
}
