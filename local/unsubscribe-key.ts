/**
 * The local runtime's unsubscribe key: `HERALD_UNSUBSCRIBE_KEY` when set, otherwise one made once
 * per data directory and kept there, so the links in mails already sent keep working across
 * restarts (as the key in Secrets Manager does on AWS).
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MIN_KEY_BYTES } from '../functions/adapters/hmac-signer.js';

export const UNSUBSCRIBE_KEY_FILE = 'unsubscribe.key';

export function stableUnsubscribeKey(dataDir: string): string {
  const file = join(dataDir, UNSUBSCRIBE_KEY_FILE);
  const stored = readKey(file);
  if (stored !== undefined) return stored;
  mkdirSync(dataDir, { recursive: true });
  try {
    // Readable by its owner only; `wx`: a second runtime starting at the same moment keeps the first one's key.
    writeFileSync(file, randomBytes(MIN_KEY_BYTES).toString('base64url'), { mode: 0o600, flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  return readKey(file) as string;
}

function readKey(file: string): string | undefined {
  try {
    const key = readFileSync(file, 'utf8').trim();
    return key.length > 0 ? key : undefined;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}
