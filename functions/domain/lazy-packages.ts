/**
 * Libraries only some calls need, loaded on their first use instead of with the code that
 * imports them: the Liquid engine (texts with markup), the cron calendar (recurring
 * campaigns) and Powertools idempotency (a POST with an `Idempotency-Key`, functions/api/idempotency.ts). A Lambda cold start that renders no template and reads no cron then neither
 * parses nor runs them. The stack leaves them out of each bundle and ships each one minified
 * beside the handler, in the bundle's own node_modules (lib/functions.ts), where this require
 * finds it; elsewhere it finds the project's node_modules.
 *
 * Loading a package is not I/O in the sense of the domain's rule (eslint.config.js): the
 * same code comes back on every call, and nothing outside the process is read or written.
 */
import { createRequire } from 'node:module';

/** The packages the stack must ship beside every bundle. */
export const LAZY_PACKAGES = ['liquidjs', 'croner', '@aws-lambda-powertools/idempotency'] as const;
export type LazyPackage = (typeof LAZY_PACKAGES)[number];

/** Entry points of a package besides its main one that the code requires too (lazySubpaths). */
const LAZY_SUBPATHS = { '@aws-lambda-powertools/idempotency': ['dynamodb'] } as const satisfies Partial<Record<LazyPackage, readonly string[]>>;
type WithSubpaths = keyof typeof LAZY_SUBPATHS;
type LazySpecifier = LazyPackage | { [P in WithSubpaths]: `${P}/${(typeof LAZY_SUBPATHS)[P][number]}` }[WithSubpaths];

/**
 * The stack ships a package's subpaths in the same file as its main entry: two separate bundles
 * would hold two copies of the package's classes, and `instanceof` would then fail across them
 * (functions/api/idempotency.ts checks what the DynamoDB persistence layer throws against the
 * main entry's error classes).
 */
export const lazySubpaths = (pkg: LazyPackage): readonly string[] => (pkg in LAZY_SUBPATHS ? LAZY_SUBPATHS[pkg as WithSubpaths] : []);

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

/**
 * A lazy package (or one of its LAZY_SUBPATHS) for a layer that may know its types; the domain
 * itself imports none of them. Node's require keeps what it loaded: a second call costs nothing.
 */
export const lazyPackage = <T>(specifier: LazySpecifier): T => load(specifier) as T;
