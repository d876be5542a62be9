import { describe, expect, it } from 'vitest';
import { createIdempotencyRepository } from '../../src/adapters/db/repositories/idempotency-repository.ts';
import { createOutboxRepository } from '../../src/adapters/db/repositories/outbox-repository.ts';
import { useTestDatabase } from '../support/test-database.ts';

const testDb = useTestDatabase();
const T0 = new Date('2030-01-01T00:00:00Z');
const at = (seconds: number) => new Date(T0.getTime() + seconds * 1000);

describe('idempotency repository', () => {
  it('puts a record once; a second put gets the existing record', async () => {
    const idem = createIdempotencyRepository(testDb().db);

    const first = await idem.putIfAbsent({
      key: 'k-1',
      payloadHash: 'h1',
      lockedUntil: at(60),
      expiresAt: at(3600),
      now: T0,
    });
    const second = await idem.putIfAbsent({
      key: 'k-1',
      payloadHash: 'h2',
      lockedUntil: at(70),
      expiresAt: at(3600),
      now: at(10),
    });

    expect(first.acquired).toBe(true);
    expect(first.record).toMatchObject({ key: 'k-1', status: 'IN_PROGRESS', payload_hash: 'h1' });
    expect(second.acquired).toBe(false);
    expect(second.record).toMatchObject({ status: 'IN_PROGRESS', payload_hash: 'h1' });
    expect(second.record.locked_until?.toISOString()).toBe(at(60).toISOString());
  });

  it('completes with a result, and takes over lapsed locks and expired records', async () => {
    const idem = createIdempotencyRepository(testDb().db);
    await idem.putIfAbsent({ key: 'k-2', lockedUntil: at(60), expiresAt: at(3600), now: T0 });
    await idem.putIfAbsent({ key: 'k-3', lockedUntil: at(60), expiresAt: at(3600), now: T0 });

    const completed = await idem.complete('k-2', { revServiceId: 700123 }, at(7200));
    const stillDone = await idem.putIfAbsent({
      key: 'k-2',
      lockedUntil: at(200),
      expiresAt: at(9000),
      now: at(100),
    });
    const takeover = await idem.putIfAbsent({
      key: 'k-3',
      payloadHash: 'h',
      lockedUntil: at(200),
      expiresAt: at(9000),
      now: at(100),
    });
    const afterExpiry = await idem.putIfAbsent({
      key: 'k-2',
      lockedUntil: at(8000),
      expiresAt: at(9000),
      now: at(7200),
    });

    expect(completed).toMatchObject({
      status: 'COMPLETED',
      result: { revServiceId: 700123 },
      locked_until: null,
    });
    expect(stillDone).toMatchObject({ acquired: false, record: { status: 'COMPLETED' } });
    expect(takeover).toMatchObject({
      acquired: true,
      record: { status: 'IN_PROGRESS', payload_hash: 'h' },
    });
    expect(afterExpiry).toMatchObject({
      acquired: true,
      record: { status: 'IN_PROGRESS', result: null },
    });
    expect(await idem.complete('missing', 1)).toBeUndefined();
  });

  it('gets, deletes and purges expired records', async () => {
    const idem = createIdempotencyRepository(testDb().db);
    await idem.putIfAbsent({ key: 'old', lockedUntil: at(1), expiresAt: at(10), now: T0 });
    await idem.putIfAbsent({ key: 'fresh', lockedUntil: at(1), expiresAt: at(100_000), now: T0 });
    await idem.putIfAbsent({ key: 'gone', lockedUntil: at(1), expiresAt: at(100_000), now: T0 });

    expect(await idem.delete('gone')).toBe(true);
    expect(await idem.delete('gone')).toBe(false);
    expect(await idem.deleteExpired(at(50_000))).toBeGreaterThanOrEqual(1);
    expect(await idem.get('old')).toBeUndefined();
    expect((await idem.get('fresh'))?.key).toBe('fresh');
  });
});

describe('notification outbox repository', () => {
  it('claims due messages once, leases them, and records sent / retry / failed', async () => {
    const outbox = createOutboxRepository(testDb().db);
    const a = await outbox.enqueue({
      kind: 'email.bulkChangeCompleted',
      payload: { bulkChangeId: 1 },
      availableAt: T0,
    });
    const b = await outbox.enqueue({
      kind: 'webhook.statusUpdate',
      payload: { bulkChangeId: 1 },
      availableAt: at(1),
      dedupeKey: 'wh-1',
    });
    const dup = await outbox.enqueue({
      kind: 'webhook.statusUpdate',
      payload: { other: true },
      dedupeKey: 'wh-1',
    });
    await outbox.enqueue({ kind: 'email.later', payload: {}, availableAt: at(3600) });

    const claimed = await outbox.claimDue({ now: at(5), leaseMs: 30_000, limit: 10 });
    const again = await outbox.claimDue({ now: at(6), leaseMs: 30_000 });

    expect(dup).toMatchObject({
      created: false,
      message: { id: b.message.id, payload: { bulkChangeId: 1 } },
    });
    expect(claimed.map((m) => m.id)).toEqual([a.message.id, b.message.id]);
    expect(claimed.every((m) => m.attempts === 1)).toBe(true);
    expect(again).toEqual([]);

    await outbox.markSent(a.message.id);
    await outbox.markFailed(b.message.id, 'HTTP 503', at(60));
    const retried = await outbox.claimDue({ now: at(61) });
    expect(retried.map((m) => [m.id, m.attempts, m.last_error])).toEqual([
      [b.message.id, 2, 'HTTP 503'],
    ]);
    await outbox.markFailed(b.message.id, 'HTTP 410', null);

    expect(await outbox.findById(a.message.id)).toMatchObject({
      status: 'SENT',
      sent_at: expect.any(Date),
    });
    expect(await outbox.findById(b.message.id)).toMatchObject({
      status: 'FAILED',
      last_error: 'HTTP 410',
    });
    expect(await outbox.claimDue({ now: at(100_000) })).toHaveLength(1);
  });

  it('gives concurrent claimers disjoint messages', async () => {
    const outbox = createOutboxRepository(testDb().db);
    const base = at(200_000);
    for (let i = 0; i < 20; i++)
      await outbox.enqueue({ kind: 'concurrent', payload: { i }, availableAt: base });

    const [first, second] = await Promise.all([
      outbox.claimDue({ now: at(200_001), limit: 15 }),
      outbox.claimDue({ now: at(200_001), limit: 15 }),
    ]);

    const ids = [...(first ?? []), ...(second ?? [])]
      .filter((m) => m.kind === 'concurrent')
      .map((m) => m.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.length).toBe(20);
  });
});
