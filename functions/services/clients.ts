/**
 * Bulk import of clients: each row is created as POST /clients would create it (the store's
 * transaction with the address reservations keeps phones and e-mail addresses unique under concurrent batches), and
 * each row gets its own outcome; one bad row does not refuse the others.
 */
import type { Client, NewClient } from '../domain/clients.js';
import { ConflictError, type HeraldError } from '../domain/errors.js';
import type { ClientStore } from '../ports.js';

/** A row as the API parsed it: a valid new client, or why it is not one. */
export type ClientBatchRow = { input: NewClient } | { error: HeraldError };
export type ClientBatchOutcome = { index: number; client: Client } | { index: number; error: HeraldError };

/** Clients per store call (one transaction) and store calls in flight per batch. */
export const CLIENTS_PER_WRITE = 50;
export const WRITES_IN_FLIGHT = 4;

/**
 * Creates the valid rows, in groups of `CLIENTS_PER_WRITE`. A row whose phone or e-mail address an
 * earlier row of the batch already has is a conflict without a write, as it would be if the rows were posted one by one.
 * Errors that are not conflicts (DynamoDB unreachable) fail the whole batch: a retry then finds the
 * rows already created as conflicts, so nothing is created twice.
 */
export async function createClients(store: ClientStore, rows: ClientBatchRow[]): Promise<ClientBatchOutcome[]> {
  const outcomes: ClientBatchOutcome[] = new Array<ClientBatchOutcome>(rows.length);
  const rowOf = { phone: new Map<string, number>(), email: new Map<string, number>() };
  const work: { index: number; input: NewClient }[] = [];
  rows.forEach((row, index) => {
    if ('error' in row) {
      outcomes[index] = { index, error: row.error };
      return;
    }
    for (const field of ['phone', 'email'] as const) {
      const address = row.input[field];
      const earlier = address === undefined ? undefined : rowOf[field].get(address);
      if (earlier !== undefined) {
        outcomes[index] = {
          index,
          error: new ConflictError(`${field} ${address} repeats row ${earlier} of this batch`, [{ field, message: `repeats row ${earlier} of this batch` }]),
        };
        return;
      }
    }
    for (const field of ['phone', 'email'] as const) {
      const address = row.input[field];
      if (address !== undefined) rowOf[field].set(address, index);
    }
    work.push({ index, input: row.input });
  });
  const groups: (typeof work)[] = [];
  for (let start = 0; start < work.length; start += CLIENTS_PER_WRITE) groups.push(work.slice(start, start + CLIENTS_PER_WRITE));
  let next = 0;
  const writer = async () => {
    while (next < groups.length) {
      const group = groups[next++]!;
      const created = await store.createMany(group.map((row) => row.input));
      group.forEach(({ index }, position) => {
        const result = created[position]!;
        outcomes[index] = result instanceof ConflictError ? { index, error: result } : { index, client: result };
      });
    }
  };
  await Promise.all(Array.from({ length: Math.min(WRITES_IN_FLIGHT, groups.length) }, writer));
  return outcomes;
}
