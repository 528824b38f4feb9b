/**
 * Where a secret may travel in a request: the provider's bearer token, a SigV4 signature.
 * Over https:, or over plain http: only to this machine (the local runtime's fake provider,
 * `npm start`'s API), where no network sees it.
 */

/** 127.0.0.0/8, ::1 and localhost. WHATWG URL parsing has already normalised `127.1` and `[0:0::1]`. */
export function isLoopback(url: URL): boolean {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

export function isSecureOrLoopback(url: URL): boolean {
  return url.protocol === 'https:' || (url.protocol === 'http:' && isLoopback(url));
}

export const SECURE_URL_RULE = 'must be an https: URL (http: only on loopback: 127.0.0.0/8, ::1, localhost)';
