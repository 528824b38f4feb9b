/**
 * What the deployed stack tells the admin app in `config.json` (written by lib/admin.ts), and
 * the path the app is served under. Plain data, no browser API: lib/ imports it too.
 */
export interface AdminConfig {
  /** The REST API's base URL, the stage included (`https://<id>.execute-api.<region>.amazonaws.com/v1/`). */
  apiUrl: string;
  region: string;
  userPoolId: string;
  /** The public app client (authorization code with PKCE, no secret). */
  userPoolClientId: string;
  identityPoolId: string;
  /** Host name of the Cognito domain, without scheme: `<prefix>.auth.<region>.amazoncognito.com`. */
  authDomain: string;
}

/** Where the app lives on CloudFront, as locally (`/admin`); also its sign-in and sign-out redirect target. */
export const ADMIN_PATH = '/admin/';

/**
 * The Cognito groups (lib/admin.ts), each mapped to its own role by the identity pool: operators
 * may call every route, viewers only the GET routes. A user in neither gets no credentials.
 */
export const OPERATORS_GROUP = 'operators';
export const VIEWERS_GROUP = 'viewers';

/** What the signed-in user may do: `operate` (every route) or `view` (GET routes only). */
export type Access = 'operate' | 'view';
