import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngineStore } from '../../src/adapters/db/engine-store.ts';
import type { Database, ServiceProvider } from '../../src/adapters/db/schema.ts';
import { seedDemo } from '../../src/adapters/db/seed-demo.ts';
import { createRevioSimulator } from '../../src/adapters/integrations/revio/revio-simulator.ts';
import { buildDemoDataset } from '../../src/app/demo/demo-dataset.ts';
import { type ChangeHandler, createHandlerRegistry } from '../../src/app/engine/change-handler.ts';
import { createMessageProcessor } from '../../src/app/engine/process-message.ts';
import { attachRevCustomer } from '../../src/app/handlers/revio-customer-steps.ts';
import {
  createRevServiceLine,
  resolveRevioCustomer,
} from '../../src/app/handlers/revio-service-steps.ts';
import type { DeviceUpdate } from '../../src/app/ports/engine-store.ts';
import { createCarrierGateways } from '../../src/runtime/carrier-gateways.ts';
import { context, createRecordingQueue, silentLogger } from '../support/engine-fixtures.ts';
import {
  createRevBulkChange,
  freshDevices,
  revioJournal,
} from '../support/rev-service-fixtures.ts';
import { useTestDatabase } from '../support/test-database.ts';
import { createTestSecretBox } from '../support/test-secret-box.ts';

/**
 * The exported Rev.io steps as a status handler would use them after its carrier call: a
 * stand-in StatusUpdate handler whose "carrier" step does nothing, then the optional Rev.io line
 * (`createRevServiceLine`) and the customer attachment (`attachRevCustomer`), through the engine
 * against the Rev.io simulator.
 */
describe('Rev.io steps after a status change', () => {
  const testDb = useTestDatabase();
  const dataset = buildDemoDataset({ devicesPerProvider: 5 });
  const revioSim = createRevioSimulator({ seed: 23, dataset });
  const secretBox = createTestSecretBox();
  const journal = revioJournal(revioSim);
  let db: Kysely<Database>;
  let processMessage: ReturnType<typeof createMessageProcessor>;
  let sp: ServiceProvider;

  beforeAll(async () => {
    const revioUrl = await revioSim.start(0);
    const test = testDb();
    db = test.db;
    await seedDemo(test.database, {
      secretBox,
      dataset: buildDemoDataset({ devicesPerProvider: 5, baseUrls: { revio: `${revioUrl}/v1` } }),
    });
    const store = createEngineStore(db);
    const gateways = createCarrierGateways({ secretBox, timeoutMs: 1500 });
    const deps = { gateways, store };
    const statusHandler: ChangeHandler = {
      changeType: 'StatusUpdate',
      integrations: ['Jasper'],
      writes: false,
      description: 'Status (stand-in)',
      async handle(ctx) {
        await ctx.step('carrier.status', { idempotent: true }, async () => ({ ok: true }));
        const model = ctx.request.RevService as Record<string, unknown> | undefined;
        const notes: string[] = [];
        if (model !== undefined) {
          const resolved = await resolveRevioCustomer(ctx, deps, model);
          if ('error' in resolved) notes.push(resolved.error);
          else {
            const line = await createRevServiceLine(ctx, deps, model, resolved, {
              stepPrefix: 'revService.',
            });
            notes.push(line.ok ? `line ${line.serviceId}` : line.error);
          }
        }
        const changes: DeviceUpdate['changes'] = { status: 'ACTIVATED' };
        const account = ctx.request.AccountNumber;
        if (typeof account === 'string') {
          const attached = await attachRevCustomer(ctx, deps, account);
          if (attached.ok) Object.assign(changes, attached.deviceChanges);
          else notes.push(attached.error);
        }
        return {
          kind: 'succeeded',
          details: notes.join('; '),
          ...(ctx.change.deviceId === null
            ? {}
            : { deviceUpdate: { deviceId: ctx.change.deviceId, changes } }),
        };
      },
    };
    processMessage = createMessageProcessor(
      {
        store,
        queue: createRecordingQueue(),
        handlers: createHandlerRegistry([statusHandler]),
        logger: silentLogger,
      },
      { pageSize: 10, maxParallel: 2 },
    );
    sp = await db
      .selectFrom('service_providers')
      .selectAll()
      .where('integration', '=', 'Jasper')
      .executeTakeFirstOrThrow();
  });

  afterAll(() => revioSim.close());

  // createRevBulkChange takes the two Rev.io change types; the stand-in handler is a StatusUpdate.
  const submit = async (request: Record<string, unknown>, deviceCount: number) => {
    const devices = await freshDevices(db, sp, deviceCount);
    const id = await createRevBulkChange(db, sp, 'CreateRevService', request, devices);
    await db
      .updateTable('bulk_changes')
      .set({ change_type: 'StatusUpdate' })
      .where('id', '=', id)
      .execute();
    await processMessage({ bulkChangeId: id, retryNumber: 0 }, context());
    const changes = await db
      .selectFrom('device_changes')
      .selectAll()
      .where('bulk_change_id', '=', id)
      .orderBy('id')
      .execute();
    return { id, devices, changes };
  };

  it('creates the line once and attaches the customer, in the status result with history', async () => {
    const { id, devices, changes } = await submit(
      {
        AccountNumber: '100102',
        RevService: {
          RevCustomerId: '100102',
          ServiceTypeId: 101,
          RevProductId: 3001,
          Rate: 3,
          ActivatedDate: '2024-05-01',
        },
      },
      2,
    );
    const customer = await db
      .selectFrom('rev_customers')
      .select('id')
      .where('external_id', '=', '100102')
      .executeTakeFirstOrThrow();
    for (const [i, d] of devices.entries()) {
      const lines = journal.linesFor(d.msisdn ?? '');
      expect(lines).toHaveLength(1);
      expect(changes[i]?.status_details).toBe(`line ${lines[0]?.service_id}`);
      expect(journal.productCreates(lines[0]?.service_id ?? 0)).toBe(1);
    }
    const history = await db
      .selectFrom('device_history')
      .select(['field', 'new_value'])
      .where('bulk_change_id', '=', id)
      .execute();
    expect(history.filter((h) => h.field === 'rev_customer_id')).toEqual([
      { field: 'rev_customer_id', new_value: String(customer.id) },
      { field: 'rev_customer_id', new_value: String(customer.id) },
    ]);
  });

  it('refuses to attach another customer over an active line, and says why', async () => {
    const { changes, devices } = await submit(
      {
        AccountNumber: '100104',
        RevService: { RevCustomerId: '100103', ServiceTypeId: 101, ActivatedDate: '2024-05-01' },
      },
      1,
    );
    const [device] = devices;
    const line = journal.linesFor(device?.msisdn ?? '')[0];
    expect(changes[0]?.status).toBe('PROCESSED');
    expect(changes[0]?.status_details).toBe(
      `line ${line?.service_id}; Active service line. Cannot change customers. (Rev.io service ${line?.service_id} of customer 100103)`,
    );
    const row = await db
      .selectFrom('devices')
      .select('rev_customer_id')
      .where('id', '=', device?.id ?? 0)
      .executeTakeFirstOrThrow();
    expect(row.rev_customer_id).toBeNull();
  });
});
