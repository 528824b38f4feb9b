/**
 * The OAuth 2.0 pieces of signing in against the Cognito domain: authorization code with PKCE
 * (RFC 7636), since a browser app keeps no client secret. Web Crypto only, so the same code runs
 * in the browser and under Node (test/unit/admin-auth.test.ts).
 */
import type { AdminConfig } from './config.js';

export const OAUTH_SCOPES = ['openid', 'email', 'profile'];

export function base64Url(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** 32 random bytes: a 43-character verifier (RFC 7636 asks for 43 to 128) of the unreserved alphabet. */
export function randomToken(): string {
  return base64Url(crypto.getRandomValues(new Uint8Array(32)));
}

/** The S256 challenge: BASE64URL(SHA256(ASCII(verifier))). */
export async function challengeOf(verifier: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier));
  return base64Url(new Uint8Array(digest));
}

export interface AuthorizeRequest {
  redirectUri: string;
  state: string;
  challenge: string;
}

/** Where the browser goes to sign in (Cognito's hosted sign-in page). */
export function authorizeUrl(config: AdminConfig, request: AuthorizeRequest): string {
  const url = new URL(`https://${config.authDomain}/oauth2/authorize`);
  url.search = new URLSearchParams({
    response_type: 'code',
    client_id: config.userPoolClientId,
    redirect_uri: request.redirectUri,
    scope: OAUTH_SCOPES.join(' '),
    state: request.state,
    code_challenge: request.challenge,
    code_challenge_method: 'S256',
  }).toString();
  return url.toString();
}

export function tokenUrl(config: AdminConfig): string {
  return `https://${config.authDomain}/oauth2/token`;
}

/** Ends the hosted sign-in session too, then comes back to the app. */
export function logoutUrl(config: AdminConfig, redirectUri: string): string {
  const url = new URL(`https://${config.authDomain}/logout`);
  url.search = new URLSearchParams({ client_id: config.userPoolClientId, logout_uri: redirectUri }).toString();
  return url.toString();
}

/** The form body that trades the code from the redirect for tokens. */
export function codeExchangeBody(config: AdminConfig, code: string, verifier: string, redirectUri: string): URLSearchParams {
  return new URLSearchParams({
    grant_type: 'authorization_code',
    client_id: config.userPoolClientId,
    code,
    redirect_uri: redirectUri,
    code_verifier: verifier,
  });
}

export function refreshBody(config: AdminConfig, refreshToken: string): URLSearchParams {
  return new URLSearchParams({ grant_type: 'refresh_token', client_id: config.userPoolClientId, refresh_token: refreshToken });
}
