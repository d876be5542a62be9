/**
 * Contract tests: the Telegence client against its simulator over real HTTP, line operations.
 * Each asserts what the client sent (journal) and what it made of the answer.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../domain/errors.ts';
import { IntegrationError } from '../shared/integration-error.ts';
import type { TelegenceClient } from './telegence-client.ts';
import { TELEGENCE_ESIM_REQUIRED_MESSAGE } from './telegence-errors.ts';
import type { TelegenceSimulator } from './telegence-simulator.ts';
import {
  APP_ID,
  APP_SECRET,
  calls,
  clientFor,
  DEVICES,
  device,
  failure,
  freshIccid,
  startSimulator,
} from './telegence-test-fixtures.ts';

const LINE_PATH = '/sp/mobility/lineconfig/api/v1/service';
let sim: TelegenceSimulator;
let baseUrl: string;
let client: TelegenceClient;

beforeEach(async () => {
  ({ sim, baseUrl } = await startSimulator());
  client = clientFor(baseUrl, { now: () => new Date('2024-05-01T10:00:00.000Z') });
});
afterEach(async () => {
  await sim.close();
});

function rejected(error: unknown, status: number, vendorCode?: string): IntegrationError {
  expect(error).toBeInstanceOf(IntegrationError);
  const e = error as IntegrationError;
  expect(e.code).toBe(ErrorCode.INTEGRATION_REJECTED);
  expect(e.httpStatus).toBe(status);
  expect(e.retryable).toBe(false);
  if (vendorCode !== undefined) expect(e.vendorCode).toBe(vendorCode);
  return e;
}

describe('getLine', () => {
  it('sends GET with app-id/app-secret and maps the characteristics', async () => {
    const d = device('A');
    const line = await client.getLine(d.msisdn ?? '');
    expect(line).toMatchObject({
      subscriberNumber: d.mdn,
      status: 'A',
      ratePlanCode: d.carrierRatePlan,
      iccid: d.iccid,
      imei: d.imei,
      billingAccountNumber: '287304581234',
    });
    const [entry] = sim.journal;
    expect(sim.journal).toHaveLength(1);
    expect(entry?.method).toBe('GET');
    expect(entry?.path).toBe(`${LINE_PATH}/${d.mdn}`);
    expect(entry?.headers['app-id']).toBe(APP_ID);
    expect(entry?.headers['app-secret']).toBe(APP_SECRET);
    expect(entry?.headers['cache-control']).toBe('no-cache');
    expect(entry?.rawBody).toBe('');
  });

  it('sends the 10-digit MDN whatever form the MSISDN has', async () => {
    const d = device('S');
    const formatted = `+1 (${d.mdn.slice(0, 3)}) ${d.mdn.slice(3, 6)}-${d.mdn.slice(6)}`;
    const line = await client.getLine(formatted);
    expect(line.status).toBe('S');
    expect(sim.journal[0]?.path).toBe(`${LINE_PATH}/${d.mdn}`);
  });

  it('reports an unknown line as rejected (404 /service/), not as eSIM required', async () => {
    const e = rejected(await failure(() => client.getLine('2145550000')), 404, '/service/');
    expect(e.deviceId).toBe('2145550000');
    expect(e.message).toContain('2145550000');
  });

  it('refuses a malformed MSISDN without sending anything', async () => {
    const e = await failure(() => client.getLine('12345'));
    expect((e as IntegrationError).code).toBe(ErrorCode.INTEGRATION_REJECTED);
    expect(sim.journal).toHaveLength(0);
  });

  it('fails with AUTH_FAILED on a wrong secret (401) and on a revoked app-id (403)', async () => {
    const d = device('A');
    const bad = clientFor(baseUrl, { appSecret: 'wrong-secret' });
    const e401 = (await failure(() => bad.getLine(d.mdn))) as IntegrationError;
    expect([e401.code, e401.httpStatus, e401.retryable]).toEqual([
      ErrorCode.INTEGRATION_AUTH_FAILED,
      401,
      false,
    ]);
    expect(sim.setAppAccess(APP_ID, 'forbidden')).toBe(true);
    const e403 = (await failure(() => client.getLine(d.mdn))) as IntegrationError;
    expect([e403.code, e403.httpStatus]).toEqual([ErrorCode.INTEGRATION_AUTH_FAILED, 403]);
  });
});

describe('changeRatePlan', () => {
  it('PATCHes singleUserCode with effectiveDate and the line shows the new plan', async () => {
    const d = device('A');
    const result = await client.changeRatePlan(d.mdn, { ratePlanCode: 'IOTDATA25MB' });
    expect(result.confirmedByLookup).toBe(false);
    expect(result.interactionId).toMatch(/^[0-9a-f-]{36}$/);
    const patch = calls(sim, 'patchLine')[0];
    expect(patch?.method).toBe('PATCH');
    expect(patch?.path).toBe(`${LINE_PATH}/${d.mdn}`);
    expect(patch?.headers['content-type']).toBe('application/json');
    expect(patch?.body).toEqual({
      effectiveDate: '2024-05-01T10:00:00Z',
      serviceCharacteristic: [{ name: 'singleUserCode', value: 'IOTDATA25MB' }],
    });
    expect((await client.getLine(d.mdn)).ratePlanCode).toBe('IOTDATA25MB');
  });

  it('rejects an unknown rate plan (400 INVALID_SINGLE_USER_CODE)', async () => {
    const d = device('A');
    const e = rejected(
      await failure(() => client.changeRatePlan(d.mdn, { ratePlanCode: 'NOPE' })),
      400,
      'INVALID_SINGLE_USER_CODE',
    );
    expect(e.message).toContain(d.mdn);
    expect(e.vendorMessage).toContain('NOPE');
  });

  it('applies a future effectiveDate only when the simulator clock reaches it', async () => {
    const d = device('A', 1);
    const at = new Date(Date.now() + 3_600_000);
    await client.changeRatePlan(d.mdn, { ratePlanCode: 'IOTDATA2GB', effectiveDate: at });
    expect((await client.getLine(d.mdn)).ratePlanCode).toBe(d.carrierRatePlan);
    sim.advanceClock(3_600_000 + 1000);
    expect((await client.getLine(d.mdn)).ratePlanCode).toBe('IOTDATA2GB');
  });

  it('shows a change late when the apply-lag knob is set', async () => {
    const d = device('A', 2);
    sim.configure({ applyLagMs: 30_000 });
    await client.changeRatePlan(d.mdn, { ratePlanCode: 'IOTDATA10GB' });
    expect((await client.getLine(d.mdn)).ratePlanCode).toBe(d.carrierRatePlan);
    sim.advanceClock(30_000);
    expect((await client.getLine(d.mdn)).ratePlanCode).toBe('IOTDATA10GB');
  });
});

describe('changeStatus', () => {
  it('suspends an active line with mode S and reasonCode', async () => {
    const d = device('A');
    await client.changeStatus(d.mdn, { action: 'suspend', reasonCode: 'CR' });
    expect(calls(sim, 'patchLine')[0]?.body).toEqual({ mode: 'S', reasonCode: 'CR' });
    const line = await client.getLine(d.mdn);
    expect([line.status, line.statusReasonCode]).toEqual(['S', 'CR']);
  });

  it('restores a suspended line and sends the effective date when given', async () => {
    const d = device('S');
    await client.changeStatus(d.mdn, {
      action: 'restore',
      reasonCode: 'RS',
      effectiveDate: new Date('2024-01-02T03:04:05.678Z'),
    });
    expect(calls(sim, 'patchLine')[0]?.body).toEqual({
      mode: 'R',
      reasonCode: 'RS',
      effectiveDate: '2024-01-02T03:04:05Z',
    });
    expect((await client.getLine(d.mdn)).status).toBe('A');
  });

  it('refuses to restore an active line (409 INVALID_STATUS_TRANSITION)', async () => {
    const d = device('A');
    const e = rejected(
      await failure(() => client.changeStatus(d.mdn, { action: 'restore', reasonCode: 'RS' })),
      409,
      'INVALID_STATUS_TRANSITION',
    );
    expect(e.vendorMessage).toContain('cannot restore an active line');
  });

  it('cancels a line, after which no change is accepted', async () => {
    const d = device('S', 1);
    await client.changeStatus(d.mdn, { action: 'cancel', reasonCode: 'CN' });
    expect((await client.getLine(d.mdn)).status).toBe('C');
    rejected(
      await failure(() => client.changeRatePlan(d.mdn, { ratePlanCode: 'IOTDATA1MB' })),
      409,
      'LINE_NOT_CHANGEABLE',
    );
  });
});

describe('swapEquipment', () => {
  it('PATCHes reasonCode, serviceZipCode, technologyType, IMEI and sim in that order', async () => {
    const d = device('A', 3);
    const iccid = freshIccid(1);
    await client.swapEquipment(d.mdn, {
      reasonCode: 'CUST_OWN_EQU',
      serviceZipCode: '75201',
      technologyType: 'LTE',
      imei: '353325100000017',
      iccid,
    });
    expect(calls(sim, 'patchLine')[0]?.body).toEqual({
      serviceCharacteristic: [
        { name: 'reasonCode', value: 'CUST_OWN_EQU' },
        { name: 'serviceZipCode', value: '75201' },
        { name: 'technologyType', value: 'LTE' },
        { name: 'IMEI', value: '353325100000017' },
        { name: 'sim', value: iccid },
      ],
    });
    const line = await client.getLine(d.mdn);
    expect([line.iccid, line.imei, line.serviceZipCode]).toEqual([
      iccid,
      '353325100000017',
      '75201',
    ]);
  });

  it('recognises the eSIM-required 404 as INTEGRATION_ESIM_REQUIRED (terminal)', async () => {
    const d = device('A', 4);
    const iccid = freshIccid(2);
    sim.requireEsim(iccid);
    const e = (await failure(() =>
      client.swapEquipment(d.mdn, { reasonCode: 'CUST_OWN_EQU', iccid }),
    )) as IntegrationError;
    expect(e.code).toBe(ErrorCode.INTEGRATION_ESIM_REQUIRED);
    expect(e.message.startsWith(TELEGENCE_ESIM_REQUIRED_MESSAGE)).toBe(true);
    expect([e.httpStatus, e.vendorCode, e.retryable, e.deviceId]).toEqual([
      404,
      '/service/',
      false,
      d.mdn,
    ]);
    expect((await client.getLine(d.mdn)).iccid).toBe(d.iccid);
  });

  it('treats a /service/ 404 of an IMEI-only swap as an unknown line', async () => {
    const e = await failure(() =>
      client.swapEquipment('2145550000', { reasonCode: 'X', imei: '353325100000017' }),
    );
    rejected(e, 404, '/service/');
  });

  it('rejects a SIM that is on another line (409 SIM_IN_USE)', async () => {
    const [a, b] = [device('A', 5), device('A', 6)];
    rejected(
      await failure(() => client.swapEquipment(a.mdn, { reasonCode: 'X', iccid: b.iccid })),
      409,
      'SIM_IN_USE',
    );
  });

  it('refuses a swap without ICCID and IMEI before sending', async () => {
    await failure(() => client.swapEquipment(device('A').mdn, { reasonCode: 'X' }));
    expect(sim.journal).toHaveLength(0);
  });
});

describe('removeOffering', () => {
  const withOffering = () => {
    for (const d of DEVICES.filter((x) => x.status === 'A')) {
      const line = sim.line(d.msisdn ?? '');
      const code = line?.offerings[0]?.code;
      if (line !== undefined && code !== undefined) return { mdn: line.subscriberNumber, code };
    }
    throw new Error('no active line with an offering');
  };

  it('PATCHes removeOfferingCode with an empty effectiveDate and the offering goes', async () => {
    const { mdn, code } = withOffering();
    await client.removeOffering(mdn, code);
    expect(calls(sim, 'patchLine')[0]?.body).toEqual({
      serviceCharacteristic: [{ name: 'removeOfferingCode', value: code }],
      effectiveDate: '',
    });
    const line = await client.getLine(mdn);
    expect(line.offerings.map((o) => o.code)).not.toContain(code);
  });

  it('rejects removing an offering the line does not have', async () => {
    const { mdn } = withOffering();
    rejected(
      await failure(() => client.removeOffering(mdn, 'NOTONLINE')),
      400,
      'OFFERING_NOT_FOUND',
    );
  });
});

describe('listLines', () => {
  it('pages with current-page/page-size and hides cancelled lines', async () => {
    const first = await client.listLines({ page: 1, pageSize: 5 });
    const entry = calls(sim, 'listLines')[0];
    expect(entry?.path).toBe('/sp/mobility/api/v1/account');
    expect([entry?.headers['current-page'], entry?.headers['page-size']]).toEqual(['1', '5']);
    expect(entry?.headers['app-secret']).toBe(APP_SECRET);
    const visible = DEVICES.filter((d) => d.status !== 'C').length;
    expect(first.pageTotal).toBe(Math.ceil(visible / 5));
    expect(first.lines).toHaveLength(5);
    const all = await client.listLines({ page: 1, pageSize: 250 });
    expect(all.lines).toHaveLength(visible);
    expect(all.lines.every((l) => l.status !== 'C')).toBe(true);
  });
});
