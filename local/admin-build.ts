/**
 * The admin web app's build (web/): its typed API client is generated from the OpenAPI document
 * the API serves, and its static bundle is built by Vite when web/dist is missing or older than
 * the sources, so `npm start` on a fresh clone serves it without a separate step.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openApiDocument } from '../functions/api/openapi.js';

export const WEB_ROOT = resolve(fileURLToPath(new URL('../web', import.meta.url)));
export const ADMIN_DIST = join(WEB_ROOT, 'dist');
export const API_TYPES_FILE = join(WEB_ROOT, 'src', 'api', 'schema.d.ts');

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

/** Whether web/dist is missing or older than what it is built from. */
export function adminBuildIsStale(): boolean {
  const index = join(ADMIN_DIST, 'index.html');
  if (!existsSync(index)) return true;
  const built = statSync(index).mtimeMs;
  const sources = [join(WEB_ROOT, 'src'), join(WEB_ROOT, 'index.html'), join(WEB_ROOT, 'vite.config.ts')];
  return sources.some((source) => existsSync(source) && (statSync(source).isDirectory() ? newestUnder(source) : statSync(source).mtimeMs) > built);
}

/** Builds web/ into web/dist with Vite's own API (about 5 s here); `force` builds even when it is fresh. */
export async function buildAdmin({ force = false, quiet = false } = {}): Promise<boolean> {
  if (!force && !adminBuildIsStale()) return false;
  const { build } = await import('vite');
  await build({ configFile: join(WEB_ROOT, 'vite.config.ts'), root: WEB_ROOT, logLevel: quiet ? 'warn' : 'info' });
  return true;
}
