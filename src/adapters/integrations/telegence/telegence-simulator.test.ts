/**
 * The Telegence simulator on its own: seeding from the demo dataset, vendor auth and request
 * validation, determinism under the seed, and the admin endpoint.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../domain/errors.ts';
import type { IntegrationError } from '../shared/integration-error.ts';
import { createTelegenceClient } from './telegence-client.ts';
import { createTelegenceSimulator, type TelegenceSimulator } from './telegence-simulator.ts';
import {
  ACCOUNT,
  APP_ID,
  APP_SECRET,
  activationRequest,
  clientFor,
  DATASET,
  DEVICES,
  device,
  failure,
  freshIccid,
  startSimulator,
} from './telegence-test-fixtures.ts';

let sim: TelegenceSimulator;
let baseUrl: string;
let origin: string;

beforeEach(async () => {
  ({ sim, baseUrl } = await startSimulator());
  origin = sim.url;
});
afterEach(async () => {
  await sim.close();
});

const auth = { 'app-id': APP_ID, 'app-secret': APP_SECRET, 'content-type': 'application/json' };
async function send(
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = auth,
) {
  const res = await fetch(`${baseUrl}${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}
async function admin(method: string, path: string, body?: unknown) {
  const res = await fetch(`${origin}/__admin${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return res.status;
}

describe('seeding', () => {
  it('has one line per Telegence device with an MSISDN, keyed by 10-digit MDN', () => {
    expect(sim.state.lines.size).toBe(DEVICES.length);
    const d = device('S');
    expect(sim.line(d.msisdn ?? '')).toMatchObject({
      subscriberNumber: d.mdn,
      status: 'S',
      sim: d.iccid,
      singleUserCode: d.carrierRatePlan,
    });
    const account = sim.state.accounts.get(ACCOUNT.key);
    expect([account?.appId, account?.appSecret]).toEqual([APP_ID, APP_SECRET]);
  });

  it("is reachable through the path of the demo account's settings.baseUrl", async () => {
    const path = new URL(String(ACCOUNT.settings.baseUrl)).pathname;
    const client = createTelegenceClient({
      baseUrl: origin + path,
      appId: APP_ID,
      appSecret: APP_SECRET,
    });
    expect((await client.getLine(device('A').mdn)).status).toBe('A');
  });

  it('starts from the full default dataset when given none', () => {
    const full = createTelegenceSimulator();
    expect(full.state.lines.size).toBeGreaterThan(400);
  });
});

describe('auth and validation', () => {
  it('answers 401 without echoing what was sent, and 401 when headers are missing', async () => {
    const mdn = device('A').mdn;
    const wrong = await send('GET', `/service/${mdn}`, undefined, {
      ...auth,
      'app-secret': 'guess-123',
    });
    expect(wrong).toEqual({
      status: 401,
      body: { responseMessage: 'Unauthorized: invalid app-id or app-secret' },
    });
    const missing = await send('GET', `/service/${mdn}`, undefined, {
      'app-id': APP_ID,
      'app-secret': '',
    });
    expect(missing.status).toBe(401);
    expect(JSON.stringify(missing.body)).toContain('required');
  });

  it.each([
    [{ serviceCharacteristic: [{ name: 'color', value: 'red' }] }, 'UNSUPPORTED_CHARACTERISTIC'],
    [{ foo: 1 }, 'INVALID_REQUEST'],
    [{ mode: 'X', reasonCode: 'R' }, 'INVALID_MODE'],
    [{ mode: 'S' }, 'REASON_CODE_REQUIRED'],
    [
      {
        effectiveDate: 'soon',
        serviceCharacteristic: [{ name: 'singleUserCode', value: 'IOTDATA1MB' }],
      },
      'INVALID_EFFECTIVE_DATE',
    ],
    [{ serviceCharacteristic: [{ name: 'reasonCode', value: 'R' }] }, 'NO_CHANGE'],
    [{ serviceCharacteristic: [{ name: 'sim', value: '123' }] }, 'INVALID_SIM'],
    [{ serviceCharacteristic: [{ name: 'IMEI', value: '1' }] }, 'INVALID_IMEI'],
  ])('rejects PATCH %j with 400 %s', async (body, errorCode) => {
    const res = await send('PATCH', `/service/${device('A').mdn}`, body);
    expect([res.status, res.body.errorCode]).toEqual([400, errorCode]);
    expect(res.body.id).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('rejects activation batches over 200 and removeOfferingCode entries', async () => {
    const many = Array.from({ length: 201 }, (_, i) => activationRequest(freshIccid(i)));
    const big = await send('POST', '/serviceactivation', many);
    expect([big.status, big.body.errorCode]).toEqual([400, 'MAX_SERVICES_EXCEEDED']);
    const withRemove = activationRequest(freshIccid(300), [
      { name: 'removeOfferingCode', value: 'X' },
    ]);
    const res = await send('POST', '/serviceactivation', [withRemove]);
    expect([res.status, res.body.errorCode]).toEqual([400, 'UNSUPPORTED_CHARACTERISTIC']);
  });
});

describe('determinism', () => {
  async function script(seed: number, rejectRate: number) {
    const s = createTelegenceSimulator({
      seed,
      dataset: DATASET,
      config: { activation: { rejectRate } },
    });
    const url = await s.start(0);
    const client = clientFor(`${url}/sp/mobility/lineconfig/api/v1`);
    try {
      const patch = await client.changeRatePlan(device('A').mdn, { ratePlanCode: 'IOTDATA5MB' });
      const batch = Array.from({ length: 8 }, (_, i) => activationRequest(freshIccid(400 + i)));
      const { activationId } = await client.activateServices(batch);
      await client.getActivationStatus(activationId ?? '');
      const state = await client.getActivationStatus(activationId ?? '');
      return {
        patch: patch.interactionId,
        activationId,
        lines: state.lines.map((l) => [l.status, l.subscriberNumber]),
      };
    } finally {
      await s.close();
    }
  }

  it('gives the same ids, MDNs and outcomes under the same seed, others under another', async () => {
    const a = await script(11, 0.5);
    const b = await script(11, 0.5);
    const c = await script(12, 0.5);
    expect(b).toEqual(a);
    expect(new Set(a.lines.map(([status]) => status))).toEqual(new Set(['reserved', 'rejected']));
    expect(c.activationId).not.toBe(a.activationId);
  });
});

describe('admin endpoint and controls', () => {
  it('drives eSIM, config, clock, app access and line inspection over HTTP', async () => {
    const client = clientFor(baseUrl);
    const d = device('A');
    const iccid = freshIccid(500);
    expect(await admin('POST', '/telegence/esim-required', { iccid })).toBe(204);
    const esim = (await failure(() =>
      client.swapEquipment(d.mdn, { reasonCode: 'X', iccid }),
    )) as IntegrationError;
    expect(esim.code).toBe(ErrorCode.INTEGRATION_ESIM_REQUIRED);
    expect(await admin('DELETE', `/telegence/esim-required/${iccid}`)).toBe(204);

    expect(await admin('PUT', '/telegence/config', { applyLagMs: 5000 })).toBe(200);
    await client.swapEquipment(d.mdn, { reasonCode: 'X', iccid });
    expect((await client.getLine(d.mdn)).iccid).toBe(d.iccid);
    const inspected = await fetch(`${origin}/__admin/telegence/lines/${d.mdn}`);
    expect(((await inspected.json()) as { pending: unknown[] }).pending).toHaveLength(1);
    expect(await admin('POST', '/telegence/clock', { advanceMs: 5000 })).toBe(204);
    expect((await client.getLine(d.mdn)).iccid).toBe(iccid);

    expect(await admin('PUT', '/telegence/config', { applyLagMs: -1 })).toBe(400);
    expect(
      await admin('POST', '/telegence/activation-outcomes', {
        iccid: freshIccid(501),
        outcome: 'rejected',
      }),
    ).toBe(204);
    expect(sim.state.outcomes.get(freshIccid(501))).toBe('rejected');
    expect(
      await admin('PUT', '/telegence/app-access', { appId: APP_ID, access: 'forbidden' }),
    ).toBe(204);
    expect(((await failure(() => client.getLine(d.mdn))) as IntegrationError).httpStatus).toBe(403);
  });

  it('takes kit fault rules over HTTP and resets to the seeded state', async () => {
    const client = clientFor(baseUrl);
    const d = device('A');
    expect(
      await admin('POST', '/faults', {
        operation: 'getLine',
        times: 1,
        effect: { kind: 'throttle', retryAfterSeconds: 2 },
      }),
    ).toBe(201);
    const e = (await failure(() => client.getLine(d.mdn))) as IntegrationError;
    expect([e.code, e.retryAfterMs]).toEqual([ErrorCode.INTEGRATION_THROTTLED, 2000]);
    await client.changeStatus(d.mdn, { action: 'suspend', reasonCode: 'CR' });
    sim.configure({ applyLagMs: 10 });
    expect(await admin('POST', '/reset')).toBe(204);
    expect([sim.line(d.mdn)?.status, sim.state.config.applyLagMs, sim.journal.length]).toEqual([
      'A',
      0,
      0,
    ]);
  });
});
