import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_DEMO_BASE_URLS } from '../../../app/demo/demo-catalog.ts';
import { buildDemoDataset } from '../../../app/demo/demo-dataset.ts';
import { isIntegrationError } from '../shared/integration-error.ts';
import { createThingSpaceClient, type ThingSpaceClient } from './thingspace-client.ts';
import { summarizeDevice } from './thingspace-mapper.ts';
import {
  createThingSpaceSimulator,
  THINGSPACE_M2M_PREFIX,
  type ThingSpaceSimulator,
} from './thingspace-simulator.ts';
import {
  ACCOUNT,
  clientFor,
  DATASET,
  entries,
  inventorySim,
  lineIn,
  startThingSpace,
} from './thingspace-test-support.ts';

let sim: ThingSpaceSimulator;
let baseUrl: string;
let origin: string;
let client: ThingSpaceClient;

beforeAll(async () => {
  ({ sim, baseUrl, origin } = await startThingSpace());
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

describe('authentication on the wire', () => {
  it('sends Basic app credentials for the token, then the Bearer + session on every call', async () => {
    const line = lineIn(sim, 'active');
    await client.getDevice(line.iccid);
    const [token] = entries(sim, 'getAccessToken');
    expect(token).toMatchObject({ method: 'POST', path: '/api/ts/v1/oauth2/token' });
    expect(token?.headers.authorization).toBe(
      `Basic ${Buffer.from(`${ACCOUNT.clientId}:${ACCOUNT.clientSecret}`).toString('base64')}`,
    );
    expect(token?.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(token?.rawBody).toBe('grant_type=client_credentials');
    const accessToken = [...sim.state.tokens.keys()][0];
    const [login] = entries(sim, 'login');
    expect(login).toMatchObject({ method: 'POST', path: `${M2M}/session/login` });
    expect(login?.headers.authorization).toBe(`Bearer ${accessToken}`);
    expect(login?.body).toEqual({ username: ACCOUNT.username, password: ACCOUNT.password });
    const sessionToken = [...sim.state.sessions.keys()][0];
    const [list] = entries(sim, 'listDevices');
    expect(list?.headers.authorization).toBe(`Bearer ${accessToken}`);
    expect(list?.headers['vz-m2m-token']).toBe(sessionToken);
    expect(list?.headers['content-type']).toBe('application/json');
    expect(list?.headers.accept).toBe('application/json');
  });

  it('reaches the simulator through a seeded account’s settings.baseUrl', async () => {
    expect(new URL(DEFAULT_DEMO_BASE_URLS.thingspace).pathname).toBe(M2M);
    const dataset = buildDemoDataset({ devicesPerProvider: 40, baseUrls: { thingspace: baseUrl } });
    const sp = dataset.serviceProviders.find((p) => p.integration === 'ThingSpace');
    const seeded = createThingSpaceClient({
      baseUrl: String(sp?.settings.baseUrl),
      accountName: String(sp?.settings.accountName),
      clientId: String(sp?.settings.clientId),
      clientSecret: String(sp?.secrets.clientSecret),
      username: String(sp?.settings.username),
      password: String(sp?.secrets.password),
    });
    const line = lineIn(sim, 'active');
    const device = await seeded.getDevice(line.iccid);
    expect(device && summarizeDevice(device)).toMatchObject({
      iccid: line.iccid,
      state: 'active',
      accountName: ACCOUNT.accountName,
    });
    expect(origin).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });
});

describe('addDevice', () => {
  it('adds a SIM in preactive (IMEI then ICCID) and treats a repeat as already existing', async () => {
    const simCard = inventorySim();
    await expect(client.addDevice(simCard)).resolves.toEqual({
      outcome: 'added',
      response: 'Success',
    });
    expect(entries(sim, 'addDevice')[0]?.body).toEqual({
      devicesToAdd: [
        {
          deviceIds: [
            { id: simCard.imei, kind: 'imei' },
            { id: simCard.iccid, kind: 'iccid' },
          ],
        },
      ],
      accountName: ACCOUNT.accountName,
      state: 'preactive',
    });
    expect(sim.device(simCard.iccid)?.state).toBe('preactive');
    await expect(client.addDevice(simCard)).resolves.toEqual({
      outcome: 'already-exists',
      response: 'Error. Device already exists.',
    });
  });

  it('fails on any other per-device response', async () => {
    sim.faults.add({
      operation: 'addDevice',
      times: 1,
      effect: { kind: 'respond', status: 200, json: [{ response: 'Error. Invalid ICCID.' }] },
    });
    const error = await failure(client.addDevice(inventorySim()));
    expect(error).toMatchObject({ code: 'INTEGRATION_REJECTED', operation: 'addDevice' });
    expect(error.message).toContain('Error. Invalid ICCID.');
  });
});

describe('activate', () => {
  it('activates a preactive line with a primary place of use and completes asynchronously', async () => {
    const line = lineIn(sim, 'preactive');
    const ppu = {
      customerName: { firstName: 'Ada', lastName: 'Lovelace' },
      address: {
        addressLine1: '1 Main St',
        city: 'Atlanta',
        state: 'GA',
        zip: '30301',
        country: 'USA',
      },
    };
    const { requestId, recovered } = await client.activate({
      iccid: line.iccid,
      imei: line.imei,
      servicePlan: 'M2MPlan25MB',
      mdnZipCode: '30301',
      primaryPlaceOfUse: ppu,
    });
    expect(recovered).toBe(false);
    expect(entries(sim, 'activate')[0]?.body).toEqual({
      devices: [
        {
          deviceIds: [
            { id: line.imei, kind: 'imei' },
            { id: line.iccid, kind: 'iccid' },
          ],
        },
      ],
      accountName: ACCOUNT.accountName,
      servicePlan: 'M2MPlan25MB',
      mdnZipCode: '30301',
      primaryPlaceOfUse: ppu,
    });
    await expect(client.getRequestStatus(requestId)).resolves.toEqual({
      requestId,
      status: 'Pending',
    });
    await sim.whenIdle();
    await expect(client.getRequestStatus(requestId)).resolves.toEqual({
      requestId,
      status: 'Success',
    });
    const device = await client.getDevice(line.iccid);
    const summary = device && summarizeDevice(device);
    expect(summary).toMatchObject({ state: 'active', servicePlan: 'M2MPlan25MB' });
    expect(summary?.msisdn).toMatch(/^1\d{10}$/);
    expect(summary?.extendedAttributes).toMatchObject({
      PrimaryPlaceOfUseFirstName: 'Ada',
      PrimaryPlaceOfUseCity: 'Atlanta',
    });
  });

  it('rejects an unknown plan synchronously and an active line at completion', async () => {
    const active = lineIn(sim, 'active');
    const bad = await failure(
      client.activate({ iccid: active.iccid, servicePlan: 'NoSuchPlan', mdnZipCode: '30301' }),
    );
    expect(bad).toMatchObject({
      code: 'INTEGRATION_REJECTED',
      httpStatus: 400,
      vendorCode: 'UnifiedWebService.REQUEST_FAILED.InvalidServicePlan',
      deviceId: active.iccid,
      retryable: false,
    });
    const { requestId } = await client.activate({
      iccid: active.iccid,
      servicePlan: 'M2MPlan5MB',
      mdnZipCode: '30301',
    });
    await sim.whenIdle();
    await expect(client.getRequestStatus(requestId)).resolves.toMatchObject({ status: 'Failure' });
    expect(sim.device(active.iccid)?.history.at(-1)).toMatchObject({ status: 'Failed' });
  });

  it('refuses a malformed ZIP code with the vendor input error', async () => {
    const line = lineIn(sim, 'preactive');
    const error = await failure(
      client.activate({ iccid: line.iccid, servicePlan: 'M2MPlan5MB', mdnZipCode: 'ABC' }),
    );
    expect(error.vendorCode).toBe('UnifiedWebService.INPUT_INVALID.RequestBody');
    expect(error.message).toContain('mdnZipCode');
  });
});

describe('suspend, restore, deactivate', () => {
  it('sends the original bodies and walks the carrier state machine', async () => {
    const line = lineIn(sim, 'active');
    await client.suspend({ iccid: line.iccid });
    await sim.whenIdle();
    expect(sim.device(line.iccid)?.state).toBe('suspend');
    await client.restore({ iccid: line.iccid });
    await sim.whenIdle();
    expect(sim.device(line.iccid)?.state).toBe('active');
    await client.deactivate({ iccid: line.iccid, reasonCode: 'FF', etfWaiver: true });
    await sim.whenIdle();
    expect(sim.device(line.iccid)?.state).toBe('deactive');
    const sent = (op: string) => entries(sim, op).map((e) => [e.method, e.path, e.body]);
    const base = { devices: byIccid(line.iccid), accountName: ACCOUNT.accountName };
    expect(sent('suspend')).toEqual([['POST', `${M2M}/devices/actions/suspend`, base]]);
    expect(sent('restore')).toEqual([['POST', `${M2M}/devices/actions/restore`, base]]);
    expect(sent('deactivate')).toEqual([
      ['POST', `${M2M}/devices/actions/deactivate`, { ...base, reasonCode: 'FF', etfWaiver: true }],
    ]);
  });

  it('reports an invalid transition as a failed request, not a synchronous error', async () => {
    const line = lineIn(sim, 'deactive');
    const { requestId } = await client.restore({ iccid: line.iccid });
    await sim.whenIdle();
    await expect(client.getRequestStatus(requestId)).resolves.toMatchObject({ status: 'Failure' });
    expect(sim.device(line.iccid)?.state).toBe('deactive');
  });

  it('rejects an unknown device and the sixth provisioning action of the day', async () => {
    const unknown = await failure(client.suspend({ iccid: '89148000000000000000' }));
    expect(unknown.vendorCode).toBe('UnifiedWebService.REQUEST_FAILED.DeviceNotFound');
    const line = lineIn(sim, 'active');
    for (let i = 0; i < 5; i++) {
      await (i % 2 === 0 ? client.suspend(line) : client.restore(line));
      await sim.whenIdle();
    }
    const sixth = await failure(client.restore(line));
    expect(sixth).toMatchObject({
      code: 'INTEGRATION_REJECTED',
      vendorCode: 'UnifiedWebService.REQUEST_FAILED.ProvisioningLimitExceeded',
    });
    expect(entries(sim, 'restore').at(-1)?.outcome).toBe(400);
  });
});

describe('determinism', () => {
  it('issues the same tokens and request ids for the same calls under the same seed', async () => {
    const run = async () => {
      const twin = createThingSpaceSimulator({ seed: 99, dataset: DATASET });
      const twinOrigin = await twin.start(0);
      try {
        const twinClient = clientFor(`${twinOrigin}${M2M}`);
        const line = lineIn(twin, 'active');
        const { requestId } = await twinClient.suspend({ iccid: line.iccid });
        return { requestId, tokens: [...twin.state.tokens.keys(), ...twin.state.sessions.keys()] };
      } finally {
        await twin.close();
      }
    };
    const first = await run();
    expect(first.requestId).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
    await expect(run()).resolves.toEqual(first);
  });
});
