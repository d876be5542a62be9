import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { createEngineStore } from '../../src/adapters/db/engine-store.ts';
import { createHandlerRegistry } from '../../src/app/engine/change-handler.ts';
import { createMessageProcessor } from '../../src/app/engine/process-message.ts';
import type { EngineStore } from '../../src/app/ports/engine-store.ts';
import {
  context,
  createBulkChangeFixture,
  createRecordingQueue,
  createScriptedHandler,
  silentLogger,
} from '../support/engine-fixtures.ts';
import { useTestDatabase } from '../support/test-database.ts';

/**
 * The engine's per-device round trips trimmed for throughput (issue 8): a device change
 * started right after its page was claimed is not renewed first, but one that waited in its
 * page still is (and is skipped when its lease was taken meanwhile); the bulk change's
 * progress time is written at most every half second.
 */
describe('engine: fewer round trips per device change', () => {
  const testDb = useTestDatabase();

  function counting(store: EngineStore) {
    const renewals: number[] = [];
    return {
      renewals,
      store: {
        ...store,
        async renewLease(id: number, owner: string, leaseMs: number) {
          renewals.push(id);
          return store.renewLease(id, owner, leaseMs);
        },
      } satisfies EngineStore,
    };
  }

  it('does not renew the lease of a device change started right after its claim', async () => {
    const { db } = testDb();
    const { store, renewals } = counting(createEngineStore(db));
    const scripted = createScriptedHandler();
    const process = createMessageProcessor(
      {
        store,
        queue: createRecordingQueue(),
        handlers: createHandlerRegistry([scripted.handler]),
        logger: silentLogger,
      },
      { pageSize: 10, maxParallel: 10, leaseMs: 60_000 },
    );
    const { bulkChangeId, devices } = await createBulkChangeFixture(db, { count: 6 });
    await process({ bulkChangeId, retryNumber: 0 }, context());
    expect(renewals).toEqual([]);
    expect([...scripted.mutations].sort()).toEqual(devices.map((d) => d.iccid).sort());
    const statuses = await db
      .selectFrom('device_changes')
      .select('status')
      .where('bulk_change_id', '=', bulkChangeId)
      .execute();
    expect(statuses.map((s) => s.status)).toEqual(Array(6).fill('PROCESSED'));
  });

  it('still renews a device change that waited in its page, and skips it when its lease was taken meanwhile', async () => {
    const { db } = testDb();
    const base = createEngineStore(db);
    const { store, renewals } = counting(base);
    // One device at a time; the first takes longer than the lease, so the second one's lease
    // expires while it waits and another worker claims it.
    const scripted = createScriptedHandler({ delayMs: 1500 });
    const process = createMessageProcessor(
      {
        store,
        queue: createRecordingQueue(),
        handlers: createHandlerRegistry([scripted.handler]),
        logger: silentLogger,
      },
      { pageSize: 2, maxParallel: 1, leaseMs: 900 },
    );
    const { bulkChangeId, devices } = await createBulkChangeFixture(db, { count: 2 });
    const running = process({ bulkChangeId, retryNumber: 0 }, context());
    await new Promise((r) => setTimeout(r, 1100));
    const stolen = await base.claimPage(bulkChangeId, {
      limit: 5,
      owner: 'thief',
      leaseMs: 60_000,
    });
    await running;
    const second = devices[1]?.iccid;
    expect(stolen.map((c) => c.iccid)).toEqual([second]);
    // The first device's handler was renewed by its heartbeat only; the second was checked
    // before it started, found taken, and not run.
    expect(renewals).toContain(stolen[0]?.id);
    expect(scripted.mutations).toEqual([devices[0]?.iccid]);
    const row = await db
      .selectFrom('device_changes')
      .select(['status', 'lease_owner'])
      .where('id', '=', stolen[0]?.id ?? 0)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ status: 'PROCESSING', lease_owner: 'thief' });
  });

  it('stops a handler whose lease renewals do not get through before the lease may expire', async () => {
    const { db } = testDb();
    const base = createEngineStore(db);
    // Renewals hang (database pool exhausted, say): the worker cannot know it still holds the
    // lease, so the handler must be aborted before another worker may take the change.
    const store: EngineStore = { ...base, renewLease: () => new Promise<boolean>(() => {}) };
    let abortedAfter: number | undefined;
    const process = createMessageProcessor(
      {
        store,
        queue: createRecordingQueue(),
        handlers: createHandlerRegistry([
          {
            changeType: 'CarrierRatePlanChange',
            integrations: ['Jasper'],
            writes: true,
            description: 'Slow change',
            async handle(ctx) {
              const began = performance.now();
              await new Promise<void>((resolve) => {
                const timer = setTimeout(resolve, 5000);
                ctx.signal.addEventListener('abort', () => {
                  clearTimeout(timer);
                  abortedAfter = performance.now() - began;
                  resolve();
                });
              });
              ctx.signal.throwIfAborted();
              return { kind: 'succeeded', details: 'too late' };
            },
          },
        ]),
        logger: silentLogger,
      },
      { pageSize: 1, maxParallel: 1, leaseMs: 1200 },
    );
    const { bulkChangeId } = await createBulkChangeFixture(db, { count: 1 });
    await process({ bulkChangeId, retryNumber: 0 }, context());
    expect(abortedAfter).toBeDefined();
    expect(abortedAfter).toBeLessThan(1200);
    const row = await db
      .selectFrom('device_changes')
      .select(['status', 'lease_owner'])
      .where('bulk_change_id', '=', bulkChangeId)
      .executeTakeFirstOrThrow();
    // Recorded as a retry (the lease was in fact still held), not as a success.
    expect(row).toEqual({ status: 'PENDING', lease_owner: null });
  });

  it('writes the progress time when it is older than half a second, not on every result', async () => {
    const { db } = testDb();
    const store = createEngineStore(db);
    const { bulkChangeId } = await createBulkChangeFixture(db, { count: 3 });
    await store.startBulkChange(bulkChangeId);
    const page = await store.claimPage(bulkChangeId, { limit: 3, owner: 'w', leaseMs: 60_000 });
    const ok = { kind: 'succeeded', details: 'done' } as const;
    const progress = async () =>
      (
        await db
          .selectFrom('bulk_changes')
          .select('last_progress_at')
          .where('id', '=', bulkChangeId)
          .executeTakeFirstOrThrow()
      ).last_progress_at;
    const [a, b, c] = page;
    if (a === undefined || b === undefined || c === undefined)
      throw new Error('page of 3 expected');
    await sql`update bulk_changes set last_progress_at = now() - interval '1 hour' where id = ${bulkChangeId}`.execute(
      db,
    );
    expect(await store.recordResult(a, 'w', ok, [])).toBe(true);
    const first = await progress();
    expect(Date.now() - new Date(first ?? 0).getTime()).toBeLessThan(60_000);
    expect(await store.recordResult(b, 'w', ok, [])).toBe(true);
    expect(await progress()).toEqual(first); // within half a second: not written again
    await new Promise((r) => setTimeout(r, 600));
    expect(await store.recordResult(c, 'w', ok, [])).toBe(true);
    expect(new Date((await progress()) ?? 0).getTime()).toBeGreaterThan(
      new Date(first ?? 0).getTime(),
    );
  });

  it('does not send the progress statement within half a second of its own last one', async () => {
    const { db } = testDb();
    const store = createEngineStore(db);
    const { bulkChangeId } = await createBulkChangeFixture(db, { count: 3 });
    await store.startBulkChange(bulkChangeId);
    const page = await store.claimPage(bulkChangeId, { limit: 3, owner: 'w', leaseMs: 60_000 });
    const ok = { kind: 'succeeded', details: 'done' } as const;
    const [a, b, c] = page;
    if (a === undefined || b === undefined || c === undefined)
      throw new Error('page of 3 expected');
    const backdate = () =>
      sql`update bulk_changes set last_progress_at = now() - interval '1 hour' where id = ${bulkChangeId}`.execute(
        db,
      );
    const ageMs = async () => {
      const row = await db
        .selectFrom('bulk_changes')
        .select(sql<number>`extract(epoch from now() - last_progress_at) * 1000`.as('age'))
        .where('id', '=', bulkChangeId)
        .executeTakeFirstOrThrow();
      return Number(row.age);
    };
    await backdate();
    expect(await store.recordResult(a, 'w', ok, [])).toBe(true);
    expect(await ageMs()).toBeLessThan(60_000);
    // Backdated behind the store's back: the next result, right after, does not look.
    await backdate();
    expect(await store.recordResult(b, 'w', ok, [])).toBe(true);
    expect(await ageMs()).toBeGreaterThan(3_000_000);
    // Half a second later it does, and writes it.
    await new Promise((r) => setTimeout(r, 600));
    expect(await store.recordResult(c, 'w', ok, [])).toBe(true);
    expect(await ageMs()).toBeLessThan(60_000);
  });
});
