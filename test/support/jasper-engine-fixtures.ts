/**
 * Harness of the Jasper-family end-to-end tests: the demo data seeded into the test database,
 * the Control Center simulator over HTTP with the same dataset, the engine's message
 * processor with the real handlers and gateways, and helpers to pick unused devices, submit
 * bulk changes, deliver messages (twice, or after a retry became due) and read back results
 * and the simulator journal.
 */
import type { Kysely } from 'kysely';
import { afterAll, beforeAll } from 'vitest';
import { createEngineStore } from '../../src/adapters/db/engine-store.ts';
import { createBulkChangeRepository } from '../../src/adapters/db/repositories/bulk-change-repository.ts';
import type { Database, Device } from '../../src/adapters/db/schema.ts';
import { seedDemo } from '../../src/adapters/db/seed-demo.ts';
import {
  createJasperSimulator,
  type JasperSimulator,
} from '../../src/adapters/integrations/jasper/jasper-simulator.ts';
import {
  createRevioSimulator,
  type RevioSimulator,
} from '../../src/adapters/integrations/revio/revio-simulator.ts';
import { buildDemoDataset } from '../../src/app/demo/demo-dataset.ts';
import type { HandlerRegistry } from '../../src/app/engine/change-handler.ts';
import {
  createMessageProcessor,
  type EngineOptions,
} from '../../src/app/engine/process-message.ts';
import type { BulkChangeMessage } from '../../src/app/messages/bulk-change-message.ts';
import type { CarrierGateways } from '../../src/app/ports/carrier-gateways.ts';
import type { EngineStore } from '../../src/app/ports/engine-store.ts';
import type { Integration } from '../../src/domain/integrations.ts';
import { createCarrierGateways } from '../../src/runtime/carrier-gateways.ts';
import { createHandlers } from '../../src/runtime/start-engine.ts';
import { context, createRecordingQueue, silentLogger } from './engine-fixtures.ts';
import { useTestDatabase } from './test-database.ts';
import { createTestSecretBox } from './test-secret-box.ts';

/** Options of {@link useJasperEngine}. */
export interface JasperEngineOptions {
  seed?: number;
  devicesPerProvider?: number;
  /** Carrier call timeout. @default 1000 */
  timeoutMs?: number;
  engine?: EngineOptions;
  /** Replaces the runtime's handlers (e.g. with a hook wired in). */
  handlers?: (deps: { gateways: CarrierGateways; store: EngineStore }) => HandlerRegistry;
  /** Also run the Rev.io simulator (the demo billing integration points at it). */
  withRevio?: boolean;
}

/** Registers the harness for the calling test file; call the result inside tests. */
export function useJasperEngine(options: JasperEngineOptions = {}) {
  const testDb = useTestDatabase();
  const devicesPerProvider = options.devicesPerProvider ?? 40;
  const sim: JasperSimulator = createJasperSimulator({
    seed: options.seed ?? 21,
    dataset: buildDemoDataset({ devicesPerProvider }),
  });
  const revioSim: RevioSimulator | undefined =
    options.withRevio === true
      ? createRevioSimulator({
          seed: options.seed ?? 21,
          dataset: buildDemoDataset({ devicesPerProvider }),
        })
      : undefined;
  const queue = createRecordingQueue();
  const used = new Set<number>();
  let db: Kysely<Database>;
  let processMessage: ReturnType<typeof createMessageProcessor>;

  beforeAll(async () => {
    const url = await sim.start(0);
    const revioUrl = revioSim === undefined ? undefined : await revioSim.start(0);
    const test = testDb();
    db = test.db;
    const secretBox = createTestSecretBox();
    await seedDemo(test.database, {
      secretBox,
      dataset: buildDemoDataset({
        devicesPerProvider,
        baseUrls: {
          jasper: `${url}/rws/api/v1`,
          ...(revioUrl === undefined ? {} : { revio: `${revioUrl}/v1` }),
        },
      }),
    });
    const store = createEngineStore(db);
    const gateways = createCarrierGateways({ secretBox, timeoutMs: options.timeoutMs ?? 1000 });
    const handlers = (options.handlers ?? createHandlers)({ gateways, store });
    processMessage = createMessageProcessor(
      { store, queue, handlers, logger: silentLogger },
      { pageSize: 10, maxParallel: 4, ...options.engine },
    );
  });

  afterAll(async () => {
    await sim.close();
    await revioSim?.close();
  });

  const h = {
    sim,
    /** The Rev.io simulator (with `withRevio`). */
    revioSim,
    queue,
    db: () => db,
    provider: (integration: Integration) =>
      db
        .selectFrom('service_providers')
        .selectAll()
        .where('integration', '=', integration)
        .executeTakeFirstOrThrow(),

    /** `count` devices of the provider not used by an earlier test, matching `fits`. */
    async pick(integration: Integration, count: number, fits: (d: Device) => boolean = () => true) {
      const sp = await h.provider(integration);
      const rows = await db
        .selectFrom('devices')
        .selectAll()
        .where('service_provider_id', '=', sp.id)
        .orderBy('id')
        .execute();
      const devices = rows.filter((d) => !used.has(d.id) && d.iccid !== null && fits(d));
      if (devices.length < count)
        throw new Error(`only ${devices.length} ${integration} devices fit`);
      const picked = devices.slice(0, count);
      for (const d of picked) used.add(d.id);
      return { sp, devices: picked };
    },

    /** Puts a device into `status` at the carrier and in the database (test arrangement). */
    async arrange(device: Device, fields: { status?: string; communication_plan?: string | null }) {
      const simDevice = sim.state.devices.get(device.iccid ?? '');
      if (simDevice === undefined) throw new Error(`device ${device.iccid} not in the simulator`);
      if (fields.status !== undefined) {
        simDevice.fields.status = fields.status;
        if (fields.status === 'ACTIVATED' || fields.status === 'DEACTIVATED')
          simDevice.everActivated = true;
      }
      if (fields.communication_plan !== undefined)
        simDevice.fields.communicationPlan = fields.communication_plan;
      await db.updateTable('devices').set(fields).where('id', '=', device.id).execute();
      return h.device(device.id);
    },

    /** Creates a bulk change for the devices (not delivered). */
    async create(
      sp: { id: number; tenant_id: number },
      devices: readonly Device[],
      changeType: string,
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
          deviceId: d.id,
        })),
      });
      return created.bulkChange.id;
    },

    deliver: (bulkChangeId: number, extra: Partial<BulkChangeMessage> = {}) =>
      processMessage({ bulkChangeId, retryNumber: 0, ...extra }, context()),

    /** Creates and delivers once. */
    async submit(
      sp: { id: number; tenant_id: number },
      devices: readonly Device[],
      changeType: string,
      request: Record<string, unknown>,
      extra: Partial<BulkChangeMessage> = {},
    ) {
      const id = await h.create(sp, devices, changeType, request);
      await h.deliver(id, extra);
      return id;
    },

    /** Makes waiting retries due and delivers again. */
    async resume(bulkChangeId: number) {
      await db
        .updateTable('device_changes')
        .set({ not_before: new Date(Date.now() - 1000) })
        .where('bulk_change_id', '=', bulkChangeId)
        .where('status', '=', 'PENDING')
        .execute();
      await h.deliver(bulkChangeId);
    },

    changes: (bulkChangeId: number) =>
      db
        .selectFrom('device_changes')
        .selectAll()
        .where('bulk_change_id', '=', bulkChangeId)
        .orderBy('id')
        .execute(),

    async bulkStatus(bulkChangeId: number) {
      const row = await db
        .selectFrom('bulk_changes')
        .select('status')
        .where('id', '=', bulkChangeId)
        .executeTakeFirstOrThrow();
      return row.status;
    },

    logs: (bulkChangeId: number) =>
      db
        .selectFrom('bulk_change_logs')
        .selectAll()
        .where('bulk_change_id', '=', bulkChangeId)
        .orderBy('id')
        .execute(),

    history: (bulkChangeId: number) =>
      db
        .selectFrom('device_history')
        .selectAll()
        .where('bulk_change_id', '=', bulkChangeId)
        .orderBy('id')
        .execute(),

    device: (id: number) =>
      db.selectFrom('devices').selectAll().where('id', '=', id).executeTakeFirstOrThrow(),

    /** Edit PUTs the simulator received for a device, oldest first. */
    puts(iccid: string | null) {
      return sim.journal
        .filter((e) => e.method === 'PUT' && e.path.endsWith(`/devices/${iccid}`))
        .map((e) => ({ body: e.body as Record<string, unknown>, outcome: e.outcome }));
    },

    /** Id of a device status of the integration. */
    async statusId(integration: Integration, status: string) {
      const row = await db
        .selectFrom('device_statuses')
        .select('id')
        .where('integration', '=', integration)
        .where('status', '=', status)
        .executeTakeFirstOrThrow();
      return Number(row.id);
    },
  };
  return h;
}

/** The harness type. */
export type JasperEngineHarness = ReturnType<typeof useJasperEngine>;
