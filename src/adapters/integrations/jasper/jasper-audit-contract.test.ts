import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_DEMO_BASE_URLS } from '../../../app/demo/demo-catalog.ts';
import { ErrorCode } from '../../../domain/errors.ts';
import {
  failure,
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

describe('jasper client — audit trail', () => {
  it('reads a page newest first with the documented query parameters', async () => {
    const iccid = bed.device('pod19', activated);
    const client = bed.client();
    await client.setUsername(iccid, 'A');
    await client.setUsername(iccid, 'B');
    await client.editDevice(iccid, { status: 'DEACTIVATED' });
    const page = await client.getAuditTrail(iccid, { daysOfHistory: 7 });
    expect(bed.sim.journal.at(-1)?.query).toBe('?daysOfHistory=7&pageSize=50&pageNumber=1');
    expect(page).toMatchObject({ iccid, pageNumber: 1, lastPage: true });
    expect(page.deviceAuditTrails.map((r) => [r.field, r.value, r.status])).toEqual([
      ['status', 'DEACTIVATED', 'Executed'],
      ['accountCustom1', 'B', 'Executed'],
      ['accountCustom1', 'A', 'Executed'],
    ]);
    expect(page.deviceAuditTrails[1]?.priorValue).toBe('A');
  });

  it('pages by 50 and the walker follows lastPage', async () => {
    const iccid = bed.device('pod19');
    const client = bed.client();
    bed.sim.setControls({ ratePerSecond: 10_000 });
    for (let i = 1; i <= 53; i++) await client.editDevice(iccid, { accountCustom2: `v${i}` });
    const first = await client.getAuditTrail(iccid);
    expect([first.deviceAuditTrails.length, first.lastPage]).toEqual([50, false]);
    const second = await client.getAuditTrail(iccid, { pageNumber: 2 });
    expect([second.deviceAuditTrails.length, second.lastPage]).toEqual([3, true]);
    bed.sim.journal.length = 0;
    const values: string[] = [];
    for await (const record of client.iterateAuditTrail(iccid)) values.push(record.value ?? '');
    expect(values).toHaveLength(53);
    expect(values[0]).toBe('v53');
    expect(values.at(-1)).toBe('v1');
    expect(bed.sim.journal.map((e) => e.query)).toEqual([
      '?daysOfHistory=30&pageSize=50&pageNumber=1',
      '?daysOfHistory=30&pageSize=50&pageNumber=2',
    ]);
    expect(await failure(client.getAuditTrail(iccid, { pageSize: 51 }))).toMatchObject({
      code: ErrorCode.INTEGRATION_REJECTED,
    });
    const raw = await fetch(`${bed.baseUrl}/devices/${iccid}/auditTrails?pageSize=51`, {
      headers: { authorization: basic() },
    });
    expect(raw.status).toBe(400);
  });
});

describe('jasper client — POD19 verification', () => {
  it('confirms an applied username edit', async () => {
    const iccid = bed.device('pod19');
    const client = bed.client();
    const since = Date.now() - 1000;
    await client.setUsername(iccid, 'Kiosk 0001');
    const verdict = await client.verifyUsernameEdit(iccid, 'Kiosk 0001', since);
    expect(verdict.outcome).toBe('confirmed');
  });

  it('reports a 2xx edit that the audit trail shows as Error, with the original message', async () => {
    const iccid = bed.device('pod19');
    const before = bed.sim.device(iccid)?.accountCustom1;
    bed.sim.setControls({ auditErrorIccids: [iccid] });
    const client = bed.client();
    const result = await client.setUsername(iccid, 'Ghost 9');
    expect(result.iccid).toBe(iccid);
    expect(bed.sim.device(iccid)?.accountCustom1).toBe(before);
    const verdict = await client.verifyFieldEdit(iccid, {
      field: 'accountCustom1',
      value: 'Ghost 9',
    });
    expect(verdict).toMatchObject({
      outcome: 'failed',
      message: 'Unsuccessfully updated the Username. The Username (Ghost 9) not exists.',
      record: { status: 'Error', value: 'Ghost 9' },
    });
  });

  it('says not-found-yet while the audit trail lags, then confirms', async () => {
    const iccid = bed.device('pod19');
    bed.sim.setControls({ auditLagMs: 60_000 });
    const client = bed.client();
    await client.setUsername(iccid, 'Meter 12');
    expect(await client.verifyUsernameEdit(iccid, 'Meter 12')).toEqual({
      outcome: 'not-found-yet',
    });
    bed.sim.advanceClock(60_000);
    expect((await client.verifyUsernameEdit(iccid, 'Meter 12')).outcome).toBe('confirmed');
  });

  it('ignores records older than since', async () => {
    const iccid = bed.device('pod19');
    const client = bed.client();
    await client.setUsername(iccid, 'Old name');
    bed.sim.advanceClock(5_000);
    const since = Date.now() + 4_000;
    expect((await client.verifyUsernameEdit(iccid, 'Old name', since)).outcome).toBe(
      'not-found-yet',
    );
    expect((await client.verifyUsernameEdit(iccid, 'Old name', since - 10_000)).outcome).toBe(
      'confirmed',
    );
  });
});

describe('jasper client — search and routing', () => {
  it('searches devices modified since a time, ascending, and requires modifiedSince', async () => {
    const client = bed.client();
    const start = new Date(Date.now() - 1000);
    const [a, b] = [
      bed.device('pod19', activated),
      bed.device('pod19', (d) => d.status === 'DEACTIVATED'),
    ];
    await client.setUsername(b, 'first');
    await new Promise((r) => setTimeout(r, 5));
    await client.setUsername(a, 'second');
    const page = await client.searchDevices({ modifiedSince: start });
    expect(page.devices.map((d) => d.iccid)).toEqual([b, a]);
    expect(bed.sim.journal.at(-1)?.query).toBe(
      `?modifiedSince=${encodeURIComponent(start.toISOString().replace(/\.\d{3}Z$/, 'Z'))}`,
    );
    const raw = await fetch(`${bed.baseUrl}/devices`, { headers: { authorization: basic() } });
    expect(raw.status).toBe(400);
    expect(await raw.json()).toEqual({
      errorMessage: 'ModifiedSince is required.',
      errorCode: '10000003',
    });
  });

  it('rejects another API version with 10000024', async () => {
    const raw = await fetch(`${bed.baseUrl.replace('/v1', '/v2')}/devices/${bed.device('pod19')}`, {
      headers: { authorization: basic() },
    });
    expect([raw.status, ((await raw.json()) as { errorCode: string }).errorCode]).toEqual([
      400,
      '10000024',
    ]);
  });

  it('serves every Jasper-family demo provider at the demo base URL path', async () => {
    expect(new URL(DEFAULT_DEMO_BASE_URLS.jasper).pathname).toBe('/rws/api/v1');
    const family = TEST_DATASET.serviceProviders.filter(
      (p) => typeof p.secrets.apiKey === 'string',
    );
    expect(family.map((p) => p.integration)).toEqual([
      'Jasper',
      'POD19',
      'TMobileJasper',
      'Rogers',
    ]);
    for (const p of family) {
      const iccid = bed.device(p.key);
      expect((await bed.client(p.key).getDevice(iccid)).iccid).toBe(iccid);
      expect(bed.sim.journal.at(-1)?.account).toBe(p.key);
    }
  });
});
