import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { isIntegrationError } from '../shared/integration-error.ts';
import type { ThingSpaceClient } from './thingspace-client.ts';
import { summarizeDevice } from './thingspace-mapper.ts';
import type { ThingSpaceSimulator } from './thingspace-simulator.ts';
import { THINGSPACE_M2M_PREFIX } from './thingspace-simulator.ts';
import {
  ACCOUNT,
  clientFor,
  entries,
  inventorySim,
  lineIn,
  startThingSpace,
} from './thingspace-test-support.ts';

let sim: ThingSpaceSimulator;
let baseUrl: string;
let client: ThingSpaceClient;

beforeAll(async () => {
  ({ sim, baseUrl } = await startThingSpace());
});
afterAll(async () => {
  await sim.close();
});
beforeEach(() => {
  sim.reset();
  client = clientFor(baseUrl);
});

const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => {
      throw new Error('expected a failure');
    },
    (error: unknown) => {
      if (!isIntegrationError(error)) throw error;
      return error;
    },
  );

const M2M = THINGSPACE_M2M_PREFIX;
const byIccid = (iccid: string) => [{ deviceIds: [{ id: iccid, kind: 'iccid' }] }];

describe('changeServicePlan', () => {
  it('sends { devices, servicePlan } and applies the plan at completion', async () => {
    const line = lineIn(sim, 'active');
    const plan = line.servicePlan === 'M2MPlan2GB' ? 'M2MPlan10GB' : 'M2MPlan2GB';
    await client.changeServicePlan({ iccid: line.iccid, servicePlan: plan });
    expect(entries(sim, 'changeServicePlan')[0]).toMatchObject({
      method: 'PUT',
      path: `${M2M}/devices/actions/plan`,
      body: { devices: byIccid(line.iccid), servicePlan: plan },
    });
    // Eventual consistency: the old plan until the request completes.
    expect(sim.device(line.iccid)?.servicePlan).not.toBe(plan);
    await sim.whenIdle();
    expect(sim.device(line.iccid)?.servicePlan).toBe(plan);
  });

  it('refuses a suspended line and a fifth change in the month', async () => {
    const suspended = lineIn(sim, 'suspend');
    const error = await failure(
      client.changeServicePlan({ iccid: suspended.iccid, servicePlan: 'M2MPlan1MB' }),
    );
    expect(error.vendorCode).toBe('UnifiedWebService.REQUEST_FAILED.DeviceSuspended');
    const line = lineIn(sim, 'active');
    for (const plan of ['M2MPlan1MB', 'M2MPlan5MB', 'M2MPlan25MB', 'M2MPlan100MB']) {
      await client.changeServicePlan({ iccid: line.iccid, servicePlan: plan });
    }
    const fifth = await failure(
      client.changeServicePlan({ iccid: line.iccid, servicePlan: 'M2MPlan500MB' }),
    );
    expect(fifth.vendorCode).toBe(
      'UnifiedWebService.REQUEST_FAILED.ServicePlanChangeLimitExceeded',
    );
  });
});

describe('changeIdentifier', () => {
  it('changes the ICCID with change4gOption ChangeICCID', async () => {
    const line = lineIn(sim, 'active');
    const newSim = inventorySim();
    await client.changeIdentifier({
      option: 'ChangeICCID',
      oldId: line.iccid,
      newId: newSim.iccid,
    });
    expect(entries(sim, 'changeIdentifier')[0]).toMatchObject({
      method: 'PUT',
      path: `${M2M}/devices/4G/actions/deviceId`,
      body: {
        deviceIds: [{ id: line.iccid, kind: 'iccid' }],
        deviceIdsTo: [{ id: newSim.iccid, kind: 'iccid' }],
        change4gOption: 'ChangeICCID',
      },
    });
    await sim.whenIdle();
    expect(sim.device(newSim.iccid)?.lineId).toBe(line.lineId);
  });

  it('changes the IMEI and refuses a new identifier that is already known', async () => {
    const line = lineIn(sim, 'active');
    await client.changeIdentifier({
      option: 'ChangeIMEI',
      oldId: line.imei ?? '',
      newId: '356938035643809',
    });
    expect(entries(sim, 'changeIdentifier')[0]?.body).toMatchObject({
      deviceIds: [{ id: line.imei, kind: 'imei' }],
      deviceIdsTo: [{ id: '356938035643809', kind: 'imei' }],
      change4gOption: 'ChangeIMEI',
    });
    await sim.whenIdle();
    expect(sim.device(line.iccid)?.imei).toBe('356938035643809');
    const other = lineIn(sim, 'active', 1);
    const error = await failure(
      client.changeIdentifier({ option: 'ChangeICCID', oldId: line.iccid, newId: other.iccid }),
    );
    expect(error.vendorCode).toBe('UnifiedWebService.REQUEST_FAILED.DeviceAlreadyExists');
  });
});

describe('custom fields', () => {
  it('writes the username into the configured custom field', async () => {
    const line = lineIn(sim, 'active');
    const custom = clientFor(baseUrl, { usernameCustomField: 'CustomField3' });
    await custom.updateUsername({ iccid: line.iccid, username: 'Pump 7' });
    expect(entries(sim, 'updateCustomFields')[0]).toMatchObject({
      method: 'PUT',
      path: `${M2M}/devices/actions/customFields`,
      body: {
        customFieldsToUpdate: [{ key: 'CustomField3', value: 'Pump 7' }],
        devices: byIccid(line.iccid),
      },
    });
    await sim.whenIdle();
    const device = await custom.getDevice(line.iccid);
    expect(device && summarizeDevice(device).customFields.CustomField3).toBe('Pump 7');
  });

  it('refuses a field name that is not CustomField1..5', async () => {
    const line = lineIn(sim, 'active');
    const error = await failure(
      client.updateCustomFields({ iccid: line.iccid, fields: { Owner: 'x' } }),
    );
    expect(error).toMatchObject({
      code: 'INTEGRATION_REJECTED',
      vendorCode: 'DeviceService.INPUT_INVALID.CustomField.InvalidName',
    });
  });
});

describe('device list and request status', () => {
  it('lists by ICCID and returns nothing for an unknown one', async () => {
    const line = lineIn(sim, 'suspend');
    const [device] = await client.listDevices({ iccid: line.iccid });
    expect(entries(sim, 'listDevices')[0]).toMatchObject({
      path: `${M2M}/devices/actions/list`,
      body: { deviceId: { id: line.iccid, kind: 'iccid' } },
    });
    expect(device && summarizeDevice(device)).toMatchObject({
      iccid: line.iccid,
      imei: line.imei ?? undefined,
      state: 'suspend',
    });
    await expect(client.getDevice('89148000000000000000')).resolves.toBeUndefined();
  });

  it('polls the documented status path and rejects an unknown request id', async () => {
    const error = await failure(client.getRequestStatus('no-such-request'));
    expect(entries(sim, 'getRequestStatus')[0]).toMatchObject({
      method: 'GET',
      path: `${M2M}/accounts/${ACCOUNT.accountName}/requests/no-such-request/status`,
    });
    expect(error.vendorCode).toBe('UnifiedWebService.REQUEST_FAILED.RequestNotFound');
  });
});

describe('callback registration', () => {
  it('registers, lists and deletes the CarrierService listener', async () => {
    const url = 'http://127.0.0.1:9/cb';
    await expect(
      client.registerCallback({ url, username: 'amop', password: 'cb-secret' }),
    ).resolves.toEqual({ accountName: ACCOUNT.accountName, serviceName: 'CarrierService' });
    expect(entries(sim, 'registerCallback')[0]).toMatchObject({
      method: 'POST',
      path: `${M2M}/callbacks/${ACCOUNT.accountName}`,
      body: { name: 'CarrierService', url, username: 'amop', password: 'cb-secret' },
    });
    await expect(client.listCallbacks()).resolves.toEqual([
      { accountName: ACCOUNT.accountName, name: 'CarrierService', url },
    ]);
    await client.deleteCallback();
    expect(entries(sim, 'deleteCallback')[0]?.path).toBe(
      `${M2M}/callbacks/${ACCOUNT.accountName}/name/CarrierService`,
    );
    const again = await failure(client.deleteCallback());
    expect(again.vendorCode).toBe('UnifiedWebService.REQUEST_FAILED.CallbackNotFound');
  });
});
