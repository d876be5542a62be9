import { describe, expect, it } from 'vitest';
import { createBulkChangeApiStore } from '../../src/adapters/db/bulk-change-api-store.ts';
import { createEngineStore } from '../../src/adapters/db/engine-store.ts';
import { IntegrationError } from '../../src/adapters/integrations/shared/integration-error.ts';
import { createBulkChangeActions } from '../../src/app/bulk-changes/bulk-change-actions.ts';
import { createHandlerRegistry } from '../../src/app/engine/change-handler.ts';
import { createMessageProcessor } from '../../src/app/engine/process-message.ts';
import { sweepStalledBulkChanges } from '../../src/app/engine/stall-sweeper.ts';
import { ErrorCode } from '../../src/domain/errors.ts';
import {
  context,
  createBulkChangeFixture,
  createRecordingQueue,
  createScriptedHandler,
  type Script,
  silentLogger,
} from '../support/engine-fixtures.ts';
import { useTestDatabase } from '../support/test-database.ts';

describe('engine: processing a bulk change', () => {
  const testDb = useTestDatabase();

  function engine(
    options: {
      script?: Script;
      delayMs?: number;
      engine?: Parameters<typeof createMessageProcessor>[1];
    } = {},
  ) {
    const { db } = testDb();
    const store = createEngineStore(db);
    const queue = createRecordingQueue();
    const scripted = createScriptedHandler({ script: options.script, delayMs: options.delayMs });
    const process = createMessageProcessor(
      { store, queue, handlers: createHandlerRegistry([scripted.handler]), logger: silentLogger },
      { pageSize: 7, maxParallel: 3, ...options.engine },
    );
    return { db, store, queue, process, mutations: scripted.mutations };
  }

  async function statusCounts(bulkChangeId: number) {
    const rows = await testDb()
      .db.selectFrom('device_changes')
      .select(['status'])
      .where('bulk_change_id', '=', bulkChangeId)
      .execute();
    const counts: Record<string, number> = {};
    for (const r of rows) counts[r.status] = (counts[r.status] ?? 0) + 1;
    return counts;
  }

  it('processes every device once, writes history, finishes PROCESSED exactly once with one outbox row', async () => {
    const e = engine();
    const { bulkChangeId, devices } = await createBulkChangeFixture(e.db, { count: 20 });
    await e.process({ bulkChangeId, retryNumber: 0 }, context());
    await e.process({ bulkChangeId, retryNumber: 0 }, context()); // duplicate delivery

    expect(await statusCounts(bulkChangeId)).toEqual({ PROCESSED: 20 });
    expect([...e.mutations].sort()).toEqual(devices.map((d) => d.iccid).sort());
    const bulk = await e.db
      .selectFrom('bulk_changes')
      .selectAll()
      .where('id', '=', bulkChangeId)
      .executeTakeFirstOrThrow();
    expect(bulk.status).toBe('PROCESSED');
    const outbox = await e.db
      .selectFrom('notification_outbox')
      .selectAll()
      .where('dedupe_key', '=', `bulk-change-completed:${bulkChangeId}`)
      .execute();
    expect(outbox).toHaveLength(1);
    expect(outbox[0]?.payload).toMatchObject({ bulkChangeId, counts: { PROCESSED: 20 } });
    const history = await e.db
      .selectFrom('device_history')
      .selectAll()
      .where('bulk_change_id', '=', bulkChangeId)
      .execute();
    expect(history).toHaveLength(20);
    expect(history.every((h) => h.field === 'carrier_rate_plan' && h.new_value === 'PLAN-B')).toBe(
      true,
    );
    expect(e.queue.sent).toHaveLength(0);
  });

  it('applies each mutation once when the same message is delivered twice at the same time', async () => {
    const e = engine({ delayMs: 15 });
    const { bulkChangeId } = await createBulkChangeFixture(e.db, { count: 30 });
    await Promise.all([
      e.process({ bulkChangeId, retryNumber: 0 }, context()),
      e.process({ bulkChangeId, retryNumber: 0 }, context()),
    ]);
    for (let m = e.queue.take(); m !== undefined; m = e.queue.take()) await e.process(m, context());
    expect(await statusCounts(bulkChangeId)).toEqual({ PROCESSED: 30 });
    expect(e.mutations).toHaveLength(30);
    expect(new Set(e.mutations).size).toBe(30);
  });

  it('fails every device change of an unsupported integration and finishes (no endless requeue)', async () => {
    const e = engine();
    const { bulkChangeId } = await createBulkChangeFixture(e.db, { count: 5, integration: 'Teal' });
    await e.process({ bulkChangeId, retryNumber: 0 }, context());
    expect(await statusCounts(bulkChangeId)).toEqual({ API_FAILED: 5 });
    const details = await e.db
      .selectFrom('device_changes')
      .select('status_details')
      .where('bulk_change_id', '=', bulkChangeId)
      .execute();
    expect(
      details.every(
        (d) =>
          d.status_details ===
          'Integration Teal is not supported: change type CarrierRatePlanChange was not applied',
      ),
    ).toBe(true);
    expect(e.queue.sent).toHaveLength(0);
    expect(e.mutations).toHaveLength(0);
  });

  it('fails every device change (not just the first) when writes are disabled', async () => {
    const e = engine();
    const { bulkChangeId, provider } = await createBulkChangeFixture(e.db, {
      count: 4,
      writeEnabled: false,
    });
    await e.process({ bulkChangeId, retryNumber: 0 }, context());
    expect(await statusCounts(bulkChangeId)).toEqual({ API_FAILED: 4 });
    const logs = await e.db
      .selectFrom('bulk_change_logs')
      .selectAll()
      .where('bulk_change_id', '=', bulkChangeId)
      .execute();
    expect(logs).toHaveLength(4);
    expect(
      logs.every((l) => l.error_text === `Writes disabled for service provider ${provider.name}`),
    ).toBe(true);
  });

  it('retries a retryable carrier failure later, then succeeds without repeating the completed step', async () => {
    let failures = 0;
    const e = engine({
      script: async (ctx) => {
        if (ctx.change.rowNumber === 1 && failures < 1) {
          failures += 1;
          throw new IntegrationError(
            ErrorCode.INTEGRATION_UNAVAILABLE,
            'jasper editDevice HTTP 503',
            { api: 'jasper', operation: 'editDevice', retryable: true },
          );
        }
        return 'default';
      },
      engine: { retry: { baseDelayMs: 60_000 } },
    });
    const { bulkChangeId } = await createBulkChangeFixture(e.db, { count: 3 });
    await e.process({ bulkChangeId, retryNumber: 0 }, context());
    expect(await statusCounts(bulkChangeId)).toEqual({ PROCESSED: 2, PENDING: 1 });
    expect(e.queue.sent).toHaveLength(1);
    expect(e.queue.sent[0]?.delaySeconds).toBeGreaterThanOrEqual(59);
    const waiting = await e.db
      .selectFrom('device_changes')
      .selectAll()
      .where('bulk_change_id', '=', bulkChangeId)
      .where('status', '=', 'PENDING')
      .executeTakeFirstOrThrow();
    expect(waiting.status_details).toMatch(
      /^Attempt 1 of 5 failed \(jasper editDevice HTTP 503\); retrying at /,
    );
    // Time passes: the retry becomes due.
    await e.db
      .updateTable('device_changes')
      .set({ not_before: new Date(Date.now() - 1000) })
      .where('id', '=', waiting.id)
      .execute();
    await e.process(e.queue.take() as NonNullable<ReturnType<typeof e.queue.take>>, context());
    expect(await statusCounts(bulkChangeId)).toEqual({ PROCESSED: 3 });
    expect(e.mutations).toHaveLength(3);
  });

  it('gives up after the attempt limit with API_FAILED and the last error', async () => {
    const e = engine({
      script: async () => {
        throw new IntegrationError(
          ErrorCode.INTEGRATION_TIMEOUT,
          'jasper editDevice got no answer within 50 ms',
          { api: 'jasper', operation: 'editDevice', retryable: true },
        );
      },
      engine: { retry: { baseDelayMs: 1, maxAttempts: 2 } },
    });
    const { bulkChangeId } = await createBulkChangeFixture(e.db, { count: 1 });
    // The retry is due after 1 ms, so the same message claims it again: attempt 2 is the last.
    await e.process({ bulkChangeId, retryNumber: 0 }, context());
    const row = await e.db
      .selectFrom('device_changes')
      .selectAll()
      .where('bulk_change_id', '=', bulkChangeId)
      .executeTakeFirstOrThrow();
    expect(row.status).toBe('API_FAILED');
    expect(row.status_details).toBe(
      'jasper editDevice got no answer within 50 ms (gave up after 2 attempts)',
    );
    const bulk = await e.db
      .selectFrom('bulk_changes')
      .select('status')
      .where('id', '=', bulkChangeId)
      .executeTakeFirstOrThrow();
    expect(bulk.status).toBe('PROCESSED');
  });

  it('stops at the time budget and schedules one continuation', async () => {
    const e = engine({ delayMs: 5, engine: { pageSize: 5, maxParallel: 5 } });
    const { bulkChangeId } = await createBulkChangeFixture(e.db, { count: 25 });
    await e.process({ bulkChangeId, retryNumber: 0 }, context({ deadline: Date.now() + 1 }));
    const counts = await statusCounts(bulkChangeId);
    expect(counts.PROCESSED).toBe(5);
    expect(e.queue.sent).toEqual([{ message: { bulkChangeId, retryNumber: 0 }, delaySeconds: 0 }]);
    for (let m = e.queue.take(); m !== undefined; m = e.queue.take()) await e.process(m, context());
    expect(await statusCounts(bulkChangeId)).toEqual({ PROCESSED: 25 });
  });

  it('reclaims the lease of a worker that died and does not repeat its completed step', async () => {
    const e = engine({ engine: { leaseMs: 100 } });
    const { bulkChangeId } = await createBulkChangeFixture(e.db, { count: 3 });
    await e.store.startBulkChange(bulkChangeId);
    // A worker claims the page, performs the carrier write of the first device and dies.
    const [first] = await e.store.claimPage(bulkChangeId, {
      limit: 10,
      owner: 'dead-worker',
      leaseMs: 100,
    });
    const key = `dc:${first?.id}:carrier.write`;
    expect(await e.store.steps.begin(key)).toEqual({ state: 'new' });
    await e.store.steps.complete(key, { ok: true });
    await e.process({ bulkChangeId, retryNumber: 0 }, context()); // leases still held: nothing to claim
    expect(await statusCounts(bulkChangeId)).toEqual({ PROCESSING: 3 });
    await new Promise((r) => setTimeout(r, 150));
    await e.process(e.queue.take() as NonNullable<ReturnType<typeof e.queue.take>>, context());
    expect(await statusCounts(bulkChangeId)).toEqual({ PROCESSED: 3 });
    expect(e.mutations).toHaveLength(2); // the dead worker's write was not repeated
    const late = await e.store.recordResult(
      first as NonNullable<typeof first>,
      'dead-worker',
      { kind: 'failed', details: 'late', error: 'late' },
      [],
    );
    expect(late).toBe(false); // fenced: the dead worker cannot overwrite the result
  });

  it('refuses to guess when a non-idempotent step was left in progress without a lookup', async () => {
    const e = engine();
    const { bulkChangeId } = await createBulkChangeFixture(e.db, { count: 1 });
    await e.store.startBulkChange(bulkChangeId);
    const [only] = await e.store.claimPage(bulkChangeId, { limit: 1, owner: 'x', leaseMs: 1 });
    await e.store.steps.begin(`dc:${only?.id}:carrier.write`);
    await new Promise((r) => setTimeout(r, 10));
    const strict = createMessageProcessor({
      store: e.store,
      queue: e.queue,
      logger: silentLogger,
      handlers: createHandlerRegistry([
        {
          changeType: 'CarrierRatePlanChange',
          integrations: ['Jasper'],
          writes: true,
          description: 'No lookup',
          async handle(ctx) {
            await ctx.step('carrier.write', { idempotent: false }, async () => 'again');
            return { kind: 'succeeded', details: 'ok' };
          },
        },
      ]),
    });
    await strict({ bulkChangeId, retryNumber: 0 }, context());
    const row = await e.db
      .selectFrom('device_changes')
      .selectAll()
      .where('bulk_change_id', '=', bulkChangeId)
      .executeTakeFirstOrThrow();
    expect(row.status).toBe('API_FAILED');
    expect(row.status_details).toMatch(/may already have been applied/);
  });

  it('marks the bulk change ERROR after the last delivery of a failing message, keeping finished device changes', async () => {
    const e = engine({ engine: { pageSize: 2, maxParallel: 1 } });
    const { bulkChangeId } = await createBulkChangeFixture(e.db, { count: 4 });
    await e.process({ bulkChangeId, retryNumber: 0 }, context({ deadline: Date.now() + 1 }));
    expect((await statusCounts(bulkChangeId)).PROCESSED).toBe(2);
    const brokenWithHandler = createMessageProcessor({
      store: {
        ...e.store,
        claimPage: async () => Promise.reject(new Error('connection terminated')),
      },
      queue: e.queue,
      logger: silentLogger,
      handlers: createHandlerRegistry([createScriptedHandler().handler]),
    });
    await expect(
      brokenWithHandler({ bulkChangeId, retryNumber: 0 }, context({ receiveCount: 2 })),
    ).rejects.toThrow();
    await brokenWithHandler({ bulkChangeId, retryNumber: 0 }, context({ receiveCount: 4 }));
    const bulk = await e.db
      .selectFrom('bulk_changes')
      .selectAll()
      .where('id', '=', bulkChangeId)
      .executeTakeFirstOrThrow();
    expect(bulk.status).toBe('ERROR');
    expect(bulk.error_text).toBe('connection terminated');
    expect(await statusCounts(bulkChangeId)).toEqual({ PROCESSED: 2, API_FAILED: 2 });
  });

  it('lets a device change wait for an earlier unfinished change of the same device', async () => {
    const e = engine();
    const first = await createBulkChangeFixture(e.db, { count: 1 });
    const device = first.devices[0] as NonNullable<(typeof first.devices)[0]>;
    const { createBulkChangeRepository } = await import(
      '../../src/adapters/db/repositories/bulk-change-repository.ts'
    );
    const second = await createBulkChangeRepository(e.db).create({
      tenantId: first.tenant.id,
      serviceProviderId: first.provider.id,
      changeType: 'CarrierRatePlanChange',
      portalType: 0,
      request: {},
      createdBy: 'test',
      deviceChanges: [
        {
          identifierKind: 'iccid',
          identifier: device.iccid ?? '',
          iccid: device.iccid,
          deviceId: device.id,
        },
      ],
    });
    await e.process({ bulkChangeId: second.bulkChange.id, retryNumber: 0 }, context());
    expect(await statusCounts(second.bulkChange.id)).toEqual({ PENDING: 1 });
    await e.process({ bulkChangeId: first.bulkChangeId, retryNumber: 0 }, context());
    await e.process({ bulkChangeId: second.bulkChange.id, retryNumber: 0 }, context());
    expect(await statusCounts(second.bulkChange.id)).toEqual({ PROCESSED: 1 });
  });

  it('re-sends a message for a bulk change whose continuation was lost', async () => {
    const e = engine({ engine: { pageSize: 1 } });
    const { bulkChangeId } = await createBulkChangeFixture(e.db, { count: 2 });
    await e.process({ bulkChangeId, retryNumber: 0 }, context({ deadline: Date.now() + 1 }));
    e.queue.sent.length = 0; // the continuation message is lost
    await e.db
      .updateTable('bulk_changes')
      .set({ next_wakeup_at: new Date(Date.now() - 10_000) })
      .where('id', '=', bulkChangeId)
      .execute();
    const resent = await sweepStalledBulkChanges({
      store: e.store,
      queue: e.queue,
      logger: silentLogger,
      graceMs: 1000,
    });
    expect(resent).toContain(bulkChangeId);
    expect(e.queue.sent.map((s) => s.message.bulkChangeId)).toContain(bulkChangeId);
  });

  it('a bulk change completed again after a user retry announces that completion too (once)', async () => {
    let failFirst = true;
    const e = engine({
      script: async (ctx) =>
        failFirst && ctx.change.rowNumber === 1
          ? { kind: 'failed', details: 'refused', error: 'refused' }
          : 'default',
    });
    const { bulkChangeId, tenant } = await createBulkChangeFixture(e.db, { count: 3 });
    await e.process({ bulkChangeId, retryNumber: 0 }, context());
    const actions = createBulkChangeActions({ store: createBulkChangeApiStore(e.db) });
    failFirst = false;
    await actions.retry(tenant.id, bulkChangeId);
    await e.process({ bulkChangeId, retryNumber: 0 }, context());
    await e.process({ bulkChangeId, retryNumber: 0 }, context()); // duplicate delivery

    expect(await statusCounts(bulkChangeId)).toEqual({ PROCESSED: 3 });
    const rows = await e.db
      .selectFrom('notification_outbox')
      .selectAll()
      .where('kind', '=', 'bulkChange.completed')
      .where('dedupe_key', 'like', `bulk-change-completed:${bulkChangeId}%`)
      .orderBy('id')
      .execute();
    expect(rows.map((r) => (r.payload as { counts: unknown }).counts)).toEqual([
      { PROCESSED: 2, API_FAILED: 1 },
      { PROCESSED: 3 },
    ]);
    expect(rows[0]?.dedupe_key).toBe(`bulk-change-completed:${bulkChangeId}`);
  });
});
