/**
 * Idempotency records: the persistence primitives (put-if-absent, get, complete, delete) behind
 * "apply each carrier / billing mutation at most once". A record is IN_PROGRESS while its owner
 * works (until `locked_until`), then COMPLETED with the result until `expires_at`.
 */
import type { Kysely } from 'kysely';
import type { Database, IdempotencyRecord } from '../schema.ts';
import { toJson } from './db-helpers.ts';

/** Input of {@link IdempotencyRepository.putIfAbsent}. */
export interface NewIdempotencyRecord {
  key: string;
  /** Hash of the request payload, to detect a key reused with another payload. */
  payloadHash?: string | null;
  /** The in-progress claim lapses at this instant (a crashed owner is taken over). */
  lockedUntil: Date;
  expiresAt: Date;
  /** Clock used for "expired" / "lock lapsed" decisions. @default new Date() */
  now?: Date;
}

/** Outcome of {@link IdempotencyRepository.putIfAbsent}. */
export interface PutIfAbsentResult {
  /** True when the caller now owns the key (new record, or an expired/lapsed one replaced). */
  acquired: boolean;
  /** The caller's new record when acquired, otherwise the existing one. */
  record: IdempotencyRecord;
}

/** Repository of idempotency records. */
export interface IdempotencyRepository {
  /**
   * Inserts an IN_PROGRESS record unless a live one exists. An existing record is replaced
   * only when it expired or when it is IN_PROGRESS with a lapsed lock.
   */
  putIfAbsent(input: NewIdempotencyRecord): Promise<PutIfAbsentResult>;
  get(key: string): Promise<IdempotencyRecord | undefined>;
  /** Marks the record COMPLETED with its result; undefined when the key does not exist. */
  complete(key: string, result: unknown, expiresAt?: Date): Promise<IdempotencyRecord | undefined>;
  delete(key: string): Promise<boolean>;
  /** Deletes records expired at `now`; returns how many. */
  deleteExpired(now?: Date): Promise<number>;
}

/**
 * Creates the idempotency repository.
 *
 * @example
 * const { acquired, record } = await idem.putIfAbsent({ key, payloadHash, lockedUntil, expiresAt });
 * if (!acquired && record.status === 'COMPLETED') return record.result;
 */
export function createIdempotencyRepository(db: Kysely<Database>): IdempotencyRepository {
  return {
    async putIfAbsent(input) {
      const now = input.now ?? new Date();
      for (let attempt = 0; attempt < 3; attempt++) {
        const inserted = await db
          .insertInto('idempotency_records')
          .values({
            key: input.key,
            status: 'IN_PROGRESS',
            payload_hash: input.payloadHash ?? null,
            locked_until: input.lockedUntil,
            expires_at: input.expiresAt,
            created_at: now,
            updated_at: now,
          })
          .onConflict((oc) =>
            oc
              .column('key')
              .doUpdateSet((eb) => ({
                status: 'IN_PROGRESS',
                payload_hash: eb.ref('excluded.payload_hash'),
                result: null,
                locked_until: eb.ref('excluded.locked_until'),
                expires_at: eb.ref('excluded.expires_at'),
                created_at: eb.ref('excluded.created_at'),
                updated_at: eb.ref('excluded.updated_at'),
              }))
              .where((eb) =>
                eb.or([
                  eb('idempotency_records.expires_at', '<=', now),
                  eb.and([
                    eb('idempotency_records.status', '=', 'IN_PROGRESS'),
                    eb('idempotency_records.locked_until', '<=', now),
                  ]),
                ]),
              ),
          )
          .returningAll()
          .executeTakeFirst();
        if (inserted !== undefined) return { acquired: true, record: inserted };
        const existing = await db
          .selectFrom('idempotency_records')
          .selectAll()
          .where('key', '=', input.key)
          .executeTakeFirst();
        if (existing !== undefined) return { acquired: false, record: existing };
        // deleted between the two statements: try again
      }
      throw new Error(`idempotency record ${input.key} keeps disappearing`);
    },

    get: (key) =>
      db.selectFrom('idempotency_records').selectAll().where('key', '=', key).executeTakeFirst(),

    complete: (key, result, expiresAt) =>
      db
        .updateTable('idempotency_records')
        .set({
          status: 'COMPLETED',
          result: result === undefined ? null : toJson(result),
          locked_until: null,
          updated_at: new Date(),
          ...(expiresAt === undefined ? {} : { expires_at: expiresAt }),
        })
        .where('key', '=', key)
        .returningAll()
        .executeTakeFirst(),

    async delete(key) {
      const r = await db
        .deleteFrom('idempotency_records')
        .where('key', '=', key)
        .executeTakeFirst();
      return r.numDeletedRows > 0n;
    },

    async deleteExpired(now = new Date()) {
      const r = await db
        .deleteFrom('idempotency_records')
        .where('expires_at', '<=', now)
        .executeTakeFirst();
      return Number(r.numDeletedRows);
    },
  };
}
