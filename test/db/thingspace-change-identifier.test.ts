import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { iccidFor, imeiFor } from '../support/db-fixtures.ts';
import { useTestDatabase } from '../support/test-database.ts';
import {
  logText,
  startThingSpaceHarness,
  type ThingSpaceHarness,
} from '../support/thingspace-fixtures.ts';

/**
 * ChangeICCIDAndIMEI on ThingSpace end to end: change-identifier action against the simulator
 * over HTTP, completion by callback or by request status, then the device row with history.
 */
describe('ChangeICCIDAndIMEI on ThingSpace', () => {
  const testDb = useTestDatabase();
  let h: ThingSpaceHarness;
  let n = 700_000 + Math.floor(Math.random() * 1000) * 100;

  beforeAll(async () => {
    h = await startThingSpaceHarness(testDb(), 23);
  });
  afterAll(async () => {
    await h?.close();
  });

  it('ChangeICCID completes by callback: new ICCID at ThingSpace and on the device row', async () => {
    const device = await h.device('active');
    const newIccid = iccidFor(++n);
    const id = await h.submit('ChangeICCIDAndIMEI', device, { NewICCID: newIccid });
    expect((await h.changeOf(id)).status).toBe('PENDING');
    const request = h.pendingRequest(device.iccid ?? '');
    expect(request).toMatchObject({
      kind: 'changeIdentifier',
      payload: { kind: 'iccid', newId: newIccid },
    });
    await h.complete(request.requestId);
    await h.deliverQueued();
    const change = await h.changeOf(id);
    expect(change.status).toBe('PROCESSED');
    expect(change.status_details).toBe(
      `Device identifier changed successfully: ICCID ${device.iccid} → ${newIccid}`,
    );
    expect(h.sim.device(newIccid)?.state).toBe('active');
    expect((await h.deviceRow(device.id)).iccid).toBe(newIccid);
    expect((await h.history(id)).map((r) => [r.field, r.previous_value, r.new_value])).toEqual([
      ['iccid', device.iccid, newIccid],
    ]);
    const logs = await h.logs(id);
    expect(logs.map((l) => l.description)).toEqual([
      'Change ThingSpace Device Identifier: ThingSpace API',
      'Change ThingSpace Device Identifier: ThingSpace Callback',
      'Change ThingSpace Device Identifier: AMOP Update',
    ]);
    expect(logs[0]?.request_text).toContain('"change4gOption":"ChangeICCID"');
    expect(logText(logs)).not.toContain(h.callbackPassword);
  });

  it('ChangeIMEI completes by request status when the callback is missing', async () => {
    const device = await h.device('active', (line) => line?.imei !== null);
    const newImei = imeiFor(++n);
    h.sim.configure({ callbacks: { drop: true } });
    try {
      const id = await h.submit('ChangeICCIDAndIMEI', device, { NewIMEI: newImei });
      await h.complete(h.pendingRequest(device.iccid ?? '').requestId);
      await h.deliverQueued();
      expect((await h.changeOf(id)).status).toBe('PENDING'); // no callback came
      await h.recheck(id);
      const change = await h.changeOf(id);
      expect(change.status).toBe('PROCESSED');
      expect(h.sim.device(device.iccid ?? '')?.imei).toBe(newImei);
      expect((await h.deviceRow(device.id)).imei).toBe(newImei);
      expect((await h.history(id)).map((r) => r.field)).toEqual(['imei']);
      expect((await h.logs(id)).map((l) => l.description)).toContain(
        'Change ThingSpace Device Identifier: ThingSpace Request Status',
      );
    } finally {
      h.sim.configure({ callbacks: { drop: false } });
    }
  });

  it('a new ICCID ThingSpace already knows is refused at once with a clear error', async () => {
    const device = await h.device('active');
    const other = await h.device('active');
    const id = await h.submit('ChangeICCIDAndIMEI', device, { NewICCID: other.iccid });
    const change = await h.changeOf(id);
    expect(change.status).toBe('API_FAILED');
    expect(change.status_details).toContain('the new identifier is already known to ThingSpace');
    expect(h.requestsFor(device.iccid ?? '')).toHaveLength(0);
    expect((await h.deviceRow(device.id)).iccid).toBe(device.iccid);
  });

  it('a device that is not active: the failed request fails the device, row unchanged', async () => {
    const device = await h.device('suspend');
    const id = await h.submit('ChangeICCIDAndIMEI', device, { NewICCID: iccidFor(++n) });
    await h.complete(h.pendingRequest(device.iccid ?? '').requestId);
    await h.deliverQueued();
    const change = await h.changeOf(id);
    expect(change.status).toBe('API_FAILED');
    expect(change.status_details).toContain(
      'ThingSpace: the device is not active (DeviceNotActive:',
    );
    expect(await h.history(id)).toHaveLength(0);
  });

  it('an invalid request names the field', async () => {
    const device = await h.device('active');
    const id = await h.submit('ChangeICCIDAndIMEI', device, { NewICCID: '8914800000000000001' });
    const change = await h.changeOf(id);
    expect(change.status).toBe('API_FAILED');
    expect(change.status_details).toMatch(/^Invalid ChangeICCIDAndIMEI request: NewICCID /);
    expect(h.requestsFor(device.iccid ?? '')).toHaveLength(0);
  });

  it('a 500 (maybe applied) is looked up, then retried: one identifier change at the carrier', async () => {
    const device = await h.device('active');
    const newIccid = iccidFor(++n);
    h.sim.faults.add({
      operation: 'changeIdentifier',
      times: 1,
      effect: { kind: 'error', status: 500 },
    });
    const id = await h.submit('ChangeICCIDAndIMEI', device, { NewICCID: newIccid });
    const calls = h.sim.journal.filter(
      (e) => e.operation === 'changeIdentifier' && JSON.stringify(e.body).includes(newIccid),
    );
    expect(calls.map((e) => e.outcome)).toEqual([500, 200]);
    await h.complete(h.pendingRequest(device.iccid ?? '').requestId);
    await h.deliverQueued();
    expect((await h.changeOf(id)).status).toBe('PROCESSED');
    expect(h.requestsFor(newIccid, 'changeIdentifier')).toHaveLength(1);
  });

  it('duplicate message delivery and duplicate callbacks: one change, one history row', async () => {
    const device = await h.device('active');
    const newIccid = iccidFor(++n);
    const id = await h.submit(
      'ChangeICCIDAndIMEI',
      device,
      { NewICCID: newIccid },
      { deliveries: 2 },
    );
    h.sim.configure({ callbacks: { duplicates: 2 } });
    try {
      await h.complete(h.pendingRequest(device.iccid ?? '').requestId);
      await h.deliverQueued();
    } finally {
      h.sim.configure({ callbacks: { duplicates: 0 } });
    }
    expect((await h.changeOf(id)).status).toBe('PROCESSED');
    expect(h.requestsFor(newIccid, 'changeIdentifier')).toHaveLength(1);
    expect(await h.history(id)).toHaveLength(1);
    expect(await h.bulkStatus(id)).toBe('PROCESSED');
  });
});
