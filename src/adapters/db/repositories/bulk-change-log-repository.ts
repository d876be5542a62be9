/**
 * The bulk change log: one entry per step of a device change (carrier call, Rev.io call,
 * device database update), with the original's DeviceBulkChangeLog fields.
 */
import type { Kysely } from 'kysely';
import type { BulkChangeLog, Database } from '../schema.ts';
import { chunk } from './db-helpers.ts';
import { decodeCursor, type Page, type PageRequest, pageLimit, toPage } from './pagination.ts';

/** One log entry to append. */
export interface NewBulkChangeLog {
  bulkChangeId: number;
  deviceChangeId?: number | null;
  /** e.g. "Update Username/Cost Center of devices: Rev.IO API" */
  description: string;
  requestText?: string | null;
  responseText?: string | null;
  /** PROCESSED / ERROR / PENDING / API_FAILED, or an HTTP status code as text. */
  responseStatus?: string | null;
  /** @default false */
  hasErrors?: boolean;
  errorText?: string | null;
  processedBy: string;
  /** @default now */
  processedAt?: Date;
}

/** Repository of the bulk change log. */
export interface BulkChangeLogRepository {
  append(entry: NewBulkChangeLog): Promise<BulkChangeLog>;
  appendMany(entries: readonly NewBulkChangeLog[]): Promise<number>;
  /** Entries of a bulk change, oldest first. */
  listByBulkChange(bulkChangeId: number, page?: PageRequest): Promise<Page<BulkChangeLog>>;
  /** Entries of one device change, oldest first. */
  listByDeviceChange(deviceChangeId: number): Promise<BulkChangeLog[]>;
}

function toRow(e: NewBulkChangeLog) {
  return {
    bulk_change_id: e.bulkChangeId,
    device_change_id: e.deviceChangeId ?? null,
    description: e.description,
    request_text: e.requestText ?? null,
    response_text: e.responseText ?? null,
    response_status: e.responseStatus ?? null,
    has_errors: e.hasErrors ?? false,
    error_text: e.errorText ?? null,
    processed_by: e.processedBy,
    ...(e.processedAt === undefined ? {} : { processed_at: e.processedAt }),
  };
}

/**
 * Creates the bulk change log repository.
 *
 * @example
 * await createBulkChangeLogRepository(db).append({
 *   bulkChangeId: 7, deviceChangeId: 70, description: 'Update Jasper Status: Jasper API',
 *   requestText, responseText, responseStatus: 'PROCESSED', processedBy: 'device-bulk-change',
 * });
 */
export function createBulkChangeLogRepository(db: Kysely<Database>): BulkChangeLogRepository {
  return {
    append: (entry) =>
      db
        .insertInto('bulk_change_logs')
        .values(toRow(entry))
        .returningAll()
        .executeTakeFirstOrThrow(),

    async appendMany(entries) {
      for (const part of chunk(entries)) {
        await db.insertInto('bulk_change_logs').values(part.map(toRow)).execute();
      }
      return entries.length;
    },

    async listByBulkChange(bulkChangeId, page = {}) {
      const limit = pageLimit(page);
      let query = db
        .selectFrom('bulk_change_logs')
        .selectAll()
        .where('bulk_change_id', '=', bulkChangeId);
      if (page.cursor !== undefined) query = query.where('id', '>', decodeCursor(page.cursor));
      const rows = await query
        .orderBy('id')
        .limit(limit + 1)
        .execute();
      return toPage(rows, limit, (l) => l.id);
    },

    listByDeviceChange: (deviceChangeId) =>
      db
        .selectFrom('bulk_change_logs')
        .selectAll()
        .where('device_change_id', '=', deviceChangeId)
        .orderBy('id')
        .execute(),
  };
}
