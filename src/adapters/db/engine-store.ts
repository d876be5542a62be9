/**
 * {@link EngineStore} over kysely (PGlite and PostgreSQL), assembled from its parts: step
 * records (`engine-step-store.ts`), bulk-change lifecycle (`engine-lifecycle-store.ts`),
 * billing look-ups (`engine-billing-store.ts`) and, here, the reads, the claims and the
 * per-device results.
 *
 * Claiming uses `FOR UPDATE SKIP LOCKED`, so concurrent workers on PostgreSQL take disjoint
 * pages; on PGlite (one connection) claims are naturally serialised. Every result write is
 * fenced by the lease owner. Completion is one conditional UPDATE plus the outbox row in the
 * same transaction, so a bulk change becomes PROCESSED and is announced exactly once.
 */
import { type Kysely, sql } from 'kysely';
import type { ClaimedDeviceChange, EngineStore } from '../../app/ports/engine-store.ts';
import type { BulkChangeStatus } from '../../domain/bulk-change/bulk-change-status.ts';
import type { ChangeType } from '../../domain/change-types/change-type.ts';
import type { Integration } from '../../domain/integrations.ts';
import type { SecretRefs } from '../../domain/secret-ref.ts';
import { createEngineBillingLookups } from './engine-billing-store.ts';
import { createEngineDeviceLookups } from './engine-device-store.ts';
import { createEngineLifecycleStore } from './engine-lifecycle-store.ts';
import { createEngineRevServiceStore } from './engine-revio-store.ts';
import { createEngineStepStore } from './engine-step-store.ts';
import { PROCESSED_BY, writeLogs } from './engine-store-shared.ts';
import { createBulkChangeRepository } from './repositories/bulk-change-repository.ts';
import {
  createDeviceRepository,
  type DeviceFieldChanges,
} from './repositories/device-repository.ts';
import type { Database } from './schema.ts';

/**
 * Creates the engine store.
 *
 * @example
 * const store = createEngineStore(database.db);
 * const page = await store.claimPage(42, { limit: 100, owner: 'worker-1', leaseMs: 300_000 });
 */
export function createEngineStore(db: Kysely<Database>): EngineStore {
  const progress = createProgressMemory();
  return {
    steps: createEngineStepStore(db),
    ...createEngineLifecycleStore(db),
    async getBulkChange(id) {
      const row = await createBulkChangeRepository(db).findById(id);
      if (row === undefined) return undefined;
      return {
        id: row.id,
        tenantId: row.tenant_id,
        serviceProviderId: row.service_provider_id,
        changeType: row.change_type as ChangeType,
        portalType: row.portal_type,
        status: row.status as BulkChangeStatus,
        request: (row.request ?? {}) as Record<string, unknown>,
        retryNumber: row.retry_number,
      };
    },

    ...createEngineBillingLookups(db),
    ...createEngineRevServiceStore(db),

    ...createEngineDeviceLookups(db),

    async getServiceProvider(id) {
      const row = await db
        .selectFrom('service_providers')
        .selectAll()
        .where('id', '=', id)
        .executeTakeFirst();
      if (row === undefined) return undefined;
      return {
        id: row.id,
        tenantId: row.tenant_id,
        name: row.name,
        integration: row.integration as Integration,
        writeEnabled: row.write_enabled,
        settings: (row.settings ?? {}) as Record<string, unknown>,
        credentials: (row.credentials ?? {}) as SecretRefs,
        billingIntegrationId: row.billing_integration_id,
      };
    },

    async claimPage(bulkChangeId, { limit, owner, leaseMs }) {
      const rows = await sql<Record<string, unknown>>`
        with candidates as (
          select dc.id from device_changes dc
          where dc.bulk_change_id = ${bulkChangeId}
            and (
              (dc.status = 'PENDING' and (dc.not_before is null or dc.not_before <= now()))
              or (dc.status = 'PROCESSING' and dc.lease_expires_at < now())
            )
            and not exists (
              select 1 from device_changes older
              where dc.device_id is not null
                and older.device_id = dc.device_id
                and older.id < dc.id
                and older.bulk_change_id <> dc.bulk_change_id
                and older.status in ('NEW', 'PENDING', 'PROCESSING')
            )
          order by dc.id
          limit ${limit}
          for update skip locked
        )
        update device_changes d
        set status = 'PROCESSING',
            lease_owner = ${owner},
            lease_expires_at = now() + ${`${leaseMs} milliseconds`}::interval,
            attempt = d.attempt + 1,
            started_at = coalesce(d.started_at, now())
        from candidates c
        where d.id = c.id
        returning d.*`.execute(db);
      return rows.rows.map(toClaimed).sort((a, b) => a.id - b.id);
    },

    async recordResult(change, owner, result, logs) {
      // Taken before the transaction begins, so its now() is no earlier than this moment.
      const startedAt = performance.now();
      const writeProgress = progress.due(change.bulkChangeId, startedAt);
      const recorded = await db.transaction().execute(async (trx) => {
        const base = trx
          .updateTable('device_changes')
          .where('id', '=', change.id)
          .where('status', '=', 'PROCESSING')
          .where('lease_owner', '=', owner);
        const common = { lease_owner: null, lease_expires_at: null };
        let updated: { id: number } | undefined;
        switch (result.kind) {
          case 'succeeded':
          case 'failed':
            updated = await base
              .set({
                ...common,
                status: result.kind === 'succeeded' ? 'PROCESSED' : 'API_FAILED',
                status_details: result.details,
                has_errors: result.kind === 'failed',
                last_error: result.kind === 'failed' ? result.error : null,
                processed_at: sql`now()`,
                not_before: null,
              })
              .returning('id')
              .executeTakeFirst();
            break;
          case 'retry':
          case 'parked':
          case 'released':
            updated = await base
              .set({
                ...common,
                status: 'PENDING',
                status_details: result.details,
                not_before: result.notBefore,
                ...(result.kind === 'retry' ? { last_error: result.error } : {}),
                ...(result.kind === 'parked'
                  ? { park_state: JSON.stringify(result.parkState ?? null) }
                  : {}),
                ...(result.kind === 'released'
                  ? { attempt: sql<number>`greatest(attempt - 1, 0)` }
                  : {}),
              })
              .returning('id')
              .executeTakeFirst();
            break;
        }
        if (updated === undefined) return false;
        if (result.kind === 'parked') await wakeIfCallbackArrived(trx, change.id);
        if (result.kind === 'succeeded' && result.deviceUpdate !== undefined) {
          await createDeviceRepository(trx).update(
            result.deviceUpdate.deviceId,
            result.deviceUpdate.changes as DeviceFieldChanges,
            {
              changedBy: PROCESSED_BY,
              bulkChangeId: change.bulkChangeId,
              deviceChangeId: change.id,
            },
          );
        }
        await writeLogs(trx, change.bulkChangeId, change.id, logs);
        // Progress time for the stall sweeper, at most every half second: every result
        // updating the one bulk-change row would serialise concurrent results on its row lock.
        // Within half a second of this process's last committed progress statement the row is
        // known to be fresh (no older than a second), so the statement is not even sent.
        if (writeProgress) {
          await trx
            .updateTable('bulk_changes')
            .set({ last_progress_at: sql`now()` })
            .where('id', '=', change.bulkChangeId)
            .where((eb) =>
              eb.or([
                eb('last_progress_at', 'is', null),
                eb('last_progress_at', '<', sql<Date>`now() - interval '500 milliseconds'`),
              ]),
            )
            .execute();
        }
        return true;
      });
      if (recorded && writeProgress) progress.written(change.bulkChangeId, startedAt);
      return recorded;
    },

    async findCarrierRatePlan(serviceProviderId, code) {
      const row = await db
        .selectFrom('carrier_rate_plans')
        .select(['code', 'communication_plan', 'plan_mb'])
        .where('service_provider_id', '=', serviceProviderId)
        .where('code', '=', code)
        .executeTakeFirst();
      if (row === undefined) return undefined;
      return {
        code: row.code,
        communicationPlan: row.communication_plan,
        planMb: row.plan_mb === null ? null : Number(row.plan_mb),
      };
    },

    async recordCarrierCallback(integration, requestId, payload) {
      return db.transaction().execute(async (trx) => {
        const json = JSON.stringify(payload ?? null);
        await sql`
          insert into carrier_callbacks (integration, request_id, payload)
          values (${integration}, ${requestId}, ${json}::jsonb)`.execute(trx);
        const woken = await sql<{ bulk_change_id: number }>`
          update device_changes
          set not_before = now(),
              park_state = park_state || jsonb_build_object('callback', ${json}::jsonb)
          where status = 'PENDING' and park_state is not null
            and park_state ->> 'requestId' = ${requestId}
          returning bulk_change_id`.execute(trx);
        return [...new Set(woken.rows.map((r) => Number(r.bulk_change_id)))];
      });
    },

    async renewLease(deviceChangeId, owner, leaseMs) {
      const renewed = await sql<{ id: number }>`
        update device_changes set lease_expires_at = now() + ${`${leaseMs} milliseconds`}::interval
        where id = ${deviceChangeId} and status = 'PROCESSING' and lease_owner = ${owner}
        returning id`.execute(db);
      return renewed.rows.length > 0;
    },
  };
}

/**
 * A carrier callback may arrive while the device change is still PROCESSING (before it
 * parked), when it cannot wake it. Parking checks for one in the same transaction: the row
 * lock taken by the park update orders it with a concurrent `recordCarrierCallback`, so a
 * callback is either seen here or wakes the parked row itself.
 */
async function wakeIfCallbackArrived(trx: Kysely<Database>, deviceChangeId: number) {
  await sql`
    update device_changes dc
    set not_before = now(),
        park_state = dc.park_state || jsonb_build_object('callback', cb.payload)
    from (
      select c.payload from device_changes d
      join bulk_changes b on b.id = d.bulk_change_id
      join service_providers sp on sp.id = b.service_provider_id
      join carrier_callbacks c
        on c.integration = sp.integration and c.request_id = d.park_state ->> 'requestId'
      where d.id = ${deviceChangeId}
      order by c.id limit 1
    ) cb
    where dc.id = ${deviceChangeId}`.execute(trx);
}

function toClaimed(row: Record<string, unknown>): ClaimedDeviceChange {
  return {
    id: Number(row.id),
    bulkChangeId: Number(row.bulk_change_id),
    rowNumber: Number(row.row_number),
    deviceId: row.device_id === null ? null : Number(row.device_id),
    identifierKind: row.identifier_kind as ClaimedDeviceChange['identifierKind'],
    identifier: String(row.identifier),
    iccid: (row.iccid as string | null) ?? null,
    msisdn: (row.msisdn as string | null) ?? null,
    imei: (row.imei as string | null) ?? null,
    eid: (row.eid as string | null) ?? null,
    changeRequest: (row.change_request as Record<string, unknown> | null) ?? null,
    attempt: Number(row.attempt),
    parkState: row.park_state ?? null,
  };
}

/** Half a second: how often the progress time is written, by the database and by this process. */
const PROGRESS_EVERY_MS = 500;

/**
 * This process's memory of when it last committed a progress statement per bulk change
 * (monotonic ms), so results in between skip the round trip. Bounded: forgetting only costs
 * one statement.
 */
function createProgressMemory() {
  const writtenAt = new Map<number, number>();
  return {
    due(bulkChangeId: number, now: number): boolean {
      const last = writtenAt.get(bulkChangeId);
      return last === undefined || now - last >= PROGRESS_EVERY_MS;
    },
    written(bulkChangeId: number, at: number): void {
      if (writtenAt.size >= 1_000) writtenAt.clear();
      writtenAt.set(bulkChangeId, at);
    },
  };
}
