import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildDemoDataset } from '../../../app/demo/demo-dataset.ts';
import { createJasperClient } from './jasper-client.ts';
import { createJasperSimulator } from './jasper-simulator.ts';
import { type JasperTestBed, startJasperTestBed, TEST_DATASET } from './jasper-test-kit.ts';

describe('jasper simulator — seeding and determinism', () => {
  it('serves the four Jasper-family demo accounts with their devices and credentials', () => {
    const sim = createJasperSimulator({ dataset: TEST_DATASET });
    const accounts = sim.accounts();
    expect(accounts.map((a) => [a.key, a.integration])).toEqual([
      ['jasper', 'Jasper'],
      ['pod19', 'POD19'],
      ['tmobile', 'TMobileJasper'],
      ['rogers', 'Rogers'],
    ]);
    for (const account of accounts) {
      const provider = TEST_DATASET.serviceProviders.find((p) => p.key === account.key);
      expect(account.username).toBe(provider?.settings.username);
      expect(account.apiKey).toBe(provider?.secrets.apiKey);
      expect(account.devices).toHaveLength(40);
    }
    const sample = TEST_DATASET.devices.find(
      (d) => d.providerKey === 'rogers' && d.username !== null,
    );
    expect(sample).toBeDefined();
    expect(sim.device(sample?.iccid ?? '')).toMatchObject({
      iccid: sample?.iccid,
      msisdn: sample?.msisdn,
      status: sample?.status,
      ratePlan: sample?.carrierRatePlan,
      accountCustom1: sample?.username,
      fixedIPAddress: sample?.ipAddress,
    });
    expect(sim.device(sample?.iccid ?? '')?.imsi).toMatch(/^302720\d{9}$/);
    const telegence = TEST_DATASET.devices.find((d) => d.providerKey === 'telegence');
    expect(sim.device(telegence?.iccid ?? '')).toBeUndefined();
  });

  it('is deterministic under its seed, including random faults', async () => {
    const dataset = buildDemoDataset({ devicesPerProvider: 5 });
    const run = async (seed: number) => {
      const sim = createJasperSimulator({
        seed,
        dataset,
        controls: { auditErrorProbability: 0.5 },
      });
      const url = await sim.start(0);
      const { username, apiKey } = sim.accounts()[0] ?? { username: '', apiKey: '' };
      const iccid = sim.accounts()[0]?.devices[0] ?? '';
      const auth = `Basic ${Buffer.from(`${username}:${apiKey}`).toString('base64')}`;
      for (let i = 0; i < 12; i++) {
        await fetch(`${url}/rws/api/v1/devices/${iccid}`, {
          method: 'PUT',
          headers: { authorization: auth, 'content-type': 'application/json' },
          body: JSON.stringify({ accountCustom2: `v${i}` }),
        });
      }
      const statuses = sim.auditRecords(iccid).map((r) => r.status);
      const imsis = sim.accounts().flatMap((a) => a.devices.map((d) => sim.device(d)?.imsi));
      await sim.close();
      return { statuses, imsis };
    };
    const [a, b, c] = [await run(5), await run(5), await run(6)];
    expect(a).toEqual(b);
    expect(a.statuses).toContain('Error');
    expect(a.statuses).toContain('Executed');
    expect(c.imsis).not.toEqual(a.imsis);
  });
});

describe('jasper simulator — vendor surface and admin endpoint', () => {
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
  const admin = (path: string, init?: RequestInit) =>
    fetch(new URL(`/__admin/${path}`, bed.baseUrl), init);
  const auth = () => {
    const { username, apiKey } = bed.credentials();
    return `Basic ${Buffer.from(`${username}:${apiKey}`).toString('base64')}`;
  };

  it('answers missing or wrong Basic credentials with the vendor 401 body', async () => {
    const iccid = bed.device('pod19');
    for (const headers of [
      {},
      { authorization: 'Basic Zm9vOmJhcg==' },
      { authorization: 'Bearer x' },
    ]) {
      const res = await fetch(`${bed.baseUrl}/devices/${iccid}`, { headers });
      expect(res.status).toBe(401);
      expect(await res.json()).toEqual({
        errorMessage: 'Invalid credentials',
        errorCode: '10000001',
      });
    }
    expect(bed.sim.journal.map((e) => e.headers.authorization)).toEqual([
      undefined,
      'Basic Zm9vOmJhcg==',
      'Bearer x',
    ]);
  });

  it('validates edit bodies: malformed JSON, unknown fields, empty edits, strict status case', async () => {
    const iccid = bed.device('pod19', (d) => d.status === 'ACTIVATED');
    const put = (body: string) =>
      fetch(`${bed.baseUrl}/devices/${iccid}`, {
        method: 'PUT',
        headers: { authorization: auth(), 'content-type': 'application/json' },
        body,
      }).then(async (r) => [r.status, ((await r.json()) as { errorCode?: string }).errorCode]);
    expect(await put('{"status":')).toEqual([400, '10000002']);
    expect(await put('{"colour":"red"}')).toEqual([400, '10000002']);
    expect(await put('{}')).toEqual([400, '10000003']);
    expect(await put('{"status":"deactivated"}')).toEqual([200, undefined]);
    bed.sim.setControls({ strictStatusCase: true });
    expect(await put('{"status":"activated"}')).toEqual([400, '10000020']);
    expect(await put('{"status":"ACTIVATED"}')).toEqual([200, undefined]);
  });

  it('reads and changes controls over HTTP, and reset restores them', async () => {
    const patched = await admin('jasper/controls', {
      method: 'PATCH',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ auditLagMs: 1500, auditErrorIccids: ['8901'] }),
    });
    expect(patched.status).toBe(200);
    expect(bed.sim.controls()).toMatchObject({ auditLagMs: 1500, auditErrorIccids: ['8901'] });
    const bad = await admin('jasper/controls', {
      method: 'PATCH',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ throttleHttpStatus: 418 }),
    });
    expect(bad.status).toBe(400);
    expect(
      ((await (await admin('jasper/controls')).json()) as { auditLagMs: number }).auditLagMs,
    ).toBe(1500);
    bed.sim.reset();
    expect(bed.sim.controls().auditLagMs).toBe(0);
  });

  it('shows hidden audit records and pending edits, and advances the clock, over HTTP', async () => {
    const iccid = bed.device('pod19');
    bed.sim.setControls({ auditLagMs: 10_000 });
    const { username, apiKey } = bed.credentials();
    const client = createJasperClient({ baseUrl: bed.baseUrl, username, apiKey, timeoutMs: 2000 });
    await client.setUsername(iccid, 'Sensor 0003');
    expect((await client.getAuditTrail(iccid)).deviceAuditTrails).toHaveLength(0);
    const view = (await (await admin(`jasper/devices/${iccid}`)).json()) as {
      account: string;
      audit: Array<{ value: string }>;
    };
    expect(view.account).toBe('pod19');
    expect(view.audit.map((r) => r.value)).toEqual(['Sensor 0003']);
    const clock = await admin('jasper/clock', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ advanceMs: 10_000 }),
    });
    expect(clock.status).toBe(204);
    expect((await client.getAuditTrail(iccid)).deviceAuditTrails).toHaveLength(1);
  });

  it('lists accounts without API keys and counts throttling over HTTP; kit faults work over HTTP', async () => {
    const accounts = await (await admin('jasper/accounts')).text();
    expect(accounts).toContain('demo-pod19-api');
    expect(accounts).not.toContain('demo-pod19-api-key');
    const fault = await admin('faults', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        operation: 'getDevice',
        times: 1,
        effect: { kind: 'error', status: 502 },
      }),
    });
    expect(fault.status).toBe(201);
    const res = await fetch(`${bed.baseUrl}/devices/${bed.device('pod19')}`, {
      headers: { authorization: auth() },
    });
    expect(res.status).toBe(502);
    expect(await res.json()).toMatchObject({ errorCode: '50000001' });
    bed.sim.setControls({ ratePerSecond: 1, throttleRetryAfterSeconds: 2 });
    const first = await fetch(`${bed.baseUrl}/devices/${bed.device('pod19')}`, {
      headers: { authorization: auth() },
    });
    const second = await fetch(`${bed.baseUrl}/devices/${bed.device('pod19')}`, {
      headers: { authorization: auth() },
    });
    expect([first.status, second.status, second.headers.get('retry-after')]).toEqual([
      200,
      429,
      '2',
    ]);
    expect(await (await admin('jasper/throttles')).json()).toEqual({ rate: 1, concurrency: 0 });
  });
});
