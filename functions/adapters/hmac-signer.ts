import { createHmac } from 'node:crypto';
import type { TokenSigner } from '../ports/signing.js';

/** Fewer bytes than the hash's own output would weaken the MAC (RFC 2104, section 3). */
export const MIN_KEY_BYTES = 32;

/** HMAC-SHA256 under `key`, base64url: the unsubscribe tokens' signer (functions/domain/unsubscribe.ts). */
export function hmacSigner(key: Uint8Array | string): TokenSigner {
  const bytes = typeof key === 'string' ? Buffer.from(key, 'utf8') : key;
  if (bytes.length < MIN_KEY_BYTES) throw new Error(`the unsubscribe key has ${bytes.length} bytes; it needs at least ${MIN_KEY_BYTES}`);
  return { sign: (data) => createHmac('sha256', bytes).update(data, 'utf8').digest('base64url') };
}
