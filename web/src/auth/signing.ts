/**
 * A `fetch` that signs each request with SigV4 for API Gateway (service `execute-api`), as
 * every route of the Herald API requires (lib/api.ts). No browser-only API, so it runs under
 * Node as well (test/unit/admin-auth.test.ts checks it against an independent signature).
 */
import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';

export interface TemporaryCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  expiration?: Date;
}

export type CredentialsProvider = () => Promise<TemporaryCredentials>;

/**
 * Headers signed besides SigV4's own: the host and what the API reads. The CORS preflight of the
 * API allows exactly these (CORS_ALLOWED_HEADERS in lib/api.ts), with authorization, x-amz-date
 * and x-amz-security-token. Others the caller sets go unsigned.
 */
export const SIGNED_HEADERS = ['host', 'content-type', 'idempotency-key'];

export interface SigningFetchOptions {
  region: string;
  credentials: CredentialsProvider;
  /** The fetch that sends the signed request. Default: the global one. */
  fetch?: typeof fetch;
  /** Signing time. Default: now. */
  now?: () => Date;
}

export function signingFetch(options: SigningFetchOptions): typeof fetch {
  const signer = new SignatureV4({
    service: 'execute-api',
    region: options.region,
    credentials: options.credentials,
    sha256: Sha256,
    // No x-amz-content-sha256 header: API Gateway does not need it, and the preflight would have to allow it.
    applyChecksum: false,
  });
  const send = options.fetch ?? ((input, init) => fetch(input, init));
  const now = options.now ?? (() => new Date());

  return async (input, init) => {
    const request = new Request(input, init);
    const url = new URL(request.url);
    const body = request.method === 'GET' || request.method === 'HEAD' ? undefined : new Uint8Array(await request.arrayBuffer());
    const signedHeaders: Record<string, string> = { host: url.host };
    const unsignedHeaders: Record<string, string> = {};
    request.headers.forEach((value, name) => {
      if (SIGNED_HEADERS.includes(name)) signedHeaders[name] = value;
      else unsignedHeaders[name] = value;
    });
    const query: Record<string, string | string[]> = {};
    for (const key of new Set(url.searchParams.keys())) {
      const values = url.searchParams.getAll(key);
      query[key] = values.length === 1 ? values[0]! : values;
    }
    const signed = await signer.sign(
      {
        method: request.method,
        protocol: url.protocol,
        hostname: url.hostname,
        port: url.port ? Number(url.port) : undefined,
        path: url.pathname,
        query,
        headers: signedHeaders,
        body: body && body.length > 0 ? body : undefined,
      },
      { signingDate: now() },
    );
    // The browser sets Host itself (it may not be set by a page) to the same url.host.
    const { host: _host, ...headers } = signed.headers;
    return send(url.toString(), {
      method: request.method,
      headers: { ...unsignedHeaders, ...headers },
      body: body && body.length > 0 ? body : undefined,
      signal: request.signal,
      credentials: 'omit',
    });
  };
}

/**
 * One set of credentials until shortly before it expires (the identity pool's last an hour), so
 * a page does not ask Cognito before every API call. Concurrent callers share one request.
 */
export function cachedCredentials(provider: CredentialsProvider, now: () => Date = () => new Date(), renewBeforeMs = 5 * 60_000): CredentialsProvider {
  let current: Promise<TemporaryCredentials> | undefined;
  return async () => {
    if (current) {
      const credentials = await current.catch(() => undefined);
      if (credentials && (!credentials.expiration || credentials.expiration.getTime() - renewBeforeMs > now().getTime())) return credentials;
    }
    current = provider();
    return current;
  };
}
