/**
 * A JSON file the stack writes beside the Lambda bundle at build time (lib/functions.ts,
 * generatedFiles), read on first use and kept: it never changes while the function runs.
 * In a bundle `import.meta.url` is the bundle's own file (lib/functions.ts), so the file is
 * looked up beside it.
 */
import { readFile } from 'node:fs/promises';

export function jsonBesideBundle<T>(name: string, base: string | URL = import.meta.url): () => Promise<T> {
  let read: Promise<T> | undefined;
  return () => (read ??= readFile(new URL(name, base), 'utf8').then((text) => JSON.parse(text) as T));
}
