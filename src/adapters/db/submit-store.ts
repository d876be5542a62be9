/**
 * PostgreSQL / PGlite implementation of the submit use case's {@link SubmitStore}: batched
 * device look-ups (`= any($1::text[])`, ≤ 5000 values per statement), multi-row inserts of
 * device changes (≤ 1000 rows per statement), and the creating transaction that also stores
 * the idempotency record and the queue outbox row.
 */
import { type Kysely, sql } from 'kysely';
import { QUEUE_OUTBOX_KIND } from '../../app/ports/queue-outbox.ts';
import type {
  SubmitDevice,
  SubmitLookups,
  SubmitStore,
  SubmitTransaction,
} from '../../app/ports/submit-store.ts';
import { AppError, ErrorCode } from '../../domain/errors.ts';
import { isUniqueViolation } from './repositories/bulk-change-repository.ts';
import { chunk, toJson } from './repositories/db-helpers.ts';
import type { Database } from './schema.ts';

const LOOKUP_CHUNK = 5000;
/** Device change rows per INSERT statement. */
const INSERT_ROWS_PER_STATEMENT = 5000;
/** How long an Idempotency-Key is remembered. */
const IDEMPOTENCY_TTL_MS = 7 * 24 * 3600 * 1000;

/** Key of the idempotency record of a submission. */
export function submitIdempotencyKey(tenantId: number, key: string): string {
  return `submit:${tenantId}:${key}`;
}

function lookups(db: Kysely<Database>): SubmitLookups {
  return {
    async findDevices(serviceProviderId, kind, values) {
      const out: SubmitDevice[] = [];
      for (const part of chunk([...new Set(values)], LOOKUP_CHUNK)) {
        const rows = await db
          .selectFrom('devices')
          .select(['id', 'iccid', 'msisdn', 'imei', 'eid', 'status'])
          .where('service_provider_id', '=', serviceProviderId)
          .where(sql<boolean>`${sql.ref(kind)} = any(${part}::text[])`)
          .where('archived_at', 'is', null)
          .orderBy('id')
          .execute();
        out.push(...rows);
      }
      return out;
    },

    async withActiveRevService(tenantId, identifiers) {
      const found = new Set<string>();
      for (const part of chunk([...new Set(identifiers)], LOOKUP_CHUNK)) {
        const rows = await db
          .selectFrom('rev_services')
          .select(['iccid', 'msisdn'])
          .where('tenant_id', '=', tenantId)
          .where((eb) =>
            eb.or([
              eb(sql<boolean>`iccid = any(${part}::text[])`, '=', true),
              eb(sql<boolean>`msisdn = any(${part}::text[])`, '=', true),
            ]),
          )
          .where('activated_at', 'is not', null)
          .where((eb) =>
            eb.or([
              eb('disconnected_at', 'is', null),
              eb('disconnected_at', '>', sql<Date>`now()`),
            ]),
          )
          .execute();
        for (const row of rows) {
          if (row.iccid !== null) found.add(row.iccid);
          if (row.msisdn !== null) found.add(row.msisdn);
        }
      }
      return found;
    },
  };
}

function transactionOf(trx: Kysely<Database>): SubmitTransaction {
  return {
    ...lookups(trx),

    async createBulkChange(header) {
      try {
        const row = await trx
          .insertInto('bulk_changes')
          .values({
            tenant_id: header.tenantId,
            service_provider_id: header.serviceProviderId,
            change_type: header.changeType,
            portal_type: header.portalType,
            request: toJson(header.request),
            total: 0,
            created_by: header.createdBy,
            idempotency_key: header.idempotencyKey,
          })
          .returning('id')
          .executeTakeFirstOrThrow();
        return row.id;
      } catch (error) {
        if (isUniqueViolation(error, 'bulk_changes_idempotency_key')) {
          throw new AppError(
            ErrorCode.CONFLICT,
            `Idempotency-Key "${header.idempotencyKey}" is being used by another request right now; repeat the request to get its result`,
            { cause: error, context: { idempotencyKey: header.idempotencyKey } },
          );
        }
        throw error;
      }
    },

    async addDeviceChanges(bulkChangeId, portalType, rows) {
      // One statement per chunk whatever its size: the columns travel as arrays (unnest), so
      // there are 11 bind parameters instead of 15 per row.
      for (const part of chunk(rows, INSERT_ROWS_PER_STATEMENT)) {
        await sql`
          insert into device_changes (bulk_change_id, portal_type, row_number, device_id,
            identifier_kind, identifier, iccid, msisdn, imei, eid, change_request, status,
            status_details, has_errors, processed_at)
          select ${bulkChangeId}::bigint, ${portalType}::smallint, t.row_number, t.device_id,
            t.kind, t.identifier, t.iccid, t.msisdn, t.imei, t.eid, t.change_request::jsonb,
            t.status, t.details, t.status = 'ERROR',
            case when t.status = 'ERROR' then now() end
          from unnest(
            ${part.map((r) => r.rowNumber)}::int[],
            ${part.map((r) => r.device?.id ?? null)}::bigint[],
            ${part.map((r) => r.identifierKind)}::text[],
            ${part.map((r) => r.identifier.slice(0, 200))}::text[],
            ${part.map((r) => r.device?.iccid ?? null)}::text[],
            ${part.map((r) => r.device?.msisdn ?? null)}::text[],
            ${part.map((r) => r.device?.imei ?? null)}::text[],
            ${part.map((r) => r.device?.eid ?? null)}::text[],
            ${part.map((r) => (r.changeRequest === null ? null : toJson(r.changeRequest)))}::text[],
            ${part.map((r) => r.status)}::text[],
            ${part.map((r) => r.statusDetails)}::text[]
          ) as t(row_number, device_id, kind, identifier, iccid, msisdn, imei, eid,
                 change_request, status, details)`.execute(trx);
      }
    },

    async finalize(bulkChangeId, finalization) {
      await trx
        .updateTable('bulk_changes')
        .set({ total: finalization.total })
        .where('id', '=', bulkChangeId)
        .execute();
      const idem = finalization.idempotency;
      if (idem !== null) {
        const row = await trx
          .selectFrom('bulk_changes')
          .select('tenant_id')
          .where('id', '=', bulkChangeId)
          .executeTakeFirstOrThrow();
        await trx
          .insertInto('idempotency_records')
          .values({
            key: submitIdempotencyKey(row.tenant_id, idem.key),
            status: 'COMPLETED',
            payload_hash: idem.payloadHash,
            result: toJson({ bulkChangeId }),
            expires_at: new Date(Date.now() + IDEMPOTENCY_TTL_MS),
          })
          .onConflict((oc) =>
            oc.column('key').doUpdateSet({
              status: 'COMPLETED',
              payload_hash: idem.payloadHash,
              result: toJson({ bulkChangeId }),
              expires_at: new Date(Date.now() + IDEMPOTENCY_TTL_MS),
            }),
          )
          .execute();
      }
      await insertQueueOutboxRow(trx, bulkChangeId, `queue:submitted:${bulkChangeId}`);
    },
  };
}

/**
 * Writes the outbox row of one bulk-change queue message (inside the caller's transaction).
 * `dedupeKey` null: every call adds a message.
 */
export async function insertQueueOutboxRow(
  trx: Kysely<Database>,
  bulkChangeId: number,
  dedupeKey: string | null,
): Promise<void> {
  await trx
    .insertInto('notification_outbox')
    .values({
      kind: QUEUE_OUTBOX_KIND,
      payload: toJson({ bulkChangeId }),
      dedupe_key: dedupeKey,
    })
    .onConflict((oc) => oc.column('dedupe_key').doNothing())
    .execute();
}

/**
 * Creates the submit store on a database.
 *
 * @example
 * const submit = createSubmitBulkChange({ store: createSubmitStore(database.db) });
 */
export function createSubmitStore(db: Kysely<Database>): SubmitStore {
  return {
    ...lookups(db),

    async findServiceProvider(tenantId, id) {
      const row = await db
        .selectFrom('service_providers')
        .select(['id', 'tenant_id', 'name', 'integration'])
        .where('id', '=', id)
        .where('tenant_id', '=', tenantId)
        .executeTakeFirst();
      return row === undefined
        ? undefined
        : { id: row.id, tenantId: row.tenant_id, name: row.name, integration: row.integration };
    },

    async loadReferenceData(provider) {
      const [statuses, plans, customers] = await Promise.all([
        db
          .selectFrom('device_statuses')
          .select('status')
          .where('integration', '=', provider.integration)
          .orderBy('id')
          .execute(),
        db
          .selectFrom('carrier_rate_plans')
          .select('code')
          .where('service_provider_id', '=', provider.id)
          .orderBy('code')
          .execute(),
        db
          .selectFrom('rev_customers')
          .select('external_id')
          .where('tenant_id', '=', provider.tenantId)
          .execute(),
      ]);
      return {
        deviceStatuses: statuses.map((s) => s.status),
        carrierRatePlanCodes: plans.map((p) => p.code),
        revCustomerIds: customers.map((c) => c.external_id),
      };
    },

    async findIdempotentSubmission(tenantId, key) {
      const bulk = await db
        .selectFrom('bulk_changes')
        .select('id')
        .where('tenant_id', '=', tenantId)
        .where('idempotency_key', '=', key)
        .executeTakeFirst();
      if (bulk === undefined) return undefined;
      const record = await db
        .selectFrom('idempotency_records')
        .select('payload_hash')
        .where('key', '=', submitIdempotencyKey(tenantId, key))
        .executeTakeFirst();
      return { bulkChangeId: bulk.id, payloadHash: record?.payload_hash ?? null };
    },

    transaction: (fn) => db.transaction().execute((trx) => fn(transactionOf(trx))),
  };
}
