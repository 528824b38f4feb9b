/**
 * Sign-in and signed API calls for the admin app on AWS, loaded only when config.json has `auth`
 * (locally the app calls the API on its own origin, unsigned). The user signs in on Cognito's
 * hosted pages; the identity pool trades the id token for temporary credentials whose role may
 * only invoke the Herald API (lib/admin.ts); each API request is signed with them (SigV4).
 */
import { fromCognitoIdentityPool } from '@aws-sdk/credential-provider-cognito-identity';
import type { Access, AdminConfig } from './config.js';
import { accessOrRefuse, SignInError, signIn, type BrowserSurroundings, type KeyValueStorage } from './session.js';
import { cachedCredentials, signingFetch } from './signing.js';

export type { Access, AdminConfig } from './config.js';
export { SignInError };

export interface AdminSession {
  /** Signs every request with the signed-in user's temporary credentials. */
  fetch: typeof fetch;
  userName: string;
  access: Access;
  signOut(): void;
}

/** What this module uses of the page; declared here so it also compiles under the root (Node) tsconfig. */
interface PageGlobals {
  sessionStorage: KeyValueStorage;
  location: { href: string; assign(url: string): void };
  history: { replaceState(data: unknown, unused: string, url: string): void };
}

function pageSurroundings(): BrowserSurroundings {
  const page = globalThis as unknown as PageGlobals;
  return {
    storage: page.sessionStorage,
    currentUrl: () => page.location.href,
    replaceUrl: (url) => page.history.replaceState(null, '', url),
    navigate: (url) => page.location.assign(url),
    fetch: (input, init) => fetch(input, init),
    now: () => new Date(),
  };
}

/**
 * The signed-in session, or null while the browser is on its way to the sign-in page.
 * Throws SignInError when a sign-in came back refused or tampered with, or the user is in no group.
 */
export async function startSession(config: AdminConfig): Promise<AdminSession | null> {
  const user = await signIn(config, pageSurroundings());
  if (!user) return null;
  const access = accessOrRefuse(user);
  const credentials = cachedCredentials(
    fromCognitoIdentityPool({
      // The provider builds its own (slim) Cognito Identity client from this: no full SDK client in the bundle.
      clientConfig: { region: config.region },
      identityPoolId: config.identityPoolId,
      logins: { [`cognito-idp.${config.region}.amazonaws.com/${config.userPoolId}`]: user.idToken },
    }),
  );
  return { fetch: signingFetch({ region: config.region, credentials }), userName: user.userName, access, signOut: user.signOut };
}
