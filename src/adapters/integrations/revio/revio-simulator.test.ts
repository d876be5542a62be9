import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  createTestSimulator,
  expectedBasic,
  OTHER_ACCOUNT,
  serviceWhere,
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

const patch = (ops: unknown, contentType = 'application/json-patch+json') =>
  raw('PATCH', `/v1/Services/${service.serviceId}`, {
    headers: { 'content-type': contentType },
    body: JSON.stringify(ops),
  });

describe('revio simulator authentication', () => {
  it('answers a missing subscription key with the gateway 401', async () => {
    const res = await raw('GET', `/v1/Services/${service.serviceId}`, {
      headers: { 'ocp-apim-subscription-key': undefined },
    });

    expect(res.status).toBe(401);
    expect(res.json).toEqual({
      statusCode: 401,
      message:
        'Access denied due to missing subscription key. Make sure to include subscription key when making requests to an API.',
    });
  });

  it('answers a missing Basic header with a Rev.io 401 and WWW-Authenticate', async () => {
    const res = await raw('GET', `/v1/Services/${service.serviceId}`, {
      headers: { authorization: undefined },
    });

    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Basic realm="Rev.io"');
    expect(res.json).toEqual([
      {
        ok: false,
        error: 'Unauthorized',
        message: 'Authorization has been denied for this request.',
      },
    ]);
  });

  it('accepts the second tenant with its own key and login', async () => {
    const other = { ...OTHER_ACCOUNT };
    const res = await raw('GET', '/v1/Services', {
      headers: {
        authorization: expectedBasic(other),
        'ocp-apim-subscription-key': other.subscriptionKey,
      },
    });

    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ ok: true, record_count: 0, records: [] });
  });
});

describe('revio simulator JSON Patch', () => {
  it('accepts paths with and without the leading slash', async () => {
    const withSlash = await patch([{ op: 'replace', path: '/fields/0/value', value: 'A' }]);
    const without = await patch([{ op: 'replace', path: 'fields/1/value', value: 'B' }]);

    expect(withSlash).toMatchObject({ status: 200, json: { ok: true, id: service.serviceId } });
    expect(without.status).toBe(200);
    const fields = sim.controls.service(service.serviceId)?.fields;
    expect(fields?.[0]?.value).toBe('A');
    expect(fields?.[1]?.value).toBe('B');
  });

  it.each([
    ['an add operation', [{ op: 'add', path: '/description', value: 'x' }], "'add' operation"],
    ['an unknown operation', [{ op: 'upsert', path: '/description', value: 'x' }], 'invalid'],
    ['an unknown path', [{ op: 'replace', path: '/number', value: 'x' }], 'was not found'],
    [
      'a field label path',
      [{ op: 'replace', path: '/fields/0/label', value: 'x' }],
      'was not found',
    ],
    [
      'a negative index',
      [{ op: 'replace', path: '/fields/-1/value', value: 'x' }],
      'out of bounds',
    ],
    ['a non-text value', [{ op: 'replace', path: '/description', value: 5 }], 'invalid'],
    ['a document that is not an array', { op: 'replace' }, 'malformed'],
  ])('rejects %s with a 400 and applies nothing', async (_name, ops, message) => {
    const before = sim.controls.service(service.serviceId);

    const res = await patch(ops);

    expect(res.status).toBe(400);
    expect(res.json[0]).toMatchObject({ ok: false, error: 'BadRequest' });
    expect(res.json[0].message).toContain(message);
    expect(sim.controls.service(service.serviceId)).toEqual(before);
  });

  it('answers 415 to a patch sent as plain JSON', async () => {
    const res = await patch(
      [{ op: 'replace', path: '/description', value: 'x' }],
      'application/json',
    );

    expect(res.status).toBe(415);
    expect(res.json[0].error).toBe('UnsupportedMediaType');
  });
});

describe('revio simulator creates', () => {
  const post = (path: string, body: unknown) =>
    raw('POST', path, {
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  it.each([
    ['customer_id', { number: '1', service_type_id: 101 }, 'The customer_id field is required.'],
    ['number', { customer_id: 100101, service_type_id: 101 }, 'The number field is required.'],
    [
      'service_type_id',
      { customer_id: 100101, number: '1' },
      'The service_type_id field is required.',
    ],
  ])('requires %s', async (_field, body, message) => {
    const res = await post('/v1/Services', body);

    expect(res.status).toBe(400);
    expect(res.json).toEqual([{ ok: false, error: 'BadRequest', message }]);
  });

  it("accepts the original's yyyy-MM-ddZ dates and answers 201 { ok, id }", async () => {
    const res = await post('/v1/Services', {
      customer_id: 100101,
      number: '15550009999',
      number2: '',
      service_type_id: 102,
      effective_date: '2024-05-01Z',
      activated_date: '2024-05-01Z',
    });

    expect(res.status).toBe(201);
    expect(res.json).toEqual({ ok: true, id: expect.any(Number) });
    expect(sim.controls.service(res.json.id)).toMatchObject({
      number2: null,
      effective_date: '2024-05-01T00:00:00.000Z',
    });
  });

  it('rejects an impossible date', async () => {
    const res = await post('/v1/Services', {
      customer_id: 100101,
      number: '1',
      service_type_id: 101,
      activated_date: '2024-02-30',
    });

    expect(res.status).toBe(400);
    expect(res.json[0].message).toContain('activated_date');
  });

  it('requires rate on a service product', async () => {
    const res = await post('/v1/ServiceProduct', {
      service_id: service.serviceId,
      product_id: 3001,
      customer_id: Number(service.customerExternalId),
    });

    expect(res.status).toBe(400);
    expect(res.json[0].message).toContain('rate');
  });
});

describe('revio simulator rate limit', () => {
  it('counts calls per tenant in a sliding minute and says how long to wait', async () => {
    sim.controls.setRateLimit({ perMinute: 3 });
    const call = () => raw('GET', `/v1/Services/${service.serviceId}`);
    for (let i = 0; i < 3; i++) expect((await call()).status).toBe(200);

    sim.advanceClock(20_000);
    const refused = await call();
    const otherTenant = await raw('GET', '/v1/Services', {
      headers: {
        authorization: expectedBasic({ ...OTHER_ACCOUNT }),
        'ocp-apim-subscription-key': OTHER_ACCOUNT.subscriptionKey,
      },
    });

    expect(refused.status).toBe(429);
    expect(refused.json).toEqual({
      statusCode: 429,
      message: 'Rate limit is exceeded. Try again in 40 seconds.',
    });
    expect(refused.headers.get('retry-after')).toBe('40');
    expect(otherTenant.status).toBe(200);
    sim.advanceClock(40_000);
    expect((await call()).status).toBe(200);
  });

  it('can leave Retry-After out (seconds only in the message) and enforce a daily quota', async () => {
    sim.controls.setRateLimit({ perDay: 1, retryAfterHeader: false });
    await raw('GET', `/v1/Services/${service.serviceId}`);

    const refused = await raw('GET', `/v1/Services/${service.serviceId}`);

    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBeNull();
    expect(refused.json.message).toMatch(/Try again in \d+ seconds\./);
  });
});
