/**
 * Signing in with Cognito's hosted pages (authorization code with PKCE) and keeping the tokens
 * of this tab. The browser's pieces (storage, location, fetch, clock) come in as `surroundings`,
 * so the flow runs under Node in the tests; ./index.ts passes the real ones.
 *
 * Only what Cognito issues is kept, in sessionStorage (gone with the tab): the id token (an hour)
 * and the refresh token (12 hours, lib/admin.ts). No AWS key is ever stored: ./index.ts trades
 * the id token for temporary credentials when it needs them.
 */
import { ADMIN_PATH, OPERATORS_GROUP, VIEWERS_GROUP, type Access, type AdminConfig } from './config.js';
import { authorizeUrl, challengeOf, codeExchangeBody, logoutUrl, randomToken, refreshBody, tokenUrl } from './pkce.js';

export interface KeyValueStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

export interface BrowserSurroundings {
  storage: KeyValueStorage;
  /** The page's address now. */
  currentUrl(): string;
  /** Shows another address without loading it (drops `?code=` after sign-in). */
  replaceUrl(url: string): void;
  /** Leaves the page (to the sign-in or sign-out page). */
  navigate(url: string): void;
  fetch: typeof fetch;
  now(): Date;
}

export interface SignedIn {
  userName: string;
  /** From the id token's groups; undefined for a user in neither group, whom the identity pool gives no credentials. */
  access?: Access;
  /** A valid id token, refreshed when it is about to expire. */
  idToken(): Promise<string>;
  signOut(): void;
  /** Drops this tab's tokens without leaving the page: the next load signs in again, with a fresh token. */
  forget(): void;
}

/** A sign-in that cannot go on by itself (refused, tampered with, or the code no longer valid): the app shows it. */
export class SignInError extends Error {
  override name = 'SignInError';
}

export const TOKENS_KEY = 'herald.admin.tokens';
export const PENDING_KEY = 'herald.admin.sign-in';
/** Refresh this long before the id token expires, so a request never leaves with one about to lapse. */
const RENEW_BEFORE_MS = 2 * 60_000;

interface StoredTokens {
  idToken: string;
  refreshToken?: string;
}

interface PendingSignIn {
  verifier: string;
  state: string;
  /** Where the user was when sent to sign in. */
  returnTo: string;
}

interface TokenResponse {
  id_token?: string;
  refresh_token?: string;
}

/** The claims of a JWT, unverified: the identity pool verifies the token; the page only reads its expiry and name. */
export function claimsOf(token: string): Record<string, unknown> {
  const payload = token.split('.')[1];
  if (!payload) throw new SignInError('The id token is not a JWT');
  const binary = atob(payload.replace(/-/g, '+').replace(/_/g, '/'));
  const bytes = Uint8Array.from(binary, (char) => char.charCodeAt(0));
  return JSON.parse(new TextDecoder().decode(bytes)) as Record<string, unknown>;
}

/** The group a user's id token names, as what they may do: operators win over viewers, as the groups' precedence says (lib/admin.ts). */
export function accessOf(claims: Record<string, unknown>): Access | undefined {
  const groups = claims['cognito:groups'];
  const names = Array.isArray(groups) ? groups.map(String) : [];
  if (names.includes(OPERATORS_GROUP)) return 'operate';
  if (names.includes(VIEWERS_GROUP)) return 'view';
  return undefined;
}

/**
 * What a signed-in user may do; for a user in neither group (whom the identity pool gives no
 * credentials) the tab's tokens are dropped, so that once an administrator adds them to a group
 * the next load signs in again with a token naming it, and the sign-in is refused with what to do.
 */
export function accessOrRefuse(user: SignedIn): Access {
  if (user.access) return user.access;
  user.forget();
  throw new SignInError(
    `${user.userName} is in neither the ${OPERATORS_GROUP} nor the ${VIEWERS_GROUP} group, so it may not use Herald. Ask an administrator to add it to one, then reload this page.`,
  );
}

/**
 * The signed-in user, or null after sending the browser to the sign-in page (the page is about
 * to be left). Back from it with `?code=`, trades the code for tokens and restores the address.
 */
export async function signIn(config: AdminConfig, surroundings: BrowserSurroundings): Promise<SignedIn | null> {
  const { storage } = surroundings;
  const current = new URL(surroundings.currentUrl());
  const redirectUri = `${current.origin}${ADMIN_PATH}`;

  const readJson = <T>(key: string): T | undefined => {
    const text = storage.getItem(key);
    if (text === null) return undefined;
    try {
      return JSON.parse(text) as T;
    } catch {
      return undefined;
    }
  };

  const postForm = async (body: URLSearchParams): Promise<TokenResponse> => {
    const response = await surroundings.fetch(tokenUrl(config), {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: body.toString(),
    });
    if (!response.ok) throw new SignInError(`Cognito refused the token request (${response.status}): ${await response.text()}`);
    return (await response.json()) as TokenResponse;
  };

  const beginSignIn = async (): Promise<null> => {
    const pending: PendingSignIn = { verifier: randomToken(), state: randomToken(), returnTo: `${current.pathname}${current.search}${current.hash}` };
    storage.setItem(PENDING_KEY, JSON.stringify(pending));
    surroundings.navigate(authorizeUrl(config, { redirectUri, state: pending.state, challenge: await challengeOf(pending.verifier) }));
    return null;
  };

  const params = current.searchParams;
  if (params.has('code') || params.has('error')) {
    const pending = readJson<PendingSignIn>(PENDING_KEY);
    storage.removeItem(PENDING_KEY);
    // The code is single-use and must not stay in the address bar or the history.
    surroundings.replaceUrl(pending?.returnTo && !pending.returnTo.includes('code=') ? pending.returnTo : ADMIN_PATH);
    if (params.has('error')) throw new SignInError(`Sign-in failed: ${params.get('error_description') ?? params.get('error')}`);
    if (!pending || params.get('state') !== pending.state)
      throw new SignInError('This sign-in was not started here (state mismatch); reload to sign in again.');
    const answer = await postForm(codeExchangeBody(config, params.get('code')!, pending.verifier, redirectUri));
    if (!answer.id_token) throw new SignInError('Cognito answered without an id token');
    storage.setItem(TOKENS_KEY, JSON.stringify({ idToken: answer.id_token, refreshToken: answer.refresh_token } satisfies StoredTokens));
  }

  const expiresAt = (token: string): number => Number(claimsOf(token).exp ?? 0) * 1000;
  const fresh = (token: string): boolean => expiresAt(token) - RENEW_BEFORE_MS > surroundings.now().getTime();

  /** A fresh id token, refreshing it if needed; undefined when only a new sign-in can give one. */
  const validIdToken = async (): Promise<string | undefined> => {
    const tokens = readJson<StoredTokens>(TOKENS_KEY);
    if (!tokens) return undefined;
    if (fresh(tokens.idToken)) return tokens.idToken;
    if (!tokens.refreshToken) return undefined;
    try {
      const answer = await postForm(refreshBody(config, tokens.refreshToken));
      if (!answer.id_token) return undefined;
      // Cognito sends a new refresh token only when it rotates them.
      storage.setItem(
        TOKENS_KEY,
        JSON.stringify({ idToken: answer.id_token, refreshToken: answer.refresh_token ?? tokens.refreshToken } satisfies StoredTokens),
      );
      return answer.id_token;
    } catch {
      storage.removeItem(TOKENS_KEY);
      return undefined;
    }
  };

  const idToken = await validIdToken();
  if (idToken === undefined) return beginSignIn();
  const claims = claimsOf(idToken);
  const access = accessOf(claims);
  return {
    userName: String(claims.email ?? claims['cognito:username'] ?? 'signed in'),
    ...(access ? { access } : {}),
    idToken: async () => {
      const token = await validIdToken();
      if (token !== undefined) return token;
      await beginSignIn();
      throw new SignInError('The session has ended; signing in again.');
    },
    signOut: () => {
      storage.removeItem(TOKENS_KEY);
      storage.removeItem(PENDING_KEY);
      surroundings.navigate(logoutUrl(config, redirectUri));
    },
    forget: () => storage.removeItem(TOKENS_KEY),
  };
}
