import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { imeiFor } from '../support/db-fixtures.ts';
import { startTelegenceHarness, type TelegenceHarness } from '../support/telegence-fixtures.ts';
import { useTestDatabase } from '../support/test-database.ts';

/**
 * CarrierRatePlanChange and ChangeICCIDAndIMEI on Telegence end to end: engine message
 * processor, real handlers and gateway, Telegence simulator over HTTP.
 */
describe('Telegence CarrierRatePlanChange and ChangeICCIDAndIMEI through the engine', () => {
  const testDb = useTestDatabase();
  let h: TelegenceHarness;

  beforeAll(async () => {
    h = await startTelegenceHarness(testDb, 31);
  });

  afterEach(() => {
    h.sim.faults.clear();
  });

  afterAll(async () => {
    await h?.sim.close();
  });

  it('changes the rate plan of each line once (parallel, duplicate delivery), with the effective date and history', async () => {
    const devices = (await h.lines('A', 6)).filter((d) => d.carrier_rate_plan !== 'IOTDATA100MB');
    const from = h.sim.journal.length;
    const id = await h.create(
      'CarrierRatePlanChange',
      { RatePlanName: 'IOTDATA100MB', EffectiveDate: '2030-01-01T00:00:00Z' },
      devices,
    );
    await Promise.all([h.deliver(id), h.deliver(id)]);
    expect(await h.run(id)).toBe('PROCESSED');
    const changes = await h.changes(id);
    expect(changes.every((c) => c.status === 'PROCESSED')).toBe(true);
    for (const d of devices) {
      const patches = h.appliedPatches(d.msisdn ?? '', from);
      expect(patches).toHaveLength(1);
      expect(patches[0]?.body).toEqual({
        effectiveDate: '2030-01-01T00:00:00.000Z',
        serviceCharacteristic: [{ name: 'singleUserCode', value: 'IOTDATA100MB' }],
      });
      expect((await h.device(d.id)).carrier_rate_plan).toBe('IOTDATA100MB');
    }
    const history = await h.history(id);
    expect(history.map((r) => [r.field, r.new_value])).toEqual(
      devices.map(() => ['carrier_rate_plan', 'IOTDATA100MB']),
    );
    const descriptions = (await h.logs(id)).map((l) => l.description);
    expect(
      descriptions.filter((d) => d === 'Carrier Rate Plan Change: Telegence API'),
    ).toHaveLength(devices.length);
    expect(descriptions.filter((d) => d === 'Carrier Rate Plan Change: AMOP Update')).toHaveLength(
      devices.length,
    );
  });

  it('defaults the effective date to now and recovers from a carrier 502', async () => {
    const [device] = await h.lines('A', 1);
    if (device === undefined) throw new Error('no line');
    const from = h.sim.journal.length;
    h.sim.faults.add({ operation: 'patchLine', effect: { kind: 'error', status: 502 }, times: 1 });
    const before = Date.now();
    const id = await h.create('CarrierRatePlanChange', { CarrierRatePlan: 'IOTDATA25MB' }, [
      device,
    ]);
    expect(await h.run(id)).toBe('PROCESSED');
    expect((await h.changes(id))[0]?.status).toBe('PROCESSED');
    const calls = h.calls('patchLine', from);
    expect(calls.map((c) => c.outcome)).toEqual([502, 200]);
    const body = calls[1]?.body as { effectiveDate?: string } | undefined;
    const sent = Date.parse(body?.effectiveDate ?? '');
    expect(sent).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000);
    expect(h.sim.line(device.msisdn ?? '')?.singleUserCode).toBe('IOTDATA25MB');
  });

  it('refuses a plan code unknown to the service provider before any call, and fails an unknown line', async () => {
    const [device] = await h.lines('A', 1);
    const [ghost] = await h.newSims(1);
    if (device === undefined || ghost === undefined) throw new Error('no line');
    await h.db
      .updateTable('devices')
      .set({ msisdn: '12025550188' })
      .where('id', '=', ghost.id)
      .execute();
    const from = h.sim.journal.length;
    const refused = await h.create('CarrierRatePlanChange', { CarrierRatePlan: 'GOLD' }, [device]);
    expect(await h.run(refused)).toBe('PROCESSED');
    const [change] = await h.changes(refused);
    expect(change?.status).toBe('API_FAILED');
    expect(change?.status_details).toContain(
      'Carrier rate plan GOLD does not exist for service provider',
    );
    expect(h.calls('patchLine', from)).toHaveLength(0);

    const unknown = await h.create('CarrierRatePlanChange', { CarrierRatePlan: 'IOTDATA5MB' }, [
      { ...ghost, msisdn: '12025550188' },
    ]);
    expect(await h.run(unknown)).toBe('PROCESSED');
    const [failed] = await h.changes(unknown);
    expect(failed?.status).toBe('API_FAILED');
    expect(failed?.status_details).toContain('HTTP 404');
    expect((await h.device(ghost.id)).carrier_rate_plan).toBeNull();
  });

  it('swaps SIM and IMEI once, updates the identifiers with history and sets the customer rate plan', async () => {
    const [device] = await h.lines('A', 1);
    const [spare] = await h.newSims(1);
    if (device === undefined || spare === undefined) throw new Error('no line');
    const newIccid = spare.iccid ?? '';
    const newImei = spare.imei ?? '';
    await h.db.deleteFrom('devices').where('id', '=', spare.id).execute();
    const plan = await h.db
      .selectFrom('customer_rate_plans')
      .select('id')
      .where('tenant_id', '=', h.provider.tenant_id)
      .executeTakeFirstOrThrow();
    const from = h.sim.journal.length;
    const id = await h.create(
      'ChangeICCIDAndIMEI',
      {
        NewICCID: newIccid,
        NewIMEI: newImei,
        AddCustomerRatePlan: true,
        CustomerRatePlan: plan.id,
      },
      [device],
    );
    await Promise.all([h.deliver(id), h.deliver(id)]);
    expect(await h.run(id)).toBe('PROCESSED');
    const [change] = await h.changes(id);
    expect(change?.status).toBe('PROCESSED');
    const patches = h.appliedPatches(device.msisdn ?? '', from);
    expect(patches).toHaveLength(1);
    expect(patches[0]?.body).toEqual({
      serviceCharacteristic: [
        { name: 'reasonCode', value: 'CUST_OWN_EQU' },
        { name: 'IMEI', value: newImei },
        { name: 'sim', value: newIccid },
      ],
    });
    expect(h.sim.line(device.msisdn ?? '')?.sim).toBe(newIccid);
    const row = await h.device(device.id);
    expect([row.iccid, row.imei, row.customer_rate_plan_id]).toEqual([newIccid, newImei, plan.id]);
    const history = await h.history(id);
    expect(history.map((r) => [r.field, r.previous_value, r.new_value])).toEqual(
      expect.arrayContaining([
        ['iccid', device.iccid, newIccid],
        ['imei', device.imei, newImei],
      ]),
    );
    const descriptions = (await h.logs(id)).map((l) => l.description);
    expect(descriptions).toEqual(
      expect.arrayContaining([
        'Update Telegence Subscriber: Telegence API',
        'Associate Customer: Update AMOP Customer Rate Plan',
      ]),
    );
  });

  it('recovers from a carrier 500 and a timeout on the swap (idempotent PATCH sent again)', async () => {
    const [device] = await h.lines('A', 1);
    if (device === undefined) throw new Error('no line');
    const newImei = imeiFor(87_654_321);
    const from = h.sim.journal.length;
    h.sim.faults.add({ operation: 'patchLine', effect: { kind: 'error', status: 500 }, times: 1 });
    h.sim.faults.add({
      operation: 'patchLine',
      effect: { kind: 'hang', applyWrite: true },
      times: 1,
    });
    const id = await h.create('ChangeICCIDAndIMEI', { NewIMEI: newImei }, [device]);
    expect(await h.run(id)).toBe('PROCESSED');
    const [change] = await h.changes(id);
    expect([change?.status, change?.status_details]).toEqual(['PROCESSED', expect.any(String)]);
    expect(h.calls('patchLine', from).map((e) => e.outcome)).toEqual([500, 'hang', 200]);
    expect(h.sim.line(device.msisdn ?? '')?.imei).toBe(newImei);
    expect((await h.device(device.id)).imei).toBe(newImei);
  });

  it('fails an eSIM-only device with the original message and leaves it unchanged', async () => {
    const [device] = await h.lines('A', 1);
    const [spare] = await h.newSims(1);
    if (device === undefined || spare === undefined) throw new Error('no line');
    const newIccid = spare.iccid ?? '';
    await h.db.deleteFrom('devices').where('id', '=', spare.id).execute();
    h.sim.requireEsim(newIccid);
    const id = await h.create('ChangeICCIDAndIMEI', { NewICCID: newIccid }, [device]);
    expect(await h.run(id)).toBe('PROCESSED');
    const [change] = await h.changes(id);
    expect(change?.status).toBe('API_FAILED');
    expect(change?.status_details).toBe(
      'Telegence: ICCID/IMEI swap failed. Device requires an eSIM profile.',
    );
    const logs = await h.logs(id);
    expect(logs.map((l) => l.description)).toEqual(
      expect.arrayContaining(['Change Equipment - eSIM Required']),
    );
    expect((await h.device(device.id)).iccid).toBe(device.iccid);
    expect(await h.history(id)).toHaveLength(0);
  });

  it('refuses an ICCID of another device before any call, and fails a SIM in use at the carrier', async () => {
    const [device, other] = await h.lines('A', 2);
    if (device === undefined || other === undefined) throw new Error('no line');
    const from = h.sim.journal.length;
    const local = await h.create('ChangeICCIDAndIMEI', { NewICCID: other.iccid }, [device]);
    expect(await h.run(local)).toBe('PROCESSED');
    expect((await h.changes(local))[0]?.status_details).toContain(
      `NewICCID ${other.iccid} already belongs to another device`,
    );
    expect(h.calls('patchLine', from)).toHaveLength(0);

    // The carrier knows the SIM on another line although the device database does not.
    await h.db.updateTable('devices').set({ iccid: null }).where('id', '=', other.id).execute();
    const carrier = await h.create('ChangeICCIDAndIMEI', { NewICCID: other.iccid }, [device]);
    expect(await h.run(carrier)).toBe('PROCESSED');
    const [failed] = await h.changes(carrier);
    expect(failed?.status).toBe('API_FAILED');
    expect(failed?.status_details).toContain('SIM_IN_USE');
    expect((await h.device(device.id)).iccid).toBe(device.iccid);
  });
});
