import type { Kysely } from 'kysely';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createEngineStore } from '../../src/adapters/db/engine-store.ts';
import type { Database, ServiceProvider } from '../../src/adapters/db/schema.ts';
import { seedDemo } from '../../src/adapters/db/seed-demo.ts';
import { createRevioSimulator } from '../../src/adapters/integrations/revio/revio-simulator.ts';
import { buildDemoDataset } from '../../src/app/demo/demo-dataset.ts';
import { createMessageProcessor } from '../../src/app/engine/process-message.ts';
import type { Integration } from '../../src/domain/integrations.ts';
import { createCarrierGateways } from '../../src/runtime/carrier-gateways.ts';
import { createHandlers } from '../../src/runtime/start-engine.ts';
import { context, createRecordingQueue, silentLogger } from '../support/engine-fixtures.ts';
import {
  createRevBulkChange,
  freshDevices,
  revioJournal,
} from '../support/rev-service-fixtures.ts';
import { useTestDatabase } from '../support/test-database.ts';
import { createTestSecretBox } from '../support/test-secret-box.ts';

/**
 * AssociateCustomer end to end through the engine against the Rev.io simulator over HTTP: with a
 * Rev.io customer (optional line + products, customer rate plan now or at its effective date for
 * every device), the guards, without Rev.io (site only), duplicates and a timed-out create.
 */
describe('AssociateCustomer through the engine and the Rev.io simulator', () => {
  const testDb = useTestDatabase();
  const dataset = buildDemoDataset({ devicesPerProvider: 10 });
  const revioSim = createRevioSimulator({ seed: 22, dataset });
  const queue = createRecordingQueue();
  const secretBox = createTestSecretBox();
  const journal = revioJournal(revioSim);
  let clock = Date.now();
  let db: Kysely<Database>;
  let makeProcessor: (workerId: string) => ReturnType<typeof createMessageProcessor>;

  beforeAll(async () => {
    const revioUrl = await revioSim.start(0);
    const test = testDb();
    db = test.db;
    await seedDemo(test.database, {
      secretBox,
      dataset: buildDemoDataset({ devicesPerProvider: 10, baseUrls: { revio: `${revioUrl}/v1` } }),
    });
    const store = createEngineStore(db);
    const gateways = createCarrierGateways({ secretBox, timeoutMs: 1500 });
    const handlers = createHandlers({ gateways, store });
    makeProcessor = (workerId) =>
      createMessageProcessor(
        { store, queue, handlers, logger: silentLogger, now: () => new Date(clock) },
        { pageSize: 50, maxParallel: 4, workerId, retry: { maxAttempts: 3 } },
      );
  });

  afterEach(() => {
    revioSim.faults.clear();
    clock = Date.now();
  });
  afterAll(() => revioSim.close());

  const provider = (integration: Integration) =>
    db
      .selectFrom('service_providers')
      .selectAll()
      .where('integration', '=', integration)
      .executeTakeFirstOrThrow();
  const changesOf = (bulkChangeId: number) =>
    db
      .selectFrom('device_changes')
      .selectAll()
      .where('bulk_change_id', '=', bulkChangeId)
      .orderBy('id')
      .execute();
  const historyOf = (bulkChangeId: number) =>
    db
      .selectFrom('device_history')
      .selectAll()
      .where('bulk_change_id', '=', bulkChangeId)
      .orderBy('id')
      .execute();
  const deviceRow = (id: number) =>
    db.selectFrom('devices').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  const customerRow = (externalId: string) =>
    db
      .selectFrom('rev_customers')
      .selectAll()
      .where('external_id', '=', externalId)
      .executeTakeFirstOrThrow();
  const ratePlanAndPool = async (tenantId: number) => {
    const plan = await db
      .selectFrom('customer_rate_plans')
      .select('id')
      .where('tenant_id', '=', tenantId)
      .orderBy('id')
      .executeTakeFirstOrThrow();
    const pool = await db
      .selectFrom('customer_rate_pools')
      .select('id')
      .where('tenant_id', '=', tenantId)
      .orderBy('id')
      .executeTakeFirstOrThrow();
    return { plan: plan.id, pool: pool.id };
  };
  const run = (bulkChangeId: number) =>
    makeProcessor('w-main')({ bulkChangeId, retryNumber: 0 }, context());
  const oneDevice = async (sp: ServiceProvider) => {
    const [device] = await freshDevices(db, sp, 1);
    if (device === undefined) throw new Error('no device');
    return device;
  };

  it('Telegence, with a new line and products: line in Rev.io, customer on the device with history', async () => {
    const sp = await provider('Telegence');
    const device = await oneDevice(sp);
    const id = await createRevBulkChange(
      db,
      sp,
      'AssociateCustomer',
      {
        RevCustomerId: '100105',
        CreateRevService: true,
        ServiceTypeId: 102,
        RevProductId: 3003,
        Rate: 25,
      },
      [device],
    );
    await run(id);
    const [change] = await changesOf(id);
    expect(change?.status).toBe('PROCESSED');
    const lines = journal.linesFor(device.msisdn ?? '');
    expect(lines).toHaveLength(1);
    expect(lines[0]?.customer_id).toBe(100105);
    expect(journal.productsOf(lines[0]?.service_id ?? 0).map((p) => p.product_id)).toEqual([3003]);
    const customer = await customerRow('100105');
    expect((await deviceRow(device.id)).rev_customer_id).toBe(customer.id);
    expect((await historyOf(id)).map((h) => [h.field, h.new_value])).toEqual([
      ['rev_customer_id', String(customer.id)],
    ]);
  });

  it('without a new line, the customer rate plan and pool are set now, with history; no Rev.io write', async () => {
    const sp = await provider('ThingSpace');
    const device = await oneDevice(sp);
    const { plan, pool } = await ratePlanAndPool(sp.tenant_id);
    const posts = journal.serviceCreates(device.msisdn ?? '');
    const id = await createRevBulkChange(
      db,
      sp,
      'AssociateCustomer',
      {
        RevCustomerId: '100106',
        AddCustomerRatePlan: true,
        CustomerRatePlan: plan,
        CustomerRatePool: pool,
      },
      [device],
    );
    await run(id);
    expect((await changesOf(id))[0]?.status).toBe('PROCESSED');
    const row = await deviceRow(device.id);
    expect(row.customer_rate_plan_id).toBe(plan);
    expect(row.customer_rate_pool_id).toBe(pool);
    expect((await historyOf(id)).map((h) => h.field).sort()).toEqual([
      'customer_rate_plan_id',
      'customer_rate_pool_id',
      'rev_customer_id',
    ]);
    expect(journal.serviceCreates(device.msisdn ?? '')).toBe(posts);
    const descriptions = (
      await db
        .selectFrom('bulk_change_logs')
        .select('description')
        .where('bulk_change_id', '=', id)
        .execute()
    ).map((l) => l.description);
    expect(descriptions).toEqual(
      expect.arrayContaining([
        'Create Rev.io Service: Skipped',
        'AMOP Customer Assignment',
        'Associate Customer: Update AMOP Customer Rate Plan',
      ]),
    );
  });

  it('guards: an active line of another customer cannot change customers; no second line where one is active', async () => {
    const sp = await provider('Jasper');
    const [a, b] = await freshDevices(db, sp, 2);
    if (a === undefined || b === undefined) throw new Error('no devices');
    const line = {
      RevCustomerId: '100107',
      CreateRevService: true,
      ServiceTypeId: 101,
      ActivatedDate: '2024-05-01',
    };
    const first = await createRevBulkChange(db, sp, 'AssociateCustomer', line, [a, b]);
    await run(first);
    expect((await changesOf(first)).map((c) => c.status)).toEqual(['PROCESSED', 'PROCESSED']);
    const before = await deviceRow(a.id);

    const other = await createRevBulkChange(
      db,
      sp,
      'AssociateCustomer',
      { RevCustomerId: '100108' },
      [a],
    );
    await run(other);
    const [moved] = await changesOf(other);
    expect(moved?.status).toBe('API_FAILED');
    expect(moved?.status_details).toMatch(
      /^Active service line\. Cannot change customers\. \(Rev\.io service \d+ of customer 100107\)$/,
    );
    expect((await deviceRow(a.id)).rev_customer_id).toBe(before.rev_customer_id);

    const again = await createRevBulkChange(db, sp, 'AssociateCustomer', line, [b]);
    await run(again);
    const [second] = await changesOf(again);
    expect(second?.status).toBe('API_FAILED');
    expect(second?.status_details).toMatch(/^Active service line\. New Service line not created\./);
    expect(journal.serviceCreates(b.msisdn ?? '')).toBe(1);
  });

  it('without a Rev.io customer: the site in the database only, no Rev.io call', async () => {
    const sp = await provider('Rogers');
    const device = await oneDevice(sp);
    const site = await db
      .insertInto('customer_sites')
      .values({ tenant_id: sp.tenant_id, name: `Depot ${device.id}` })
      .returning('id')
      .executeTakeFirstOrThrow();
    const calls = revioSim.journal.length;
    const id = await createRevBulkChange(db, sp, 'AssociateCustomer', { SiteId: site.id }, [
      device,
    ]);
    await run(id);
    const [change] = await changesOf(id);
    expect(change?.status).toBe('PROCESSED');
    expect((await deviceRow(device.id)).site_id).toBe(site.id);
    expect((await historyOf(id)).map((h) => [h.field, h.new_value])).toEqual([
      ['site_id', String(site.id)],
    ]);
    expect(revioSim.journal.length).toBe(calls);

    const missing = await createRevBulkChange(db, sp, 'AssociateCustomer', { SiteId: 987654 }, [
      device,
    ]);
    await run(missing);
    expect((await changesOf(missing))[0]).toMatchObject({
      status: 'API_FAILED',
      status_details: 'Site 987654 does not exist',
    });
  });

  it('a line create that timed out after Rev.io applied it, delivered twice at once: one line per device', async () => {
    const sp = await provider('POD19');
    const devices = await freshDevices(db, sp, 5);
    revioSim.faults.add({
      operation: 'createService',
      times: 2,
      effect: { kind: 'hang', applyWrite: true },
    });
    const id = await createRevBulkChange(
      db,
      sp,
      'AssociateCustomer',
      {
        RevCustomerId: '100109',
        CreateRevService: true,
        ServiceTypeId: 101,
        RevProductIdList: [3001],
        RateList: [4],
        ActivatedDate: '2024-05-01',
      },
      devices,
    );
    const message = { bulkChangeId: id, retryNumber: 0 };
    await Promise.all([
      makeProcessor('w-a')(message, context()),
      makeProcessor('w-b')(message, context()),
    ]);
    await makeProcessor('w-c')(message, context());
    expect((await changesOf(id)).map((c) => c.status)).toEqual(Array(5).fill('PROCESSED'));
    for (const d of devices) {
      expect(journal.serviceCreates(d.msisdn ?? '')).toBe(1);
      const lines = journal.linesFor(d.msisdn ?? '');
      expect(lines).toHaveLength(1);
      expect(journal.productCreates(lines[0]?.service_id ?? 0)).toBe(1);
    }
  }, 60_000);

  it('a future effective date schedules the rate plan for every device (120), applied when due', async () => {
    const sp = await provider('Jasper');
    const devices = await freshDevices(db, sp, 120);
    const { plan } = await ratePlanAndPool(sp.tenant_id);
    const customer = await customerRow('100110');
    const effective = new Date(clock + 30 * 24 * 3600_000);
    const effectiveDate = effective.toISOString().slice(0, 10);
    const id = await createRevBulkChange(
      db,
      sp,
      'AssociateCustomer',
      {
        RevCustomerId: '100110',
        AddCustomerRatePlan: true,
        CustomerRatePlan: plan,
        EffectiveDate: effectiveDate,
      },
      devices,
    );
    await run(id);
    let changes = await changesOf(id);
    expect(changes).toHaveLength(120);
    expect(changes.every((c) => c.status === 'PENDING')).toBe(true);
    expect(changes.every((c) => c.status_details?.endsWith(`scheduled for ${effectiveDate}`))).toBe(
      true,
    );
    const rows = await db
      .selectFrom('devices')
      .select(['rev_customer_id', 'customer_rate_plan_id'])
      .where(
        'id',
        'in',
        devices.map((d) => d.id),
      )
      .execute();
    expect(rows.every((r) => r.rev_customer_id === customer.id)).toBe(true);
    expect(rows.every((r) => r.customer_rate_plan_id === null)).toBe(true);
    const wake = queue.sent.at(-1);
    expect(wake?.message.bulkChangeId).toBe(id);
    expect(wake?.delaySeconds).toBeGreaterThan(29 * 24 * 3600);
    const bulk = await db
      .selectFrom('bulk_changes')
      .select('status')
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    expect(bulk.status).toBe('PROCESSING');

    // The effective date comes.
    clock = effective.getTime() + 3600_000;
    await db
      .updateTable('device_changes')
      .set({ not_before: new Date(Date.now() - 1000) })
      .where('bulk_change_id', '=', id)
      .execute();
    await run(id);
    changes = await changesOf(id);
    expect(changes.every((c) => c.status === 'PROCESSED')).toBe(true);
    const after = await db
      .selectFrom('devices')
      .select('customer_rate_plan_id')
      .where(
        'id',
        'in',
        devices.map((d) => d.id),
      )
      .execute();
    expect(after.every((r) => r.customer_rate_plan_id === plan)).toBe(true);
    const history = await historyOf(id);
    expect(history.filter((h) => h.field === 'customer_rate_plan_id')).toHaveLength(120);
    expect(history.filter((h) => h.field === 'rev_customer_id')).toHaveLength(120);
    const outbox = await db
      .selectFrom('notification_outbox')
      .selectAll()
      .where('dedupe_key', '=', `bulk-change-completed:${id}`)
      .executeTakeFirstOrThrow();
    expect(outbox.payload).toMatchObject({
      changeType: 'AssociateCustomer',
      status: 'PROCESSED',
      counts: { PROCESSED: 120 },
    });
  }, 120_000);

  it('an unknown customer rate plan fails the device before anything is written', async () => {
    const sp = await provider('Jasper');
    const device = await oneDevice(sp);
    const calls = revioSim.journal.length;
    const id = await createRevBulkChange(
      db,
      sp,
      'AssociateCustomer',
      {
        RevCustomerId: '100101',
        CreateRevService: true,
        ServiceTypeId: 101,
        AddCustomerRatePlan: true,
        CustomerRatePlan: 999_999,
      },
      [device],
    );
    await run(id);
    expect((await changesOf(id))[0]).toMatchObject({
      status: 'API_FAILED',
      status_details: 'Customer rate plan 999999 does not exist',
    });
    expect(revioSim.journal.length).toBe(calls);
    expect(await historyOf(id)).toHaveLength(0);
  });
});
