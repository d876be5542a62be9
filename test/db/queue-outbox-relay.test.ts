import { describe, expect, it } from 'vitest';
import { createQueueOutboxStore } from '../../src/adapters/db/queue-outbox-store.ts';
import { createOutboxRepository } from '../../src/adapters/db/repositories/outbox-repository.ts';
import { insertQueueOutboxRow } from '../../src/adapters/db/submit-store.ts';
import type { BulkChangeMessage } from '../../src/app/messages/bulk-change-message.ts';
import { startQueueOutboxRelay } from '../../src/app/outbox/queue-outbox-relay.ts';
import { QUEUE_OUTBOX_KIND } from '../../src/app/ports/queue-outbox.ts';
import { silentLogger } from '../support/api-fixtures.ts';
import { useTestDatabase } from '../support/test-database.ts';

const testDb = useTestDatabase();

describe('queue outbox relay', () => {
  it('sends what committed transactions left in the outbox, retries a failed send, never sends twice', async () => {
    const { db } = testDb();
    // A submit that committed, then the process died before sending: only the row exists.
    await db.transaction().execute((trx) => insertQueueOutboxRow(trx, 41, 'queue:submitted:41'));
    await db.transaction().execute((trx) => insertQueueOutboxRow(trx, 41, 'queue:submitted:41'));
    await insertQueueOutboxRow(db, 42, null);
    // A notification of the other dispatcher must not be taken.
    const notification = await createOutboxRepository(db).enqueue({
      kind: 'email.bulkChangeCompleted',
      payload: { bulkChangeId: 41 },
    });

    const sent: BulkChangeMessage[] = [];
    let failNext = true;
    const queue = {
      async send(message: BulkChangeMessage) {
        if (message.bulkChangeId === 42 && failNext) {
          failNext = false;
          throw new Error('queue unavailable');
        }
        sent.push(message);
      },
    };
    // A fresh relay (the restarted process) finds the rows by itself.
    const relay = startQueueOutboxRelay(
      { store: createQueueOutboxStore(db), queue, logger: silentLogger },
      { intervalMs: 3_600_000, maxBackoffMs: 1 },
    );
    try {
      expect(await relay.drain()).toBe(1);
      expect(sent).toEqual([{ bulkChangeId: 41, retryNumber: 0 }]);
      const failed = await db
        .selectFrom('notification_outbox')
        .selectAll()
        .where('kind', '=', QUEUE_OUTBOX_KIND)
        .where('status', '=', 'PENDING')
        .execute();
      expect(failed.map((r) => [r.payload.bulkChangeId, r.last_error])).toEqual([
        [42, 'queue unavailable'],
      ]);

      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(await relay.drain()).toBe(1);
      expect(sent.map((m) => m.bulkChangeId)).toEqual([41, 42]);
      expect(await relay.drain()).toBe(0);
      expect(sent).toHaveLength(2);
      const other = await createOutboxRepository(db).findById(notification.message.id);
      expect(other).toMatchObject({ status: 'PENDING', attempts: 0 });
    } finally {
      await relay.stop();
    }
  });

  it('claimDue with kinds claims only those kinds', async () => {
    const { db } = testDb();
    const outbox = createOutboxRepository(db);
    await outbox.enqueue({ kind: 'webhook.statusUpdate', payload: {} });
    await outbox.enqueue({ kind: 'x.other', payload: {} });
    const claimed = await outbox.claimDue({ kinds: ['x.other'], limit: 100 });
    expect(claimed.map((r) => r.kind)).toEqual(['x.other']);
    expect(await outbox.claimDue({ kinds: [] })).toEqual([]);
  });
});
