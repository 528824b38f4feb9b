/**
 * Inbox tokens: what an end user's app presents to the inbox routes and the WebSocket. A JWT
 * (RFC 7519) signed HS256 under a key only Herald holds, whose `sub` is the client id, `aud`
 * says it is for the inbox and `exp` ends it. The operator's backend asks for one
 * (POST /clients/{id}/inbox-token) and hands it to its app.
 *
 * HS256 is HMAC-SHA256 over `header.payload`: the MAC is computed behind the TokenSigner port
 * (functions/adapters/hmac-signer.ts), as for the unsubscribe tokens; the domain only reads the
 * claims and compares the MAC in constant time. Only `alg: HS256` is taken: `none`, or any
 * other algorithm a token names, is refused before its MAC is looked at.
 */
import { constantTimeEqual, type TokenSigner } from './unsubscribe.js';

export const INBOX_TOKEN_AUDIENCE = 'herald-inbox';
/** A token's lifetime in seconds, as POST /clients/{id}/inbox-token takes it. */
export const INBOX_TOKEN_TTL = { min: 60, max: 86_400, default: 3_600 } as const;

/** Who a valid token speaks for, and until when. */
export interface InboxPrincipal {
  clientId: string;
  /** ISO 8601. */
  expiresAt: string;
}

/**
 * A principal checked earlier (API Gateway caches its authorizer's answer for a while) still holds
 * only before its `expiresAt`; an unreadable time holds never.
 */
export const isPrincipalLive = (expiresAt: unknown, now: Date): boolean => typeof expiresAt === 'string' && Date.parse(expiresAt) > now.getTime();

const CLIENT_ID = /^[A-Za-z0-9_-]{1,64}$/;
const SEGMENT = /^[A-Za-z0-9_-]+$/;
/** Herald's tokens are a few hundred characters; anything far longer is not one of them. */
const MAX_TOKEN_LENGTH = 1024;
const HEADER = { alg: 'HS256', typ: 'JWT' } as const;

const toBase64url = (text: string): string => btoa(text).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');

function jsonOf(segment: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(atob(segment.replace(/-/g, '+').replace(/_/g, '/')));
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** A token for `clientId`, valid from `now` for `ttlSeconds`. */
export function signInboxToken(signer: TokenSigner, clientId: string, ttlSeconds: number, now: Date): { token: string; expiresAt: string } {
  if (!CLIENT_ID.test(clientId)) throw new Error(`not a client id: ${clientId}`);
  const iat = Math.floor(now.getTime() / 1000);
  const exp = iat + ttlSeconds;
  const signed = `${toBase64url(JSON.stringify(HEADER))}.${toBase64url(JSON.stringify({ sub: clientId, aud: INBOX_TOKEN_AUDIENCE, iat, exp }))}`;
  return { token: `${signed}.${signer.sign(signed)}`, expiresAt: new Date(exp * 1000).toISOString() };
}

/**
 * The client a token speaks for at `now`, or undefined when it is no valid inbox token: not a
 * JWT, another algorithm (`none` included), a MAC Herald's key did not make (forged, tampered,
 * another key's), another audience, or expired (at `exp` itself too).
 */
export function verifyInboxToken(token: string, signer: TokenSigner, now: Date): InboxPrincipal | undefined {
  if (typeof token !== 'string' || token.length > MAX_TOKEN_LENGTH) return undefined;
  const parts = token.split('.');
  if (parts.length !== 3 || !parts.every((part) => SEGMENT.test(part))) return undefined;
  const [header, payload, mac] = parts as [string, string, string];
  const alg = jsonOf(header)?.alg;
  if (alg !== HEADER.alg) return undefined;
  if (!constantTimeEqual(signer.sign(`${header}.${payload}`), mac)) return undefined;
  const claims = jsonOf(payload);
  if (!claims) return undefined;
  const { sub, aud, exp } = claims;
  if (typeof sub !== 'string' || !CLIENT_ID.test(sub)) return undefined;
  if (aud !== INBOX_TOKEN_AUDIENCE) return undefined;
  if (typeof exp !== 'number' || !Number.isSafeInteger(exp) || exp * 1000 <= now.getTime()) return undefined;
  return { clientId: sub, expiresAt: new Date(exp * 1000).toISOString() };
}

/** The token of an `Authorization: Bearer <token>` header (any case of the scheme), or undefined. */
export function bearerTokenOf(authorization: string | undefined): string | undefined {
  const match = /^Bearer +(\S+) *$/i.exec(authorization ?? '');
  return match?.[1];
}

/** Anything shaped like a JWT: three base64url parts, whatever its header says (a forged one too). */
const TOKEN_SHAPE = /[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/g;

/** What a log line may say of a token: that there was one, never the token (the logger applies it to every string, functions/telemetry/logger.ts). */
export function maskToken(text: string): string {
  return text.includes('.') ? text.replace(TOKEN_SHAPE, '***') : text;
}
