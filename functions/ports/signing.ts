/** What signs Herald's unsubscribe tokens: HMAC-SHA256 under a key from Secrets Manager (functions/adapters/hmac-signer.ts). */
export type { TokenSigner } from '../domain/unsubscribe.js';
