/** The local runtime's unsubscribe key: made once per data directory, kept there readable by its owner only, the same on every start. */
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { MIN_KEY_BYTES } from '../../functions/adapters/hmac-signer.js';
import { stableUnsubscribeKey, UNSUBSCRIBE_KEY_FILE } from '../../local/unsubscribe-key.js';

const dirs: string[] = [];
const fresh = () => {
  const dir = mkdtempSync(join(tmpdir(), 'herald-key-'));
  dirs.push(dir);
  return dir;
};
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('stableUnsubscribeKey', () => {
  it('makes a key long enough once and returns the same one after', () => {
    const dir = fresh();
    const key = stableUnsubscribeKey(join(dir, 'data'));
    expect(Buffer.byteLength(key)).toBeGreaterThanOrEqual(MIN_KEY_BYTES);
    expect(stableUnsubscribeKey(join(dir, 'data'))).toBe(key);
    expect(statSync(join(dir, 'data', UNSUBSCRIBE_KEY_FILE)).mode & 0o777).toBe(0o600);
    // Negative control: another data directory has another key.
    expect(stableUnsubscribeKey(fresh())).not.toBe(key);
  });
  it('keeps a key put there by hand', () => {
    const dir = fresh();
    writeFileSync(join(dir, UNSUBSCRIBE_KEY_FILE), `${'k'.repeat(40)}\n`);
    expect(stableUnsubscribeKey(dir)).toBe('k'.repeat(40));
    expect(readFileSync(join(dir, UNSUBSCRIBE_KEY_FILE), 'utf8')).toBe(`${'k'.repeat(40)}\n`);
  });
});
