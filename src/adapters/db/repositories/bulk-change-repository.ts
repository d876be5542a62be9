/**
 * Bulk changes and their device changes. A bulk change is created together with all of its
 * device changes in one transaction (multi-row INSERTs of ≤ 1000 rows): either everything is
 * stored or nothing is.
 */
import type { Kysely } from 'kysely';
import { AppError, ErrorCode } from '../../../domain/errors.ts';
import type { PortalType } from '../../../domain/portal-type.ts';
import {
  type BulkChange,
  type Database,
  DEVICE_CHANGE_STATUS_VALUES,
  type DeviceChangeStatusValue,
  type IdentifierKind,
} from '../schema.ts';
import { chunk, inTransaction, toJson } from './db-helpers.ts';
import { decodeCursor, type Page, type PageRequest, pageLimit, toPage } from './pagination.ts';

/** One device of a new bulk change; its row number is its position (1-based). */
export interface NewDeviceChange {
  identifierKind: IdentifierKind;
  identifier: string;
  deviceId?: number | null;
  iccid?: string | null;
  msisdn?: string | null;
  imei?: string | null;
  eid?: string | null;
  /** Per-device fields; null/absent = use the bulk change's request. */
  changeRequest?: Record<string, unknown> | null;
  /** ERROR for rows rejected at submission. @default 'NEW' */
  status?: 'NEW' | 'ERROR';
  statusDetails?: string | null;
  /** @default status === 'ERROR' */
  hasErrors?: boolean;
}

/** Input of {@link BulkChangeRepository.create}. */
export interface NewBulkChange {
  tenantId: number;
  serviceProviderId: number;
  /** Canonical change type name (a row of `change_request_types`). */
  changeType: string;
  portalType: PortalType;
  /** Fields shared by every device (original names). */
  request: Record<string, unknown>;
  createdBy: string;
  idempotencyKey?: string | null;
  deviceChanges: readonly NewDeviceChange[];
}

/** Device change counts of a bulk change, one entry per status (zeros included). */
export type DeviceChangeCounts = Record<DeviceChangeStatusValue, number>;

/** Result of {@link BulkChangeRepository.create}. */
export interface CreatedBulkChange {
  bulkChange: BulkChange;
  counts: DeviceChangeCounts;
}

/** Repository of bulk changes. */
export interface BulkChangeRepository {
  /**
   * Stores the bulk change and all its device changes atomically.
   *
   * @throws {AppError} CONFLICT when the tenant already used `idempotencyKey`.
   */
  create(input: NewBulkChange): Promise<CreatedBulkChange>;
  /** Bulk change of the tenant (undefined when absent or another tenant's). */
  getById(tenantId: number, id: number): Promise<BulkChange | undefined>;
  /** Bulk change by id regardless of tenant (workers receive only the id). */
  findById(id: number): Promise<BulkChange | undefined>;
  findByIdempotencyKey(tenantId: number, key: string): Promise<BulkChange | undefined>;
  /** The tenant's bulk changes, newest first. */
  list(tenantId: number, page?: PageRequest): Promise<Page<BulkChange>>;
  /** Counts of the device changes by status, computed from the rows. */
  countByStatus(bulkChangeId: number): Promise<DeviceChangeCounts>;
}

/** Counts with every status at zero. */
export function emptyCounts(): DeviceChangeCounts {
  return Object.fromEntries(DEVICE_CHANGE_STATUS_VALUES.map((s) => [s, 0])) as DeviceChangeCounts;
}

/**
 * Creates the bulk change repository.
 *
 * @example
 * const { bulkChange } = await createBulkChangeRepository(db).create({
 *   tenantId, serviceProviderId, changeType: 'EditUsernameCostCenter', portalType: 0,
 *   request: { ContactName: 'Truck 12' }, createdBy: 'api',
 *   deviceChanges: [{ identifierKind: 'iccid', identifier: '8901…', deviceId: 42 }],
 * });
 */
export function createBulkChangeRepository(db: Kysely<Database>): BulkChangeRepository {
  const countByStatus = async (bulkChangeId: number): Promise<DeviceChangeCounts> => {
    const rows = await db
      .selectFrom('device_changes')
      .select(['status', (eb) => eb.fn.countAll<number>().as('n')])
      .where('bulk_change_id', '=', bulkChangeId)
      .groupBy('status')
      .execute();
    const counts = emptyCounts();
    for (const row of rows) counts[row.status] = Number(row.n);
    return counts;
  };

  return {
    async create(input) {
      try {
        return await inTransaction(db, async (trx) => {
          const bulkChange = await trx
            .insertInto('bulk_changes')
            .values({
              tenant_id: input.tenantId,
              service_provider_id: input.serviceProviderId,
              change_type: input.changeType,
              portal_type: input.portalType,
              request: toJson(input.request),
              total: input.deviceChanges.length,
              created_by: input.createdBy,
              idempotency_key: input.idempotencyKey ?? null,
            })
            .returningAll()
            .executeTakeFirstOrThrow();
          const counts = emptyCounts();
          let rowNumber = 0;
          for (const part of chunk(input.deviceChanges)) {
            const values = part.map((d) => {
              rowNumber += 1;
              const status = d.status ?? 'NEW';
              counts[status] += 1;
              return {
                bulk_change_id: bulkChange.id,
                portal_type: input.portalType,
                row_number: rowNumber,
                device_id: d.deviceId ?? null,
                identifier_kind: d.identifierKind,
                identifier: d.identifier,
                iccid: d.iccid ?? null,
                msisdn: d.msisdn ?? null,
                imei: d.imei ?? null,
                eid: d.eid ?? null,
                change_request: d.changeRequest == null ? null : toJson(d.changeRequest),
                status,
                status_details: d.statusDetails ?? null,
                has_errors: d.hasErrors ?? status === 'ERROR',
                ...(status === 'ERROR' ? { processed_at: new Date() } : {}),
              };
            });
            await trx.insertInto('device_changes').values(values).execute();
          }
          return { bulkChange, counts };
        });
      } catch (error) {
        if (isUniqueViolation(error, 'bulk_changes_idempotency_key')) {
          throw new AppError(
            ErrorCode.CONFLICT,
            `idempotency key "${input.idempotencyKey}" was already used for another bulk change`,
            { cause: error, context: { idempotencyKey: input.idempotencyKey } },
          );
        }
        throw error;
      }
    },

    getById: (tenantId, id) =>
      db
        .selectFrom('bulk_changes')
        .selectAll()
        .where('id', '=', id)
        .where('tenant_id', '=', tenantId)
        .executeTakeFirst(),

    findById: (id) =>
      db.selectFrom('bulk_changes').selectAll().where('id', '=', id).executeTakeFirst(),

    findByIdempotencyKey: (tenantId, key) =>
      db
        .selectFrom('bulk_changes')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .where('idempotency_key', '=', key)
        .executeTakeFirst(),

    async list(tenantId, page = {}) {
      const limit = pageLimit(page);
      let query = db.selectFrom('bulk_changes').selectAll().where('tenant_id', '=', tenantId);
      if (page.cursor !== undefined) query = query.where('id', '<', decodeCursor(page.cursor));
      const rows = await query
        .orderBy('id', 'desc')
        .limit(limit + 1)
        .execute();
      return toPage(rows, limit, (b) => b.id);
    },

    countByStatus,
  };
}

/** True for a unique violation (SQLSTATE 23505), optionally of a given constraint. */
export function isUniqueViolation(error: unknown, constraint?: string): boolean {
  const err = error as { code?: string; constraint?: string; message?: string } | null;
  if (err?.code !== '23505') return false;
  if (constraint === undefined) return true;
  return err.constraint === constraint || (err.message ?? '').includes(constraint);
}
