import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngineStore } from '../../src/adapters/db/engine-store.ts';
import { createBulkChangeRepository } from '../../src/adapters/db/repositories/bulk-change-repository.ts';
import { seedDemo } from '../../src/adapters/db/seed-demo.ts';
import { createJasperSimulator } from '../../src/adapters/integrations/jasper/jasper-simulator.ts';
import { createRevioSimulator } from '../../src/adapters/integrations/revio/revio-simulator.ts';
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
 * EditUsernameCostCenter over the real queue (pg-boss on this backend) with the Jasper and
 * Rev.io simulators over HTTP: POD19 devices of the demo data, the message delivered twice.
 */
describe('EditUsernameCostCenter over pg-boss', () => {
  const testDb = useTestDatabase();
  // Same seed and size: the simulator and the database hold the same accounts and devices.
  const sim = createJasperSimulator({
    seed: 6,
    dataset: buildDemoDataset({ devicesPerProvider: 12 }),
  });
  const revioSim = createRevioSimulator({
    seed: 6,
    dataset: buildDemoDataset({ devicesPerProvider: 12 }),
  });
  let pgboss: PgBossQueue;
  let pgbossSchema: string;
  let stopWorker: (() => Promise<void>) | undefined;

  beforeAll(async () => {
    const url = await sim.start(0);
    const revioUrl = await revioSim.start(0);
    const { database, db, schema } = testDb();
    const secretBox = createTestSecretBox();
    const dataset = buildDemoDataset({
      devicesPerProvider: 12,
      baseUrls: { jasper: `${url}/rws/api/v1`, revio: `${revioUrl}/v1` },
    });
    await seedDemo(database, { secretBox, dataset });
    pgbossSchema = `pgbossu_${createHash('sha1')
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
    await revioSim.close();
    if (testDb().database.kind === 'postgres') {
      await sql.raw(`drop schema if exists ${pgbossSchema} cascade`).execute(testDb().db);
    }
  });

  it('renames every POD19 device once (audit-confirmed) and pushes its cost center, delivered twice', async () => {
    const { db } = testDb();
    const provider = await db
      .selectFrom('service_providers')
      .selectAll()
      .where('integration', '=', 'POD19')
      .executeTakeFirstOrThrow();
    const devices = await db
      .selectFrom('devices')
      .selectAll()
      .where('service_provider_id', '=', provider.id)
      .orderBy('id')
      .execute();
    const created = await createBulkChangeRepository(db).create({
      tenantId: provider.tenant_id,
      serviceProviderId: provider.id,
      changeType: 'EditUsernameCostCenter',
      portalType: 0,
      request: { ContactName: 'Queue Fleet', CostCenter3: 'PGB-3' },
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

    const deadline = Date.now() + 60_000;
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
      .select(['status'])
      .where('bulk_change_id', '=', id)
      .execute();
    expect(rows.every((r) => r.status === 'PROCESSED')).toBe(true);
    const puts = sim.journal.filter((e) => e.operation === 'editDevice' && e.outcome === 200);
    expect(puts.map((e) => e.path.split('/').pop()).sort()).toEqual(
      devices.map((d) => d.iccid).sort(),
    );
    for (const d of devices) {
      expect(sim.device(d.iccid ?? '')?.accountCustom1).toBe('Queue Fleet');
    }
    const renamed = await db
      .selectFrom('devices')
      .select('username')
      .where('service_provider_id', '=', provider.id)
      .execute();
    expect(renamed.every((d) => d.username === 'Queue Fleet')).toBe(true);
    const patches = revioSim.journal.filter((e) => e.operation === 'patchService');
    const perService = new Map<string, number>();
    for (const p of patches) perService.set(p.path, (perService.get(p.path) ?? 0) + 1);
    expect(patches.length).toBeGreaterThan(0);
    expect([...perService.values()].every((n) => n === 1)).toBe(true);
    const outbox = await db
      .selectFrom('notification_outbox')
      .selectAll()
      .where('dedupe_key', '=', `bulk-change-completed:${id}`)
      .execute();
    expect(outbox).toHaveLength(1);
  }, 90_000);
});
