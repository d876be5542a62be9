import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useTestDatabase } from '../support/test-database.ts';
import { startThingSpaceHarness, type ThingSpaceHarness } from '../support/thingspace-fixtures.ts';

/**
 * StatusUpdate on ThingSpace, activation paths: add, add then activate (with the primary place
 * of use), activate alone; MSISDN and IP address back-filled on the device row afterwards.
 */
describe('StatusUpdate on ThingSpace: pending activation and active', () => {
  const testDb = useTestDatabase();
  let h: ThingSpaceHarness;

  beforeAll(async () => {
    h = await startThingSpaceHarness(testDb(), 29);
  });
  afterAll(async () => {
    await h?.close();
  });

  const PPU = {
    FirstName: 'Ada',
    LastName: 'Lovelace',
    AddressLine: '1 Analytical Way',
    City: 'Atlanta',
    State: 'GA',
    ZipCode: '30301',
    Country: 'USA',
  };

  it('pending activation: the SIM is added to the account (preactive), synchronously', async () => {
    const device = await h.device('inventory');
    expect(h.sim.device(device.iccid ?? '')).toBeUndefined();
    const id = await h.submit('StatusUpdate', device, { UpdateStatus: 'Pending Activation' });
    const change = await h.changeOf(id);
    expect(change.status).toBe('PROCESSED');
    expect(h.sim.device(device.iccid ?? '')?.state).toBe('preactive');
    expect((await h.deviceRow(device.id)).status).toBe('pending activation');
    expect((await h.logs(id)).map((l) => l.description)).toContain(
      'Add ThingSpace Device: ThingSpace API',
    );
  });

  it('active: add, then activate with the primary place of use; MSISDN and IP from the callback', async () => {
    const device = await h.device('inventory', () => true);
    const id = await h.submit('StatusUpdate', device, {
      UpdateStatus: 'active',
      Request: {
        IMEI: device.imei ?? undefined,
        RatePlanCode: 'M2MPlan25MB',
        MdnZipCode: '30301',
        thingSpacePPU: PPU,
      },
    });
    expect((await h.changeOf(id)).status).toBe('PENDING');
    const request = h.pendingRequest(device.iccid ?? '');
    expect(request).toMatchObject({
      kind: 'activate',
      payload: {
        servicePlan: 'M2MPlan25MB',
        primaryPlaceOfUse: { customerName: { firstName: 'Ada' } },
      },
    });
    await h.complete(request.requestId);
    await h.deliverQueued();
    const change = await h.changeOf(id);
    expect(change.status).toBe('PROCESSED');
    const line = h.sim.device(device.iccid ?? '');
    expect(line?.state).toBe('active');
    const row = await h.deviceRow(device.id);
    expect(row.status).toBe('active');
    expect(row.msisdn).toBe(line?.msisdn);
    expect(row.ip_address).toBe(line?.ipAddress);
    expect(row.username).toBe('Ada Lovelace');
    const fields = (await h.history(id)).map((r) => r.field).sort();
    expect(fields).toEqual(expect.arrayContaining(['ip_address', 'msisdn', 'status', 'username']));
    expect((await h.logs(id)).map((l) => l.description).sort()).toEqual([
      'Activate ThingSpace Device: ThingSpace API',
      'Activate ThingSpace Device: ThingSpace Callback',
      'Activate ThingSpace Device: Update DB with Details',
      'Add ThingSpace Device: ThingSpace API',
      'Update ThingSpace Device Status: AMOP DB',
    ]);
    expect(h.requestsFor(device.iccid ?? '', 'activate')).toHaveLength(1);
  });

  it('pending activation ignoring the current status activates; by polling, MSISDN from the device list', async () => {
    const device = await h.device('pending activation');
    h.sim.configure({ callbacks: { drop: true } });
    try {
      const id = await h.submit('StatusUpdate', device, {
        UpdateStatus: 'pending activation',
        IsIgnoreCurrentStatus: true,
        PostUpdateStatusId: Number(
          (
            await h.db
              .selectFrom('device_statuses')
              .select('id')
              .where('integration', '=', 'ThingSpace')
              .where('status', '=', 'active')
              .executeTakeFirstOrThrow()
          ).id,
        ),
        Request: { RatePlanCode: 'M2MPlan5MB', MdnZipCode: '10001' },
      });
      expect(h.requestsFor(device.iccid ?? '', 'activate')).toHaveLength(1);
      await h.complete(h.pendingRequest(device.iccid ?? '').requestId);
      await h.recheck(id);
      expect((await h.changeOf(id)).status).toBe('PROCESSED');
      const row = await h.deviceRow(device.id);
      expect(row.status).toBe('active');
      expect(row.msisdn).toBe(h.sim.device(device.iccid ?? '')?.msisdn);
      expect(row.msisdn).not.toBeNull();
    } finally {
      h.sim.configure({ callbacks: { drop: false } });
    }
  });

  it('an activation without a plan or ZIP code, or with an unknown plan, fails before any call', async () => {
    const device = await h.device('pending activation');
    const before = h.sim.journal.length;
    const a = await h.submit('StatusUpdate', device, {
      UpdateStatus: 'active',
      IsIgnoreCurrentStatus: true,
    });
    expect((await h.changeOf(a)).status_details).toBe(
      'Request invalid, missing required information: RatePlanCode, MdnZipCode',
    );
    const b = await h.submit('StatusUpdate', await h.device('pending activation'), {
      UpdateStatus: 'active',
      IsIgnoreCurrentStatus: true,
      Request: { RatePlanCode: 'GOLD', MdnZipCode: '10001' },
    });
    expect((await h.changeOf(b)).status_details).toBe(
      `Carrier rate plan GOLD does not exist for service provider ${h.sp.name}`,
    );
    expect(h.sim.journal.length).toBe(before);
  });

  it('activating an active device: the completion fault fails it clearly', async () => {
    const device = await h.device('active');
    const id = await h.submit('StatusUpdate', device, {
      UpdateStatus: 'active',
      IsIgnoreCurrentStatus: true,
      Request: { RatePlanCode: 'M2MPlan5MB', MdnZipCode: '10001' },
    });
    await h.complete(h.pendingRequest(device.iccid ?? '').requestId);
    await h.deliverQueued();
    const change = await h.changeOf(id);
    expect(change.status).toBe('API_FAILED');
    expect(change.status_details).toContain(
      'ThingSpace: the device is already active (DeviceAlreadyActive:',
    );
  });

  it('a timed-out activation that was applied, and a duplicate message: one activation', async () => {
    const device = await h.device('inventory');
    h.sim.faults.add({
      operation: 'activate',
      times: 1,
      effect: { kind: 'hang', applyWrite: true },
    });
    const id = await h.submit(
      'StatusUpdate',
      device,
      {
        UpdateStatus: 'active',
        IsIgnoreCurrentStatus: true,
        Request: { RatePlanCode: 'M2MPlan5MB', MdnZipCode: '10001' },
      },
      { deliveries: 2 },
    );
    await h.complete(h.pendingRequest(device.iccid ?? '').requestId);
    await h.deliverQueued();
    expect((await h.changeOf(id)).status).toBe('PROCESSED');
    expect(h.requestsFor(device.iccid ?? '', 'activate')).toHaveLength(1);
    expect((await h.deviceRow(device.id)).msisdn).toBe(h.sim.device(device.iccid ?? '')?.msisdn);
  });
});
