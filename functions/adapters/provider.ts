import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import axios, { type AxiosInstance } from 'axios';
import { classifyResponse } from '../domain/channels/sms.js';
import { shortError, type SendOutcome } from '../domain/delivery.js';
import type { SmsMessage } from '../domain/channels/sms.js';
import type { ChannelSender } from '../ports.js';

export interface ProviderSettings {
  baseUrl: string;
  /** Read per call so a rotated secret is picked up (the source caches it); `fresh` reads past the cache. */
  token: (read: { fresh: boolean }) => Promise<string>;
  /** Sockets kept open toward the provider; matches the send concurrency. */
  maxSockets: number;
  /** Epoch ms; paces the token reads past the cache. */
  now?: () => number;
}

/**
 * After a 401 the next call reads the token past its cache, at most this often: a token put a
 * moment ago is used before the message runs out of attempts (functions/domain/delivery.ts,
 * TOKEN_REFUSED_ATTEMPTS), and a wrong one is not read again on every call.
 */
export const TOKEN_REREAD_MS = 10_000;

/**
 * The SMS channel's sender: the external sending API (docs/provider-openapi.yaml), POST
 * /send/{msgId} with a Bearer JWT, its answers classified by the SMS rules (functions/domain/channels/sms.ts).
 */
export class HttpProvider implements ChannelSender<SmsMessage> {
  readonly channel = 'sms';
  private readonly http: AxiosInstance;
  private readonly now: () => number;
  /** Set by a 401, cleared by the read past the cache it asks for. */
  private tokenRefused = false;
  private lastFreshRead = Number.NEGATIVE_INFINITY;

  constructor(private readonly settings: ProviderSettings) {
    this.now = settings.now ?? Date.now;
    this.http = axios.create({
      baseURL: settings.baseUrl.replace(/\/$/, ''),
      httpAgent: new HttpAgent({ keepAlive: true, maxSockets: settings.maxSockets }),
      httpsAgent: new HttpsAgent({ keepAlive: true, maxSockets: settings.maxSockets }),
      // Every status is an answer to classify; garbage bodies arrive as strings instead of throwing.
      validateStatus: () => true,
      transitional: { silentJSONParsing: true, forcedJSONParsing: true, clarifyTimeoutError: true },
      maxRedirects: 0,
    });
  }

  async send(request: Pick<SmsMessage, 'id' | 'phone' | 'text'>, timeoutMs: number): Promise<SendOutcome> {
    if (timeoutMs <= 0) return { kind: 'retryable', error: 'no time left before the end' };
    try {
      const response = await this.http.post(
        `/send/${request.id}`,
        { id: request.id, phone: Number(request.phone), text: request.text },
        {
          headers: { Authorization: `Bearer ${await this.token()}`, 'Content-Type': 'application/json' },
          // `timeout` alone is an idle timeout in Node; the signal is the hard deadline.
          timeout: timeoutMs,
          signal: AbortSignal.timeout(timeoutMs),
        },
      );
      const outcome = classifyResponse(response.status, response.data, response.headers['retry-after'] as string | undefined);
      if (outcome.kind === 'auth-failed') this.tokenRefused = true;
      return outcome;
    } catch (error) {
      return { kind: 'retryable', error: shortError(describe(error)) };
    }
  }

  private token(): Promise<string> {
    const now = this.now();
    const fresh = this.tokenRefused && now - this.lastFreshRead >= TOKEN_REREAD_MS;
    if (fresh) {
      this.tokenRefused = false;
      this.lastFreshRead = now;
    }
    return this.settings.token({ fresh });
  }
}

function describe(error: unknown): string {
  if (axios.isAxiosError(error))
    return error.code === 'ETIMEDOUT' || error.code === 'ECONNABORTED' || error.code === 'ERR_CANCELED' ? 'timeout' : `network: ${error.code ?? error.message}`;
  return error instanceof Error ? error.message : String(error);
}
