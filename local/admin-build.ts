/**
 * The admin web app's build (web/): its typed API client is generated from the OpenAPI document
 * the API serves, and its static bundle is built by Vite when web/dist is missing or older than
 * the sources, so `npm start` on a fresh clone serves it without a separate step. The
 * `<herald-inbox>` element (web/inbox/) is built the same way, into its one file, inbox.js.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openApiDocument } from '../functions/api/openapi.js';

export const WEB_ROOT = resolve(fileURLToPath(new URL('../web', import.meta.url)));
export const ADMIN_DIST = join(WEB_ROOT, 'dist');
export const API_TYPES_FILE = join(WEB_ROOT, 'src', 'api', 'schema.d.ts');
export const INBOX_ROOT = join(WEB_ROOT, 'inbox');
export const INBOX_SCRIPT = join(INBOX_ROOT, 'dist', 'inbox.js');

const HEADER = '/* Generated from the OpenAPI document (functions/api/openapi.ts) by `npm run web:types`; do not edit. */\n';

/** The TypeScript types of the API's paths and schemas, as openapi-typescript writes them for openapi-fetch. */
export async function adminApiTypes(document: object = openApiDocument()): Promise<string> {
  // Loaded on demand: it pulls in the TypeScript compiler, which the runtime itself never needs.
  const { default: openapiTS, astToString } = await import('openapi-typescript');
  const ast = await openapiTS(document as Parameters<typeof openapiTS>[0], { alphabetize: true });
  return HEADER + astToString(ast);
}

/** The newest modification time of any file under `directory`. */
function newestUnder(directory: string): number {
  let newest = 0;
  for (const entry of readdirSync(directory, { withFileTypes: true })) {
    const path = join(directory, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestUnder(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/** Whether `built` is missing or older than any of `sources` (files or directories). */
function isStale(built: string, sources: string[]): boolean {
  if (!existsSync(built)) return true;
  const builtAt = statSync(built).mtimeMs;
  return sources.some((source) => existsSync(source) && (statSync(source).isDirectory() ? newestUnder(source) : statSync(source).mtimeMs) > builtAt);
}

/** The admin app's build against its sources; the inbox element's source is one of them (the client page mounts it). */
function adminIsStale(): boolean {
  return isStale(join(ADMIN_DIST, 'index.html'), [
    join(WEB_ROOT, 'src'),
    join(WEB_ROOT, 'index.html'),
    join(WEB_ROOT, 'vite.config.ts'),
    join(INBOX_ROOT, 'src'),
  ]);
}

function inboxIsStale(): boolean {
  return isStale(INBOX_SCRIPT, [join(INBOX_ROOT, 'src'), join(INBOX_ROOT, 'vite.config.ts')]);
}

/** Whether web/dist or web/inbox/dist is missing or older than what it is built from. */
export function adminBuildIsStale(): boolean {
  return adminIsStale() || inboxIsStale();
}

/** Builds web/ into web/dist and web/inbox/ into web/inbox/dist with Vite's own API (about 5 s here), each when stale; `force` builds both. */
export async function buildAdmin({ force = false, quiet = false } = {}): Promise<boolean> {
  const builds = [...(force || adminIsStale() ? [WEB_ROOT] : []), ...(force || inboxIsStale() ? [INBOX_ROOT] : [])];
  if (builds.length === 0) return false;
  const { build } = await import('vite');
  for (const root of builds) await build({ configFile: join(root, 'vite.config.ts'), root, logLevel: quiet ? 'warn' : 'info' });
  return true;
}
