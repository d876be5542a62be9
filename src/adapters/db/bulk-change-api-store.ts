/**
 * {@link BulkChangeApiStore} on the database: every query is filtered by the caller's tenant
 * (bulk changes and devices by `tenant_id`; device changes and logs only after their bulk
 * change was found for the tenant, by the API layer). Retry and cancel are one transaction
 * each: the status changes (conditional updates computed by the domain state machines) and
 * the outbox row of the queue message.
 */
import { type Kysely, sql } from 'kysely';
import {
  type BulkChangeFacts,
  type DeviceChangeCounts,
  zeroCounts,
} from '../../app/bulk-changes/bulk-change-view.ts';
import type {
  BulkChangeApiStore,
  DeviceChangeSummary,
  LogEntrySummary,
} from '../../app/ports/bulk-change-api-store.ts';
import { chunk } from './repositories/db-helpers.ts';
import { createDeviceRepository } from './repositories/device-repository.ts';
import { decodeCursor, pageLimit, toPage } from './repositories/pagination.ts';
import { createServiceProviderRepository } from './repositories/service-provider-repository.ts';
import { createTenantRepository } from './repositories/tenant-repository.ts';
import type { BulkChange, BulkChangeLog, Database, DeviceChange } from './schema.ts';
import { insertQueueOutboxRow } from './submit-store.ts';

function factsOf(b: BulkChange): BulkChangeFacts {
  return {
    id: b.id,
    status: b.status,
    changeType: b.change_type,
    serviceProviderId: b.service_provider_id,
    total: b.total,
    createdBy: b.created_by,
    createdAt: b.created_at,
    startedAt: b.started_at,
    processedAt: b.processed_at,
    errorText: b.error_text,
    request: b.request,
  };
}

function deviceChangeOf(d: DeviceChange): DeviceChangeSummary {
  return {
    id: d.id,
    rowNumber: d.row_number,
    identifierKind: d.identifier_kind,
    identifier: d.identifier,
    deviceId: d.device_id,
    iccid: d.iccid,
    msisdn: d.msisdn,
    status: d.status,
    statusDetails: d.status_details,
    attempt: d.attempt,
    changeRequest: d.change_request,
    lastError: d.last_error,
    processedAt: d.processed_at?.toISOString() ?? null,
  };
}

function logOf(l: BulkChangeLog): LogEntrySummary {
  return {
    id: l.id,
    deviceChangeId: l.device_change_id,
    description: l.description,
    requestText: l.request_text,
    responseText: l.response_text,
    responseStatus: l.response_status,
    hasErrors: l.has_errors,
    errorText: l.error_text,
    processedBy: l.processed_by,
    processedAt: l.processed_at.toISOString(),
  };
}

async function countsFor(
  db: Kysely<Database>,
  ids: readonly number[],
): Promise<Map<number, DeviceChangeCounts>> {
  const out = new Map<number, DeviceChangeCounts>(ids.map((id) => [id, zeroCounts()]));
  if (ids.length === 0) return out;
  const rows = await db
    .selectFrom('device_changes')
    .select(['bulk_change_id', 'status', sql<number>`count(*)::int`.as('n')])
    .where('bulk_change_id', 'in', [...ids])
    .groupBy(['bulk_change_id', 'status'])
    .execute();
  for (const row of rows) {
    const counts = out.get(row.bulk_change_id);
    if (counts !== undefined) counts[row.status] = Number(row.n);
  }
  return out;
}

/**
 * Creates the API store.
 *
 * @example
 * buildServer({ …, api: { store: createBulkChangeApiStore(db), … } });
 */
export function createBulkChangeApiStore(db: Kysely<Database>): BulkChangeApiStore {
  const tenants = createTenantRepository(db);
  const providers = createServiceProviderRepository(db);
  const devices = createDeviceRepository(db);

  return {
    async authenticate(apiKey) {
      const tenant = await tenants.findByApiKey(apiKey);
      return tenant === undefined ? undefined : { tenantId: tenant.id, tenantName: tenant.name };
    },

    async listServiceProviders(tenantId) {
      const rows = await providers.listByTenant(tenantId);
      return rows.map((p) => ({
        id: p.id,
        name: p.name,
        integration: p.integration,
        writeEnabled: p.write_enabled,
      }));
    },

    async listDevices(tenantId, filter, page) {
      const result = await devices.list({ tenantId, ...filter }, page);
      return {
        nextCursor: result.nextCursor,
        items: result.items.map((d) => ({
          id: d.id,
          serviceProviderId: d.service_provider_id,
          iccid: d.iccid,
          msisdn: d.msisdn,
          imei: d.imei,
          eid: d.eid,
          status: d.status,
          carrierRatePlan: d.carrier_rate_plan,
          username: d.username,
          costCenter1: d.cost_center_1,
          costCenter2: d.cost_center_2,
          costCenter3: d.cost_center_3,
        })),
      };
    },

    async listBulkChanges(tenantId, filter, page) {
      const limit = pageLimit(page);
      let query = db.selectFrom('bulk_changes').selectAll().where('tenant_id', '=', tenantId);
      if (filter.status !== undefined) query = query.where('status', '=', filter.status);
      if (filter.serviceProviderId !== undefined) {
        query = query.where('service_provider_id', '=', filter.serviceProviderId);
      }
      if (filter.changeType !== undefined)
        query = query.where('change_type', '=', filter.changeType);
      if (page.cursor !== undefined) query = query.where('id', '<', decodeCursor(page.cursor));
      const rows = await query
        .orderBy('id', 'desc')
        .limit(limit + 1)
        .execute();
      const result = toPage(rows, limit, (b) => b.id);
      const counts = await countsFor(
        db,
        result.items.map((b) => b.id),
      );
      return {
        nextCursor: result.nextCursor,
        items: result.items.map((b) => ({
          facts: factsOf(b),
          counts: counts.get(b.id) ?? zeroCounts(),
        })),
      };
    },

    async getBulkChange(tenantId, id) {
      const row = await db
        .selectFrom('bulk_changes')
        .selectAll()
        .where('id', '=', id)
        .where('tenant_id', '=', tenantId)
        .executeTakeFirst();
      if (row === undefined) return undefined;
      const counts = await countsFor(db, [id]);
      return { facts: factsOf(row), counts: counts.get(id) ?? zeroCounts() };
    },

    async listDeviceChanges(bulkChangeId, filter, page) {
      const limit = pageLimit(page);
      let query = db
        .selectFrom('device_changes')
        .selectAll()
        .where('bulk_change_id', '=', bulkChangeId);
      if (filter.status !== undefined && filter.status.length > 0) {
        query = query.where('status', 'in', [...filter.status]);
      }
      if (page.cursor !== undefined) {
        query = query.where('row_number', '>', decodeCursor(page.cursor));
      }
      const rows = await query
        .orderBy('row_number')
        .limit(limit + 1)
        .execute();
      const result = toPage(rows, limit, (d) => d.row_number);
      return { nextCursor: result.nextCursor, items: result.items.map(deviceChangeOf) };
    },

    async listLogs(bulkChangeId, filter, page) {
      const limit = pageLimit(page);
      let query = db
        .selectFrom('bulk_change_logs')
        .selectAll()
        .where('bulk_change_id', '=', bulkChangeId);
      if (filter.deviceChangeId !== undefined) {
        query = query.where('device_change_id', '=', filter.deviceChangeId);
      }
      if (page.cursor !== undefined) query = query.where('id', '>', decodeCursor(page.cursor));
      const rows = await query
        .orderBy('id')
        .limit(limit + 1)
        .execute();
      const result = toPage(rows, limit, (l) => l.id);
      return { nextCursor: result.nextCursor, items: result.items.map(logOf) };
    },

    retry: (tenantId, id, plan) =>
      db.transaction().execute(async (trx) => {
        const bulk = await trx
          .selectFrom('bulk_changes')
          .select(['id', 'status'])
          .where('id', '=', id)
          .where('tenant_id', '=', tenantId)
          .forUpdate()
          .executeTakeFirst();
        if (bulk === undefined) return undefined;
        const moved = await trx
          .updateTable('device_changes')
          .set({
            status: plan.deviceChanges.to,
            attempt: 0,
            not_before: null,
            lease_owner: null,
            lease_expires_at: null,
            processed_at: null,
            park_state: null,
          })
          .where('bulk_change_id', '=', id)
          .where('status', 'in', [...plan.deviceChanges.from])
          .returning('id')
          .execute();
        let status = bulk.status;
        if (moved.length > 0) {
          if (plan.reopen.from.includes(bulk.status)) {
            status = plan.reopen.to;
            await trx
              .updateTable('bulk_changes')
              .set({
                status,
                processed_at: null,
                error_text: null,
                retry_number: 0,
                next_wakeup_at: null,
                last_progress_at: sql`now()`,
              })
              .where('id', '=', id)
              .execute();
          }
          for (const part of chunk(moved)) {
            await trx
              .insertInto('bulk_change_logs')
              .values(
                part.map((m) => ({
                  bulk_change_id: id,
                  device_change_id: m.id,
                  description: 'Retry requested',
                  response_status: plan.deviceChanges.to,
                  processed_by: 'api',
                })),
              )
              .execute();
          }
          await insertQueueOutboxRow(trx, id, null);
        }
        return { status, affected: moved.length };
      }),

    cancel: (tenantId, id, transition) =>
      db.transaction().execute(async (trx) => {
        const bulk = await trx
          .selectFrom('bulk_changes')
          .select(['id', 'status'])
          .where('id', '=', id)
          .where('tenant_id', '=', tenantId)
          .forUpdate()
          .executeTakeFirst();
        if (bulk === undefined) return undefined;
        const moved = await trx
          .updateTable('device_changes')
          .set({
            status: transition.to,
            status_details: 'Cancelled by the user before it started',
            processed_at: sql`now()`,
            not_before: null,
          })
          .where('bulk_change_id', '=', id)
          .where('status', 'in', [...transition.from])
          .returning('id')
          .execute();
        if (moved.length > 0) {
          for (const part of chunk(moved)) {
            await trx
              .insertInto('bulk_change_logs')
              .values(
                part.map((m) => ({
                  bulk_change_id: id,
                  device_change_id: m.id,
                  description: 'Cancelled',
                  response_status: transition.to,
                  processed_by: 'api',
                })),
              )
              .execute();
          }
        }
        await insertQueueOutboxRow(trx, id, null);
        return { status: bulk.status, affected: moved.length };
      }),
  };
}
