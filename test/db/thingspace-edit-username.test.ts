import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngineStore } from '../../src/adapters/db/engine-store.ts';
import { useTestDatabase } from '../support/test-database.ts';
import {
  logText,
  startThingSpaceHarness,
  type ThingSpaceHarness,
} from '../support/thingspace-fixtures.ts';

/**
 * EditUsernameCostCenter on ThingSpace end to end: username to a ThingSpace custom field
 * (asynchronous, completed by callback or request status), cost centers to Rev.io, then the
 * device row with history — against the ThingSpace and Rev.io simulators over HTTP.
 */
describe('EditUsernameCostCenter on ThingSpace', () => {
  const testDb = useTestDatabase();
  let h: ThingSpaceHarness;
  let unique = 0;
  const name = (prefix: string) => `${prefix} ${Date.now() % 100000}-${++unique}`;

  beforeAll(async () => {
    h = await startThingSpaceHarness(testDb(), 25);
  });
  afterAll(async () => {
    await h?.close();
  });

  const labelsOf = (serviceId: number | undefined) =>
    serviceId === undefined
      ? undefined
      : h.revioSim.controls.service(serviceId)?.fields.map((f) => f.label);
  /** An active device whose Rev.io service labels satisfy `fits` (undefined: no service). */
  const pick = async (fits: (labels: string[] | undefined) => boolean) => {
    const store = createEngineStore(h.db);
    for (;;) {
      const device = await h.device('active');
      const service = await store.findRevService({
        tenantId: h.sp.tenant_id,
        billingIntegrationId: h.sp.billing_integration_id ?? 0,
        iccid: device.iccid ?? '',
      });
      if (fits(labelsOf(service?.serviceId))) return { device, serviceId: service?.serviceId };
    }
  };
  const hasCc1 = (l: string[] | undefined) => l?.includes('Cost Center 1') ?? false;

  it('username by callback to CustomField1, cost center to Rev.io, device row with history', async () => {
    const { device, serviceId } = await pick(hasCc1);
    const username = name('Truck');
    const id = await h.submit('EditUsernameCostCenter', device, {
      ContactName: username,
      CostCenter1: 'OPS-42',
    });
    expect((await h.changeOf(id)).status).toBe('PENDING');
    const request = h.pendingRequest(device.iccid ?? '');
    expect(request).toMatchObject({
      kind: 'updateCustomFields',
      payload: { fields: { CustomField1: username } },
    });
    expect((await h.deviceRow(device.id)).username).toBe(device.username); // not before ThingSpace confirms
    await h.complete(request.requestId);
    await h.deliverQueued();
    const change = await h.changeOf(id);
    expect(change.status).toBe('PROCESSED');
    expect(h.sim.device(device.iccid ?? '')?.customFields.CustomField1).toBe(username);
    const cc1 = h.revioSim.controls
      .service(serviceId ?? 0)
      ?.fields.find((f) => f.label === 'Cost Center 1');
    expect(cc1?.value).toBe('OPS-42');
    const row = await h.deviceRow(device.id);
    expect([row.username, row.cost_center_1]).toEqual([username, 'OPS-42']);
    const fields = (await h.history(id)).map((r) => r.field);
    expect(fields).toContain('username');
    const logs = await h.logs(id);
    // Step logs are written when the step completes, the others with the device's result.
    expect(logs.map((l) => l.description).sort()).toEqual([
      'Update Username of device: ThingSpace API',
      'Update Username of device: ThingSpace Callback',
      'Update Username/Cost Center of devices',
      'Update Username/Cost Center of devices: Rev.IO API',
    ]);
    const text = logText(logs);
    expect(text).not.toContain(h.callbackPassword);
    expect(text).not.toContain('demo-revio-password');
    expect(text).not.toContain('demo-thingspace-secret');
  });

  it('completes by request status when no callback comes', async () => {
    const { device } = await pick(() => true);
    const username = name('Van');
    h.sim.configure({ callbacks: { drop: true } });
    try {
      const id = await h.submit('EditUsernameCostCenter', device, { ContactName: username });
      await h.complete(h.pendingRequest(device.iccid ?? '').requestId);
      await h.recheck(id);
      expect((await h.changeOf(id)).status).toBe('PROCESSED');
      expect((await h.deviceRow(device.id)).username).toBe(username);
      expect((await h.logs(id)).map((l) => l.description)).toContain(
        'Update Username of device: ThingSpace Request Status',
      );
    } finally {
      h.sim.configure({ callbacks: { drop: false } });
    }
  });

  it("the provider's usernameCustomField setting chooses the custom field", async () => {
    const settings = h.sp.settings as Record<string, unknown>;
    const setTo = (value: Record<string, unknown>) =>
      h.db
        .updateTable('service_providers')
        .set({ settings: JSON.stringify(value) })
        .where('id', '=', h.sp.id)
        .execute();
    await setTo({ ...settings, usernameCustomField: 'CustomField4' });
    h.rebuild();
    try {
      const { device } = await pick(() => true);
      const username = name('Crane');
      const id = await h.submit('EditUsernameCostCenter', device, { ContactName: username });
      await h.complete(h.pendingRequest(device.iccid ?? '').requestId);
      await h.deliverQueued();
      expect((await h.changeOf(id)).status).toBe('PROCESSED');
      const line = h.sim.device(device.iccid ?? '');
      expect(line?.customFields.CustomField4).toBe(username);
      expect(line?.customFields.CustomField1).not.toBe(username);
    } finally {
      await setTo(settings);
      h.rebuild();
    }
  });

  it('ThingSpace fails the custom-field request: API_FAILED, no Rev.io call, row unchanged', async () => {
    const { device } = await pick(hasCc1);
    const revioCalls = h.revioSim.journal.length;
    const id = await h.submit('EditUsernameCostCenter', device, {
      ContactName: name('Nope'),
      CostCenter1: 'NEVER-1',
    });
    h.sim.failRequest(h.pendingRequest(device.iccid ?? '').requestId);
    await h.sim.whenIdle();
    await h.deliverQueued();
    const change = await h.changeOf(id);
    expect(change.status).toBe('API_FAILED');
    expect(change.status_details).toMatch(
      /^Unsuccessfully updated the Username \(Nope .*\): ThingSpace: ProvisioningFailed/,
    );
    expect(h.revioSim.journal.length).toBe(revioCalls);
    expect(await h.history(id)).toHaveLength(0);
  });

  it('Rev.io down: retried later without writing the username to ThingSpace again', async () => {
    const { device } = await pick(hasCc1);
    const username = name('Retry');
    const id = await h.submit('EditUsernameCostCenter', device, {
      ContactName: username,
      CostCenter1: 'LATER-1',
    });
    h.revioSim.faults.add({ operation: 'patchService', effect: { kind: 'error', status: 503 } });
    try {
      await h.complete(h.pendingRequest(device.iccid ?? '').requestId);
      await h.deliverQueued();
      const waiting = await h.changeOf(id);
      expect(waiting.status).toBe('PENDING');
      expect(waiting.last_error).toContain('503');
    } finally {
      h.revioSim.faults.clear();
    }
    await h.recheck(id);
    expect((await h.changeOf(id)).status).toBe('PROCESSED');
    expect(h.requestsFor(device.iccid ?? '', 'updateCustomFields')).toHaveLength(1);
    expect((await h.deviceRow(device.id)).cost_center_1).toBe('LATER-1');
  });

  it('cost centers only: Rev.io without a ThingSpace call; no service is reported, not hidden', async () => {
    const { device } = await pick((l) => l === undefined);
    const before = h.sim.journal.length;
    const id = await h.submit('EditUsernameCostCenter', device, { CostCenter2: 'FLEET-9' });
    const change = await h.changeOf(id);
    expect(change.status).toBe('PROCESSED');
    expect(change.status_details).toContain(
      `CostCenter2 'FLEET-9' not pushed: no Rev.io service for ICCID ${device.iccid}`,
    );
    expect(h.sim.journal.length).toBe(before);
  });

  it('writes disabled: API_FAILED with the original message, no ThingSpace call', async () => {
    const { device } = await pick(() => true);
    const before = h.sim.journal.length;
    await h.db
      .updateTable('service_providers')
      .set({ write_enabled: false })
      .where('id', '=', h.sp.id)
      .execute();
    try {
      const id = await h.submit('EditUsernameCostCenter', device, { ContactName: name('Off') });
      const change = await h.changeOf(id);
      expect(change.status).toBe('API_FAILED');
      expect(change.status_details).toBe(`Writes disabled for service provider ${h.sp.name}`);
      expect(h.sim.journal.length).toBe(before);
    } finally {
      await h.db
        .updateTable('service_providers')
        .set({ write_enabled: true })
        .where('id', '=', h.sp.id)
        .execute();
    }
  });

  it('duplicate delivery: one custom-field request, one history row per field', async () => {
    const { device } = await pick(() => true);
    const username = name('Twice');
    const id = await h.submit(
      'EditUsernameCostCenter',
      device,
      { ContactName: username },
      { deliveries: 2 },
    );
    h.sim.configure({ callbacks: { duplicates: 1 } });
    try {
      await h.complete(h.pendingRequest(device.iccid ?? '').requestId);
      await h.deliverQueued();
    } finally {
      h.sim.configure({ callbacks: { duplicates: 0 } });
    }
    expect((await h.changeOf(id)).status).toBe('PROCESSED');
    expect(h.requestsFor(device.iccid ?? '', 'updateCustomFields')).toHaveLength(1);
    expect((await h.history(id)).filter((r) => r.field === 'username')).toHaveLength(1);
  });
});
