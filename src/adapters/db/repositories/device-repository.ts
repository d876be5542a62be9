/**
 * The "AMOP" device database: bulk insert, identifier look-ups, keyset listing and audited
 * updates (every changed field gets a `device_history` row in the same transaction).
 */
import { type Kysely, sql } from 'kysely';
import { NotFoundError } from '../../../domain/errors.ts';
import type {
  Database,
  Device,
  DeviceHistoryRow,
  DevicesTable,
  IdentifierKind,
  NewDevice,
} from '../schema.ts';
import { chunk, inTransaction } from './db-helpers.ts';
import { decodeCursor, type Page, type PageRequest, pageLimit, toPage } from './pagination.ts';

/** Fields an update may change (the identity columns and timestamps are not among them). */
export const UPDATABLE_DEVICE_FIELDS = [
  'iccid',
  'imei',
  'msisdn',
  'eid',
  'status',
  'carrier_rate_plan',
  'communication_plan',
  'username',
  'cost_center_1',
  'cost_center_2',
  'cost_center_3',
  'rev_customer_id',
  'customer_rate_plan_id',
  'customer_rate_pool_id',
  'site_id',
  'data_usage_mb',
  'ip_address',
  'archived_at',
] as const satisfies readonly (keyof DevicesTable)[];

/** One updatable device field. */
export type UpdatableDeviceField = (typeof UPDATABLE_DEVICE_FIELDS)[number];

/** New values of some fields; `undefined` means "leave unchanged". */
export type DeviceFieldChanges = {
  [K in UpdatableDeviceField]?: K extends 'data_usage_mb'
    ? string | number
    : K extends 'archived_at'
      ? Date | null
      : K extends 'status'
        ? string
        : Device[K];
};

/** Who/what makes a change, recorded in `device_history`. */
export interface ChangeAudit {
  changedBy: string;
  bulkChangeId?: number | null;
  deviceChangeId?: number | null;
}

/** Filters of {@link DeviceRepository.list}. */
export interface DeviceFilter {
  tenantId: number;
  serviceProviderId?: number;
  status?: string;
  iccid?: string;
  /** @default false */
  includeArchived?: boolean;
}

/** Result of {@link DeviceRepository.update}. */
export interface DeviceUpdateResult {
  device: Device;
  /** Fields whose value actually changed (a history row was written for each). */
  changedFields: UpdatableDeviceField[];
}

/** Repository of devices. */
export interface DeviceRepository {
  /** Inserts rows in chunks of ≤ 1000; returns the new ids in input order. */
  insertMany(devices: readonly NewDevice[]): Promise<number[]>;
  findById(tenantId: number, id: number): Promise<Device | undefined>;
  /** Non-archived device of a service provider with that identifier (lowest id wins). */
  findByIdentifier(
    serviceProviderId: number,
    kind: IdentifierKind,
    value: string,
  ): Promise<Device | undefined>;
  /** Non-archived devices of a service provider matching any of `values`. */
  findManyByIdentifiers(
    serviceProviderId: number,
    kind: IdentifierKind,
    values: readonly string[],
  ): Promise<Device[]>;
  list(filter: DeviceFilter, page?: PageRequest): Promise<Page<Device>>;
  /**
   * Applies `changes` to a device and writes one history row per changed field, atomically
   * (inside the caller's transaction when the repository was created on one).
   *
   * @throws {NotFoundError} no device with that id.
   */
  update(
    deviceId: number,
    changes: DeviceFieldChanges,
    audit: ChangeAudit,
  ): Promise<DeviceUpdateResult>;
  listHistory(deviceId: number): Promise<DeviceHistoryRow[]>;
}

const LOOKUP_CHUNK = 5000;

/**
 * Creates the device repository.
 *
 * @example
 * const devices = createDeviceRepository(database.db);
 * await devices.update(id, { username: 'Truck 12' }, { changedBy: 'api', bulkChangeId: 7 });
 */
export function createDeviceRepository(db: Kysely<Database>): DeviceRepository {
  return {
    async insertMany(devices) {
      const ids: number[] = [];
      for (const part of chunk(devices)) {
        // PostgreSQL returns the rows of a multi-row VALUES insert in input order.
        const rows = await db.insertInto('devices').values(part).returning('id').execute();
        for (const row of rows) ids.push(row.id);
      }
      return ids;
    },

    findById: (tenantId, id) =>
      db
        .selectFrom('devices')
        .selectAll()
        .where('id', '=', id)
        .where('tenant_id', '=', tenantId)
        .executeTakeFirst(),

    findByIdentifier: (serviceProviderId, kind, value) =>
      db
        .selectFrom('devices')
        .selectAll()
        .where('service_provider_id', '=', serviceProviderId)
        .where(kind, '=', value)
        .where('archived_at', 'is', null)
        .orderBy('id')
        .limit(1)
        .executeTakeFirst(),

    async findManyByIdentifiers(serviceProviderId, kind, values) {
      const out: Device[] = [];
      for (const part of chunk([...new Set(values)], LOOKUP_CHUNK)) {
        const rows = await db
          .selectFrom('devices')
          .selectAll()
          .where('service_provider_id', '=', serviceProviderId)
          .where(sql<boolean>`${sql.ref(kind)} = any(${part}::text[])`)
          .where('archived_at', 'is', null)
          .orderBy('id')
          .execute();
        out.push(...rows);
      }
      return out;
    },

    async list(filter, page = {}) {
      const limit = pageLimit(page);
      let query = db.selectFrom('devices').selectAll().where('tenant_id', '=', filter.tenantId);
      if (filter.serviceProviderId !== undefined) {
        query = query.where('service_provider_id', '=', filter.serviceProviderId);
      }
      if (filter.status !== undefined) query = query.where('status', '=', filter.status);
      if (filter.iccid !== undefined) query = query.where('iccid', '=', filter.iccid);
      if (filter.includeArchived !== true) query = query.where('archived_at', 'is', null);
      if (page.cursor !== undefined) query = query.where('id', '>', decodeCursor(page.cursor));
      const rows = await query
        .orderBy('id')
        .limit(limit + 1)
        .execute();
      return toPage(rows, limit, (d) => d.id);
    },

    update: (deviceId, changes, audit) =>
      inTransaction(db, async (trx) => {
        const current = await trx
          .selectFrom('devices')
          .selectAll()
          .where('id', '=', deviceId)
          .forUpdate()
          .executeTakeFirst();
        if (current === undefined) throw new NotFoundError('Device', deviceId);
        const changed: UpdatableDeviceField[] = [];
        const history: { field: string; previous: string | null; next: string | null }[] = [];
        for (const field of UPDATABLE_DEVICE_FIELDS) {
          const next = changes[field];
          if (next === undefined) continue;
          const previous = current[field];
          if (sameValue(field, previous, next)) continue;
          changed.push(field);
          history.push({ field, previous: asText(previous), next: asText(next) });
        }
        if (changed.length === 0) return { device: current, changedFields: [] };

        const set: Record<string, unknown> = { updated_at: sql`now()` };
        for (const field of changed) set[field] = changes[field];
        const device = await trx
          .updateTable('devices')
          .set(set)
          .where('id', '=', deviceId)
          .returningAll()
          .executeTakeFirstOrThrow();
        await trx
          .insertInto('device_history')
          .values(
            history.map((h) => ({
              device_id: deviceId,
              field: h.field,
              previous_value: h.previous,
              new_value: h.next,
              changed_by: audit.changedBy,
              bulk_change_id: audit.bulkChangeId ?? null,
              device_change_id: audit.deviceChangeId ?? null,
            })),
          )
          .execute();
        return { device, changedFields: changed };
      }),

    listHistory: (deviceId) =>
      db
        .selectFrom('device_history')
        .selectAll()
        .where('device_id', '=', deviceId)
        .orderBy('id')
        .execute(),
  };
}

function asText(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return value.toISOString();
  return String(value);
}

function sameValue(field: UpdatableDeviceField, previous: unknown, next: unknown): boolean {
  if (previous === null || next === null) return previous === next;
  if (field === 'data_usage_mb') return Number(previous) === Number(next);
  return asText(previous) === asText(next);
}
