import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import axios, { type AxiosInstance } from 'axios';
import { classifyResponse, shortError, type SendOutcome } from '../domain/delivery.js';
import type { Provider, SendRequest } from '../ports.js';

export interface ProviderSettings {
  baseUrl: string;
  /** Read per call so a rotated secret is picked up (the source caches it). */
  token: () => Promise<string>;
  /** Sockets kept open toward the provider; matches the send concurrency. */
  maxSockets: number;
}

/** The external sending API (docs/provider-openapi.yaml): POST /send/{msgId} with a Bearer JWT. */
export class HttpProvider implements Provider {
  private readonly http: AxiosInstance;

  constructor(private readonly settings: ProviderSettings) {
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

  async send(request: SendRequest, timeoutMs: number): Promise<SendOutcome> {
    if (timeoutMs <= 0) return { kind: 'retryable', error: 'no time left before the end' };
    try {
      const response = await this.http.post(
        `/send/${request.id}`,
        { id: request.id, phone: Number(request.phone), text: request.text },
        {
          headers: { Authorization: `Bearer ${await this.settings.token()}`, 'Content-Type': 'application/json' },
          // `timeout` alone is an idle timeout in Node; the signal is the hard deadline.
          timeout: timeoutMs,
          signal: AbortSignal.timeout(timeoutMs),
        },
      );
      return classifyResponse(response.status, response.data, response.headers['retry-after'] as string | undefined);
    } catch (error) {
      return { kind: 'retryable', error: shortError(describe(error)) };
    }
  }
}

function describe(error: unknown): string {
  if (axios.isAxiosError(error))
    return error.code === 'ETIMEDOUT' || error.code === 'ECONNABORTED' || error.code === 'ERR_CANCELED' ? 'timeout' : `network: ${error.code ?? error.message}`;
  return error instanceof Error ? error.message : String(error);
}
