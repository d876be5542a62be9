import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../domain/errors.ts';
import { IntegrationError } from '../shared/integration-error.ts';
import {
  failure,
  fastPolicy,
  type JasperTestBed,
  startJasperTestBed,
  TEST_DATASET,
} from './jasper-test-kit.ts';

let bed: JasperTestBed;
beforeAll(async () => {
  bed = await startJasperTestBed();
});
afterAll(async () => {
  await bed.sim.close();
});
afterEach(() => {
  bed.sim.reset();
});

const basic = (key = 'pod19') => {
  const { username, apiKey } = bed.credentials(key);
  return `Basic ${Buffer.from(`${username}:${apiKey}`).toString('base64')}`;
};
const activated = (d: Record<string, string | null>) => d.status === 'ACTIVATED';

describe('jasper client — get device', () => {
  it('returns the seeded device and sends GET with Basic auth, nothing else', async () => {
    const iccid = bed.device('pod19', activated);
    const seeded = TEST_DATASET.devices.find((d) => d.iccid === iccid);
    const device = await bed.client().getDevice(iccid);
    expect(device).toMatchObject({
      iccid,
      status: 'ACTIVATED',
      ratePlan: seeded?.carrierRatePlan,
      communicationPlan: seeded?.communicationPlan,
      accountCustom1: seeded?.username ?? '',
    });
    expect(bed.sim.journal).toHaveLength(1);
    const [entry] = bed.sim.journal;
    expect(entry).toMatchObject({
      method: 'GET',
      path: `/rws/api/v1/devices/${iccid}`,
      rawBody: '',
    });
    expect(entry?.headers.authorization).toBe(basic());
    expect(entry?.headers.accept).toBe('application/json');
  });

  it('maps an unknown ICCID, and a device of another account, to a terminal 404', async () => {
    const other = bed.device('jasper');
    for (const iccid of ['8901170000000000001', other]) {
      const error = await failure(bed.client().getDevice(iccid));
      expect(error).toBeInstanceOf(IntegrationError);
      expect(error).toMatchObject({
        code: ErrorCode.INTEGRATION_REJECTED,
        httpStatus: 404,
        vendorCode: '20000001',
        retryable: false,
        deviceId: iccid,
        operation: 'getDevice',
      });
    }
    expect(bed.sim.journal).toHaveLength(2);
  });

  it('maps bad credentials to AUTH_FAILED 10000001 without retrying', async () => {
    const client = bed.client('pod19', { apiKey: 'wrong-key', policy: fastPolicy() });
    const error = await failure(client.getDevice(bed.device('pod19')));
    expect(error).toMatchObject({
      code: ErrorCode.INTEGRATION_AUTH_FAILED,
      httpStatus: 401,
      vendorCode: '10000001',
      retryable: false,
    });
    expect(bed.sim.journal.map((e) => e.outcome)).toEqual([401]);
  });

  it('turns a malformed success body into BAD_RESPONSE', async () => {
    bed.sim.faults.add({ operation: 'getDevice', effect: { kind: 'malformed' } });
    const error = await failure(bed.client().getDevice(bed.device('pod19')));
    expect(error).toMatchObject({ code: ErrorCode.INTEGRATION_BAD_RESPONSE, httpStatus: 200 });
  });
});

describe('jasper client — edit device', () => {
  it('upper-cases the status, PUTs JSON and returns the echoed iccid', async () => {
    const iccid = bed.device('pod19', activated);
    const result = await bed.client().editDevice(iccid, { status: 'deactivated' });
    expect(result).toEqual({ iccid, scheduled: false, sent: { status: 'DEACTIVATED' } });
    const [entry] = bed.sim.journal;
    expect(entry).toMatchObject({ method: 'PUT', path: `/rws/api/v1/devices/${iccid}` });
    expect(entry?.rawBody).toBe('{"status":"DEACTIVATED"}');
    expect(entry?.headers['content-type']).toBe('application/json');
    expect(entry?.headers.authorization).toBe(basic());
    expect(bed.sim.device(iccid)?.status).toBe('DEACTIVATED');
    expect(bed.sim.auditRecords(iccid)[0]).toMatchObject({
      field: 'status',
      priorValue: 'ACTIVATED',
      value: 'DEACTIVATED',
      status: 'Executed',
      userName: bed.credentials().username,
    });
  });

  it('changes rate plan and communication plan, and rejects unknown plans', async () => {
    const iccid = bed.device('pod19', activated);
    const client = bed.client();
    await client.editDevice(iccid, {
      ratePlan: 'P19-M2M-10GB',
      communicationPlan: 'CP_Static_IP_LTE',
    });
    expect(bed.sim.journal[0]?.body).toEqual({
      ratePlan: 'P19-M2M-10GB',
      communicationPlan: 'CP_Static_IP_LTE',
    });
    expect(bed.sim.device(iccid)).toMatchObject({
      ratePlan: 'P19-M2M-10GB',
      communicationPlan: 'CP_Static_IP_LTE',
    });
    const badPlan = await failure(client.editDevice(iccid, { ratePlan: 'ATT-M2M-1MB' }));
    expect(badPlan).toMatchObject({
      code: ErrorCode.INTEGRATION_REJECTED,
      httpStatus: 400,
      vendorCode: '10000021',
    });
    const badComm = await failure(client.editDevice(iccid, { communicationPlan: 'CP_Nope' }));
    expect(badComm).toMatchObject({ httpStatus: 400, vendorCode: '10000022', retryable: false });
    expect(bed.sim.device(iccid)?.ratePlan).toBe('P19-M2M-10GB');
  });

  it('enforces the Control Center status transitions', async () => {
    const client = bed.client();
    const active = bed.device('pod19', activated);
    expect(await failure(client.editDevice(active, { status: 'Activated' }))).toMatchObject({
      httpStatus: 400,
      vendorCode: '10030000',
    });
    expect(await failure(client.editDevice(active, { status: 'test ready' }))).toMatchObject({
      httpStatus: 400,
      vendorCode: '10000029',
    });
    const inventory = await failure(client.editDevice(active, { status: 'INVENTORY' }));
    expect(inventory).toMatchObject({
      code: ErrorCode.INTEGRATION_REJECTED,
      httpStatus: 202,
      vendorCode: '1000512',
    });
    expect(bed.sim.device(active)?.status).toBe('ACTIVATED');
    expect(await failure(client.editDevice(active, { status: 'SUSPENDED' }))).toMatchObject({
      vendorCode: '10000020',
    });
    const purged = bed.device('pod19', (d) => d.status === 'DEACTIVATED');
    await client.editDevice(purged, { status: 'PURGED' });
    await client.editDevice(purged, { status: 'inventory' });
    expect(bed.sim.device(purged)?.status).toBe('INVENTORY');
    const ready = bed.device('pod19', (d) => d.dateActivated === null);
    await client.editDevice(ready, { status: 'activated' });
    await client.editDevice(ready, { status: 'deactivated' });
    expect(await failure(client.editDevice(ready, { status: 'ACTIVATION_READY' }))).toMatchObject({
      vendorCode: '10000029',
    });
  });

  it('refuses an edit without fields before sending anything', async () => {
    const error = await failure(bed.client().editDevice(bed.device('pod19'), {}));
    expect(error).toMatchObject({ code: ErrorCode.INTEGRATION_REJECTED, retryable: false });
    expect(bed.sim.journal).toHaveLength(0);
  });

  it('writes custom fields and deviceID as given', async () => {
    const iccid = bed.device('pod19');
    await bed.client().editDevice(iccid, {
      accountCustom4: 'dept-9',
      operatorCustom2: 'op',
      customerCustom5: 'cust',
      deviceID: 'truck-17',
    });
    expect(bed.sim.journal[0]?.body).toEqual({
      accountCustom4: 'dept-9',
      operatorCustom2: 'op',
      customerCustom5: 'cust',
      deviceID: 'truck-17',
    });
    expect(bed.sim.device(iccid)).toMatchObject({ accountCustom4: 'dept-9', deviceID: 'truck-17' });
  });

  it('schedules a future edit (202) that applies when due, and rejects > 180 days', async () => {
    const iccid = bed.device('pod19', activated);
    const client = bed.client();
    const when = new Date(Date.now() + 3_600_000);
    const result = await client.editDevice(iccid, { status: 'DEACTIVATED', effectiveDate: when });
    expect(result.scheduled).toBe(true);
    expect(bed.sim.journal[0]?.body).toEqual({
      status: 'DEACTIVATED',
      effectiveDate: when.toISOString(),
    });
    expect((await client.getDevice(iccid)).status).toBe('ACTIVATED');
    bed.sim.advanceClock(3_600_001);
    expect((await client.getDevice(iccid)).status).toBe('DEACTIVATED');
    expect(bed.sim.auditRecords(iccid)[0]).toMatchObject({
      status: 'Executed',
      value: 'DEACTIVATED',
    });
    const far = new Date(Date.now() + 200 * 86_400_000);
    expect(
      await failure(client.editDevice(iccid, { ratePlan: 'P19-M2M-1MB', effectiveDate: far })),
    ).toMatchObject({
      httpStatus: 400,
      vendorCode: '10000023',
    });
  });

  it('treats a 2xx without iccid as a failure (BAD_RESPONSE), as the original does', async () => {
    const iccid = bed.device('pod19', activated);
    bed.sim.setControls({ missingIccidIccids: [iccid] });
    const client = bed.client('pod19', { policy: fastPolicy() });
    const error = await failure(client.editDevice(iccid, { status: 'DEACTIVATED' }));
    expect(error).toMatchObject({
      code: ErrorCode.INTEGRATION_BAD_RESPONSE,
      httpStatus: 200,
      retryable: false,
    });
    expect((error as Error).message).toContain(`device status for ${iccid} not updated`);
    expect(bed.sim.journal).toHaveLength(1);
  });
});

describe('jasper client — username', () => {
  it('writes the username to accountCustom1 by default, or to the configured field', async () => {
    const iccid = bed.device('pod19');
    await bed.client().setUsername(iccid, 'Truck 0042');
    expect(bed.sim.journal[0]?.body).toEqual({ accountCustom1: 'Truck 0042' });
    const custom = bed.client('pod19', { usernameTargetField: 'accountCustom3' });
    expect(custom.usernameTargetField).toBe('accountCustom3');
    await custom.setUsername(iccid, 'Van 7');
    expect(bed.sim.journal[1]?.body).toEqual({ accountCustom3: 'Van 7' });
    expect(bed.sim.device(iccid)).toMatchObject({
      accountCustom1: 'Truck 0042',
      accountCustom3: 'Van 7',
    });
    expect(() => bed.client('pod19', { usernameTargetField: 'status' })).toThrow(RangeError);
  });
});
