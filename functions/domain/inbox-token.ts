/**
 * TEMPORARY minimal inbox tokens, so the WebSocket authorizer can be built and tested before the
 * full version (with its signer adapter and the REST authorizer) is on main; that version replaces
 * this file whole, keeping `verifyInboxToken(token, key, now)`.
 * An HS256 JWT whose `sub` is the client id, `aud` Herald's inbox, `exp` its end.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const INBOX_TOKEN_AUDIENCE = 'herald-inbox';

export class InvalidInboxToken extends Error {
  constructor(reason: string) {
    super(`invalid inbox token: ${reason}`);
    this.name = 'InvalidInboxToken';
  }
}

const HEADER = Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT' })).toString('base64url');
const mac = (data: string, key: string | Buffer) => createHmac('sha256', key).update(data).digest();

export function signInboxToken(clientId: string, key: string | Buffer, now: Date, ttlSeconds: number): { token: string; expiresAt: Date } {
  const iat = Math.floor(now.getTime() / 1000);
  const exp = iat + ttlSeconds;
  const payload = Buffer.from(JSON.stringify({ sub: clientId, aud: INBOX_TOKEN_AUDIENCE, iat, exp })).toString('base64url');
  return { token: `${HEADER}.${payload}.${mac(`${HEADER}.${payload}`, key).toString('base64url')}`, expiresAt: new Date(exp * 1000) };
}

/** The client a token names, or InvalidInboxToken when it is forged, expired, another audience's or no JWT. */
export function verifyInboxToken(token: string, key: string | Buffer, now: Date): { clientId: string; expiresAt: Date } {
  const [header, payload, signature, ...rest] = token.split('.');
  if (header !== HEADER || payload === undefined || signature === undefined || rest.length > 0) throw new InvalidInboxToken('not an HS256 JWT');
  const expected = mac(`${header}.${payload}`, key);
  const given = Buffer.from(signature, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw new InvalidInboxToken('bad signature');
  let claims: { sub?: unknown; aud?: unknown; exp?: unknown };
  try {
    claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as typeof claims;
  } catch {
    throw new InvalidInboxToken('unreadable claims');
  }
  if (claims.aud !== INBOX_TOKEN_AUDIENCE) throw new InvalidInboxToken('wrong audience');
  if (typeof claims.sub !== 'string' || claims.sub.length === 0) throw new InvalidInboxToken('no subject');
  if (typeof claims.exp !== 'number' || claims.exp * 1000 <= now.getTime()) throw new InvalidInboxToken('expired');
  return { clientId: claims.sub, expiresAt: new Date(claims.exp * 1000) };
}
