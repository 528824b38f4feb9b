import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const stackTraces = fileURLToPath(new URL('../../functions/telemetry/stack-traces.ts', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'herald-stacks-'));
const source = join(dir, 'entry.ts');

// The throw is on line 6, column 9 of entry.ts; the bundle is minified to one line, as the stack's are.
const entry = (install: boolean) => `import { installSourceMappedStacks } from ${JSON.stringify(stackTraces)};
${install ? 'installSourceMappedStacks();' : ''}
export function failing(): never {
  const reason = ['deep', 'down'].join(' ');
  // A comment, so the line numbers differ from the bundle's.
  throw new Error(reason);
}
try { failing(); } catch (error) { console.log((error as Error).stack); }
`;

/** Bundles entry.ts the way the stack does (minified CommonJS, a map beside it, no sources) and runs it without --enable-source-maps. */
async function stackOf(install: boolean): Promise<string> {
  writeFileSync(source, entry(install));
  const outfile = join(dir, install ? 'mapped.js' : 'plain.js');
  await build({
    entryPoints: [source],
    outfile,
    bundle: true,
    minify: true,
    sourcemap: true,
    sourcesContent: false,
    platform: 'node',
    format: 'cjs',
    logLevel: 'silent',
  });
  return execFileSync(process.execPath, [outfile], { encoding: 'utf8', env: { PATH: process.env.PATH } });
}

describe('stack traces mapped on first format (functions/telemetry/stack-traces.ts)', () => {
  let mapped: string;
  let plain: string;
  beforeAll(async () => {
    mapped = await stackOf(true);
    plain = await stackOf(false);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('names the TypeScript file, line and column of each frame in the bundle, under the message V8 writes', () => {
    const lines = mapped.trim().split('\n');
    expect(lines[0]).toBe('Error: deep down');
    expect(lines[1]).toMatch(/^ {4}at \S+ \(.*entry\.ts:6:9\)$/);
    expect(lines[2]).toMatch(/entry\.ts:8:/);
    // Frames of files without a map stay as V8 writes them.
    expect(lines.at(-1)).toMatch(/at node:internal\//);
  });

  it('without it the same bundle names only its own minified position (the check above can fail)', () => {
    expect(plain).not.toContain('entry.ts');
    expect(plain).toMatch(/plain\.js:1:\d+/);
  });
});
