/**
 * Stack traces that name the TypeScript file and line, from the source map shipped beside each
 * bundle (lib/functions.ts), read only when a stack is first formatted.
 *
 * Node's `--enable-source-maps` reads and parses the map of every file as it loads it: 3-10 ms
 * of every cold start, the larger bundles the most (docs/decisions/011-lazy-loading.md), for stacks that most
 * invocations never format. Here V8's `Error.prepareStackTrace` hook maps each frame whose file
 * has a `.map` beside it; frames of other files (the runtime's AWS SDK, Node itself) stay as V8
 * writes them. The Lambda entries (functions/handlers/) install it; the local runtime and the
 * tests run the TypeScript itself and do not.
 */
import { readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const maps = new Map<string, SourceMap | null>();

function mapOf(file: string): SourceMap | null {
  let map = maps.get(file);
  if (map === undefined) {
    try {
      map = new SourceMap(JSON.parse(readFileSync(`${file}.map`, 'utf8')) as ConstructorParameters<typeof SourceMap>[0]);
    } catch {
      map = null;
    }
    maps.set(file, map);
  }
  return map;
}

/** One frame as V8 writes it, its position replaced by the original one when the file has a map. */
export function mappedFrame(site: NodeJS.CallSite): string {
  const text = site.toString();
  const name = site.getFileName();
  const line = site.getLineNumber();
  const column = site.getColumnNumber();
  if (!name || line === null || column === null) return text;
  const file = name.startsWith('file:') ? fileURLToPath(name) : name;
  const map = mapOf(file);
  if (!map) return text;
  // findEntry counts from 0; V8's positions count from 1.
  const entry = map.findEntry(line - 1, column - 1) as { originalSource?: string; originalLine?: number; originalColumn?: number };
  if (!entry.originalSource || entry.originalLine === undefined || entry.originalColumn === undefined) return text;
  const original = `${resolve(dirname(file), entry.originalSource)}:${entry.originalLine + 1}:${entry.originalColumn + 1}`;
  return text.replace(`${name}:${line}:${column}`, original);
}

export function installSourceMappedStacks(): void {
  // The first line as V8 writes it: Error.prototype.toString, whatever object captured the stack.
  Error.prepareStackTrace = (error: unknown, sites: NodeJS.CallSite[]) =>
    [Error.prototype.toString.call(error), ...sites.map((site) => `    at ${mappedFrame(site)}`)].join('\n');
}
