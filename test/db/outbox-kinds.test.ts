import { describe, expect, it } from 'vitest';
import { createOutboxRepository } from '../../src/adapters/db/repositories/outbox-repository.ts';
import { useTestDatabase } from '../support/test-database.ts';

/** Relays sharing the outbox claim only their own kinds. */
describe('outbox claims by kind', () => {
  const testDb = useTestDatabase();

  it('claims only the given kinds, every kind without a filter, nothing for an empty list', async () => {
    const outbox = createOutboxRepository(testDb().db);
    const at = new Date('2030-01-01T00:00:00Z');
    for (const kind of ['bulkChange.completed', 'queue.send', 'notification.email']) {
      await outbox.enqueue({ kind, payload: { kind }, availableAt: at });
    }
    const later = new Date(at.getTime() + 1000);

    expect(await outbox.claimDue({ kinds: [], now: later })).toEqual([]);
    const mine = await outbox.claimDue({
      kinds: ['bulkChange.completed', 'notification.email'],
      now: later,
    });
    expect(mine.map((r) => r.kind)).toEqual(['bulkChange.completed', 'notification.email']);
    const rest = await outbox.claimDue({ now: later });
    expect(rest.map((r) => r.kind)).toEqual(['queue.send']);
  });
});
