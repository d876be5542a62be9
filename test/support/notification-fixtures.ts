/**
 * Finished bulk changes for the notification tests, reached through the engine's own
 * completion (`finishIfComplete`, which writes the `bulkChange.completed` outbox row):
 * devices with a Rev.io customer, device changes with PROCESSED / API_FAILED results, and, for
 * EditUsernameCostCenter, device updates through the device repository (so `device_history`
 * holds the previous and new values, as the handlers leave it).
 */
import type { Kysely } from 'kysely';
import { createEngineStore } from '../../src/adapters/db/engine-store.ts';
import { createBulkChangeRepository } from '../../src/adapters/db/repositories/bulk-change-repository.ts';
import { createDeviceRepository } from '../../src/adapters/db/repositories/device-repository.ts';
import type { Database, TenantSettings } from '../../src/adapters/db/schema.ts';
import { createTenantWithProvider, deviceRow } from './db-fixtures.ts';

/** Options of {@link createFinishedBulkChange}. */
export interface FinishedBulkChangeOptions {
  count: number;
  changeType?: 'EditUsernameCostCenter' | 'CarrierRatePlanChange';
  /** Rows (1-based) that end API_FAILED. */
  failRows?: readonly number[];
  settings?: TenantSettings;
  createdBy?: string;
  /** End with the engine's ERROR path instead: `failRows` are left open and failed by it. */
  endWithError?: string;
}

/** Creates a tenant, devices and a bulk change, works it to the end and completes it. */
export async function createFinishedBulkChange(
  db: Kysely<Database>,
  options: FinishedBulkChangeOptions,
) {
  const { tenant, provider } = await createTenantWithProvider(db, 'POD19');
  await db
    .updateTable('tenants')
    .set({ settings: JSON.stringify({ pushUsernameUpdate: 'field', ...options.settings }) })
    .where('id', '=', tenant.id)
    .execute();
  const billing = await db
    .insertInto('billing_integrations')
    .values({
      tenant_id: tenant.id,
      name: `Rev ${tenant.slug}`,
      base_url: 'http://127.0.0.1:1/v1',
      client_code: 'demo',
      login: 'api',
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const customer = await db
    .insertInto('rev_customers')
    .values({
      tenant_id: tenant.id,
      billing_integration_id: billing.id,
      external_id: `C-${tenant.id}`,
      name: 'Acme Logistics <Fleet & Co>',
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const base = Math.floor(Math.random() * 1e9);
  const devices = createDeviceRepository(db);
  const ids = await devices.insertMany(
    Array.from({ length: options.count }, (_, i) =>
      deviceRow(tenant, provider, base + i, {
        username: `Old name ${i + 1}`,
        cost_center_1: `OLD-${i + 1}`,
        rev_customer_id: customer.id,
      }),
    ),
  );
  const rows = await db
    .selectFrom('devices')
    .selectAll()
    .where('id', 'in', ids)
    .orderBy('id')
    .execute();
  const changeType = options.changeType ?? 'EditUsernameCostCenter';
  const created = await createBulkChangeRepository(db).create({
    tenantId: tenant.id,
    serviceProviderId: provider.id,
    changeType,
    portalType: 0,
    request:
      changeType === 'EditUsernameCostCenter'
        ? { ContactName: 'Truck 12', CostCenter1: 'FLEET-A' }
        : { CarrierRatePlan: 'PLAN-B' },
    createdBy: options.createdBy ?? 'alice@customer.example',
    deviceChanges: rows.map((d) => ({
      identifierKind: 'iccid' as const,
      identifier: d.iccid ?? '',
      iccid: d.iccid,
      msisdn: d.msisdn,
      deviceId: d.id,
    })),
  });
  const bulkChangeId = created.bulkChange.id;
  const store = createEngineStore(db);
  await store.startBulkChange(bulkChangeId);
  const changes = await db
    .selectFrom('device_changes')
    .select(['id', 'row_number', 'device_id'])
    .where('bulk_change_id', '=', bulkChangeId)
    .orderBy('row_number')
    .execute();
  const failRows = new Set(options.failRows ?? []);
  const failedIds = changes.filter((c) => failRows.has(c.row_number)).map((c) => c.id);
  const okIds = changes.filter((c) => !failRows.has(c.row_number)).map((c) => c.id);
  if (changeType === 'EditUsernameCostCenter') {
    for (const c of changes) {
      if (failRows.has(c.row_number) || c.device_id === null) continue;
      await devices.update(
        c.device_id,
        { username: `Truck ${c.row_number}`, cost_center_1: 'FLEET-A' },
        { changedBy: 'device-bulk-change', bulkChangeId, deviceChangeId: c.id },
      );
    }
  }
  if (okIds.length > 0) {
    await db
      .updateTable('device_changes')
      .set({ status: 'PROCESSED', status_details: 'updated', processed_at: new Date() })
      .where('id', 'in', okIds)
      .execute();
  }
  if (failedIds.length > 0 && options.endWithError === undefined) {
    await db
      .updateTable('device_changes')
      .set({
        status: 'API_FAILED',
        has_errors: true,
        status_details: 'Unsuccessfully updated the Username. The Username (Truck) not exists.',
        processed_at: new Date(),
      })
      .where('id', 'in', failedIds)
      .execute();
  }
  for (const c of changes.slice(0, 3)) {
    await db
      .insertInto('bulk_change_logs')
      .values({
        bulk_change_id: bulkChangeId,
        device_change_id: c.id,
        description: 'Update Username of device: Jasper API',
        request_text: `{"row":${c.row_number}}`,
        response_text: '{"ok":true}',
        response_status: '200',
        has_errors: false,
        processed_by: 'device-bulk-change',
      })
      .execute();
  }
  if (options.endWithError !== undefined) {
    await store.markBulkChangeError(bulkChangeId, options.endWithError);
  } else if (!(await store.finishIfComplete(bulkChangeId))) {
    throw new Error('fixture bulk change did not complete');
  }
  return { tenant, provider, bulkChangeId, changes, store };
}
