/**
 * {@link TelegenceStore} over kysely (PGlite and PostgreSQL). The activation batch tables of
 * migration 0007 are queried with plain SQL.
 *
 * Batch creation runs in one transaction that first locks the bulk change row, so two workers
 * creating batches for the same bulk change take turns; the members' primary key guarantees a
 * device change is never in two batches even so.
 */
import { type Kysely, sql } from 'kysely';
import type {
  ActivationBatch,
  ActivationBatchSubmission,
  TelegenceStore,
} from '../../app/ports/telegence-store.ts';
import type { Integration } from '../../domain/integrations.ts';
import type { Database } from './schema.ts';

/**
 * Creates the store.
 *
 * @example
 * const batch = await createTelegenceStore(db).activationBatchOf(42, 1001, 200);
 */
export function createTelegenceStore(db: Kysely<Database>): TelegenceStore {
  const loadBatch = async (batchId: number): Promise<ActivationBatch> => {
    const head = await sql<{
      id: number;
      leader_device_change_id: number;
      submission: ActivationBatchSubmission | null;
      failed_error: string | null;
      send_failures: number;
      leader_status: string;
      leader_error: string | null;
    }>`
      select b.id, b.leader_device_change_id, b.submission, b.failed_error, b.send_failures,
             dc.status as leader_status, dc.last_error as leader_error
      from telegence_activation_batches b
      join device_changes dc on dc.id = b.leader_device_change_id
      where b.id = ${batchId}`.execute(db);
    const row = head.rows[0];
    if (row === undefined) throw new Error(`activation batch ${batchId} not found`);
    return {
      id: Number(row.id),
      leaderDeviceChangeId: Number(row.leader_device_change_id),
      submission: row.submission,
      failedError: row.failed_error,
      sendFailures: Number(row.send_failures),
      leader: { status: row.leader_status, lastError: row.leader_error },
    };
  };

  return {
    async getDevice(deviceId) {
      const row = await db
        .selectFrom('devices')
        .select(['id', 'status', 'iccid', 'imei', 'msisdn'])
        .where('id', '=', deviceId)
        .executeTakeFirst();
      return row;
    },

    async findDeviceIdByIccid(serviceProviderId, iccid, exceptDeviceId) {
      const row = await db
        .selectFrom('devices')
        .select('id')
        .where('service_provider_id', '=', serviceProviderId)
        .where('iccid', '=', iccid)
        .where('id', '<>', exceptDeviceId)
        .executeTakeFirst();
      return row?.id;
    },

    async findDeviceStatus(integration, statusId) {
      return db
        .selectFrom('device_statuses')
        .select(['id', 'status'])
        .where('integration', '=', integration as Integration)
        .where('id', '=', statusId)
        .executeTakeFirst();
    },

    async customerRatePlanExists(tenantId, id) {
      const row = await db
        .selectFrom('customer_rate_plans')
        .select('id')
        .where('tenant_id', '=', tenantId)
        .where('id', '=', id)
        .executeTakeFirst();
      return row !== undefined;
    },

    async customerRatePoolExists(tenantId, id) {
      const row = await db
        .selectFrom('customer_rate_pools')
        .select('id')
        .where('tenant_id', '=', tenantId)
        .where('id', '=', id)
        .executeTakeFirst();
      return row !== undefined;
    },

    async activationBatchOf(bulkChangeId, deviceChangeId, maxSize) {
      const batchId = await db.transaction().execute(async (trx) => {
        await sql`select id from bulk_changes where id = ${bulkChangeId} for update`.execute(trx);
        const existing = await sql<{ batch_id: number }>`
          select batch_id from telegence_activation_batch_members
          where device_change_id = ${deviceChangeId}`.execute(trx);
        const found = existing.rows[0];
        if (found !== undefined) return Number(found.batch_id);
        const created = await sql<{ id: number }>`
          insert into telegence_activation_batches (bulk_change_id, leader_device_change_id)
          values (${bulkChangeId}, ${deviceChangeId})
          returning id`.execute(trx);
        const id = Number(created.rows[0]?.id);
        await sql`
          insert into telegence_activation_batch_members (device_change_id, batch_id)
          select dc.id, ${id}::bigint from device_changes dc
          where dc.bulk_change_id = ${bulkChangeId}
            and (dc.id = ${deviceChangeId}
                 or (dc.status in ('PENDING', 'PROCESSING')
                     and not exists (select 1 from telegence_activation_batch_members m
                                     where m.device_change_id = dc.id)))
          order by (dc.id <> ${deviceChangeId}), dc.id
          limit ${maxSize}`.execute(trx);
        return id;
      });
      return loadBatch(batchId);
    },

    async activationBatchMembers(batchId) {
      const members = await sql<{
        device_change_id: number;
        device_id: number | null;
        iccid: string | null;
        imei: string | null;
        device_status: string | null;
        change_request: Record<string, unknown> | null;
      }>`
      select dc.id as device_change_id, dc.device_id, coalesce(dc.iccid, d.iccid) as iccid,
             d.imei, d.status as device_status, dc.change_request
      from telegence_activation_batch_members m
      join device_changes dc on dc.id = m.device_change_id
      left join devices d on d.id = dc.device_id
      where m.batch_id = ${batchId}
      order by dc.id`.execute(db);
      return members.rows.map((m) => ({
        deviceChangeId: Number(m.device_change_id),
        deviceId: m.device_id === null ? null : Number(m.device_id),
        iccid: m.iccid,
        imei: m.imei,
        deviceStatus: m.device_status,
        changeRequest: m.change_request,
      }));
    },

    async recordBatchSubmission(batchId, submission) {
      await sql`
        update telegence_activation_batches
        set submission = coalesce(submission, ${JSON.stringify(submission)}::jsonb), updated_at = now()
        where id = ${batchId}`.execute(db);
    },

    async recordBatchSendFailure(batchId) {
      await sql`
        update telegence_activation_batches
        set send_failures = send_failures + 1, updated_at = now()
        where id = ${batchId} and submission is null`.execute(db);
    },

    async recordBatchFailure(batchId, error) {
      await sql`
        update telegence_activation_batches
        set failed_error = coalesce(failed_error, ${error}), updated_at = now()
        where id = ${batchId} and submission is null`.execute(db);
    },
  };
}
