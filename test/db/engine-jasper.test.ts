import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngineStore } from '../../src/adapters/db/engine-store.ts';
import { createBulkChangeRepository } from '../../src/adapters/db/repositories/bulk-change-repository.ts';
import { seedDemo } from '../../src/adapters/db/seed-demo.ts';
import { createJasperSimulator } from '../../src/adapters/integrations/jasper/jasper-simulator.ts';
import {
  createPgBossBulkChangeQueue,
  startPgBossWorker,
} from '../../src/adapters/queue/pgboss/pgboss-bulk-change-queue.ts';
import {
  type PgBossQueue,
  startPgBossQueue,
} from '../../src/adapters/queue/pgboss/pgboss-queue.ts';
import { buildDemoDataset } from '../../src/app/demo/demo-dataset.ts';
import { createMessageProcessor } from '../../src/app/engine/process-message.ts';
import { createCarrierGateways } from '../../src/runtime/carrier-gateways.ts';
import { createHandlers } from '../../src/runtime/start-engine.ts';
import { silentLogger } from '../support/engine-fixtures.ts';
import { useTestDatabase } from '../support/test-database.ts';
import { testDatabaseUrl } from '../support/test-database-url.ts';
import { createTestSecretBox } from '../support/test-secret-box.ts';

/**
 * The engine end to end over the real queue (pg-boss on this backend) and the Jasper simulator
 * over HTTP: CarrierRatePlanChange on POD19 devices of the demo data.
 */
describe('engine + pg-boss + Jasper simulator', () => {
  const testDb = useTestDatabase();
  // Same seed and size: the simulator and the database hold the same accounts and devices.
  const sim = createJasperSimulator({
    seed: 5,
    dataset: buildDemoDataset({ devicesPerProvider: 12 }),
  });
  let pgboss: PgBossQueue;
  let pgbossSchema: string;
  let stopWorker: (() => Promise<void>) | undefined;

  beforeAll(async () => {
    const url = await sim.start(0);
    const { database, db, schema } = testDb();
    const secretBox = createTestSecretBox();
    const dataset = buildDemoDataset({
      devicesPerProvider: 12,
      baseUrls: { jasper: `${url}/rws/api/v1` },
    });
    await seedDemo(database, { secretBox, dataset });
    pgbossSchema = `pgboss_${createHash('sha1')
      .update(schema ?? `pglite-${process.pid}`)
      .digest('hex')
      .slice(0, 10)}`;
    pgboss = await startPgBossQueue({
      connection:
        database.kind === 'pglite'
          ? { kind: 'pglite', pglite: database.pglite }
          : { kind: 'postgres', url: testDatabaseUrl(), poolSize: 3 },
      logger: silentLogger,
      schema: pgbossSchema,
      supervise: false,
    });
    const queue = createPgBossBulkChangeQueue(pgboss.boss);
    const store = createEngineStore(db);
    const gateways = createCarrierGateways({
      secretBox,
      ...(database.kind === 'postgres' ? { sharedLimitsDb: db } : {}),
    });
    const processMessage = createMessageProcessor(
      { store, queue, handlers: createHandlers({ gateways, store }), logger: silentLogger },
      { pageSize: 5, maxParallel: 4 },
    );
    const worker = await startPgBossWorker(pgboss.boss, {
      process: processMessage,
      logger: silentLogger,
      concurrency: 2,
      pollingIntervalSeconds: 0.5,
    });
    stopWorker = worker.stop;
  });

  afterAll(async () => {
    await stopWorker?.();
    await pgboss?.stop();
    await sim.close();
    if (testDb().database.kind === 'postgres') {
      await sql.raw(`drop schema if exists ${pgbossSchema} cascade`).execute(testDb().db);
    }
  });

  it('changes the rate plan of every device once, even when the message is delivered twice', async () => {
    const { db } = testDb();
    const provider = await db
      .selectFrom('service_providers')
      .selectAll()
      .where('integration', '=', 'POD19')
      .executeTakeFirstOrThrow();
    const plans = await db
      .selectFrom('carrier_rate_plans')
      .selectAll()
      .where('service_provider_id', '=', provider.id)
      .orderBy('id')
      .execute();
    const devices = await db
      .selectFrom('devices')
      .selectAll()
      .where('service_provider_id', '=', provider.id)
      .orderBy('id')
      .execute();
    const target =
      plans.find((p) => devices.every((d) => d.carrier_rate_plan !== p.code)) ??
      plans[plans.length - 1];
    expect(target).toBeDefined();
    const created = await createBulkChangeRepository(db).create({
      tenantId: provider.tenant_id,
      serviceProviderId: provider.id,
      changeType: 'CarrierRatePlanChange',
      portalType: 0,
      request: { CarrierRatePlan: target?.code },
      createdBy: 'test',
      deviceChanges: devices.map((d) => ({
        identifierKind: 'iccid' as const,
        identifier: d.iccid ?? '',
        iccid: d.iccid,
        deviceId: d.id,
      })),
    });
    const queue = createPgBossBulkChangeQueue(pgboss.boss);
    const id = created.bulkChange.id;
    await queue.send({ bulkChangeId: id, retryNumber: 0 });
    await queue.send({ bulkChangeId: id, retryNumber: 0 });

    const deadline = Date.now() + 45_000;
    let status = 'NEW';
    while (Date.now() < deadline) {
      status = (
        await db
          .selectFrom('bulk_changes')
          .select('status')
          .where('id', '=', id)
          .executeTakeFirstOrThrow()
      ).status;
      if (status === 'PROCESSED') break;
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(status).toBe('PROCESSED');

    const rows = await db
      .selectFrom('device_changes')
      .select(['status', 'iccid'])
      .where('bulk_change_id', '=', id)
      .execute();
    expect(rows.every((r) => r.status === 'PROCESSED')).toBe(true);
    const puts = sim.journal.filter((e) => e.method === 'PUT' && e.outcome === 200);
    expect(puts.map((e) => e.path.split('/').pop()).sort()).toEqual(
      devices.map((d) => d.iccid).sort(),
    );
    expect(puts.every((e) => (e.body as { ratePlan?: string }).ratePlan === target?.code)).toBe(
      true,
    );
    const updated = await db
      .selectFrom('devices')
      .select('carrier_rate_plan')
      .where('service_provider_id', '=', provider.id)
      .execute();
    expect(updated.every((d) => d.carrier_rate_plan === target?.code)).toBe(true);
    // The vendor asks for one call at a time per account: the limiter kept to it.
    expect(Math.max(...Object.values(sim.stats().peakConcurrency))).toBe(1);
    const logs = await db
      .selectFrom('bulk_change_logs')
      .select('description')
      .where('bulk_change_id', '=', id)
      .execute();
    expect(
      logs.filter((l) => l.description === 'Update Jasper Rate Plan: Jasper API'),
    ).toHaveLength(devices.length);
  });
});
