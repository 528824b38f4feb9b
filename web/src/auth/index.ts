/**
 * Sign-in and signed API calls on AWS (Cognito). This stand-in keeps the app compiling where
 * no deployment is configured; main.tsx imports the module only when config.json has `auth`,
 * so the local bundle never loads it.
 */
import type { AdminConfig, Session } from '../config.js';

export async function startSession(_config: AdminConfig): Promise<Session | null> {
  throw new Error('sign-in is not configured in this build');
}
