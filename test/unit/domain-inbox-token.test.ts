/** Inbox tokens (functions/domain/inbox-token.ts): HS256 JWTs signed by the HMAC-SHA256 signer (functions/adapters/hmac-signer.ts). */
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { hmacSigner } from '../../functions/adapters/hmac-signer.js';
import { bearerTokenOf, INBOX_TOKEN_AUDIENCE, maskToken, signInboxToken, verifyInboxToken } from '../../functions/domain/inbox-token.js';

const key = 'k'.repeat(32);
const signer = hmacSigner(key);
const now = new Date('2026-12-07T12:00:00.000Z');
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
/** A JWT made here with node:crypto, as another library would make it. */
function jwt(header: Record<string, unknown>, claims: Record<string, unknown>, withKey = key): string {
  const signed = `${b64(header)}.${b64(claims)}`;
  return `${signed}.${createHmac('sha256', withKey).update(signed).digest('base64url')}`;
}
const iat = Math.floor(now.getTime() / 1000);
const claims = { sub: 'client-1', aud: INBOX_TOKEN_AUDIENCE, iat, exp: iat + 3600 };

describe('inbox tokens', () => {
  it('are HS256 JWTs whose sub is the client, read back until they expire', () => {
    const { token, expiresAt } = signInboxToken(signer, 'client-1', 3600, now);
    expect(expiresAt).toBe('2026-12-07T13:00:00.000Z');
    const [header, payload] = token.split('.') as [string, string];
    expect(JSON.parse(Buffer.from(header, 'base64url').toString())).toEqual({ alg: 'HS256', typ: 'JWT' });
    expect(JSON.parse(Buffer.from(payload, 'base64url').toString())).toEqual(claims);
    expect(token).toBe(jwt({ alg: 'HS256', typ: 'JWT' }, claims));
    expect(verifyInboxToken(token, signer, now)).toEqual({ clientId: 'client-1', expiresAt });
    expect(verifyInboxToken(token, signer, new Date(now.getTime() + 3599_000))?.clientId).toBe('client-1');
  });

  it('a JWT another library signed with the key is taken', () => {
    expect(verifyInboxToken(jwt({ typ: 'JWT', alg: 'HS256' }, claims), signer, now)?.clientId).toBe('client-1');
  });

  it('refuses an expired token, at exp itself too', () => {
    const { token } = signInboxToken(signer, 'client-1', 60, now);
    expect(verifyInboxToken(token, signer, new Date(now.getTime() + 59_999))).toBeDefined();
    expect(verifyInboxToken(token, signer, new Date(now.getTime() + 60_000))).toBeUndefined();
    expect(verifyInboxToken(jwt({ alg: 'HS256' }, { ...claims, exp: undefined }), signer, now)).toBeUndefined();
    expect(verifyInboxToken(jwt({ alg: 'HS256' }, { ...claims, exp: String(iat + 60) }), signer, now)).toBeUndefined();
  });

  it('refuses a forged token: another key, a changed claim, a cut MAC', () => {
    const { token } = signInboxToken(signer, 'client-1', 3600, now);
    expect(verifyInboxToken(token, hmacSigner('o'.repeat(32)), now)).toBeUndefined();
    expect(verifyInboxToken(jwt({ alg: 'HS256' }, claims, 'o'.repeat(32)), signer, now)).toBeUndefined();
    const [header, , mac] = token.split('.') as [string, string, string];
    expect(verifyInboxToken(`${header}.${b64({ ...claims, sub: 'client-2' })}.${mac}`, signer, now)).toBeUndefined();
    expect(verifyInboxToken(token.slice(0, -1), signer, now)).toBeUndefined();
    expect(verifyInboxToken(`${token}.`, signer, now)).toBeUndefined();
    expect(verifyInboxToken('', signer, now)).toBeUndefined();
    expect(verifyInboxToken('not a token', signer, now)).toBeUndefined();
  });

  it('refuses alg none and every algorithm but HS256, whatever the MAC', () => {
    const unsigned = `${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims)}.`;
    expect(verifyInboxToken(unsigned, signer, now)).toBeUndefined();
    expect(verifyInboxToken(`${unsigned}x`, signer, now)).toBeUndefined();
    for (const alg of ['none', 'None', 'HS512', 'RS256', 'hs256', undefined]) {
      // Even with a MAC right for the signed part: the algorithm is refused before the MAC is looked at.
      expect(verifyInboxToken(jwt({ alg, typ: 'JWT' }, claims), signer, now)).toBeUndefined();
    }
    // Negative control: the same helper with HS256 is taken, so the refusals above are the algorithm's.
    expect(verifyInboxToken(jwt({ alg: 'HS256', typ: 'JWT' }, claims), signer, now)).toBeDefined();
  });

  it('refuses another audience, or none', () => {
    expect(verifyInboxToken(jwt({ alg: 'HS256' }, { ...claims, aud: 'herald-admin' }), signer, now)).toBeUndefined();
    expect(verifyInboxToken(jwt({ alg: 'HS256' }, { ...claims, aud: [INBOX_TOKEN_AUDIENCE] }), signer, now)).toBeUndefined();
    expect(verifyInboxToken(jwt({ alg: 'HS256' }, { ...claims, aud: undefined }), signer, now)).toBeUndefined();
  });

  it('refuses a sub that is not a client id', () => {
    for (const sub of ['', 'a/b', 'x'.repeat(65), 42, undefined])
      expect(verifyInboxToken(jwt({ alg: 'HS256' }, { ...claims, sub }), signer, now)).toBeUndefined();
  });

  it('reads a bearer header, and masks tokens in any text', () => {
    const { token } = signInboxToken(signer, 'client-1', 3600, now);
    expect(bearerTokenOf(`Bearer ${token}`)).toBe(token);
    expect(bearerTokenOf(`bearer ${token}`)).toBe(token);
    expect(bearerTokenOf(token)).toBeUndefined();
    expect(bearerTokenOf(undefined)).toBeUndefined();
    expect(maskToken(`GET /ws?token=${token}&x=1`)).toBe('GET /ws?token=***&x=1');
    expect(maskToken('2026-12-07T12:00:00.000Z')).toBe('2026-12-07T12:00:00.000Z');
  });
});
