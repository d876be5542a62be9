import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngineStore } from '../../src/adapters/db/engine-store.ts';
import { createBulkChangeRepository } from '../../src/adapters/db/repositories/bulk-change-repository.ts';
import { seedDemo } from '../../src/adapters/db/seed-demo.ts';
import { createJasperSimulator } from '../../src/adapters/integrations/jasper/jasper-simulator.ts';
import { buildDemoDataset } from '../../src/app/demo/demo-dataset.ts';
import { createMessageProcessor } from '../../src/app/engine/process-message.ts';
import { createCarrierGateways } from '../../src/runtime/carrier-gateways.ts';
import { createHandlers } from '../../src/runtime/start-engine.ts';
import { context, createRecordingQueue, silentLogger } from '../support/engine-fixtures.ts';
import { useTestDatabase } from '../support/test-database.ts';
import { createTestSecretBox } from '../support/test-secret-box.ts';

/**
 * A 1,000-device EditUsernameCostCenter bulk change on a Jasper account, worked through the
 * engine message by message (continuations delivered as the recording queue received them)
 * against the Jasper simulator: it finishes, every device is PROCESSED, each got exactly one
 * PUT, and the counts announced equal a recount of the rows.
 */
describe('EditUsernameCostCenter: 1,000 devices', () => {
  const testDb = useTestDatabase();
  const DEVICES = 1000;
  const dataset = buildDemoDataset({ devicesPerProvider: DEVICES });
  const jasperSim = createJasperSimulator({ seed: 13, dataset });
  const queue = createRecordingQueue();
  const secretBox = createTestSecretBox();

  beforeAll(async () => {
    const jasperUrl = await jasperSim.start(0);
    // The account is allowed 10 calls at once here (the vendor default of 1 would make this a
    // benchmark of the simulator's latency, not a test of the engine).
    jasperSim.setControls({ detectConcurrency: false, ratePerSecond: 100_000 });
    await seedDemo(testDb().database, {
      secretBox,
      dataset: buildDemoDataset({
        devicesPerProvider: DEVICES,
        baseUrls: { jasper: `${jasperUrl}/rws/api/v1` },
      }),
    });
  }, 120_000);

  afterAll(async () => {
    await jasperSim.close();
  });

  it('finishes with 1,000 PROCESSED, one PUT each, and counts equal to a recount', async () => {
    const { db } = testDb();
    const sp = await db
      .selectFrom('service_providers')
      .selectAll()
      .where('integration', '=', 'Jasper')
      .executeTakeFirstOrThrow();
    await db
      .updateTable('service_providers')
      .set({
        settings: JSON.stringify({
          ...sp.settings,
          rateLimitPerSecond: 100_000,
          maxConcurrent: 10,
        }),
      })
      .where('id', '=', sp.id)
      .execute();
    const devices = await db
      .selectFrom('devices')
      .select(['id', 'iccid'])
      .where('service_provider_id', '=', sp.id)
      .orderBy('id')
      .execute();
    expect(devices).toHaveLength(DEVICES);
    const created = await createBulkChangeRepository(db).create({
      tenantId: sp.tenant_id,
      serviceProviderId: sp.id,
      changeType: 'EditUsernameCostCenter',
      portalType: 0,
      request: { ContactName: 'Fleet 1000' },
      createdBy: 'test',
      deviceChanges: devices.map((d) => ({
        identifierKind: 'iccid' as const,
        identifier: d.iccid ?? '',
        iccid: d.iccid,
        deviceId: d.id,
      })),
    });
    const id = created.bulkChange.id;
    const store = createEngineStore(db);
    const processMessage = createMessageProcessor(
      {
        store,
        queue,
        handlers: createHandlers({
          gateways: createCarrierGateways({ secretBox }),
          store,
        }),
        logger: silentLogger,
      },
      { pageSize: 100, maxParallel: 10 },
    );
    // A short budget per message, so the bulk change goes through continuations.
    let message: { bulkChangeId: number; retryNumber: number } | undefined = {
      bulkChangeId: id,
      retryNumber: 0,
    };
    let deliveries = 0;
    const started = performance.now();
    while (message !== undefined && deliveries < 50) {
      deliveries += 1;
      await processMessage(message, context({ deadline: Date.now() + 2000 }));
      message = queue.take();
    }
    const seconds = (performance.now() - started) / 1000;

    const bulk = await db
      .selectFrom('bulk_changes')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    expect(bulk.status).toBe('PROCESSED');
    const recount = await db
      .selectFrom('device_changes')
      .select(['status', sql<number>`count(*)::int`.as('n')])
      .where('bulk_change_id', '=', id)
      .groupBy('status')
      .execute();
    const counts = Object.fromEntries(recount.map((r) => [r.status, Number(r.n)]));
    expect(counts).toEqual({ PROCESSED: DEVICES });
    const outbox = await db
      .selectFrom('notification_outbox')
      .selectAll()
      .where('dedupe_key', '=', `bulk-change-completed:${id}`)
      .execute();
    expect(outbox).toHaveLength(1);
    expect(outbox[0]?.payload).toMatchObject({ status: 'PROCESSED', counts });

    const puts = new Map<string, number>();
    for (const e of jasperSim.journal) {
      if (e.operation !== 'editDevice') continue;
      const iccid = e.path.split('/').at(-1) ?? '';
      puts.set(iccid, (puts.get(iccid) ?? 0) + 1);
    }
    expect(puts.size).toBe(DEVICES);
    expect([...puts.values()].every((n) => n === 1)).toBe(true);
    const renamed = await db
      .selectFrom('devices')
      .select(sql<number>`count(*)::int`.as('n'))
      .where('service_provider_id', '=', sp.id)
      .where('username', '=', 'Fleet 1000')
      .executeTakeFirstOrThrow();
    expect(Number(renamed.n)).toBe(DEVICES);
    const history = await db
      .selectFrom('device_history')
      .select(sql<number>`count(*)::int`.as('n'))
      .where('bulk_change_id', '=', id)
      .where('field', '=', 'username')
      .executeTakeFirstOrThrow();
    expect(Number(history.n)).toBe(DEVICES);
    console.info(
      `1,000 Jasper username edits: ${seconds.toFixed(1)} s (${(DEVICES / seconds).toFixed(0)}/s) over ${deliveries} messages`,
    );
  }, 180_000);
});
