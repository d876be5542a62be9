/**
 * Harness of the Telegence end-to-end tests: the Telegence simulator over HTTP and a demo
 * database seeded from the same dataset, the engine's message processor with the real handlers
 * (`createHandlers`) and gateways, and helpers to submit bulk changes, deliver messages, wake
 * parked device changes and read results, logs and the simulator's journal.
 */
import { type Kysely, sql } from 'kysely';
import { createEngineStore } from '../../src/adapters/db/engine-store.ts';
import { createBulkChangeRepository } from '../../src/adapters/db/repositories/bulk-change-repository.ts';
import { createDeviceRepository } from '../../src/adapters/db/repositories/device-repository.ts';
import type { Database } from '../../src/adapters/db/schema.ts';
import { seedDemo } from '../../src/adapters/db/seed-demo.ts';
import { createTelegenceStore } from '../../src/adapters/db/telegence-store.ts';
import { toSubscriberNumber } from '../../src/adapters/integrations/telegence/telegence-mapper.ts';
import {
  createTelegenceSimulator,
  TELEGENCE_BASE_PATH,
  type TelegenceSimulator,
} from '../../src/adapters/integrations/telegence/telegence-simulator.ts';
import { buildDemoDataset } from '../../src/app/demo/demo-dataset.ts';
import { createMessageProcessor } from '../../src/app/engine/process-message.ts';
import { createCarrierGateways } from '../../src/runtime/carrier-gateways.ts';
import { createHandlers } from '../../src/runtime/start-engine.ts';
import { iccidFor, imeiFor } from './db-fixtures.ts';
import { context, createRecordingQueue, silentLogger } from './engine-fixtures.ts';
import type { TestDatabase } from './test-database.ts';
import { createTestSecretBox } from './test-secret-box.ts';

/** A started harness. */
export type TelegenceHarness = Awaited<ReturnType<typeof startTelegenceHarness>>;

/** An activation record template (the device's SIM and IMEI are filled in by the handler). */
export const ACTIVATION_TEMPLATE = {
  relatedParty: [
    {
      role: 'subscriber',
      firstName: 'Ada',
      lastName: 'Lovelace',
      address: {
        streetNumber: '1',
        streetName: 'Main',
        city: 'Dallas',
        state: 'TX',
        zipCode: '75201',
      },
    },
  ],
  service: {
    name: 'IoT line',
    serviceSpecification: { id: '12', href: 'Mobility Services' },
    serviceQualification: { id: 'qualification-1' },
    serviceCharacteristic: [
      { name: 'singleUserCode', value: 'IOTDATA5MB' },
      { name: 'serviceZipCode', value: '75201' },
      { name: 'equipmentType', value: 'G' },
      { name: 'deviceTechnologyType', value: 'UMTS' },
    ],
  },
};

// Below 1e8, so that imeiFor() stays 15 digits.
let serial = Math.floor(Math.random() * 9e4) * 1000;

/** Starts the simulator and seeds the database (call in `beforeAll`). */
export async function startTelegenceHarness(
  testDb: () => TestDatabase,
  seed: number,
  /** Per-call timeout of the Telegence client (hang tests wait it out). */
  timeoutMs = 5_000,
) {
  const dataset = buildDemoDataset({ devicesPerProvider: 40 });
  const sim: TelegenceSimulator = createTelegenceSimulator({ seed, dataset });
  const origin = await sim.start(0);
  const { database, db } = testDb();
  const secretBox = createTestSecretBox();
  await seedDemo(database, {
    secretBox,
    dataset: buildDemoDataset({
      devicesPerProvider: 40,
      baseUrls: { telegence: `${origin}${TELEGENCE_BASE_PATH}` },
    }),
  });
  const store = createEngineStore(db);
  const gateways = createCarrierGateways({
    secretBox,
    timeoutMs,
    ...(database.kind === 'postgres' ? { sharedLimitsDb: db } : {}),
  });
  const handlers = createHandlers({ gateways, store, telegenceStore: createTelegenceStore(db) });
  const queue = createRecordingQueue();
  const processMessage = createMessageProcessor(
    { store, queue, handlers, logger: silentLogger },
    { pageSize: 100, maxParallel: 10, retry: { baseDelayMs: 10, maxDelayMs: 20 } },
  );
  const provider = await db
    .selectFrom('service_providers')
    .selectAll()
    .where('integration', '=', 'Telegence')
    .executeTakeFirstOrThrow();
  return createHelpers(db, sim, provider, processMessage);
}

function createHelpers(
  db: Kysely<Database>,
  sim: TelegenceSimulator,
  provider: { id: number; tenant_id: number },
  processMessage: ReturnType<typeof createMessageProcessor>,
) {
  const used = new Set<number>();
  const h = {
    sim,
    db,
    provider,
    /** Demo devices of the Telegence provider with a line of status `status`, not used yet. */
    async lines(status: string, count: number) {
      const rows = await db
        .selectFrom('devices')
        .selectAll()
        .where('service_provider_id', '=', provider.id)
        .where('status', '=', status)
        .orderBy('id')
        .execute();
      const free = rows.filter((r) => !used.has(r.id) && r.msisdn !== null).slice(0, count);
      if (free.length < count) throw new Error(`only ${free.length} ${status} lines left`);
      for (const r of free) used.add(r.id);
      return free;
    },
    /** New devices (SIMs without a line) of the provider. */
    async newSims(count: number) {
      const ids = await createDeviceRepository(db).insertMany(
        Array.from({ length: count }, () => {
          serial += 1;
          return {
            tenant_id: provider.tenant_id,
            service_provider_id: provider.id,
            iccid: iccidFor(serial),
            imei: imeiFor(serial),
            msisdn: null,
            eid: null,
            status: 'Unknown',
            data_usage_mb: 0,
          };
        }),
      );
      return db.selectFrom('devices').selectAll().where('id', 'in', ids).orderBy('id').execute();
    },
    /** Creates a bulk change (not delivered yet). */
    async create(
      changeType: string,
      request: Record<string, unknown>,
      devices: ReadonlyArray<{ id: number; iccid: string | null; msisdn: string | null }>,
      by: 'iccid' | 'msisdn' = 'msisdn',
    ) {
      const created = await createBulkChangeRepository(db).create({
        tenantId: provider.tenant_id,
        serviceProviderId: provider.id,
        changeType,
        portalType: 2,
        request,
        createdBy: 'test',
        deviceChanges: devices.map((d) => ({
          identifierKind: by,
          identifier: d[by] ?? '',
          iccid: d.iccid,
          msisdn: d.msisdn,
          deviceId: d.id,
        })),
      });
      return created.bulkChange.id;
    },
    /** Delivers one message for the bulk change. */
    async deliver(bulkChangeId: number) {
      await processMessage({ bulkChangeId, retryNumber: 0 }, context());
    },
    /** Makes every waiting device change due and delivers a message (one "check"). */
    async wake(bulkChangeId: number) {
      await db
        .updateTable('device_changes')
        .set({ not_before: new Date(Date.now() - 1000) })
        .where('bulk_change_id', '=', bulkChangeId)
        .where('status', '=', 'PENDING')
        .execute();
      await h.deliver(bulkChangeId);
    },
    /** Delivers, then wakes until the bulk change is finished (at most `rounds` wake-ups). */
    async run(bulkChangeId: number, rounds = 10) {
      await h.deliver(bulkChangeId);
      for (let i = 0; i < rounds && (await h.bulkStatus(bulkChangeId)) !== 'PROCESSED'; i++) {
        await h.wake(bulkChangeId);
      }
      return h.bulkStatus(bulkChangeId);
    },
    async bulkStatus(bulkChangeId: number) {
      const row = await db
        .selectFrom('bulk_changes')
        .select('status')
        .where('id', '=', bulkChangeId)
        .executeTakeFirstOrThrow();
      return row.status;
    },
    async changes(bulkChangeId: number) {
      return db
        .selectFrom('device_changes')
        .selectAll()
        .where('bulk_change_id', '=', bulkChangeId)
        .orderBy('id')
        .execute();
    },
    async device(id: number) {
      return db.selectFrom('devices').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    },
    async history(bulkChangeId: number) {
      return db
        .selectFrom('device_history')
        .selectAll()
        .where('bulk_change_id', '=', bulkChangeId)
        .orderBy('id')
        .execute();
    },
    async logs(bulkChangeId: number) {
      return db
        .selectFrom('bulk_change_logs')
        .selectAll()
        .where('bulk_change_id', '=', bulkChangeId)
        .orderBy('id')
        .execute();
    },
    /** Leader device change ids of the bulk change's activation batches, in batch order. */
    async leaders(bulkChangeId: number) {
      const rows = await sql<{ leader: number }>`
        select leader_device_change_id as leader from telegence_activation_batches
        where bulk_change_id = ${bulkChangeId} order by id`.execute(db);
      return rows.rows.map((r) => Number(r.leader));
    },
    /** Journal entries of answered requests (any status) for an operation since `from`. */
    calls(operation: string, from = 0) {
      return sim.journal.slice(from).filter((e) => e.operation === operation);
    },
    /** PATCHes the simulator applied (2xx) to a line since `from`. */
    appliedPatches(msisdn: string, from = 0) {
      const mdn = toSubscriberNumber(msisdn) ?? msisdn;
      return h
        .calls('patchLine', from)
        .filter(
          (e) =>
            e.path.endsWith(`/${mdn}`) &&
            typeof e.outcome === 'number' &&
            e.outcome >= 200 &&
            e.outcome < 300,
        );
    },
  };
  return h;
}
