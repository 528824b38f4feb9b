/**
 * The admin app's entry: read config.json, sign in when it asks for it (the Cognito module is
 * loaded only then, so the local bundle does not carry it), connect the typed client, and route.
 */
import { render } from 'preact';
import { connect } from './api/client.js';
import { App } from './App.js';
import { loadConfig, type Session } from './config.js';
import { setInboxEndpoints } from './inbox.js';
import './styles.css';

async function start(): Promise<void> {
  const root = document.getElementById('app') as HTMLElement;
  const config = await loadConfig().catch(() => ({}) as Awaited<ReturnType<typeof loadConfig>>);
  let session: Session | null = { fetch: (input, init) => fetch(input, init), userName: '', access: 'operate', signOut: () => undefined };
  if (config.auth) {
    const { startSession } = await import('./auth/index.js');
    session = await startSession(config.auth);
    if (!session) return; // on its way to the sign-in page
  }
  const apiUrl = (config.auth?.apiUrl ?? config.apiUrl ?? location.origin).replace(/\/+$/, '');
  connect(apiUrl, session.fetch);
  setInboxEndpoints(apiUrl, config.inboxSocketUrl);
  render(<App session={config.auth ? session : undefined} />, root);
}

start().catch((error: unknown) => {
  const root = document.getElementById('app') as HTMLElement;
  root.textContent = `The admin app could not start: ${error instanceof Error ? error.message : String(error)}`;
});
