/**
 * Harness of the ThingSpace end-to-end tests: the demo data seeded into the test database and
 * into the ThingSpace (and Rev.io) simulators, the real handlers and gateways behind the
 * engine's message processor, and the service's own callback endpoint (`POST
 * /callbacks/thingspace`) listening on a port and registered with the simulator as the
 * account's CarrierService listener — so completions arrive over real HTTP.
 */
import type { FastifyInstance } from 'fastify';
import { createEngineStore } from '../../src/adapters/db/engine-store.ts';
import { createBulkChangeRepository } from '../../src/adapters/db/repositories/bulk-change-repository.ts';
import { seedDemo } from '../../src/adapters/db/seed-demo.ts';
import {
  createRevioSimulator,
  type RevioSimulator,
} from '../../src/adapters/integrations/revio/revio-simulator.ts';
import type { SimDevice } from '../../src/adapters/integrations/thingspace/thingspace-sim-state.ts';
import {
  createThingSpaceSimulator,
  THINGSPACE_M2M_PREFIX,
} from '../../src/adapters/integrations/thingspace/thingspace-simulator.ts';
import { createLogger } from '../../src/adapters/logging/create-logger.ts';
import { buildServer } from '../../src/api/build-server.ts';
import { createServiceMetrics } from '../../src/api/metrics.ts';
import { createCarrierCallbackReceiver } from '../../src/app/callbacks/receive-carrier-callback.ts';
import { buildDemoDataset } from '../../src/app/demo/demo-dataset.ts';
import { createMessageProcessor } from '../../src/app/engine/process-message.ts';
import { createHealthCheck } from '../../src/app/health.ts';
import type { ChangeType } from '../../src/domain/change-types/change-type.ts';
import { createCarrierGateways } from '../../src/runtime/carrier-gateways.ts';
import { registerThingSpaceCallbacks } from '../../src/runtime/register-thingspace-callbacks.ts';
import { createHandlers } from '../../src/runtime/start-engine.ts';
import { createThingSpaceCallbackEndpoint } from '../../src/runtime/thingspace-callback-endpoint.ts';
import { context, createRecordingQueue, silentLogger } from './engine-fixtures.ts';
import type { TestDatabase } from './test-database.ts';
import { createTestSecretBox } from './test-secret-box.ts';

const CALLBACK = { username: 'dbc-callbacks', password: 'cb-secret-9f3a' };
const DEVICES_PER_PROVIDER = 40;

/** The harness of {@link startThingSpaceHarness}. */
export type ThingSpaceHarness = Awaited<ReturnType<typeof startThingSpaceHarness>>;

/**
 * Seeds the database, starts the simulators, the callback endpoint and the engine.
 * Requests complete only when a test says so (`complete`), so every path is deterministic.
 */
export async function startThingSpaceHarness(testDb: TestDatabase, seed: number) {
  const dataset = buildDemoDataset({ devicesPerProvider: DEVICES_PER_PROVIDER });
  const sim = createThingSpaceSimulator({
    seed,
    dataset,
    settings: { autoComplete: false, callbacks: { retryIntervalMs: 20, timeoutMs: 2000 } },
  });
  const revioSim: RevioSimulator = createRevioSimulator({ seed, dataset });
  const origin = await sim.start(0);
  const revioUrl = await revioSim.start(0);
  const { db } = testDb;
  const secretBox = createTestSecretBox();
  await seedDemo(testDb.database, {
    secretBox,
    dataset: buildDemoDataset({
      devicesPerProvider: DEVICES_PER_PROVIDER,
      baseUrls: { thingspace: `${origin}${THINGSPACE_M2M_PREFIX}`, revio: `${revioUrl}/v1` },
    }),
  });
  const store = createEngineStore(db);
  const queue = createRecordingQueue();
  const createProcessor = () => {
    // Gateways are cached per service provider: a new set sees changed provider settings.
    const gateways = createCarrierGateways({
      secretBox,
      timeoutMs: 1500,
      // On PostgreSQL the account's rate limit is shared through the database, as in server mode.
      ...(testDb.database.kind === 'postgres' ? { sharedLimitsDb: db } : {}),
    });
    return createMessageProcessor(
      { store, queue, handlers: createHandlers({ gateways, store }), logger: silentLogger },
      { pageSize: 10, maxParallel: 4 },
    );
  };
  let processMessage = createProcessor();
  const app: FastifyInstance = buildServer({
    logger: createLogger({ level: 'silent' }),
    health: createHealthCheck({ probes: [], version: 't', mode: 'local' }),
    metrics: createServiceMetrics({ version: 't', mode: 'local' }),
    callbacks: {
      thingspace: createThingSpaceCallbackEndpoint({
        receiver: createCarrierCallbackReceiver({ store, queue, logger: silentLogger }),
        credentials: CALLBACK,
      }),
    },
  });
  const listening = await app.listen({ port: 0, host: '127.0.0.1' });
  const registered = await registerThingSpaceCallbacks({
    db,
    secretBox,
    logger: silentLogger,
    url: `${listening}/callbacks/thingspace`,
    credentials: CALLBACK,
  });
  if (registered.length !== 1 || registered[0]?.ok !== true) {
    throw new Error(`callback registration failed: ${JSON.stringify(registered)}`);
  }
  const sp = await db
    .selectFrom('service_providers')
    .selectAll()
    .where('integration', '=', 'ThingSpace')
    .executeTakeFirstOrThrow();
  const used = new Set<number>();

  const h = {
    db,
    sim,
    revioSim,
    queue,
    sp,
    processMessage: ((message, ctx) => processMessage(message, ctx)) as typeof processMessage,
    /** Rebuilds gateways and engine (after changing the service provider's settings). */
    rebuild() {
      processMessage = createProcessor();
    },
    /** The service's callback password (must never reach logs). */
    callbackPassword: CALLBACK.password,

    /** An unused device of the ThingSpace provider with this database status (and a line). */
    async device(status: string, fits: (line: SimDevice | undefined) => boolean = () => true) {
      const rows = await db
        .selectFrom('devices')
        .selectAll()
        .where('service_provider_id', '=', sp.id)
        .where('status', '=', status)
        .orderBy('id')
        .execute();
      const row = rows.find((d) => !used.has(d.id) && fits(sim.device(d.iccid ?? '')));
      if (row === undefined) throw new Error(`no unused ThingSpace device in status ${status}`);
      used.add(row.id);
      return row;
    },

    /** Stores a bulk change of one device and delivers its first message. */
    async submit(
      changeType: ChangeType,
      device: { id: number; iccid: string | null; msisdn: string | null; imei: string | null },
      request: Record<string, unknown>,
      options: { deliveries?: number } = {},
    ) {
      const created = await createBulkChangeRepository(db).create({
        tenantId: sp.tenant_id,
        serviceProviderId: sp.id,
        changeType,
        portalType: 0,
        request,
        createdBy: 'test',
        deviceChanges: [
          {
            identifierKind: 'iccid',
            identifier: device.iccid ?? '',
            iccid: device.iccid,
            msisdn: device.msisdn,
            imei: device.imei,
            deviceId: device.id,
          },
        ],
      });
      const id = created.bulkChange.id;
      const message = { bulkChangeId: id, retryNumber: 0 };
      await Promise.all(
        Array.from({ length: options.deliveries ?? 1 }, () => processMessage(message, context())),
      );
      return id;
    },

    /** Stores a bulk change of several devices (one shared request) and delivers its message. */
    async submitMany(
      changeType: ChangeType,
      devices: ReadonlyArray<{
        id: number;
        iccid: string | null;
        msisdn: string | null;
        imei: string | null;
      }>,
      request: Record<string, unknown>,
    ) {
      const created = await createBulkChangeRepository(db).create({
        tenantId: sp.tenant_id,
        serviceProviderId: sp.id,
        changeType,
        portalType: 0,
        request,
        createdBy: 'test',
        deviceChanges: devices.map((d) => ({
          identifierKind: 'iccid' as const,
          identifier: d.iccid ?? '',
          iccid: d.iccid,
          msisdn: d.msisdn,
          imei: d.imei,
          deviceId: d.id,
        })),
      });
      await processMessage({ bulkChangeId: created.bulkChange.id, retryNumber: 0 }, context());
      return created.bulkChange.id;
    },

    /** Completes every pending request at the carrier and waits for the callbacks. */
    async completeAll() {
      for (const r of sim.requests()) if (r.status === 'Pending') sim.completeRequest(r.requestId);
      await sim.whenIdle();
    },

    /** Requests the simulator accepted for a line (each one is a carrier mutation). */
    requestsFor(iccid: string, kind?: string) {
      const line = sim.device(iccid);
      return sim
        .requests()
        .filter((r) => line !== undefined && r.lineIds.includes(line.lineId))
        .filter((r) => kind === undefined || r.kind === kind);
    },

    /** The pending request of a line (the one the handler is waiting for). */
    pendingRequest(iccid: string) {
      const pending = h.requestsFor(iccid).filter((r) => r.status === 'Pending');
      if (pending.length !== 1)
        throw new Error(`expected one pending request, got ${pending.length}`);
      return pending[0] as NonNullable<(typeof pending)[0]>;
    },

    /** Completes a request at the carrier and waits until its callbacks were delivered. */
    async complete(requestId: string) {
      const result = sim.completeRequest(requestId);
      if (result !== 'settled') throw new Error(`request ${requestId}: ${result}`);
      await sim.whenIdle();
    },

    /** Delivers every message the engine (or the callback receiver) queued since the last call. */
    async deliverQueued() {
      for (let m = queue.take(); m !== undefined; m = queue.take()) {
        await processMessage(m, context());
      }
    },

    /** Makes parked changes due (their fallback re-check) and delivers a message. */
    async recheck(bulkChangeId: number) {
      await db
        .updateTable('device_changes')
        .set({ not_before: new Date(Date.now() - 1000) })
        .where('bulk_change_id', '=', bulkChangeId)
        .where('status', '=', 'PENDING')
        .execute();
      await processMessage({ bulkChangeId, retryNumber: 0 }, context());
    },

    async changeOf(bulkChangeId: number) {
      return db
        .selectFrom('device_changes')
        .selectAll()
        .where('bulk_change_id', '=', bulkChangeId)
        .executeTakeFirstOrThrow();
    },

    async bulkStatus(bulkChangeId: number) {
      const row = await db
        .selectFrom('bulk_changes')
        .select('status')
        .where('id', '=', bulkChangeId)
        .executeTakeFirstOrThrow();
      return row.status;
    },

    async deviceRow(id: number) {
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

    async close() {
      await sim.whenIdle();
      await app.close();
      await sim.close();
      await revioSim.close();
    },
  };
  return h;
}

/** Everything a bulk change's logs say, for secret checks. */
export function logText(logs: ReadonlyArray<Record<string, unknown>>): string {
  return JSON.stringify(logs);
}
