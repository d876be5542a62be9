import { describe, expect, it } from 'vitest';
import { createDeviceRepository } from '../../src/adapters/db/repositories/device-repository.ts';
import { isAppError, NotFoundError } from '../../src/domain/errors.ts';
import {
  createTenantWithProvider,
  deviceRow,
  iccidFor,
  imeiFor,
  msisdnFor,
} from '../support/db-fixtures.ts';
import { useTestDatabase } from '../support/test-database.ts';

const testDb = useTestDatabase();
const EID = `89049032${'1'.repeat(24)}`;

describe('device repository', () => {
  it('inserts in chunks, returns ids in input order and finds devices by any identifier', async () => {
    const { db } = testDb();
    const { tenant, provider } = await createTenantWithProvider(db);
    const devices = createDeviceRepository(db);
    const rows = Array.from({ length: 2_345 }, (_, i) =>
      deviceRow(tenant, provider, i, i === 7 ? { eid: EID } : {}),
    );

    const ids = await devices.insertMany(rows);

    expect(ids).toHaveLength(2_345);
    expect((await devices.findById(tenant.id, ids[1_500] ?? 0))?.iccid).toBe(iccidFor(1_500));
    expect((await devices.findByIdentifier(provider.id, 'iccid', iccidFor(42)))?.id).toBe(ids[42]);
    expect((await devices.findByIdentifier(provider.id, 'msisdn', msisdnFor(43)))?.id).toBe(
      ids[43],
    );
    expect((await devices.findByIdentifier(provider.id, 'imei', imeiFor(44)))?.id).toBe(ids[44]);
    expect((await devices.findByIdentifier(provider.id, 'eid', EID))?.id).toBe(ids[7]);
    expect(await devices.findByIdentifier(provider.id, 'iccid', iccidFor(99_999))).toBeUndefined();
    const many = await devices.findManyByIdentifiers(provider.id, 'iccid', [
      iccidFor(1),
      iccidFor(2_000),
      iccidFor(99_999),
    ]);
    expect(many.map((d) => d.iccid)).toEqual([iccidFor(1), iccidFor(2_000)]);
  });

  it('lists with filters and keyset pagination over several pages', async () => {
    const { db } = testDb();
    const { tenant, provider } = await createTenantWithProvider(db);
    const { provider: otherProvider } = await createTenantWithProvider(db);
    const devices = createDeviceRepository(db);
    await devices.insertMany(
      Array.from({ length: 250 }, (_, i) =>
        deviceRow(tenant, provider, 10_000 + i, {
          status: i % 5 === 0 ? 'DEACTIVATED' : 'ACTIVATED',
        }),
      ),
    );
    await devices.insertMany([
      deviceRow({ ...tenant, id: otherProvider.tenant_id }, otherProvider, 20_000),
    ]);

    const seen: number[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await devices.list({ tenantId: tenant.id }, { limit: 100, cursor });
      seen.push(...page.items.map((d) => d.id));
      cursor = page.nextCursor ?? undefined;
      pages += 1;
    } while (cursor !== undefined);

    expect(pages).toBe(3);
    expect(seen).toHaveLength(250);
    expect([...seen].sort((a, b) => a - b)).toEqual(seen);
    const deactivated = await devices.list(
      { tenantId: tenant.id, serviceProviderId: provider.id, status: 'DEACTIVATED' },
      { limit: 1000 },
    );
    expect(deactivated.items).toHaveLength(50);
    expect(deactivated.nextCursor).toBeNull();
    const one = await devices.list({ tenantId: tenant.id, iccid: iccidFor(10_003) });
    expect(one.items.map((d) => d.iccid)).toEqual([iccidFor(10_003)]);
    const error = await devices
      .list({ tenantId: tenant.id }, { cursor: 'garbage!' })
      .catch((e: unknown) => e);
    expect(isAppError(error, 'VALIDATION_FAILED')).toBe(true);
  });

  it('updates fields and writes one history row per changed field in the same transaction', async () => {
    const { db } = testDb();
    const { tenant, provider } = await createTenantWithProvider(db);
    const devices = createDeviceRepository(db);
    const [id = 0] = await devices.insertMany([
      deviceRow(tenant, provider, 30_000, {
        username: 'Old name',
        cost_center_1: 'CC-1',
        data_usage_mb: '12.5',
      }),
    ]);
    const bulk = await db
      .insertInto('bulk_changes')
      .values({
        tenant_id: tenant.id,
        service_provider_id: provider.id,
        change_type: 'EditUsernameCostCenter',
        portal_type: 0,
        request: '{}',
        created_by: 'test',
      })
      .returning('id')
      .executeTakeFirstOrThrow();

    const result = await devices.update(
      id,
      {
        username: 'Truck 12',
        cost_center_1: 'CC-1',
        cost_center_2: 'FLEET-A',
        data_usage_mb: 12.5,
      },
      { changedBy: 'alice', bulkChangeId: bulk.id },
    );
    const again = await devices.update(id, { username: 'Truck 12' }, { changedBy: 'alice' });

    expect(result.changedFields).toEqual(['username', 'cost_center_2']);
    expect(result.device.username).toBe('Truck 12');
    expect(result.device.updated_at.getTime()).toBeGreaterThanOrEqual(
      result.device.created_at.getTime(),
    );
    expect(again.changedFields).toEqual([]);
    const history = await devices.listHistory(id);
    expect(
      history.map((h) => [h.field, h.previous_value, h.new_value, h.changed_by, h.bulk_change_id]),
    ).toEqual([
      ['username', 'Old name', 'Truck 12', 'alice', bulk.id],
      ['cost_center_2', null, 'FLEET-A', 'alice', bulk.id],
    ]);
    await expect(
      devices.update(987_654_321, { username: 'x' }, { changedBy: 'a' }),
    ).rejects.toBeInstanceOf(NotFoundError);
  });

  it('rolls back the update and its history together with the caller transaction', async () => {
    const { db } = testDb();
    const { tenant, provider } = await createTenantWithProvider(db);
    const [id = 0] = await createDeviceRepository(db).insertMany([
      deviceRow(tenant, provider, 40_000),
    ]);

    await db
      .transaction()
      .execute(async (trx) => {
        await createDeviceRepository(trx).update(
          id,
          { status: 'DEACTIVATED' },
          { changedBy: 'bob' },
        );
        throw new Error('abort');
      })
      .catch(() => undefined);

    const devices = createDeviceRepository(db);
    expect((await devices.findById(tenant.id, id))?.status).toBe('ACTIVATED');
    expect(await devices.listHistory(id)).toEqual([]);
  });
});
