import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngineStore } from '../../src/adapters/db/engine-store.ts';
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
import { createRecordingQueue, silentLogger } from '../support/engine-fixtures.ts';
import { useTestDatabase } from '../support/test-database.ts';
import { createTestSecretBox } from '../support/test-secret-box.ts';

/**
 * EditUsernameCostCenter end to end through the engine's message processor (with the real
 * handlers and gateways) against the Jasper and Rev.io simulators over HTTP.
 */
describe('EditUsernameCostCenter through the engine and the simulators', () => {
  const testDb = useTestDatabase();
  const dataset = buildDemoDataset({ devicesPerProvider: 30 });
  const jasperSim = createJasperSimulator({ seed: 11, dataset });
  const revioSim = createRevioSimulator({ seed: 11, dataset });
  const queue = createRecordingQueue();
  let processMessage: ReturnType<typeof createMessageProcessor>;
  let db: Kysely<Database>;
  let unique = 0;
  let t: EditUsernameHarness;

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
    processMessage = createMessageProcessor(
      { store, queue, handlers: createHandlers({ gateways, store }), logger: silentLogger },
      { pageSize: 10, maxParallel: 4 },
    );
    t = createEditUsernameHarness(db, processMessage, revioSim);
  });

  afterAll(async () => {
    await jasperSim.close();
    await revioSim.close();
  });

  const name = (prefix: string) => `${prefix} ${Date.now() % 100000}-${++unique}`;

  it('Jasper: username to Control Center, cost centers to Rev.io, device row with history', async () => {
    const { sp, device, serviceId } = await t.pickDevice('Jasper', (l) =>
      (l ?? []).some((x) => x.replace(/\s/g, '').toLowerCase() === 'costcenter1'),
    );
    const username = name('Truck');
    const id = await t.submit(sp, device, { ContactName: username, CostCenter1: 'OPS-77' });
    const change = await t.changeOf(id);
    expect(change.status).toBe('PROCESSED');
    expect(jasperSim.device(device.iccid ?? '')?.accountCustom1).toBe(username);
    const service = revioSim.controls.service(serviceId ?? 0);
    const cc1 = service?.fields.find(
      (f) => f.label.replace(/\s/g, '').toLowerCase() === 'costcenter1',
    );
    expect(cc1?.value).toBe('OPS-77');
    const row = await t.deviceRow(device.id);
    expect(row.username).toBe(username);
    expect(row.cost_center_1).toBe('OPS-77');
    const history = await db
      .selectFrom('device_history')
      .selectAll()
      .where('bulk_change_id', '=', id)
      .execute();
    expect(history.map((h) => h.field).sort()).toEqual(
      [device.cost_center_1 === 'OPS-77' ? [] : ['cost_center_1'], ['username']].flat().sort(),
    );
    const descriptions = (await t.logs(id)).map((l) => l.description);
    expect(descriptions).toEqual(
      expect.arrayContaining([
        'Update Username of device: Jasper API',
        'Update Username/Cost Center of devices: Rev.IO API',
        'Update Username/Cost Center of devices',
      ]),
    );
    const bulk = await db
      .selectFrom('bulk_changes')
      .select('status')
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    expect(bulk.status).toBe('PROCESSED');
  });

  it('POD19: an audit record showing Error fails the device and leaves its row unchanged', async () => {
    const { sp, device } = await t.pickDevice('POD19', () => true);
    jasperSim.setControls({ auditErrorIccids: [device.iccid ?? ''] });
    try {
      const username = name('Ghost');
      const id = await t.submit(sp, device, { ContactName: username, CostCenter1: 'NEVER' });
      const change = await t.changeOf(id);
      expect(change.status).toBe('API_FAILED');
      expect(change.status_details).toBe(
        `Unsuccessfully updated the Username. The Username (${username}) not exists.`,
      );
      const row = await t.deviceRow(device.id);
      expect(row.username).toBe(device.username);
      expect(row.cost_center_1).toBe(device.cost_center_1);
      const history = await db
        .selectFrom('device_history')
        .selectAll()
        .where('bulk_change_id', '=', id)
        .execute();
      expect(history).toHaveLength(0);
    } finally {
      jasperSim.setControls({ auditErrorIccids: [] });
    }
  });

  it('POD19: a lagging audit trail parks the change, and a later re-check confirms it', async () => {
    const { sp, device } = await t.pickDevice('POD19', () => true);
    jasperSim.setControls({ auditLagMs: 120_000 });
    const puts = () =>
      jasperSim.journal.filter((e) => e.method === 'PUT' && e.path.endsWith(device.iccid ?? '-'))
        .length;
    const putsBefore = puts();
    try {
      const username = name('Lagging');
      const id = await t.submit(sp, device, { ContactName: username });
      let change = await t.changeOf(id);
      expect(change.status).toBe('PENDING');
      expect(change.park_state).toMatchObject({ phase: 'pod19-audit', checks: 1 });
      expect(queue.sent.at(-1)?.delaySeconds).toBeGreaterThan(0);
      expect(puts() - putsBefore).toBe(1);

      jasperSim.advanceClock(180_000);
      await t.resume(id);
      change = await t.changeOf(id);
      expect(change.status).toBe('PROCESSED');
      expect(puts() - putsBefore).toBe(1); // the completed setUsername step was not repeated
      expect((await t.deviceRow(device.id)).username).toBe(username);
    } finally {
      jasperSim.setControls({ auditLagMs: 0 });
    }
  });

  it('no Rev.io service: PROCESSED, and the details say which values were not pushed', async () => {
    const { sp, device } = await t.pickDevice('TMobileJasper', (l) => l === undefined);
    const id = await t.submit(sp, device, { CostCenter2: 'FLEET-X' });
    const change = await t.changeOf(id);
    expect(change.status).toBe('PROCESSED');
    expect(change.status_details).toContain(
      `CostCenter2 'FLEET-X' not pushed: no Rev.io service for ICCID ${device.iccid}`,
    );
    expect((await t.deviceRow(device.id)).cost_center_2).toBe('FLEET-X');
  });

  it("no Rev.io service with the tenant's unpushedValues 'fail': API_FAILED, device row unchanged", async () => {
    const { sp, device } = await t.pickDevice('Rogers', (l) => l === undefined);
    const before = await t.deviceRow(device.id);
    await db
      .updateTable('tenants')
      .set({ settings: JSON.stringify({ pushUsernameUpdate: 'field', unpushedValues: 'fail' }) })
      .where('id', '=', sp.tenant_id)
      .execute();
    try {
      const id = await t.submit(sp, device, { CostCenter3: 'STRICT-3' });
      const change = await t.changeOf(id);
      expect(change.status).toBe('API_FAILED');
      expect(change.status_details).toBe(
        `Not every value reached Rev.io: CostCenter3 'STRICT-3' not pushed: no Rev.io service for ICCID ${device.iccid}`,
      );
      expect((await t.deviceRow(device.id)).cost_center_3).toBe(before.cost_center_3);
    } finally {
      await db
        .updateTable('tenants')
        .set({ settings: JSON.stringify({ pushUsernameUpdate: 'field' }) })
        .where('id', '=', sp.tenant_id)
        .execute();
    }
  });

  it('a single "Cost Center" field takes CostCenter1; missing fields are reported', async () => {
    const { sp, device, serviceId } = await t.pickDevice(
      'Jasper',
      (l) => (l?.includes('Cost Center') ?? false) && !l?.includes('Cost Center 2'),
    );
    const id = await t.submit(sp, device, { CostCenter1: 'SINGLE-1', CostCenter2: 'LOST-2' });
    const change = await t.changeOf(id);
    expect(change.status).toBe('PROCESSED');
    const field = revioSim.controls
      .service(serviceId ?? 0)
      ?.fields.find((f) => f.label === 'Cost Center');
    expect(field?.value).toBe('SINGLE-1');
    expect(change.status_details).toContain(
      `CostCenter2 'LOST-2' not pushed: no field 'Cost Center 2' on Rev.io service ${serviceId}`,
    );
  });

  it("Telegence: no carrier call; 'service_description' puts the username in the description", async () => {
    const { sp, device, serviceId } = await t.pickDevice(
      'Telegence',
      (l) => l?.includes('Username') ?? false,
      'msisdn',
    );
    await db
      .updateTable('tenants')
      .set({ settings: JSON.stringify({ pushUsernameUpdate: 'service_description' }) })
      .where('id', '=', sp.tenant_id)
      .execute();
    const before = revioSim.controls.service(serviceId ?? 0);
    const username = name('Line');
    const id = await t.submit(sp, device, { ContactName: username }, 'msisdn');
    const change = await t.changeOf(id);
    expect(change.status).toBe('PROCESSED');
    const after = revioSim.controls.service(serviceId ?? 0);
    expect(after?.description).toBe(username);
    expect(after?.fields.find((f) => f.label === 'Username')?.value).toBe(
      before?.fields.find((f) => f.label === 'Username')?.value,
    );
    expect((await t.deviceRow(device.id)).username).toBe(username);
  });

  it.each([
    ['field', false, true],
    ['both', true, true],
  ] as const)(
    "Telegence: tenant setting '%s' (description %s, Username field %s)",
    async (mode, toDescription, toField) => {
      const { sp, device, serviceId } = await t.pickDevice(
        'Telegence',
        (l) => l?.includes('Username') ?? false,
        'msisdn',
      );
      await db
        .updateTable('tenants')
        .set({ settings: JSON.stringify({ pushUsernameUpdate: mode }) })
        .where('id', '=', sp.tenant_id)
        .execute();
      const before = revioSim.controls.service(serviceId ?? 0);
      const username = name(`Line ${mode}`);
      const id = await t.submit(
        sp,
        device,
        { ContactName: username, CostCenter3: 'CC3' },
        'msisdn',
      );
      expect((await t.changeOf(id)).status).toBe('PROCESSED');
      const after = revioSim.controls.service(serviceId ?? 0);
      expect(after?.description).toBe(toDescription ? username : before?.description);
      const field = after?.fields.find((f) => f.label === 'Username')?.value;
      expect(field).toBe(toField ? username : undefined);
    },
  );

  it('POD19: an edit applied by an attempt whose answer was lost is confirmed by the next attempt', async () => {
    const { sp, device } = await t.pickDevice('POD19', () => true);
    const iccid = device.iccid ?? '';
    const puts = () =>
      jasperSim.journal.filter((e) => e.operation === 'editDevice' && e.path.endsWith(iccid));
    // The first PUT is applied but its connection is cut; the client's retries then all fail,
    // so this attempt ends without an answer and the engine retries the device change. The
    // next attempt's PUT changes nothing, so only the first one left an audit record.
    jasperSim.faults.add({
      operation: 'editDevice',
      pathIncludes: iccid,
      times: 1,
      effect: { kind: 'reset', applyWrite: true },
    });
    jasperSim.faults.add({
      operation: 'editDevice',
      pathIncludes: iccid,
      times: 3,
      effect: { kind: 'error', status: 503 },
    });
    const putsBefore = puts().length;
    const username = name('Lost answer');
    const id = await t.submit(sp, device, { ContactName: username });
    expect((await t.changeOf(id)).status).toBe('PENDING');
    expect(jasperSim.device(iccid)?.accountCustom1).toBe(username);
    await t.resume(id);
    const change = await t.changeOf(id);
    expect(change.status).toBe('PROCESSED');
    expect(
      puts()
        .slice(putsBefore)
        .map((e) => e.outcome),
    ).toEqual(['reset', 503, 503, 503, 200]);
    expect(jasperSim.auditRecords(iccid).filter((r) => r.value === username)).toHaveLength(1);
    expect((await t.deviceRow(device.id)).username).toBe(username);
  });

  it('POD19: an audit trail that never shows the edit fails after the last re-check', async () => {
    const { sp, device } = await t.pickDevice('POD19', () => true);
    jasperSim.setControls({ auditLagMs: 10 * 60 * 60_000 });
    try {
      const id = await t.submit(sp, device, { ContactName: name('Never') });
      for (let i = 0; i < 5; i += 1) {
        expect((await t.changeOf(id)).status).toBe('PENDING');
        await t.resume(id);
      }
      const change = await t.changeOf(id);
      expect(change.status).toBe('API_FAILED');
      expect(change.status_details).toBe('audit trail did not show the username edit');
      expect((await t.deviceRow(device.id)).username).not.toContain('Never');
    } finally {
      jasperSim.setControls({ auditLagMs: 0 });
    }
  });

  it('writes disabled: API_FAILED without any carrier or billing call', async () => {
    const { sp, device } = await t.pickDevice('Rogers', () => true);
    await db
      .updateTable('service_providers')
      .set({ write_enabled: false })
      .where('id', '=', sp.id)
      .execute();
    const calls = jasperSim.journal.length + revioSim.journal.length;
    const id = await t.submit(sp, device, { ContactName: name('Nope'), CostCenter1: 'X' });
    const change = await t.changeOf(id);
    expect(change.status).toBe('API_FAILED');
    expect(change.status_details).toContain('Writes disabled for service provider');
    expect(jasperSim.journal.length + revioSim.journal.length).toBe(calls);
    expect((await t.deviceRow(device.id)).username).toBe(device.username);
  });
});
