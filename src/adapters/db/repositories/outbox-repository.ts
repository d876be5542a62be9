/**
 * Notification outbox: notifications (emails, webhooks) are written in the same transaction as
 * the state change that causes them, then delivered by a dispatcher that claims due rows.
 * Claiming leases a row (pushes `available_at` forward) so a crashed dispatcher's rows come
 * back by themselves; concurrent dispatchers skip each other's rows (SKIP LOCKED).
 */
import { type Kysely, sql } from 'kysely';
import type { Database, OutboxMessage } from '../schema.ts';
import { toJson } from './db-helpers.ts';

/** Input of {@link OutboxRepository.enqueue}. */
export interface NewOutboxMessage {
  /** e.g. `email.bulkChangeCompleted`, `webhook.statusUpdate` */
  kind: string;
  payload: Record<string, unknown>;
  /** Enqueueing twice with one key keeps a single row. */
  dedupeKey?: string | null;
  /** @default now */
  availableAt?: Date;
}

/** Options of {@link OutboxRepository.claimDue}. */
export interface ClaimOptions {
  /** @default 10 */
  limit?: number;
  /** How long the claim lasts before the row becomes due again. @default 60_000 */
  leaseMs?: number;
  /** @default new Date() */
  now?: Date;
  /** Claim only rows of these kinds (each dispatcher claims its own). @default every kind */
  kinds?: readonly string[];
}

/** Repository of the notification outbox. */
export interface OutboxRepository {
  /** Adds a message; with a `dedupeKey` already used, returns the existing row (created false). */
  enqueue(message: NewOutboxMessage): Promise<{ message: OutboxMessage; created: boolean }>;
  /** Claims due PENDING rows, oldest first; increments `attempts`. */
  claimDue(options?: ClaimOptions): Promise<OutboxMessage[]>;
  markSent(id: number): Promise<void>;
  /** Records a failure: retried at `retryAt`, or FAILED for good when `retryAt` is null. */
  markFailed(id: number, error: string, retryAt: Date | null): Promise<void>;
  findById(id: number): Promise<OutboxMessage | undefined>;
}

/**
 * Creates the outbox repository.
 *
 * @example
 * await createOutboxRepository(trx).enqueue({ kind: 'webhook.statusUpdate', payload, dedupeKey });
 */
export function createOutboxRepository(db: Kysely<Database>): OutboxRepository {
  return {
    async enqueue(message) {
      const inserted = await db
        .insertInto('notification_outbox')
        .values({
          kind: message.kind,
          payload: toJson(message.payload),
          dedupe_key: message.dedupeKey ?? null,
          ...(message.availableAt === undefined ? {} : { available_at: message.availableAt }),
        })
        .onConflict((oc) => oc.column('dedupe_key').doNothing())
        .returningAll()
        .executeTakeFirst();
      if (inserted !== undefined) return { message: inserted, created: true };
      const existing = await db
        .selectFrom('notification_outbox')
        .selectAll()
        .where('dedupe_key', '=', message.dedupeKey ?? '')
        .executeTakeFirstOrThrow();
      return { message: existing, created: false };
    },

    async claimDue(options = {}) {
      if (options.kinds?.length === 0) return [];
      // The database's clock by default: `available_at` defaults to its now(), which has
      // microseconds, so a JavaScript Date of the same millisecond would miss a row just written.
      const leaseMs = options.leaseMs ?? 60_000;
      const now = options.now ?? sql<Date>`now()`;
      const leaseUntil =
        options.now === undefined
          ? sql<Date>`now() + ${`${leaseMs} milliseconds`}::interval`
          : new Date(options.now.getTime() + leaseMs);
      const rows = await db
        .updateTable('notification_outbox')
        .set((eb) => ({ attempts: eb('attempts', '+', 1), available_at: leaseUntil }))
        .where('id', 'in', (eb) =>
          eb
            .selectFrom('notification_outbox')
            .select('id')
            .where('status', '=', 'PENDING')
            .where('available_at', '<=', now)
            .$if(options.kinds !== undefined, (qb) =>
              qb.where('kind', 'in', [...(options.kinds ?? [])]),
            )
            .orderBy('available_at')
            .orderBy('id')
            .limit(options.limit ?? 10)
            .forUpdate()
            .skipLocked(),
        )
        .returningAll()
        .execute();
      return rows.sort((a, b) => a.id - b.id);
    },

    async markSent(id) {
      await db
        .updateTable('notification_outbox')
        .set({ status: 'SENT', sent_at: new Date(), last_error: null })
        .where('id', '=', id)
        .execute();
    },

    async markFailed(id, error, retryAt) {
      await db
        .updateTable('notification_outbox')
        .set(
          retryAt === null
            ? { status: 'FAILED', last_error: error }
            : { status: 'PENDING', last_error: error, available_at: retryAt },
        )
        .where('id', '=', id)
        .execute();
    },

    findById: (id) =>
      db.selectFrom('notification_outbox').selectAll().where('id', '=', id).executeTakeFirst(),
  };
}
