/**
 * Small helpers shared by the repositories.
 */
import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../schema.ts';

/** Largest number of rows per multi-row INSERT (keeps bind parameters well under 65,535). */
export const INSERT_CHUNK_SIZE = 1000;

/**
 * Runs `fn` in a transaction: the caller's one when `db` already is a transaction, a new one
 * otherwise.
 */
export async function inTransaction<T>(
  db: Kysely<Database>,
  fn: (trx: Kysely<Database>) => Promise<T>,
): Promise<T> {
  if (db.isTransaction) return fn(db);
  return db.transaction().execute((trx: Transaction<Database>) => fn(trx));
}

/** Splits `items` into arrays of at most `size` elements. */
export function chunk<T>(items: readonly T[], size: number = INSERT_CHUNK_SIZE): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** JSON text for a `jsonb` column (always stringify: `pg` would turn arrays into PG arrays). */
export function toJson(value: unknown): string {
  return JSON.stringify(value);
}
