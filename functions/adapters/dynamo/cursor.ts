import type { TableDefinition } from '../../definitions/tables.js';
import { ValidationError } from '../../domain/errors.js';

/**
 * Opaque cursors of Herald's own walks (the fan-out's audience, a resume's open chunks, the local
 * recovery): base64url JSON of whatever the store needs to resume. Only Herald hands them back,
 * and some outlive a deploy (stored with a page, carried by a queued message): their form stays.
 */
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

type Key = Record<string, unknown>;
/** One field of a cursor's position, as the list takes it back. */
export type FieldCheck = (value: unknown) => boolean;

const refused = () => ValidationError.field('cursor', 'is not the nextCursor of a page of this list');

/** A cursor's JSON value, only when the cursor is that value's own spelling. */
function parsed(cursor: string): unknown {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    // Decoding skips what is not base64url and replaces what is not UTF-8, and JSON spells one value many ways:
    // only the spelling Herald issued comes back to itself.
    return Buffer.from(JSON.stringify(value)).toString('base64url') === cursor ? value : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The cursors of one list a caller pages through (a route, with its filter's partition): base64url
 * JSON of `[list, position]`. A cursor is taken back only as it was issued: the same characters,
 * the same list, and a position with exactly the fields of `fields`, each passing its check. The
 * checks are DynamoDB's own rules for the key the position becomes (startKeyFields), so whatever
 * passes is a start DynamoDB accepts: a caller's cursor can only name a place in the list it could
 * page to anyway, never cause a 500. Checked rather than signed: a key to sign with would cost
 * every api instance a Secrets Manager read, and its bundle the client.
 */
export function listCursor<P extends Key>(list: string, fields: Record<string, FieldCheck>) {
  const names = Object.keys(fields);
  return {
    encode: (position: P | undefined): string | null => (position === undefined ? null : Buffer.from(JSON.stringify([list, position])).toString('base64url')),
    /** The position, checked before any read; a ValidationError naming `cursor` otherwise. */
    decode(cursor: string | undefined): P | undefined {
      if (cursor === undefined) return undefined;
      const value = parsed(cursor);
      const position: unknown = Array.isArray(value) && value.length === 2 && value[0] === list ? value[1] : undefined;
      const valid =
        isRecord(position) &&
        Object.keys(position).length === names.length &&
        names.every((name) => Object.hasOwn(position, name) && (fields[name] as FieldCheck)(position[name]));
      if (!valid) throw refused();
      return position as P;
    },
  };
}

/** DynamoDB's limits on a key attribute's value, by its role. */
const MAX_PARTITION_KEY_BYTES = 2048;
const MAX_SORT_KEY_BYTES = 1024;
const LONE_SURROGATE = /\p{Cs}/u;

const isKeyString = (maxBytes: number) => (value: unknown) =>
  typeof value === 'string' && value.length > 0 && !LONE_SURROGATE.test(value) && Buffer.byteLength(value) <= maxBytes;
/** Herald's number keys (a chunk's) are integers; the document client refuses to send an unsafe one. */
const isKeyNumber = (value: unknown) => Number.isSafeInteger(value);

/**
 * The fields of the key a Scan or Query of `table` (through its index `indexName`) stops at, as
 * DynamoDB takes it back as ExclusiveStartKey: exactly the table's and the index's key
 * attributes, each of its type, a string non-empty and within its role's size; with `partition`,
 * the queried partition key holds that very value (DynamoDB refuses a start in another partition).
 */
export function startKeyFields(table: TableDefinition, indexName?: string, partition?: string): Record<string, FieldCheck> {
  const index = indexName === undefined ? undefined : table.indexes.find((candidate) => candidate.indexName === indexName);
  if (indexName !== undefined && !index) throw new Error(`table ${table.name} has no index ${indexName}`);
  const attributes = [table.partitionKey, table.sortKey, index?.partitionKey, index?.sortKey].flatMap((attribute) => (attribute ? [attribute] : []));
  const sortKeys = new Set([table.sortKey?.name, index?.sortKey?.name]);
  const queried = (index ?? table).partitionKey.name;
  const fields: Record<string, FieldCheck> = {};
  for (const { name, type } of attributes) {
    const typed = type === 'N' ? isKeyNumber : isKeyString(sortKeys.has(name) ? MAX_SORT_KEY_BYTES : MAX_PARTITION_KEY_BYTES);
    fields[name] = partition !== undefined && name === queried ? (value) => typed(value) && value === partition : typed;
  }
  return fields;
}

/**
 * Defence in depth behind the checks: should DynamoDB still refuse a start key taken from a
 * cursor, the answer is the caller's 400 naming `cursor`, not a 500. Every other part of such a
 * request is the code's own and also runs, without a start key, on the list's first page.
 */
export async function fromStartKey<T>(startKey: Key | undefined, read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (error) {
    if (startKey !== undefined && (error as { name?: string } | undefined)?.name === 'ValidationException') throw refused();
    throw error;
  }
}
