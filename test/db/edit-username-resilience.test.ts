import type { Kysely } from 'kysely';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createEngineStore } from '../../src/adapters/db/engine-store.ts';
import { createBulkChangeRepository } from '../../src/adapters/db/repositories/bulk-change-repository.ts';
import type { Database } from '../../src/adapters/db/schema.ts';
import { seedDemo } from '../../src/adapters/db/seed-demo.ts';
import { createJasperSimulator } from '../../src/adapters/integrations/jasper/jasper-simulator.ts';
import { createRevioSimulator } from '../../src/adapters/integrations/revio/revio-simulator.ts';
import { buildDemoDataset } from '../../src/app/demo/demo-dataset.ts';
import { createMessageProcessor } from '../../src/app/engine/process-message.ts';
import { createCarrierGateways } from '../../src/runtime/carrier-gateways.ts';
import { createHandlers } from '../../src/runtime/start-engine.ts';
import {
  createEditUsernameHarness,
  type EditUsernameHarness,
} from '../support/edit-username-fixtures.ts';
import { context, createRecordingQueue, silentLogger } from '../support/engine-fixtures.ts';
import { useTestDatabase } from '../support/test-database.ts';
import { createTestSecretBox } from '../support/test-secret-box.ts';

/**
 * EditUsernameCostCenter when things go wrong: carrier and billing failures, duplicate
 * deliveries, an unchanged POD19 username, and what the completion announces — end to end
 * through the engine against the Jasper and Rev.io simulators over HTTP.
 */
describe('EditUsernameCostCenter failures and duplicates', () => {
  const testDb = useTestDatabase();
  const dataset = buildDemoDataset({ devicesPerProvider: 30 });
  const jasperSim = createJasperSimulator({ seed: 12, dataset });
  const revioSim = createRevioSimulator({ seed: 12, dataset });
  const queue = createRecordingQueue();
  let db: Kysely<Database>;
  let t: EditUsernameHarness;
  let makeProcessor: (workerId: string) => ReturnType<typeof createMessageProcessor>;
  let unique = 0;

  beforeAll(async () => {
    const jasperUrl = await jasperSim.start(0);
    const revioUrl = await revioSim.start(0);
    const test = testDb();
    db = test.db;
    const secretBox = createTestSecretBox();
    await seedDemo(test.database, {
      secretBox,
      dataset: buildDemoDataset({
        devicesPerProvider: 30,
        baseUrls: { jasper: `${jasperUrl}/rws/api/v1`, revio: `${revioUrl}/v1` },
      }),
    });
    const store = createEngineStore(db);
    const gateways = createCarrierGateways({ secretBox });
    const handlers = createHandlers({ gateways, store });
    // One device attempt: a failure the client's own retries did not cure is final.
    makeProcessor = (workerId) =>
      createMessageProcessor(
        { store, queue, handlers, logger: silentLogger },
        { pageSize: 5, maxParallel: 4, workerId, retry: { maxAttempts: 1 } },
      );
    t = createEditUsernameHarness(db, makeProcessor('w-main'), revioSim);
  });

  afterEach(() => {
    jasperSim.faults.clear();
    revioSim.faults.clear();
  });

  afterAll(async () => {
    await jasperSim.close();
    await revioSim.close();
  });

  const name = (prefix: string) => `${prefix} ${Date.now() % 100000}-${++unique}`;
  const putsFor = (iccid: string) =>
    jasperSim.journal.filter((e) => e.operation === 'editDevice' && e.path.endsWith(`/${iccid}`))
      .length;
  const patchesFor = (serviceId: number) =>
    revioSim.journal.filter(
      (e) => e.operation === 'patchService' && e.path.endsWith(`/Services/${serviceId}`),
    ).length;
  const historyOf = (bulkChangeId: number) =>
    db
      .selectFrom('device_history')
      .selectAll()
      .where('bulk_change_id', '=', bulkChangeId)
      .orderBy('id')
      .execute();

  it('a Jasper 5xx that persists: API_FAILED after the client retries, no Rev.io call, row unchanged', async () => {
    const { sp, device, serviceId } = await t.pickDevice('Rogers', (l) => l !== undefined);
    const iccid = device.iccid ?? '';
    jasperSim.faults.add({
      operation: 'editDevice',
      pathIncludes: iccid,
      effect: { kind: 'error', status: 500 },
    });
    const patches = patchesFor(serviceId ?? 0);
    const id = await t.submit(sp, device, { ContactName: name('Down'), CostCenter1: 'CC-DOWN' });
    const change = await t.changeOf(id);
    expect(change.status).toBe('API_FAILED');
    expect(change.status_details).toMatch(/500/);
    expect(putsFor(iccid)).toBe(4); // the first try and the Jasper policy's 3 retries
    expect(patchesFor(serviceId ?? 0)).toBe(patches);
    const row = await t.deviceRow(device.id);
    expect(row.username).toBe(device.username);
    expect(row.cost_center_1).toBe(device.cost_center_1);
    expect(await historyOf(id)).toHaveLength(0);
    const jasperLog = (await t.logs(id)).find(
      (l) => l.description === 'Update Username of device: Jasper API',
    );
    expect(jasperLog?.has_errors).toBe(true);
  }, 30_000);

  it('a transient Jasper 5xx is retried by the client and the device change succeeds', async () => {
    const { sp, device } = await t.pickDevice('TMobileJasper', () => true);
    const iccid = device.iccid ?? '';
    jasperSim.faults.add({
      operation: 'editDevice',
      pathIncludes: iccid,
      times: 2,
      effect: { kind: 'error', status: 503 },
    });
    const username = name('Flaky');
    const id = await t.submit(sp, device, { ContactName: username });
    expect((await t.changeOf(id)).status).toBe('PROCESSED');
    expect(putsFor(iccid)).toBe(3);
    expect(jasperSim.device(iccid)?.accountCustom1).toBe(username);
    expect((await t.deviceRow(device.id)).username).toBe(username);
  }, 30_000);

  it('a Rev.io failure fails the device even though Jasper succeeded; the row is not updated', async () => {
    const { sp, device, serviceId } = await t.pickDevice('Jasper', (l) =>
      (l ?? []).some((x) => x.replace(/\s/g, '').toLowerCase() === 'costcenter1'),
    );
    revioSim.faults.add({
      operation: 'patchService',
      pathIncludes: String(serviceId),
      effect: { kind: 'error', status: 500 },
    });
    const username = name('HalfDone');
    const id = await t.submit(sp, device, { ContactName: username, CostCenter1: 'CC-BILL' });
    const change = await t.changeOf(id);
    expect(change.status).toBe('API_FAILED');
    expect(jasperSim.device(device.iccid ?? '')?.accountCustom1).toBe(username);
    const row = await t.deviceRow(device.id);
    expect(row.username).toBe(device.username);
    expect(row.cost_center_1).toBe(device.cost_center_1);
    expect(await historyOf(id)).toHaveLength(0);
    const logs = await t.logs(id);
    expect(
      logs.find((l) => l.description === 'Update Username of device: Jasper API')?.has_errors,
    ).toBe(false);
    expect(
      logs.find((l) => l.description === 'Update Username/Cost Center of devices: Rev.IO API')
        ?.has_errors,
    ).toBe(true);
    expect(logs.some((l) => l.description === 'Update Username/Cost Center of devices')).toBe(
      false,
    );
  });

  it('the same message delivered twice at once (and again later): one PUT and one PATCH per device', async () => {
    const sp = await t.provider('Jasper');
    const devices = await db
      .selectFrom('devices')
      .selectAll()
      .where('service_provider_id', '=', sp.id)
      .where('iccid', 'is not', null)
      .orderBy('id', 'desc')
      .limit(12)
      .execute();
    const store = createEngineStore(db);
    const services = new Map<number, number>();
    for (const d of devices) {
      const service = await store.findRevService({
        tenantId: sp.tenant_id,
        billingIntegrationId: sp.billing_integration_id ?? 0,
        iccid: d.iccid ?? '',
      });
      if (service !== undefined) services.set(d.id, service.serviceId);
    }
    expect(services.size).toBeGreaterThan(3);
    const puts = new Map(devices.map((d) => [d.id, putsFor(d.iccid ?? '')]));
    const patches = new Map([...services].map(([d, s]) => [d, patchesFor(s)]));
    const username = name('Twice');
    const created = await createBulkChangeRepository(db).create({
      tenantId: sp.tenant_id,
      serviceProviderId: sp.id,
      changeType: 'EditUsernameCostCenter',
      portalType: 0,
      request: { ContactName: username, CostCenter2: 'DUP-2' },
      createdBy: 'test',
      deviceChanges: devices.map((d) => ({
        identifierKind: 'iccid' as const,
        identifier: d.iccid ?? '',
        iccid: d.iccid,
        deviceId: d.id,
      })),
    });
    const id = created.bulkChange.id;
    const message = { bulkChangeId: id, retryNumber: 0 };
    await Promise.all([
      makeProcessor('w-a')(message, context()),
      makeProcessor('w-b')(message, context()),
      makeProcessor('w-a')(message, context()),
    ]);
    await makeProcessor('w-c')(message, context());

    const changes = await db
      .selectFrom('device_changes')
      .select(['status'])
      .where('bulk_change_id', '=', id)
      .execute();
    expect(changes.every((c) => c.status === 'PROCESSED')).toBe(true);
    for (const d of devices) {
      expect(putsFor(d.iccid ?? '') - (puts.get(d.id) ?? 0)).toBe(1);
      expect(jasperSim.device(d.iccid ?? '')?.accountCustom1).toBe(username);
    }
    let patched = 0;
    for (const [deviceId, serviceId] of services) {
      // A service without a "Cost Center 2" field gets no PATCH (nothing to change on it).
      const hasField = (revioSim.controls.service(serviceId)?.fields ?? []).some(
        (f) => f.label.replace(/\s/g, '').toLowerCase() === 'costcenter2',
      );
      expect(patchesFor(serviceId) - (patches.get(deviceId) ?? 0)).toBe(hasField ? 1 : 0);
      if (hasField) patched += 1;
    }
    expect(patched).toBeGreaterThan(1);
    const outbox = await db
      .selectFrom('notification_outbox')
      .selectAll()
      .where('dedupe_key', '=', `bulk-change-completed:${id}`)
      .execute();
    expect(outbox).toHaveLength(1);
  }, 60_000);

  it('device history and the completion outbox carry what the username report needs', async () => {
    const { sp, device } = await t.pickDevice('Jasper', (l) =>
      (l ?? []).some((x) => x.replace(/\s/g, '').toLowerCase() === 'costcenter3'),
    );
    const username = name('Report');
    const before = await t.deviceRow(device.id);
    const startedAt = Date.now();
    const id = await t.submit(sp, device, { ContactName: username, CostCenter3: `R3-${unique}` });
    expect((await t.changeOf(id)).status).toBe('PROCESSED');
    const change = await t.changeOf(id);
    const history = await historyOf(id);
    expect(
      history.map((h) => ({
        field: h.field,
        previous: h.previous_value,
        next: h.new_value,
        by: h.changed_by,
        deviceId: h.device_id,
        deviceChangeId: h.device_change_id,
      })),
    ).toEqual([
      {
        field: 'username',
        previous: before.username,
        next: username,
        by: 'device-bulk-change',
        deviceId: device.id,
        deviceChangeId: change.id,
      },
      {
        field: 'cost_center_3',
        previous: before.cost_center_3,
        next: `R3-${unique}`,
        by: 'device-bulk-change',
        deviceId: device.id,
        deviceChangeId: change.id,
      },
    ]);
    for (const h of history)
      expect(h.changed_at.getTime()).toBeGreaterThanOrEqual(startedAt - 5000);
    const outbox = await db
      .selectFrom('notification_outbox')
      .selectAll()
      .where('dedupe_key', '=', `bulk-change-completed:${id}`)
      .executeTakeFirstOrThrow();
    expect(outbox.kind).toBe('bulkChange.completed');
    expect(outbox.payload).toEqual({
      bulkChangeId: id,
      changeType: 'EditUsernameCostCenter',
      tenantId: sp.tenant_id,
      serviceProviderId: sp.id,
      processedAt: expect.any(String),
      status: 'PROCESSED',
      counts: { PROCESSED: 1 },
    });
  });

  it('POD19: re-setting the username a device already has is confirmed without an edit or a wait', async () => {
    const { sp, device } = await t.pickDevice('POD19', () => true);
    const iccid = device.iccid ?? '';
    // Give the device a known username first (normal path, confirmed by the audit trail).
    const username = name('Same');
    const first = await t.submit(sp, device, { ContactName: username });
    expect((await t.changeOf(first)).status).toBe('PROCESSED');
    const puts = putsFor(iccid);
    const audits = jasperSim.auditRecords(iccid).length;
    // Now the same value again, with a long audit lag that would otherwise park it.
    jasperSim.setControls({ auditLagMs: 10 * 60 * 60_000 });
    try {
      const again = await t.submit(sp, device, { ContactName: username, CostCenter2: 'SAME-2' });
      const change = await t.changeOf(again);
      expect(change.status).toBe('PROCESSED');
      expect(putsFor(iccid)).toBe(puts);
      expect(jasperSim.auditRecords(iccid)).toHaveLength(audits);
      const jasperLog = (await t.logs(again)).find(
        (l) => l.description === 'Update Username of device: Jasper API',
      );
      expect(jasperLog?.response_text).toBe('The device already has this username; no edit sent');
      expect((await t.deviceRow(device.id)).cost_center_2).toBe('SAME-2');
    } finally {
      jasperSim.setControls({ auditLagMs: 0 });
    }
  });
});
