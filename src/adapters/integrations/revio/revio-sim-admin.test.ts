import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_DEMO_BASE_URLS } from '../../../app/demo/demo-catalog.ts';
import { buildDemoDataset } from '../../../app/demo/demo-dataset.ts';
import { createRevioClient } from './revio-client.ts';
import { createRevioSimulator } from './revio-simulator.ts';
import {
  apiCalls,
  createTestSimulator,
  expectedBasic,
  serviceWhere,
  testDataset,
} from './revio-test-support.ts';

const sim = createTestSimulator();
let origin: string;

beforeAll(async () => {
  origin = await sim.start(0);
});
afterAll(async () => {
  await sim.close();
});
afterEach(() => {
  sim.reset();
});

const service = serviceWhere((l) => l.includes('costcenter1') && l.length >= 3);

/** Raw request with the dataset tenant's credentials unless overridden. */
async function raw(
  method: string,
  path: string,
  init: { headers?: Record<string, string | undefined>; body?: string } = {},
) {
  const account = sim.controls.account;
  const headers: Record<string, string> = {};
  const merged = {
    authorization: expectedBasic(account),
    'ocp-apim-subscription-key': account.subscriptionKey,
    ...init.headers,
  };
  for (const [k, v] of Object.entries(merged)) if (v !== undefined) headers[k] = v;
  const res = await fetch(`${origin}${path}`, { method, headers, body: init.body });
  const text = await res.text();
  return {
    status: res.status,
    headers: res.headers,
    json: text === '' ? undefined : JSON.parse(text),
  };
}

describe('revio simulator admin endpoint', () => {
  const admin = (method: string, path: string, body?: unknown) =>
    raw(method, `/__admin/revio${path}`, {
      headers: { 'content-type': 'application/json', authorization: undefined },
      body: body === undefined ? undefined : JSON.stringify(body),
    });

  it('switches the ok flag, permissions, duplicates and rate limit, and shows a service', async () => {
    expect((await admin('POST', `/services/${service.serviceId}/ok`, { ok: false })).status).toBe(
      204,
    );
    const okFalse = await raw('GET', `/v1/Services/${service.serviceId}`);
    expect(okFalse.json.ok).toBe(false);

    expect((await admin('PUT', '/permissions', { deny: ['*'] })).status).toBe(204);
    expect((await raw('GET', '/v1/Services')).status).toBe(403);
    await admin('PUT', '/permissions', { deny: [] });

    expect((await admin('PUT', '/rate-limit', { perMinute: 1 })).status).toBe(204);
    expect((await admin('PUT', '/duplicates', { reject: true })).status).toBe(204);
    expect(sim.state.rateLimit.perMinute).toBe(1);
    expect(sim.state.rejectDuplicateNumbers).toBe(true);

    const shown = await admin('GET', `/services/${service.serviceId}`);
    expect(shown.json).toMatchObject({ service_id: service.serviceId, fields: expect.any(Array) });
    expect((await admin('PUT', '/rate-limit', { perMinute: -1 })).status).toBe(400);
  });

  it('takes fault rules through the kit endpoint', async () => {
    await raw('POST', '/__admin/faults', {
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        operation: 'getService',
        times: 1,
        effect: { kind: 'error', status: 503 },
      }),
    });

    const res = await raw('GET', `/v1/Services/${service.serviceId}`);

    expect(res.status).toBe(503);
    expect(res.json).toEqual({ statusCode: 503, message: 'Service Unavailable' });
  });
});

describe('revio simulator seeding', () => {
  it('serves every Rev.io service of the default demo dataset under the demo base URL path', async () => {
    const dataset = buildDemoDataset();
    const local = createRevioSimulator({ dataset });
    const localOrigin = await local.start(0);
    try {
      const port = new URL(localOrigin).port;
      const baseUrl = new URL(dataset.billingIntegration.baseUrl);
      expect(baseUrl.pathname).toBe(new URL(DEFAULT_DEMO_BASE_URLS.revio).pathname);
      baseUrl.port = port;
      const b = dataset.billingIntegration;
      const client = createRevioClient({
        baseUrl: baseUrl.toString(),
        credentials: {
          login: b.login,
          clientCode: b.clientCode,
          password: b.secrets.password ?? '',
          subscriptionKey: b.secrets.subscriptionKey ?? '',
        },
      });
      const last = dataset.revServices.at(-1);

      const fetched = await client.getService(last?.serviceId ?? 0);

      expect(local.controls.services()).toHaveLength(dataset.revServices.length);
      expect(fetched.fields.map((f) => f.label)).toEqual(last?.fields.map((f) => f.label));
    } finally {
      await local.close();
    }
  });

  it('is deterministic under the seed: same probabilistic faults, same outcomes', async () => {
    const outcomes = async () => {
      const s = createRevioSimulator({ dataset: testDataset, seed: 42 });
      const o = await s.start(0);
      s.faults.add({ operation: 'listServices', probability: 0.5, effect: { kind: 'error' } });
      const account = s.controls.account;
      const statuses: number[] = [];
      for (let i = 0; i < 12; i++) {
        const res = await fetch(`${o}/v1/Services`, {
          headers: {
            authorization: expectedBasic(account),
            'ocp-apim-subscription-key': account.subscriptionKey,
          },
        });
        await res.text();
        statuses.push(res.status);
      }
      await s.close();
      return statuses;
    };

    const first = await outcomes();
    const second = await outcomes();

    expect(first).toEqual(second);
    expect(new Set(first)).toEqual(new Set([200, 503]));
  });

  it('restores the seeded state on reset', async () => {
    await raw('PATCH', `/v1/Services/${service.serviceId}`, {
      headers: { 'content-type': 'application/json-patch+json' },
      body: JSON.stringify([{ op: 'replace', path: '/description', value: 'changed' }]),
    });
    expect(apiCalls(sim)).toHaveLength(1);

    sim.reset();

    expect(sim.controls.service(service.serviceId)?.description).toBe(service.description);
    expect(sim.journal).toHaveLength(0);
  });
});
