import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createCallbackInbox, parseCarrierServiceCallback } from './thingspace-callbacks.ts';
import type { ThingSpaceClient } from './thingspace-client.ts';
import type { ThingSpaceSimulator } from './thingspace-simulator.ts';
import {
  clientFor,
  FAST_SETTINGS,
  lineIn,
  startListener,
  startThingSpace,
  type TestListener,
} from './thingspace-test-support.ts';

const CALLBACK_USER = 'amop-callbacks';
const CALLBACK_PASSWORD = 'cb-password-123';

let sim: ThingSpaceSimulator;
let origin: string;
let baseUrl: string;
let listener: TestListener;
let client: ThingSpaceClient;

beforeAll(async () => {
  ({ sim, origin, baseUrl } = await startThingSpace());
});
afterAll(async () => {
  await sim.close();
});
beforeEach(async () => {
  sim.reset();
  listener = await startListener();
  client = clientFor(baseUrl);
  await client.registerCallback({
    url: listener.url,
    username: CALLBACK_USER,
    password: CALLBACK_PASSWORD,
  });
});
afterEach(async () => {
  await sim.whenIdle();
  await listener.close();
});

const admin = (path: string, body?: unknown) =>
  fetch(`${origin}/__admin/thingspace${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('completion by callback and by polling', () => {
  it('posts one CarrierService callback per device with the registration credentials', async () => {
    const line = lineIn(sim, 'active');
    const { requestId } = await client.suspend({ iccid: line.iccid });
    await listener.received(1);
    expect(listener.bodies[0]).toMatchObject({
      username: CALLBACK_USER,
      password: CALLBACK_PASSWORD,
      requestId,
      status: 'Success',
      callbackCount: 1,
      maxCallbackThreshold: 4,
    });
    const inbox = createCallbackInbox({ username: CALLBACK_USER, password: CALLBACK_PASSWORD });
    const receipt = inbox.receive(listener.bodies[0]);
    expect(receipt).toMatchObject({ accepted: true, duplicate: false });
    expect(receipt.callback).toMatchObject({ requestId, iccid: line.iccid, status: 'Success' });
    expect(JSON.stringify(receipt.callback)).not.toContain(CALLBACK_PASSWORD);
    await expect(client.getRequestStatus(requestId)).resolves.toMatchObject({ status: 'Success' });
  });

  it('reports the activation MSISDN and IP in the callback', async () => {
    const line = lineIn(sim, 'preactive');
    const { requestId } = await client.activate({
      iccid: line.iccid,
      servicePlan: 'M2MPlan5MB',
      mdnZipCode: '30301',
    });
    await listener.received(1);
    const parsed = parseCarrierServiceCallback(listener.bodies[0], {
      username: CALLBACK_USER,
      password: CALLBACK_PASSWORD,
    });
    expect(parsed.ok && parsed.callback).toMatchObject({
      requestId,
      msisdn: sim.device(line.iccid)?.msisdn,
      ipAddress: sim.device(line.iccid)?.ipAddress,
    });
  });

  it('keeps the old state until an admin completes the request (eventual consistency)', async () => {
    sim.configure({ autoComplete: false });
    const line = lineIn(sim, 'active');
    const { requestId } = await client.suspend({ iccid: line.iccid });
    await sleep(60);
    await expect(client.getRequestStatus(requestId)).resolves.toMatchObject({ status: 'Pending' });
    expect((await client.getDevice(line.iccid))?.carrierInformations[0]?.state).toBe('active');
    expect(listener.bodies).toHaveLength(0);
    const done = await admin(`/requests/${requestId}/complete`);
    expect(done.status).toBe(200);
    expect((await admin(`/requests/${requestId}/complete`)).status).toBe(409);
    await listener.received(1);
    expect((await client.getDevice(line.iccid))?.carrierInformations[0]?.state).toBe('suspend');
    await expect(client.getRequestStatus(requestId)).resolves.toMatchObject({ status: 'Success' });
  });

  it('fails a pending request on demand with a vendor fault', async () => {
    sim.configure({ autoComplete: false });
    const line = lineIn(sim, 'active');
    const { requestId } = await client.deactivate({ iccid: line.iccid, reasonCode: 'FF' });
    const res = await admin(`/requests/${requestId}/fail`, {
      faultcode: 'UnifiedWebService.REQUEST_FAILED.EtfNotWaived',
      faultstring: 'Early termination fee applies.',
    });
    expect(res.status).toBe(200);
    await listener.received(1);
    const inbox = createCallbackInbox({ username: CALLBACK_USER, password: CALLBACK_PASSWORD });
    inbox.receive(listener.bodies[0]);
    expect(inbox.outcome(requestId)).toMatchObject({ status: 'Failed' });
    expect(inbox.outcome(requestId)?.devices[0]?.callback.fault).toEqual({
      code: 'UnifiedWebService.REQUEST_FAILED.EtfNotWaived',
      reason: 'EtfNotWaived',
      message: 'Early termination fee applies.',
    });
    await expect(client.getRequestStatus(requestId)).resolves.toMatchObject({ status: 'Failure' });
    expect(sim.device(line.iccid)?.state).toBe('active');
  });

  it('reports a state-machine failure with its fault code', async () => {
    const line = lineIn(sim, 'suspend');
    await client.suspend({ iccid: line.iccid });
    await listener.received(1);
    expect(listener.bodies[0]).toMatchObject({
      status: 'Failed',
      faultResponse: { faultcode: 'UnifiedWebService.REQUEST_FAILED.DeviceNotActive' },
    });
  });
});

describe('callback delivery faults', () => {
  it('duplicate: the same callback twice, recorded once by the inbox', async () => {
    sim.configure({ callbacks: { duplicates: 1 } });
    const { requestId } = await client.suspend({ iccid: lineIn(sim, 'active').iccid });
    await listener.received(2);
    expect(listener.bodies[1]).toEqual(listener.bodies[0]);
    const inbox = createCallbackInbox({ username: CALLBACK_USER, password: CALLBACK_PASSWORD });
    expect(inbox.receive(listener.bodies[0]).duplicate).toBe(false);
    expect(inbox.receive(listener.bodies[1])).toMatchObject({ accepted: true, duplicate: true });
    expect(inbox.size).toBe(1);
    expect(inbox.outcome(requestId)?.status).toBe('Success');
  });

  it('late: the status endpoint says Success before the callback arrives', async () => {
    sim.configure({ callbacks: { delayMs: 250 } });
    const { requestId } = await client.suspend({ iccid: lineIn(sim, 'active').iccid });
    await sleep(100);
    await expect(client.getRequestStatus(requestId)).resolves.toMatchObject({ status: 'Success' });
    expect(listener.bodies).toHaveLength(0);
    await listener.received(1);
  });

  it('status lag: the callback arrives while the status endpoint still says Pending', async () => {
    sim.configure({ statusLagMs: 300 });
    const { requestId } = await client.restore({ iccid: lineIn(sim, 'suspend').iccid });
    await listener.received(1);
    await expect(client.getRequestStatus(requestId)).resolves.toMatchObject({ status: 'Pending' });
    await sleep(320);
    await expect(client.getRequestStatus(requestId)).resolves.toMatchObject({ status: 'Success' });
  });

  it('missing: no callback at all; polling still finds the outcome', async () => {
    sim.configure({ callbacks: { drop: true } });
    const { requestId } = await client.suspend({ iccid: lineIn(sim, 'active').iccid });
    await sim.whenIdle();
    await expect(client.getRequestStatus(requestId)).resolves.toMatchObject({ status: 'Success' });
    expect(listener.bodies).toHaveLength(0);
    expect(sim.deliveries).toMatchObject([{ requestId, result: 'dropped' }]);
  });

  it('out of order: the later request’s callback arrives first', async () => {
    sim.configure({ callbacks: { reorder: true } });
    const first = await client.suspend({ iccid: lineIn(sim, 'active', 0).iccid });
    await sim.whenIdle();
    expect(listener.bodies).toHaveLength(0);
    const second = await client.suspend({ iccid: lineIn(sim, 'active', 1).iccid });
    await listener.received(2);
    expect(listener.bodies.map((b) => b.requestId)).toEqual([second.requestId, first.requestId]);
  });

  it('re-sends until the listener answers 2xx, counting attempts', async () => {
    listener.answers.push(500, 503);
    await client.suspend({ iccid: lineIn(sim, 'active').iccid });
    await listener.received(3);
    await sim.whenIdle();
    expect(listener.bodies.map((b) => b.callbackCount)).toEqual([1, 2, 3]);
    expect(sim.deliveries.map((d) => d.result)).toEqual([500, 503, 200]);
  });

  it('gives up after maxCallbackThreshold attempts', async () => {
    listener.answers.push(500, 500, 500, 500, 500, 500);
    await client.suspend({ iccid: lineIn(sim, 'active').iccid });
    await sim.whenIdle();
    expect(listener.bodies).toHaveLength(4);
    expect(sim.deliveries.map((d) => d.attempt)).toEqual([1, 2, 3, 4]);
  });

  it('is configured over the admin endpoint too', async () => {
    const res = await admin('/settings', { callbacks: { duplicates: 2 } });
    expect(res.status).toBe(200);
    expect(sim.settings.callbacks.duplicates).toBe(2);
    expect((await admin('/settings', { callbacks: { duplicates: 'x' } })).status).toBe(400);
    sim.reset();
    expect(sim.settings.callbacks.duplicates).toBe(0);
    expect(sim.settings.callbacks.retryIntervalMs).toBe(FAST_SETTINGS.callbacks?.retryIntervalMs);
  });
});

describe('callback inbox checks', () => {
  const good = {
    username: CALLBACK_USER,
    password: CALLBACK_PASSWORD,
    requestId: 'r-1',
    deviceIds: [{ id: '89148000000800139708', kind: 'iccid' }],
    status: 'Success',
  };

  it('refuses wrong credentials and malformed bodies', () => {
    const inbox = createCallbackInbox({ username: CALLBACK_USER, password: CALLBACK_PASSWORD });
    expect(inbox.receive({ ...good, password: 'nope' })).toMatchObject({
      accepted: false,
      unauthorized: true,
    });
    expect(inbox.receive({ ...good, requestId: '' })).toMatchObject({
      accepted: false,
      unauthorized: false,
    });
    expect(inbox.receive({ ...good, status: 'Failed' }).reason).toContain('faultResponse');
    expect(inbox.size).toBe(0);
  });

  it('keeps the first outcome when a later callback contradicts it', async () => {
    const inbox = createCallbackInbox({ username: CALLBACK_USER, password: CALLBACK_PASSWORD });
    const waiting = inbox.waitFor('r-1', { timeoutMs: 500 });
    inbox.receive(good);
    const conflict = inbox.receive({
      ...good,
      status: 'Failed',
      faultResponse: { faultcode: 'UnifiedWebService.REQUEST_FAILED.X', faultstring: 'x' },
    });
    expect(conflict).toMatchObject({ accepted: true, conflict: true, duplicate: false });
    await expect(waiting).resolves.toMatchObject({ requestId: 'r-1', status: 'Success' });
    await expect(inbox.waitFor('r-2', { timeoutMs: 20 })).rejects.toThrow('no callback');
  });
});
