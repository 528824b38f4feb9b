/** What sends a message out. */
import type { SendOutcome } from '../domain/delivery.js';

export interface SendRequest {
  id: number;
  phone: string;
  text: string;
}

export interface Provider {
  send(request: SendRequest, timeoutMs: number): Promise<SendOutcome>;
}
