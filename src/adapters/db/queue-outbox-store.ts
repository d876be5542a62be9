/**
 * {@link QueueOutboxStore} over the notification outbox: claims only the queue message kind
 * (`ClaimOptions.kinds`), so the notification dispatcher and this relay never take each
 * other's rows.
 */
import type { Kysely } from 'kysely';
import { QUEUE_OUTBOX_KIND, type QueueOutboxStore } from '../../app/ports/queue-outbox.ts';
import { createOutboxRepository } from './repositories/outbox-repository.ts';
import type { Database } from './schema.ts';

/** Lease of a claimed message: a relay that died mid-send has its rows back after this. */
const CLAIM_LEASE_MS = 30_000;

/**
 * Creates the queue outbox store.
 *
 * @example
 * startQueueOutboxRelay({ store: createQueueOutboxStore(db), queue, logger });
 */
export function createQueueOutboxStore(db: Kysely<Database>): QueueOutboxStore {
  const outbox = createOutboxRepository(db);
  return {
    async claim(limit) {
      const rows = await outbox.claimDue({
        limit,
        leaseMs: CLAIM_LEASE_MS,
        kinds: [QUEUE_OUTBOX_KIND],
      });
      return rows.map((row) => ({
        id: row.id,
        bulkChangeId: Number(row.payload.bulkChangeId),
        attempts: row.attempts,
      }));
    },
    markSent: (id) => outbox.markSent(id),
    markFailed: (id, error, retryAt) => outbox.markFailed(id, error, retryAt),
  };
}
