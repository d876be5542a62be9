import { describe, expect, it } from 'vitest';
import { createBulkChangeLogRepository } from '../../src/adapters/db/repositories/bulk-change-log-repository.ts';
import {
  createBulkChangeRepository,
  type NewBulkChange,
  type NewDeviceChange,
} from '../../src/adapters/db/repositories/bulk-change-repository.ts';
import { createDeviceChangeRepository } from '../../src/adapters/db/repositories/device-change-repository.ts';
import type { IdentifierKind } from '../../src/adapters/db/schema.ts';
import { isAppError } from '../../src/domain/errors.ts';
import { createTenantWithProvider, iccidFor } from '../support/db-fixtures.ts';
import { useTestDatabase } from '../support/test-database.ts';

const testDb = useTestDatabase();

function deviceChanges(count: number, errorEvery = 0): NewDeviceChange[] {
  return Array.from({ length: count }, (_, i) => {
    const failed = errorEvery > 0 && i % errorEvery === errorEvery - 1;
    return {
      identifierKind: 'iccid' as const,
      identifier: iccidFor(i),
      iccid: iccidFor(i),
      ...(failed
        ? { status: 'ERROR' as const, statusDetails: `row ${i + 1}: unknown device` }
        : {}),
      ...(i === 0 ? { changeRequest: { ContactName: 'Special' } } : {}),
    };
  });
}

async function bulkInput(): Promise<Omit<NewBulkChange, 'deviceChanges'>> {
  const { tenant, provider } = await createTenantWithProvider(testDb().db);
  return {
    tenantId: tenant.id,
    serviceProviderId: provider.id,
    changeType: 'EditUsernameCostCenter',
    portalType: 0,
    request: { ContactName: 'Truck 12', CostCenter1: 'FLEET-A' },
    createdBy: 'alice',
  };
}

describe('bulk change repository', () => {
  it('creates a bulk change with thousands of device changes in one go', async () => {
    const { db } = testDb();
    const bulkChanges = createBulkChangeRepository(db);
    const input = await bulkInput();

    const { bulkChange, counts } = await bulkChanges.create({
      ...input,
      deviceChanges: deviceChanges(2_345, 100),
    });

    expect(bulkChange).toMatchObject({
      status: 'NEW',
      total: 2_345,
      request: input.request,
      change_type: 'EditUsernameCostCenter',
    });
    expect(counts).toEqual({
      NEW: 2_322,
      PENDING: 0,
      PROCESSING: 0,
      PROCESSED: 0,
      API_FAILED: 0,
      ERROR: 23,
      CANCELLED: 0,
    });
    expect(await bulkChanges.countByStatus(bulkChange.id)).toEqual(counts);
    const rows = await db
      .selectFrom('device_changes')
      .select(['row_number', 'change_request', 'has_errors', 'status'])
      .where('bulk_change_id', '=', bulkChange.id)
      .orderBy('row_number')
      .execute();
    expect(rows.map((r) => r.row_number)).toEqual(Array.from({ length: 2_345 }, (_, i) => i + 1));
    expect(rows[0]?.change_request).toEqual({ ContactName: 'Special' });
    expect(rows[1]?.change_request).toBeNull();
    expect(rows[99]).toMatchObject({ status: 'ERROR', has_errors: true });
  });

  it('stores nothing when one row is invalid', async () => {
    const { db } = testDb();
    const bulkChanges = createBulkChangeRepository(db);
    const input = await bulkInput();
    const rows = deviceChanges(1_500);
    rows[1_200] = { identifierKind: 'serial' as IdentifierKind, identifier: 'X' };

    await expect(bulkChanges.create({ ...input, deviceChanges: rows })).rejects.toThrow();

    const left = await db
      .selectFrom('bulk_changes')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('tenant_id', '=', input.tenantId)
      .executeTakeFirstOrThrow();
    expect(left.n).toBe(0);
    const orphans = await db
      .selectFrom('device_changes')
      .leftJoin('bulk_changes', 'bulk_changes.id', 'device_changes.bulk_change_id')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('bulk_changes.id', 'is', null)
      .executeTakeFirstOrThrow();
    expect(orphans.n).toBe(0);
  });

  it('rejects a reused idempotency key and scopes reads to the tenant', async () => {
    const bulkChanges = createBulkChangeRepository(testDb().db);
    const input = await bulkInput();
    const { tenant: stranger } = await createTenantWithProvider(testDb().db);
    const first = await bulkChanges.create({
      ...input,
      idempotencyKey: 'req-1',
      deviceChanges: deviceChanges(2),
    });

    const error = await bulkChanges
      .create({ ...input, idempotencyKey: 'req-1', deviceChanges: deviceChanges(2) })
      .catch((e: unknown) => e);

    expect(isAppError(error, 'CONFLICT')).toBe(true);
    expect((await bulkChanges.findByIdempotencyKey(input.tenantId, 'req-1'))?.id).toBe(
      first.bulkChange.id,
    );
    expect((await bulkChanges.getById(input.tenantId, first.bulkChange.id))?.id).toBe(
      first.bulkChange.id,
    );
    expect(await bulkChanges.getById(stranger.id, first.bulkChange.id)).toBeUndefined();
    expect((await bulkChanges.findById(first.bulkChange.id))?.tenant_id).toBe(input.tenantId);
  });

  it("lists a tenant's bulk changes newest first, page by page", async () => {
    const bulkChanges = createBulkChangeRepository(testDb().db);
    const input = await bulkInput();
    const created: number[] = [];
    for (let i = 0; i < 5; i++) {
      created.push(
        (await bulkChanges.create({ ...input, deviceChanges: deviceChanges(1) })).bulkChange.id,
      );
    }

    const first = await bulkChanges.list(input.tenantId, { limit: 3 });
    const second = await bulkChanges.list(input.tenantId, {
      limit: 3,
      cursor: first.nextCursor ?? '',
    });

    expect([...first.items, ...second.items].map((b) => b.id)).toEqual([...created].reverse());
    expect(second.nextCursor).toBeNull();
  });
});

describe('device change and bulk change log repositories', () => {
  it('lists device changes by status with pagination and keeps log entries per device change', async () => {
    const { db } = testDb();
    const input = await bulkInput();
    const { bulkChange } = await createBulkChangeRepository(db).create({
      ...input,
      deviceChanges: deviceChanges(25, 5),
    });
    const deviceChangesRepo = createDeviceChangeRepository(db);

    const all = await deviceChangesRepo.listByBulkChange(bulkChange.id, {}, { limit: 10 });
    const rest = await deviceChangesRepo.listByBulkChange(
      bulkChange.id,
      {},
      { limit: 20, cursor: all.nextCursor ?? '' },
    );
    const errors = await deviceChangesRepo.listByBulkChange(bulkChange.id, { status: 'ERROR' });
    const open = await deviceChangesRepo.listByBulkChange(
      bulkChange.id,
      { status: ['NEW', 'PENDING'] },
      { limit: 100 },
    );

    expect([...all.items, ...rest.items].map((d) => d.row_number)).toEqual(
      Array.from({ length: 25 }, (_, i) => i + 1),
    );
    expect(rest.nextCursor).toBeNull();
    expect(errors.items.map((d) => d.row_number)).toEqual([5, 10, 15, 20, 25]);
    expect(open.items).toHaveLength(20);

    const target = all.items[0];
    if (target === undefined) throw new Error('no device change');
    expect(await deviceChangesRepo.findById(target.id)).toMatchObject({ identifier: iccidFor(0) });
    const logs = createBulkChangeLogRepository(db);
    await logs.append({
      bulkChangeId: bulkChange.id,
      deviceChangeId: target.id,
      description: 'Update Username of device: Jasper API',
      requestText: 'PUT /devices/…',
      responseText: '{"iccid":"…"}',
      responseStatus: 'PROCESSED',
      processedBy: 'device-bulk-change',
    });
    await logs.appendMany([
      {
        bulkChangeId: bulkChange.id,
        description: 'Pre-flight Check',
        hasErrors: true,
        errorText: 'Writes disabled',
        responseStatus: 'ERROR',
        processedBy: 'device-bulk-change',
      },
      {
        bulkChangeId: bulkChange.id,
        deviceChangeId: target.id,
        description: 'Update Username/Cost Center of devices',
        processedBy: 'device-bulk-change',
      },
    ]);

    const forDevice = await logs.listByDeviceChange(target.id);
    const page = await logs.listByBulkChange(bulkChange.id, { limit: 2 });
    const last = await logs.listByBulkChange(bulkChange.id, {
      limit: 2,
      cursor: page.nextCursor ?? '',
    });
    expect(forDevice.map((l) => l.description)).toEqual([
      'Update Username of device: Jasper API',
      'Update Username/Cost Center of devices',
    ]);
    expect(page.items).toHaveLength(2);
    expect(last.items.map((l) => l.description)).toEqual([
      'Update Username/Cost Center of devices',
    ]);
    expect(page.items[1]).toMatchObject({
      has_errors: true,
      error_text: 'Writes disabled',
      device_change_id: null,
    });
  });
});
