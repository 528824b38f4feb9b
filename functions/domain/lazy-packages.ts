/**
 * Libraries only some calls need, loaded on their first use instead of with the code that
 * imports them: the Liquid engine (texts with markup) and the cron calendar (recurring
 * campaigns). A Lambda cold start that renders no template and reads no cron then neither
 * parses nor runs them. The stack leaves them out of each bundle and ships each one minified
 * beside the handler, in the bundle's own node_modules (lib/functions.ts), where this require
 * finds it; elsewhere it finds the project's node_modules.
 *
 * Loading a package is not I/O in the sense of the domain's rule (eslint.config.js): the
 * same code comes back on every call, and nothing outside the process is read or written.
 */
import { createRequire } from 'node:module';

/** The packages the stack must ship beside every bundle. */
export const LAZY_PACKAGES = ['liquidjs', 'croner'] as const;

const load = createRequire(import.meta.url);

let liquidjs: typeof import('liquidjs') | undefined;
let croner: typeof import('croner') | undefined;

/**
 * `build` runs once, on the first call, and every later call gets what it built: a module
 * loaded on first use, or an adapter built from one. A rejected build is kept too; the builds
 * are imports from the bundle itself and fail the same way every time.
 */
export function onFirstUse<T>(build: () => Promise<T>): () => Promise<T> {
  let built: Promise<T> | undefined;
  return () => (built ??= build());
}

export const liquidPackage = (): typeof import('liquidjs') => (liquidjs ??= load('liquidjs') as typeof import('liquidjs'));
export const cronerPackage = (): typeof import('croner') => (croner ??= load('croner') as typeof import('croner'));
