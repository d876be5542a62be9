import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useTestDatabase } from '../support/test-database.ts';
import {
  logText,
  startThingSpaceHarness,
  type ThingSpaceHarness,
} from '../support/thingspace-fixtures.ts';

/**
 * StatusUpdate on ThingSpace end to end (suspend, restore, deactivate, vendor rules, faults):
 * the engine, the real handler and gateway, the simulator over HTTP, and completion through
 * the service's callback endpoint or the request status. Activation: the next file.
 */
describe('StatusUpdate on ThingSpace: suspend, restore, deactivate', () => {
  const testDb = useTestDatabase();
  let h: ThingSpaceHarness;

  beforeAll(async () => {
    h = await startThingSpaceHarness(testDb(), 27);
  });
  afterAll(async () => {
    await h?.close();
  });

  const statusId = async (status: string) =>
    Number(
      (
        await h.db
          .selectFrom('device_statuses')
          .select('id')
          .where('integration', '=', 'ThingSpace')
          .where('status', '=', status)
          .executeTakeFirstOrThrow()
      ).id,
    );

  it('suspend completes by callback; the device status follows PostUpdateStatusId', async () => {
    const device = await h.device('active');
    const id = await h.submit('StatusUpdate', device, {
      UpdateStatus: 'Suspend',
      PostUpdateStatusId: await statusId('suspend'),
    });
    expect((await h.changeOf(id)).status).toBe('PENDING');
    expect(h.sim.device(device.iccid ?? '')?.state).toBe('active'); // not completed yet
    await h.complete(h.pendingRequest(device.iccid ?? '').requestId);
    await h.deliverQueued();
    const change = await h.changeOf(id);
    expect(change.status).toBe('PROCESSED');
    expect(change.status_details).toBe('Device status updated to suspend');
    expect(h.sim.device(device.iccid ?? '')?.state).toBe('suspend');
    expect((await h.deviceRow(device.id)).status).toBe('suspend');
    expect((await h.history(id)).map((r) => [r.field, r.previous_value, r.new_value])).toEqual([
      ['status', 'active', 'suspend'],
    ]);
    const logs = await h.logs(id);
    expect(logs.map((l) => l.description).sort()).toEqual([
      'Suspend ThingSpace Device: ThingSpace API',
      'Suspend ThingSpace Device: ThingSpace Callback',
      'Update ThingSpace Device Status: AMOP DB',
    ]);
    expect(logText(logs)).not.toContain(h.callbackPassword);
    expect(await h.bulkStatus(id)).toBe('PROCESSED');
  });

  it('restore completes by request status when no callback comes', async () => {
    const device = await h.device('suspend');
    h.sim.configure({ callbacks: { drop: true } });
    try {
      const id = await h.submit('StatusUpdate', device, { UpdateStatus: 'restore' });
      await h.complete(h.pendingRequest(device.iccid ?? '').requestId);
      await h.recheck(id);
      expect((await h.changeOf(id)).status).toBe('PROCESSED');
      expect((await h.deviceRow(device.id)).status).toBe('active');
      expect(h.sim.device(device.iccid ?? '')?.state).toBe('active');
    } finally {
      h.sim.configure({ callbacks: { drop: false } });
    }
  });

  it('deactivate sends the reason code; without one it fails before any call', async () => {
    const device = await h.device('active');
    const id = await h.submit('StatusUpdate', device, {
      UpdateStatus: 'deactive',
      Request: { ReasonCode: 'FF' },
    });
    const request = h.pendingRequest(device.iccid ?? '');
    expect(request).toMatchObject({ kind: 'deactivate', payload: { reasonCode: 'FF' } });
    await h.complete(request.requestId);
    await h.deliverQueued();
    expect((await h.changeOf(id)).status).toBe('PROCESSED');
    expect((await h.deviceRow(device.id)).status).toBe('deactive');

    const other = await h.device('active');
    const before = h.sim.journal.length;
    const refused = await h.submit('StatusUpdate', other, { UpdateStatus: 'Deactivate' });
    const change = await h.changeOf(refused);
    expect(change.status).toBe('API_FAILED');
    expect(change.status_details).toBe(
      'Request invalid, missing required information: ReasonCode (needed to deactivate)',
    );
    expect(h.sim.journal.length).toBe(before);
  });

  it('5 provisioning actions a day: the sixth is refused with a clear per-device error', async () => {
    const device = await h.device('active');
    const line = h.sim.device(device.iccid ?? '');
    h.sim.state.counters.set(`day:${line?.lineId}:${Math.floor(Date.now() / 86_400_000)}`, 5);
    const id = await h.submit('StatusUpdate', device, { UpdateStatus: 'suspend' });
    const change = await h.changeOf(id);
    expect(change.status).toBe('API_FAILED');
    expect(change.status_details).toMatch(
      /^ThingSpace: ThingSpace allows at most 5 provisioning actions .* per line per day, and this line has reached that limit \(ProvisioningLimitExceeded/,
    );
    expect((await h.deviceRow(device.id)).status).toBe('active');
  });

  it('the carrier state machine refuses at completion: clear error, row unchanged', async () => {
    const device = await h.device('deactive');
    const id = await h.submit('StatusUpdate', device, { UpdateStatus: 'suspend' });
    await h.complete(h.pendingRequest(device.iccid ?? '').requestId);
    await h.deliverQueued();
    const change = await h.changeOf(id);
    expect(change.status).toBe('API_FAILED');
    expect(change.status_details).toContain(
      'ThingSpace: the device is not active (DeviceNotActive:',
    );
    expect(await h.history(id)).toHaveLength(0);
  });

  it('an unsupported status or a foreign PostUpdateStatusId fails before any call', async () => {
    const device = await h.device('active');
    const before = h.sim.journal.length;
    const a = await h.submit('StatusUpdate', device, { UpdateStatus: 'hibernate' });
    expect((await h.changeOf(a)).status_details).toMatch(
      /^Unsupported Status 'hibernate' for ThingSpace/,
    );
    expect((await h.logs(a)).map((l) => l.description)).toContain(
      'Update ThingSpace Device Status: General',
    );
    const jasperStatus = Number(
      (
        await h.db
          .selectFrom('device_statuses')
          .select('id')
          .where('integration', '=', 'Jasper')
          .executeTakeFirstOrThrow()
      ).id,
    );
    const b = await h.submit('StatusUpdate', await h.device('active'), {
      UpdateStatus: 'suspend',
      PostUpdateStatusId: jasperStatus,
    });
    expect((await h.changeOf(b)).status_details).toBe(
      `PostUpdateStatusId ${jasperStatus} is not a ThingSpace device status`,
    );
    expect(h.sim.journal.length).toBe(before);
  });

  it('inventory: database only, no ThingSpace call', async () => {
    const device = await h.device('deactive');
    const before = h.sim.journal.length;
    const id = await h.submit('StatusUpdate', device, { UpdateStatus: 'Inventory' });
    expect((await h.changeOf(id)).status).toBe('PROCESSED');
    expect((await h.deviceRow(device.id)).status).toBe('inventory');
    expect(h.sim.journal.length).toBe(before);
  });

  it('a timed-out suspend that was applied and a 503 restore: each sent once', async () => {
    const active = await h.device('active');
    const suspended = await h.device('suspend');
    h.sim.faults.add({
      operation: 'suspend',
      times: 1,
      effect: { kind: 'hang', applyWrite: true },
    });
    h.sim.faults.add({ operation: 'restore', times: 2, effect: { kind: 'error', status: 503 } });
    const a = await h.submit('StatusUpdate', active, { UpdateStatus: 'suspend' });
    const b = await h.submit('StatusUpdate', suspended, { UpdateStatus: 'restore' });
    await h.complete(h.pendingRequest(active.iccid ?? '').requestId);
    await h.complete(h.pendingRequest(suspended.iccid ?? '').requestId);
    await h.deliverQueued();
    expect([(await h.changeOf(a)).status, (await h.changeOf(b)).status]).toEqual([
      'PROCESSED',
      'PROCESSED',
    ]);
    expect(h.requestsFor(active.iccid ?? '', 'suspend')).toHaveLength(1);
    expect(h.requestsFor(suspended.iccid ?? '', 'restore')).toHaveLength(1);
    const restoreCalls = h.sim.journal.filter(
      (e) => e.operation === 'restore' && JSON.stringify(e.body).includes(suspended.iccid ?? '-'),
    );
    expect(restoreCalls.map((e) => e.outcome)).toEqual([503, 503, 200]);
  });

  it('a bulk change of many devices: per-device results, each device suspended once', async () => {
    const active = [];
    for (let i = 0; i < 8; i++) active.push(await h.device('active'));
    const gone = await h.device('deactive');
    const id = await h.submitMany('StatusUpdate', [...active, gone], { UpdateStatus: 'suspend' });
    await h.completeAll();
    await h.deliverQueued();
    const rows = await h.db
      .selectFrom('device_changes')
      .select(['iccid', 'status', 'status_details'])
      .where('bulk_change_id', '=', id)
      .execute();
    const byIccid = new Map(rows.map((r) => [r.iccid, r]));
    for (const d of active) expect(byIccid.get(d.iccid)?.status).toBe('PROCESSED');
    expect(byIccid.get(gone.iccid)?.status).toBe('API_FAILED');
    expect(byIccid.get(gone.iccid)?.status_details).toContain('DeviceNotActive');
    for (const d of active) expect(h.requestsFor(d.iccid ?? '', 'suspend')).toHaveLength(1);
    expect(await h.bulkStatus(id)).toBe('PROCESSED');
    expect((await h.history(id)).filter((r) => r.field === 'status')).toHaveLength(active.length);
  });

  it('duplicate delivery, duplicate and late callbacks: one suspend, one history row', async () => {
    const device = await h.device('active');
    const id = await h.submit(
      'StatusUpdate',
      device,
      { UpdateStatus: 'suspend' },
      { deliveries: 2 },
    );
    h.sim.configure({ callbacks: { duplicates: 2 } });
    try {
      await h.complete(h.pendingRequest(device.iccid ?? '').requestId);
      await h.deliverQueued();
    } finally {
      h.sim.configure({ callbacks: { duplicates: 0 } });
    }
    await h.processMessage(
      { bulkChangeId: id, retryNumber: 0 },
      { messageId: 'late', deadline: Date.now() + 30_000, signal: new AbortController().signal },
    );
    expect((await h.changeOf(id)).status).toBe('PROCESSED');
    expect(h.requestsFor(device.iccid ?? '', 'suspend')).toHaveLength(1);
    expect(await h.history(id)).toHaveLength(1);
  });
});
