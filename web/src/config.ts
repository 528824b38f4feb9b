import type { Access, AdminConfig } from './auth/config.js';

export type { Access, AdminConfig };

/** The runtime settings in config.json beside index.html: none locally (same origin, no sign-in); on AWS the API's URL and Cognito. */
export interface RuntimeConfig {
  apiUrl?: string;
  auth?: AdminConfig;
  /** The WebSocket API's URL the `<herald-inbox>` element connects to; absent locally (the API's own /ws). */
  inboxSocketUrl?: string;
}

/** What a signed-in session gives the app: a fetch that signs its calls, who is signed in, and how to leave. */
export interface Session {
  fetch: typeof fetch;
  userName: string;
  /** `view`: a viewer, who may only read (the API refuses anything else). */
  access: Access;
  signOut(): void;
}

export async function loadConfig(): Promise<RuntimeConfig> {
  const response = await fetch(`${import.meta.env.BASE_URL}config.json`, { cache: 'no-store' });
  if (!response.ok) return {};
  return (await response.json()) as RuntimeConfig;
}
