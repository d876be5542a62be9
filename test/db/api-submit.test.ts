import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QUEUE_OUTBOX_KIND } from '../../src/app/ports/queue-outbox.ts';
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

beforeAll(async () => {
  harness = await createApiHarness(testDb());
  a = await seedApiTenant(testDb().db, { devices: 20 });
});
afterAll(async () => harness?.close());

const badCheckDigit = (n: number) => {
  const good = iccidFor(n);
  return good.slice(0, -1) + String((Number(good.at(-1)) + 1) % 10);
};

async function countBulkChanges(tenantId: number): Promise<number> {
  const row = await testDb()
    .db.selectFrom('bulk_changes')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('tenant_id', '=', tenantId)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

function postJson(body: unknown, query = '', headers: Record<string, string> = {}) {
  return harness.app.inject({
    method: 'POST',
    url: `/api/v1/bulk-changes${query}`,
    headers: { ...a.auth, ...headers },
    payload: body as Record<string, unknown>,
  });
}

function postCsv(csv: string | Buffer, query: string, headers: Record<string, string> = {}) {
  return harness.app.inject({
    method: 'POST',
    url: `/api/v1/bulk-changes?${query}`,
    headers: { ...a.auth, 'content-type': 'text/csv', ...headers },
    payload: csv,
  });
}

describe('POST /api/v1/bulk-changes (JSON)', () => {
  it('stores valid rows as NEW, invalid ones as ERROR with the reason, and sends one message through the outbox', async () => {
    const res = await postJson({
      changeType: 'EditUsernameCostCenter',
      serviceProviderId: a.provider.id,
      request: { ContactName: 'Truck 12', CostCenter1: 'FLEET-A' },
      devices: [
        iccidFor(1),
        iccidFor(2),
        { iccid: iccidFor(3), ContactName: 'Truck 3' },
        badCheckDigit(4),
        iccidFor(9999),
        iccidFor(1),
        { iccid: iccidFor(5), Colour: 'red' },
      ],
    });
    expect(res.statusCode).toBe(201);
    const body = res.json();
    expect(body).toMatchObject({
      status: 'NEW',
      changeType: 'EditUsernameCostCenter',
      serviceProviderId: a.provider.id,
      total: 7,
      rejected: 4,
    });
    expect(body.counts).toMatchObject({ NEW: 3, ERROR: 4, PROCESSED: 0 });
    const rows = body.issues.map((i: { row: number; field: string }) => [i.row, i.field]);
    expect(rows).toEqual([
      [4, 'iccid'],
      [5, 'iccid'],
      [6, 'iccid'],
      [7, 'Colour'],
    ]);
    expect(body.issues[0].message).toMatch(/check digit/i);
    expect(body.issues[1].message).toMatch(/not a device of service provider/);
    expect(body.issues[2].message).toMatch(/duplicate of row 1/);

    const changes = await testDb()
      .db.selectFrom('device_changes')
      .selectAll()
      .where('bulk_change_id', '=', body.id)
      .orderBy('row_number')
      .execute();
    expect(changes.map((c) => c.status)).toEqual([
      'NEW',
      'NEW',
      'NEW',
      'ERROR',
      'ERROR',
      'ERROR',
      'ERROR',
    ]);
    expect(changes[2]?.change_request).toEqual({ ContactName: 'Truck 3' });
    expect(changes[0]?.change_request).toBeNull();
    expect(changes[0]?.device_id).not.toBeNull();
    expect(changes[4]?.status_details).toMatch(/not a device/);

    await harness.drain();
    expect(harness.sent.filter((m) => m.bulkChangeId === body.id)).toEqual([
      { bulkChangeId: body.id, retryNumber: 0 },
    ]);
    const outbox = await testDb()
      .db.selectFrom('notification_outbox')
      .selectAll()
      .where('kind', '=', QUEUE_OUTBOX_KIND)
      .execute();
    const mine = outbox.filter((o) => o.payload.bulkChangeId === body.id);
    expect(mine).toHaveLength(1);
    expect(mine[0]?.status).toBe('SENT');
    // a second drain sends nothing more
    await harness.drain();
    expect(harness.sent.filter((m) => m.bulkChangeId === body.id)).toHaveLength(1);
  });

  it('dry run returns the full report and creates nothing', async () => {
    const before = await countBulkChanges(a.tenant.id);
    const res = await postJson(
      {
        changeType: 'EditUsername',
        serviceProviderId: a.provider.id,
        request: { ContactName: 'X' },
        devices: [iccidFor(1), badCheckDigit(2), iccidFor(1)],
      },
      '?dryRun=true',
    );
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      dryRun: true,
      valid: false,
      total: 3,
      accepted: 1,
      rejected: 2,
      changeType: 'EditUsernameCostCenter',
    });
    expect(res.json().issues).toHaveLength(2);
    expect(await countBulkChanges(a.tenant.id)).toBe(before);
  });

  it('strict mode answers 422 listing every bad row and field and creates nothing', async () => {
    const before = await countBulkChanges(a.tenant.id);
    const res = await postJson(
      {
        changeType: 'EditUsernameCostCenter',
        serviceProviderId: a.provider.id,
        request: {},
        devices: [iccidFor(1), { iccid: badCheckDigit(2), ContactName: 'ok' }],
      },
      '?strict=true',
    );
    expect(res.statusCode).toBe(422);
    const body = res.json();
    expect(body.code).toBe('VALIDATION_FAILED');
    expect(body.details.map((d: { row: number; field: string }) => `${d.row}:${d.field}`)).toEqual([
      '1:',
      '2:iccid',
    ]);
    expect(await countBulkChanges(a.tenant.id)).toBe(before);
  });

  it('applies the type-specific rules: unknown target status, unknown rate plan code', async () => {
    const status = await postJson(
      {
        changeType: 'StatusUpdate',
        serviceProviderId: a.provider.id,
        request: { UpdateStatus: 'ASLEEP' },
        devices: [iccidFor(1)],
      },
      '?dryRun=true',
    );
    expect(status.statusCode).toBe(200);
    expect(status.json().issues[0]).toMatchObject({ row: 1, field: 'UpdateStatus' });
    expect(status.json().issues[0].message).toMatch(/not a status of POD19.*ACTIVATED/);

    const ok = await postJson(
      {
        changeType: 'StatusUpdate',
        serviceProviderId: a.provider.id,
        request: { UpdateStatus: 'deactivated' },
        devices: [iccidFor(1)],
      },
      '?dryRun=true',
    );
    expect(ok.json()).toMatchObject({ valid: true, accepted: 1 });

    const plan = await postJson(
      {
        changeType: 'CarrierRatePlanChange',
        serviceProviderId: a.provider.id,
        request: { CarrierRatePlan: 'NOPE-1GB' },
        devices: [iccidFor(1)],
      },
      '?dryRun=true',
    );
    expect(plan.json().issues[0]).toMatchObject({ row: 1, field: 'CarrierRatePlan' });
  });

  it("refuses an unknown change type, another tenant's provider, and a missing key", async () => {
    const unknown = await postJson({
      changeType: 'Teleport',
      serviceProviderId: a.provider.id,
      devices: ['1'],
    });
    expect(unknown.statusCode).toBe(422);
    expect(unknown.json().code).toBe('UNKNOWN_CHANGE_TYPE');
    const other = await seedApiTenant(testDb().db, { devices: 1, base: 500 });
    const foreign = await postJson({
      changeType: 'EditUsernameCostCenter',
      serviceProviderId: other.provider.id,
      request: { ContactName: 'x' },
      devices: [iccidFor(501)],
    });
    expect(foreign.statusCode).toBe(404);
    expect(foreign.json().code).toBe('NOT_FOUND');
    const anonymous = await harness.app.inject({
      method: 'POST',
      url: '/api/v1/bulk-changes',
      payload: {},
    });
    expect(anonymous.statusCode).toBe(401);
    expect(anonymous.json().code).toBe('UNAUTHORIZED');
    const wrong = await harness.app.inject({
      method: 'GET',
      url: '/api/v1/bulk-changes',
      headers: { authorization: 'Bearer dbc_not-a-real-key' },
    });
    expect(wrong.statusCode).toBe(401);
    const xml = await harness.app.inject({
      method: 'POST',
      url: '/api/v1/bulk-changes',
      headers: { ...a.auth, 'content-type': 'application/xml' },
      payload: '<x/>',
    });
    expect(xml.statusCode).toBe(415);
    expect(xml.json().code).toBe('UNSUPPORTED_MEDIA_TYPE');
  });

  it('Idempotency-Key returns the first result for a repeated request and refuses another payload', async () => {
    const body = {
      changeType: 'EditUsernameCostCenter',
      serviceProviderId: a.provider.id,
      request: { ContactName: 'Idem' },
      devices: [iccidFor(7), iccidFor(8)],
    };
    const first = await postJson(body, '', { 'idempotency-key': 'k-1' });
    expect(first.statusCode).toBe(201);
    const again = await postJson(body, '', { 'idempotency-key': 'k-1' });
    expect(again.statusCode).toBe(200);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.json().id).toBe(first.json().id);
    const rows = await testDb()
      .db.selectFrom('bulk_changes')
      .select('id')
      .where('idempotency_key', '=', 'k-1')
      .execute();
    expect(rows).toHaveLength(1);
    const changed = await postJson({ ...body, devices: [iccidFor(9)] }, '', {
      'idempotency-key': 'k-1',
    });
    expect(changed.statusCode).toBe(409);
    expect(changed.json().code).toBe('IDEMPOTENCY_KEY_REUSED');
    await harness.drain();
    expect(harness.sent.filter((m) => m.bulkChangeId === first.json().id)).toHaveLength(1);
  });
});

describe('POST /api/v1/bulk-changes (CSV)', () => {
  const q = () => `changeType=EditUsernameCostCenter&serviceProviderId=${a.provider.id}`;

  it('streams a CSV with a BOM, quoted fields and case-insensitive headers', async () => {
    const csv = `\uFEFFICCID,contactname,COSTCENTER1\r\n${iccidFor(10)},"Truck, ""ten""",FLEET-A\r\n\r\n${iccidFor(11)},Truck 11,\r\n`;
    const res = await postCsv(csv, q());
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ total: 2, rejected: 0 });
    const changes = await testDb()
      .db.selectFrom('device_changes')
      .select(['row_number', 'change_request', 'status'])
      .where('bulk_change_id', '=', res.json().id)
      .orderBy('row_number')
      .execute();
    expect(changes).toEqual([
      {
        row_number: 1,
        status: 'NEW',
        change_request: { ContactName: 'Truck, "ten"', CostCenter1: 'FLEET-A' },
      },
      { row_number: 2, status: 'NEW', change_request: { ContactName: 'Truck 11' } },
    ]);
  });

  it('refuses a wrong header, a missing identifier column and an empty file, naming the accepted columns', async () => {
    const wrong = await postCsv(`iccid,Colour\n${iccidFor(1)},red\n`, q());
    expect(wrong.statusCode).toBe(422);
    expect(wrong.json().message).toMatch(
      /CSV column "Colour" is not known; accepted columns: iccid, msisdn, eid, ContactName/,
    );
    const noId = await postCsv('ContactName\nTruck\n', q());
    expect(noId.statusCode).toBe(422);
    expect(noId.json().message).toMatch(/no identifier column/);
    const empty = await postCsv('', q());
    expect(empty.statusCode).toBe(422);
    expect(empty.json().message).toMatch(/CSV is empty/);
    const headerOnly = await postCsv('iccid,ContactName\n', q());
    expect(headerOnly.statusCode).toBe(422);
    expect(headerOnly.json().message).toMatch(/no devices/);
    const noType = await postCsv(`iccid\n${iccidFor(1)}\n`, `serviceProviderId=${a.provider.id}`);
    expect(noType.statusCode).toBe(422);
    expect(noType.json().details[0].field).toBe('changeType');
  });

  it('takes shared fields from ?request= and reports bad cells per row and field', async () => {
    const csv = `iccid,CostCenter2\n${iccidFor(12)},\n${badCheckDigit(13)},B\n`;
    const res = await postCsv(
      csv,
      `${q()}&request=${encodeURIComponent('{"ContactName":"Shared"}')}`,
    );
    expect(res.statusCode).toBe(201);
    expect(res.json().request).toEqual({ ContactName: 'Shared' });
    expect(res.json().issues).toEqual([expect.objectContaining({ row: 2, field: 'iccid' })]);
  });

  it('Idempotency-Key on a CSV upload: the same file returns the first bulk change, another file is refused', async () => {
    const csv = `iccid,ContactName\n${iccidFor(14)},A\n${iccidFor(15)},B\n`;
    const first = await postCsv(csv, q(), { 'idempotency-key': 'csv-1' });
    expect(first.statusCode).toBe(201);
    const again = await postCsv(csv, q(), { 'idempotency-key': 'csv-1' });
    expect(again.statusCode).toBe(200);
    expect(again.json().id).toBe(first.json().id);
    const other = await postCsv(`iccid,ContactName\n${iccidFor(14)},C\n`, q(), {
      'idempotency-key': 'csv-1',
    });
    expect(other.statusCode).toBe(409);
    expect(other.json().code).toBe('IDEMPOTENCY_KEY_REUSED');
  });

  it('answers 413 beyond 100,000 rows and beyond 20 MB, creating nothing', async () => {
    const before = await countBulkChanges(a.tenant.id);
    const lines = ['iccid'];
    for (let i = 0; i < 100_001; i++) lines.push(iccidFor(1_000_000 + i));
    const rows = await postCsv(`${lines.join('\n')}\n`, q());
    expect(rows.statusCode).toBe(413);
    expect(rows.json()).toMatchObject({ code: 'PAYLOAD_TOO_LARGE' });
    expect(rows.json().message).toMatch(/at most 100,000 devices/);

    const big = Buffer.alloc(21 * 1024 * 1024, 'a');
    big.write('iccid,ContactName\n');
    const bytes = await postCsv(big, q());
    expect(bytes.statusCode).toBe(413);
    expect(bytes.json().message).toMatch(/larger than 20 MB/);

    const json = await postJson({
      changeType: 'EditUsername',
      serviceProviderId: 1,
      devices: ['x'.repeat(21 * 1024 * 1024)],
    });
    expect(json.statusCode).toBe(413);
    expect(json.json().code).toBe('PAYLOAD_TOO_LARGE');
    expect(await countBulkChanges(a.tenant.id)).toBe(before);
  });
});
