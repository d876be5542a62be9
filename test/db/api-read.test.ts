import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type ApiHarness,
  type ApiTenant,
  createApiHarness,
  seedApiTenant,
} from '../support/api-fixtures.ts';
import { iccidFor } from '../support/db-fixtures.ts';
import { useTestDatabase } from '../support/test-database.ts';

const testDb = useTestDatabase();
let harness: ApiHarness;
let a: ApiTenant;
let b: ApiTenant;
let bulkOfB: number;

async function submit(t: ApiTenant, devices: string[], extra: Record<string, unknown> = {}) {
  const res = await harness.app.inject({
    method: 'POST',
    url: '/api/v1/bulk-changes',
    headers: t.auth,
    payload: {
      changeType: 'EditUsernameCostCenter',
      serviceProviderId: t.provider.id,
      request: { ContactName: 'Read test' },
      devices,
      ...extra,
    },
  });
  expect(res.statusCode).toBe(201);
  return res.json().id as number;
}

const get = (t: ApiTenant, url: string) =>
  harness.app.inject({ method: 'GET', url: `/api/v1${url}`, headers: t.auth });
const post = (t: ApiTenant, url: string) =>
  harness.app.inject({ method: 'POST', url: `/api/v1${url}`, headers: t.auth });

/** Simulates the engine's results: rows 1..n get the given statuses; the bulk change finishes. */
async function finishWith(id: number, statuses: string[], bulkStatus = 'PROCESSED') {
  const { db } = testDb();
  await db
    .updateTable('bulk_changes')
    .set({
      status: bulkStatus as 'PROCESSED',
      started_at: new Date(Date.now() - 10_000),
      processed_at: new Date(),
    })
    .where('id', '=', id)
    .execute();
  for (const [i, status] of statuses.entries()) {
    await db
      .updateTable('device_changes')
      .set({
        status: status as 'PROCESSED',
        attempt: 3,
        processed_at: new Date(),
        last_error: status === 'API_FAILED' ? 'carrier said no' : null,
      })
      .where('bulk_change_id', '=', id)
      .where('row_number', '=', i + 1)
      .execute();
  }
}

beforeAll(async () => {
  harness = await createApiHarness(testDb());
  a = await seedApiTenant(testDb().db, { devices: 30, base: 0 });
  b = await seedApiTenant(testDb().db, { devices: 5, base: 100 });
  bulkOfB = await submit(b, [iccidFor(101), iccidFor(102)]);
});
afterAll(async () => harness?.close());

describe('read routes', () => {
  it('lists service providers and devices of the caller only, with filters and pagination', async () => {
    const sps = await get(a, '/service-providers');
    expect(sps.statusCode).toBe(200);
    expect(sps.json().items).toEqual([
      { id: a.provider.id, name: a.provider.name, integration: 'POD19', writeEnabled: true },
    ]);
    expect(JSON.stringify(sps.json())).not.toContain('credentials');

    const first = await get(a, `/devices?limit=20&serviceProviderId=${a.provider.id}`);
    expect(first.statusCode).toBe(200);
    expect(first.json().items).toHaveLength(20);
    const next = await get(a, `/devices?limit=20&cursor=${first.json().nextCursor}`);
    expect(next.json().items).toHaveLength(10);
    expect(next.json().nextCursor).toBeNull();
    const all = [...first.json().items, ...next.json().items].map(
      (d: { iccid: string }) => d.iccid,
    );
    expect(new Set(all).size).toBe(30);
    expect(all).not.toContain(iccidFor(101));
    const one = await get(a, `/devices?iccid=${iccidFor(3)}`);
    expect(one.json().items.map((d: { iccid: string }) => d.iccid)).toEqual([iccidFor(3)]);
    const bad = await get(a, '/devices?limit=5000');
    expect(bad.statusCode).toBe(422);
    expect(bad.json().details[0].field).toBe('limit');
    const badCursor = await get(a, '/devices?cursor=zzz');
    expect(badCursor.statusCode).toBe(422);
  });

  it('shows one bulk change with counts, percent done, throughput and ETA; its device changes and logs', async () => {
    const id = await submit(a, [iccidFor(1), iccidFor(2), iccidFor(3), iccidFor(4)]);
    const fresh = await get(a, `/bulk-changes/${id}`);
    expect(fresh.statusCode).toBe(200);
    expect(fresh.json()).toMatchObject({
      id,
      status: 'NEW',
      total: 4,
      counts: { NEW: 4, PROCESSED: 0 },
      progress: { done: 0, percentDone: 0, throughputPerSecond: null, etaSeconds: null },
    });
    await finishWith(id, ['PROCESSED', 'API_FAILED'], 'PROCESSING');
    const running = (await get(a, `/bulk-changes/${id}`)).json();
    expect(running.counts).toMatchObject({ PROCESSED: 1, API_FAILED: 1, NEW: 2 });
    expect(running.progress.done).toBe(2);
    expect(running.progress.failed).toBe(1);
    expect(running.progress.percentDone).toBe(50);
    expect(running.progress.throughputPerSecond).toBeGreaterThan(0);
    expect(running.progress.etaSeconds).toBeGreaterThan(0);

    const failed = await get(a, `/bulk-changes/${id}/device-changes?status=API_FAILED`);
    expect(failed.json().items.map((d: { rowNumber: number }) => d.rowNumber)).toEqual([2]);
    expect(failed.json().items[0]).toMatchObject({
      status: 'API_FAILED',
      lastError: 'carrier said no',
      iccid: iccidFor(2),
    });
    const paged = await get(a, `/bulk-changes/${id}/device-changes?limit=3`);
    expect(paged.json().items).toHaveLength(3);
    const rest = await get(
      a,
      `/bulk-changes/${id}/device-changes?limit=3&cursor=${paged.json().nextCursor}`,
    );
    expect(rest.json().items.map((d: { rowNumber: number }) => d.rowNumber)).toEqual([4]);
    const badStatus = await get(a, `/bulk-changes/${id}/device-changes?status=DONE`);
    expect(badStatus.statusCode).toBe(422);

    const dc = failed.json().items[0].id as number;
    await testDb()
      .db.insertInto('bulk_change_logs')
      .values([
        {
          bulk_change_id: id,
          device_change_id: dc,
          description: 'Jasper: edit username',
          processed_by: 'test',
          has_errors: true,
          error_text: 'no',
        },
        {
          bulk_change_id: id,
          device_change_id: null,
          description: 'Bulk change started',
          processed_by: 'test',
        },
      ])
      .execute();
    const logs = await get(a, `/bulk-changes/${id}/logs`);
    expect(logs.json().items).toHaveLength(2);
    const ofDevice = await get(a, `/bulk-changes/${id}/logs?deviceChangeId=${dc}`);
    expect(ofDevice.json().items.map((l: { description: string }) => l.description)).toEqual([
      'Jasper: edit username',
    ]);
  });

  it('lists bulk changes newest first with filters and pagination', async () => {
    const ids = [
      await submit(a, [iccidFor(10)]),
      await submit(a, [iccidFor(11)]),
      await submit(a, [iccidFor(12)]),
    ];
    const page1 = await get(a, '/bulk-changes?limit=2');
    expect(page1.json().items.map((x: { id: number }) => x.id)).toEqual([ids[2], ids[1]]);
    const page2 = await get(a, `/bulk-changes?limit=2&cursor=${page1.json().nextCursor}`);
    expect(page2.json().items[0].id).toBe(ids[0]);
    expect(page2.json().items[0].counts.NEW).toBe(1);
    const all = await get(a, '/bulk-changes?limit=1000');
    expect(all.json().items.map((x: { id: number }) => x.id)).not.toContain(bulkOfB);
    const processed = await get(a, '/bulk-changes?status=PROCESSED');
    expect(processed.json().items).toEqual([]);
    const badStatus = await get(a, '/bulk-changes?status=DONE');
    expect(badStatus.statusCode).toBe(422);
  });
});

describe('retry and cancel', () => {
  it('retry re-queues only the API_FAILED device changes and reopens the bulk change', async () => {
    const id = await submit(a, [iccidFor(20), iccidFor(21), iccidFor(22)]);
    await harness.drain();
    await finishWith(id, ['PROCESSED', 'API_FAILED', 'API_FAILED']);
    const before = harness.sent.filter((m) => m.bulkChangeId === id).length;
    const res = await post(a, `/bulk-changes/${id}/retry`);
    expect(res.statusCode).toBe(202);
    expect(res.json()).toEqual({ id, status: 'PROCESSING', retried: 2 });
    const view = (await get(a, `/bulk-changes/${id}`)).json();
    expect(view.status).toBe('PROCESSING');
    expect(view.counts).toMatchObject({ PROCESSED: 1, PENDING: 2, API_FAILED: 0 });
    const rows = await testDb()
      .db.selectFrom('device_changes')
      .select(['status', 'attempt'])
      .where('bulk_change_id', '=', id)
      .orderBy('row_number')
      .execute();
    expect(rows).toEqual([
      { status: 'PROCESSED', attempt: 3 },
      { status: 'PENDING', attempt: 0 },
      { status: 'PENDING', attempt: 0 },
    ]);
    await harness.drain();
    expect(harness.sent.filter((m) => m.bulkChangeId === id).length).toBe(before + 1);
    const again = await post(a, `/bulk-changes/${id}/retry`);
    expect(again.statusCode).toBe(409);
    expect(again.json().code).toBe('INVALID_STATUS_TRANSITION');
  });

  it('cancel stops the device changes not started and leaves the others', async () => {
    const id = await submit(a, [iccidFor(23), iccidFor(24), iccidFor(25)]);
    await finishWith(id, ['PROCESSED'], 'PROCESSING');
    await testDb()
      .db.updateTable('device_changes')
      .set({ status: 'PROCESSING' })
      .where('bulk_change_id', '=', id)
      .where('row_number', '=', 2)
      .execute();
    const res = await post(a, `/bulk-changes/${id}/cancel`);
    expect(res.statusCode).toBe(202);
    expect(res.json()).toEqual({ id, status: 'PROCESSING', cancelled: 1 });
    const counts = (await get(a, `/bulk-changes/${id}`)).json().counts;
    expect(counts).toMatchObject({ PROCESSED: 1, PROCESSING: 1, CANCELLED: 1, NEW: 0 });
    await finishWith(id, [], 'PROCESSED');
    const late = await post(a, `/bulk-changes/${id}/cancel`);
    expect(late.statusCode).toBe(409);
  });
});

describe("tenant isolation: another tenant's bulk change answers 404 on every route", () => {
  // What the owner gets (B's bulk change has nothing failed, so its retry is a 409).
  const routes = [
    ['GET', '', 200],
    ['GET', '/device-changes', 200],
    ['GET', '/logs', 200],
    ['POST', '/retry', 409],
    ['POST', '/cancel', 202],
  ] as const;
  for (const [method, suffix, ownStatus] of routes) {
    it(`${method} /bulk-changes/{id}${suffix}`, async () => {
      const url = `/api/v1/bulk-changes/${bulkOfB}${suffix}`;
      const foreign = await harness.app.inject({ method, url, headers: a.auth });
      expect(foreign.statusCode).toBe(404);
      expect(foreign.json()).toEqual({
        code: 'NOT_FOUND',
        message: `Bulk change ${bulkOfB} not found`,
      });
      const own = await harness.app.inject({ method, url, headers: b.auth });
      expect(own.statusCode).toBe(ownStatus);
      const anonymous = await harness.app.inject({ method, url });
      expect(anonymous.statusCode).toBe(401);
    });
  }

  it('lists, devices, service providers and submit never show or accept the other tenant', async () => {
    const list = (await get(b, '/bulk-changes')).json().items.map((x: { id: number }) => x.id);
    expect(list).toEqual([bulkOfB]);
    const sps = (await get(b, '/service-providers')).json().items.map((x: { id: number }) => x.id);
    expect(sps).toEqual([b.provider.id]);
    const devices = await get(b, `/devices?serviceProviderId=${a.provider.id}`);
    expect(devices.json().items).toEqual([]);
    const byIccid = await get(b, `/devices?iccid=${iccidFor(1)}`);
    expect(byIccid.json().items).toEqual([]);
    const res = await harness.app.inject({
      method: 'POST',
      url: '/api/v1/bulk-changes',
      headers: b.auth,
      payload: {
        changeType: 'EditUsername',
        serviceProviderId: a.provider.id,
        request: { ContactName: 'x' },
        devices: [iccidFor(1)],
      },
    });
    expect(res.statusCode).toBe(404);
    for (const url of ['/service-providers', '/devices', '/bulk-changes']) {
      expect((await harness.app.inject({ method: 'GET', url: `/api/v1${url}` })).statusCode).toBe(
        401,
      );
    }
  });
});

describe('OpenAPI docs', () => {
  it('serves the OpenAPI document generated from the route schemas, with every route and error code', async () => {
    const res = await harness.app.inject({ method: 'GET', url: '/docs/json' });
    expect(res.statusCode).toBe(200);
    const doc = res.json();
    expect(doc.openapi).toBe('3.0.3');
    expect(Object.keys(doc.paths).sort()).toEqual([
      '/api/v1/bulk-changes',
      '/api/v1/bulk-changes/{id}',
      '/api/v1/bulk-changes/{id}/cancel',
      '/api/v1/bulk-changes/{id}/device-changes',
      '/api/v1/bulk-changes/{id}/logs',
      '/api/v1/bulk-changes/{id}/retry',
      '/api/v1/devices',
      '/api/v1/service-providers',
    ]);
    const post = doc.paths['/api/v1/bulk-changes'].post;
    expect(post.requestBody.content['application/json'].schema.required).toEqual(
      expect.arrayContaining(['changeType', 'serviceProviderId', 'devices']),
    );
    expect(post.parameters.map((p: { name: string }) => p.name)).toEqual(
      expect.arrayContaining([
        'dryRun',
        'strict',
        'changeType',
        'serviceProviderId',
        'idempotency-key',
      ]),
    );
    for (const code of ['VALIDATION_FAILED', 'PAYLOAD_TOO_LARGE', 'UNAUTHORIZED', 'NOT_FOUND']) {
      expect(doc.info.description).toContain(`\`${code}\``);
    }
    const ui = await harness.app.inject({ method: 'GET', url: '/docs' });
    expect(ui.statusCode).toBe(200);
    expect(ui.headers['content-type']).toMatch(/text\/html/);
    expect(ui.body).toMatch(/swagger/i);
  });
});
