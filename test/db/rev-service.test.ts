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
 * CreateRevService end to end through the engine (real handlers and gateways) against the Rev.io
 * simulator over HTTP: lines and products exactly once, per-product results, the guard, Rev.io
 * failures and a create that timed out after Rev.io applied it.
 */
describe('CreateRevService through the engine and the Rev.io simulator', () => {
  const testDb = useTestDatabase();
  const dataset = buildDemoDataset({ devicesPerProvider: 10 });
  const revioSim = createRevioSimulator({ seed: 21, dataset });
  const queue = createRecordingQueue();
  const secretBox = createTestSecretBox();
  const journal = revioJournal(revioSim);
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
    // A short per-call timeout, so that a hanging create is given up on quickly.
    const gateways = createCarrierGateways({ secretBox, timeoutMs: 1500 });
    const handlers = createHandlers({ gateways, store });
    makeProcessor = (workerId) =>
      createMessageProcessor(
        { store, queue, handlers, logger: silentLogger },
        { pageSize: 4, maxParallel: 3, workerId, retry: { maxAttempts: 3 } },
      );
  });

  afterEach(() => revioSim.faults.clear());
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
  const logsOf = (bulkChangeId: number) =>
    db
      .selectFrom('bulk_change_logs')
      .selectAll()
      .where('bulk_change_id', '=', bulkChangeId)
      .orderBy('id')
      .execute();
  const run = async (bulkChangeId: number) =>
    makeProcessor('w-main')({ bulkChangeId, retryNumber: 0 }, context());
  /** Makes retried device changes due and delivers the message again. */
  const resume = async (bulkChangeId: number) => {
    await db
      .updateTable('device_changes')
      .set({ not_before: new Date(Date.now() - 1000) })
      .where('bulk_change_id', '=', bulkChangeId)
      .where('status', '=', 'PENDING')
      .execute();
    await run(bulkChangeId);
  };
  const lineRequest = (extra: Record<string, unknown> = {}) => ({
    RevCustomerId: '100103',
    ServiceTypeId: 101,
    RevProductIdList: [3001, 3002],
    RateList: [9.5, 2],
    ActivatedDate: '2024-05-01',
    ...extra,
  });

  it.each(['Jasper', 'ThingSpace', 'Telegence'] as const)(
    '%s: one line and each product, recorded in the device database with history',
    async (integration) => {
      const sp: ServiceProvider = await provider(integration);
      const [device] = await freshDevices(db, sp, 1);
      if (device === undefined) throw new Error('no device');
      const number = device.msisdn ?? '';
      const id = await createRevBulkChange(db, sp, 'CreateRevService', lineRequest(), [device]);
      await run(id);
      const [change] = await changesOf(id);
      expect(change?.status).toBe('PROCESSED');
      const lines = journal.linesFor(number);
      expect(lines).toHaveLength(1);
      const serviceId = lines[0]?.service_id ?? 0;
      expect(lines[0]).toMatchObject({ customer_id: 100103, number2: device.iccid });
      expect(journal.serviceCreates(number)).toBe(1);
      expect(
        journal
          .productsOf(serviceId)
          .map((p) => [p.product_id, p.rate])
          .sort(),
      ).toEqual([
        [3001, 9.5],
        [3002, 2],
      ]);
      expect(change?.status_details).toContain(`Rev.io service ${serviceId} created`);
      expect(change?.status_details).toMatch(/product 3001 → service product \d+/);
      const link = await db
        .selectFrom('rev_services')
        .selectAll()
        .where('external_id', '=', serviceId)
        .executeTakeFirstOrThrow();
      expect(link).toMatchObject({
        iccid: device.iccid,
        msisdn: device.msisdn,
        service_type_id: 101,
      });
      const customer = await db
        .selectFrom('rev_customers')
        .select('id')
        .where('external_id', '=', '100103')
        .executeTakeFirstOrThrow();
      const history = await db
        .selectFrom('device_history')
        .selectAll()
        .where('bulk_change_id', '=', id)
        .execute();
      expect(history.map((h) => [h.field, h.previous_value, h.new_value])).toEqual([
        ['rev_customer_id', null, String(customer.id)],
      ]);
      const descriptions = (await logsOf(id)).map((l) => l.description);
      expect(descriptions).toEqual([
        'Associate Customer: Pre-flight Check',
        'Create Rev.io Service: Rev.io API',
        'Create Rev.io Service Product: Rev.io API',
        'Create Rev.io Service Product: Rev.io API',
        'Create Rev.io Service: Update AMOP',
      ]);
      const texts = (await logsOf(id)).map((l) => `${l.request_text} ${l.response_text}`).join(' ');
      for (const secret of Object.values(dataset.billingIntegration.secrets)) {
        expect(texts).not.toContain(secret);
      }
    },
  );

  it('one failed product fails the device, and every product has its result', async () => {
    const sp = await provider('Jasper');
    const [device] = await freshDevices(db, sp, 1);
    if (device === undefined) throw new Error('no device');
    const id = await createRevBulkChange(
      db,
      sp,
      'CreateRevService',
      lineRequest({ RevProductIdList: [3001, 9999, 3005], RateList: [1, 2, 3] }),
      [device],
    );
    await run(id);
    const [change] = await changesOf(id);
    expect(change?.status).toBe('API_FAILED');
    const serviceId = journal.linesFor(device.msisdn ?? '')[0]?.service_id ?? 0;
    expect(change?.status_details).toContain(
      `Rev.io service ${serviceId} created, but 1 of 3 products failed`,
    );
    expect(change?.status_details).toMatch(/product 3001 → service product \d+/);
    expect(change?.status_details).toMatch(/product 9999 failed \(/);
    expect(change?.status_details).toMatch(/product 3005 → service product \d+/);
    expect(
      journal
        .productsOf(serviceId)
        .map((p) => p.product_id)
        .sort(),
    ).toEqual([3001, 3005]);
    const failedLog = (await logsOf(id)).filter(
      (l) => l.description === 'Create Rev.io Service Product: Rev.io API' && l.has_errors,
    );
    expect(failedLog).toHaveLength(1);
    const row = await db
      .selectFrom('devices')
      .select('rev_customer_id')
      .where('id', '=', device.id)
      .executeTakeFirstOrThrow();
    expect(row.rev_customer_id).toBeNull();
  });

  it('no new line where the device already has an active one', async () => {
    const sp = await provider('Rogers');
    const [device] = await freshDevices(db, sp, 1);
    if (device === undefined) throw new Error('no device');
    const first = await createRevBulkChange(db, sp, 'CreateRevService', lineRequest(), [device]);
    await run(first);
    expect((await changesOf(first))[0]?.status).toBe('PROCESSED');
    const second = await createRevBulkChange(db, sp, 'CreateRevService', lineRequest(), [device]);
    await run(second);
    const [change] = await changesOf(second);
    expect(change?.status).toBe('API_FAILED');
    expect(change?.status_details).toMatch(
      /^Active service line\. New Service line not created\. \(Rev\.io service \d+\)$/,
    );
    expect(journal.serviceCreates(device.msisdn ?? '')).toBe(1);
  });

  it('Rev.io 5xx: the device change is retried and succeeds, with one line in Rev.io', async () => {
    const sp = await provider('POD19');
    const [device] = await freshDevices(db, sp, 1);
    if (device === undefined) throw new Error('no device');
    const number = device.msisdn ?? '';
    // More 503s than the client's own retries: the first claim fails, a later one succeeds.
    revioSim.faults.add({
      operation: 'createService',
      pathIncludes: '/Services',
      times: 6,
      effect: { kind: 'error', status: 503 },
    });
    const id = await createRevBulkChange(db, sp, 'CreateRevService', lineRequest(), [device]);
    await run(id);
    let [change] = await changesOf(id);
    expect(change?.status).toBe('PENDING');
    expect(change?.status_details).toMatch(/^Attempt 1 of 3 failed/);
    revioSim.faults.clear();
    await resume(id);
    [change] = await changesOf(id);
    expect(change?.status).toBe('PROCESSED');
    expect(journal.linesFor(number)).toHaveLength(1);
  }, 60_000);

  it('a create that times out after Rev.io applied it: found by number, exactly one line', async () => {
    const sp = await provider('TMobileJasper');
    const [device] = await freshDevices(db, sp, 1);
    if (device === undefined) throw new Error('no device');
    const number = device.msisdn ?? '';
    revioSim.faults.add({
      operation: 'createService',
      times: 1,
      effect: { kind: 'hang', applyWrite: true },
    });
    const id = await createRevBulkChange(db, sp, 'CreateRevService', lineRequest(), [device]);
    await run(id);
    const [change] = await changesOf(id);
    expect(change?.status).toBe('PROCESSED');
    expect(change?.status_details).toContain('(found after an ambiguous failure)');
    expect(journal.serviceCreates(number)).toBe(1);
    expect(journal.linesFor(number)).toHaveLength(1);
    const serviceId = journal.linesFor(number)[0]?.service_id ?? 0;
    expect(journal.productsOf(serviceId)).toHaveLength(2);
  }, 30_000);

  it('the same message delivered twice at once: each line and product created exactly once', async () => {
    const sp = await provider('Jasper');
    const devices = await freshDevices(db, sp, 7);
    const id = await createRevBulkChange(db, sp, 'CreateRevService', lineRequest(), devices);
    const message = { bulkChangeId: id, retryNumber: 0 };
    await Promise.all([
      makeProcessor('w-a')(message, context()),
      makeProcessor('w-b')(message, context()),
      makeProcessor('w-a')(message, context()),
    ]);
    await makeProcessor('w-c')(message, context());
    expect((await changesOf(id)).every((c) => c.status === 'PROCESSED')).toBe(true);
    for (const d of devices) {
      const number = d.msisdn ?? '';
      expect(journal.serviceCreates(number)).toBe(1);
      const lines = journal.linesFor(number);
      expect(lines).toHaveLength(1);
      expect(journal.productCreates(lines[0]?.service_id ?? 0)).toBe(2);
    }
    const outbox = await db
      .selectFrom('notification_outbox')
      .selectAll()
      .where('dedupe_key', '=', `bulk-change-completed:${id}`)
      .execute();
    expect(outbox).toHaveLength(1);
    expect(outbox[0]?.payload).toMatchObject({
      changeType: 'CreateRevService',
      counts: { PROCESSED: 7 },
    });
  }, 60_000);

  it('writes disabled on the Rev.io integration: API_FAILED without any Rev.io call', async () => {
    const sp = await provider('Jasper');
    const [device] = await freshDevices(db, sp, 1);
    if (device === undefined) throw new Error('no device');
    const billingId = sp.billing_integration_id ?? 0;
    await db
      .updateTable('billing_integrations')
      .set({ write_enabled: false })
      .where('id', '=', billingId)
      .execute();
    try {
      const calls = revioSim.journal.length;
      const id = await createRevBulkChange(db, sp, 'CreateRevService', lineRequest(), [device]);
      await run(id);
      const [change] = await changesOf(id);
      expect(change?.status).toBe('API_FAILED');
      expect(change?.status_details).toMatch(/^Writes disabled for Rev\.io integration /);
      expect(revioSim.journal.length).toBe(calls);
    } finally {
      await db
        .updateTable('billing_integrations')
        .set({ write_enabled: true })
        .where('id', '=', billingId)
        .execute();
    }
  });

  it('an unknown Rev.io customer fails the device before any Rev.io call', async () => {
    const sp = await provider('Jasper');
    const [device] = await freshDevices(db, sp, 1);
    if (device === undefined) throw new Error('no device');
    const calls = revioSim.journal.length;
    const id = await createRevBulkChange(
      db,
      sp,
      'CreateRevService',
      lineRequest({ RevCustomerId: '424242' }),
      [device],
    );
    await run(id);
    const [change] = await changesOf(id);
    expect(change?.status).toBe('API_FAILED');
    expect(change?.status_details).toMatch(/^Rev\.io customer 424242 does not exist/);
    expect(revioSim.journal.length).toBe(calls);
  });
});
