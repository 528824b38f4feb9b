import { ValidationError } from '../../domain/errors.js';

/** Opaque page cursors: base64url JSON of whatever the store needs to resume. */
export function encodeCursor(state: unknown): string | null {
  return state === undefined || state === null ? null : Buffer.from(JSON.stringify(state)).toString('base64url');
}

export function decodeCursor<T>(cursor: string | undefined, isValid: (value: unknown) => value is T): T | undefined {
  if (cursor === undefined) return undefined;
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (isValid(value)) return value;
  } catch {
    // fall through: a cursor we did not make
  }
  throw ValidationError.field('cursor', 'is not a cursor this service issued');
}

export const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
