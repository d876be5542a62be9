/**
 * Read side of device changes (the engine issue adds claiming and result recording).
 */
import type { Kysely } from 'kysely';
import type { Database, DeviceChange, DeviceChangeStatusValue } from '../schema.ts';
import { decodeCursor, type Page, type PageRequest, pageLimit, toPage } from './pagination.ts';

/** Filters of {@link DeviceChangeRepository.listByBulkChange}. */
export interface DeviceChangeFilter {
  /** One status or several. */
  status?: DeviceChangeStatusValue | readonly DeviceChangeStatusValue[];
}

/** Repository of device changes. */
export interface DeviceChangeRepository {
  findById(id: number): Promise<DeviceChange | undefined>;
  /** Device changes of a bulk change in submission order (row number). */
  listByBulkChange(
    bulkChangeId: number,
    filter?: DeviceChangeFilter,
    page?: PageRequest,
  ): Promise<Page<DeviceChange>>;
}

/**
 * Creates the device change repository.
 *
 * @example
 * const page = await createDeviceChangeRepository(db).listByBulkChange(7, { status: 'API_FAILED' });
 */
export function createDeviceChangeRepository(db: Kysely<Database>): DeviceChangeRepository {
  return {
    findById: (id) =>
      db.selectFrom('device_changes').selectAll().where('id', '=', id).executeTakeFirst(),

    async listByBulkChange(bulkChangeId, filter = {}, page = {}) {
      const limit = pageLimit(page);
      let query = db
        .selectFrom('device_changes')
        .selectAll()
        .where('bulk_change_id', '=', bulkChangeId);
      const { status } = filter;
      if (typeof status === 'string') query = query.where('status', '=', status);
      else if (status !== undefined && status.length > 0)
        query = query.where('status', 'in', status);
      if (page.cursor !== undefined) {
        query = query.where('row_number', '>', decodeCursor(page.cursor));
      }
      const rows = await query
        .orderBy('row_number')
        .limit(limit + 1)
        .execute();
      return toPage(rows, limit, (d) => d.row_number);
    },
  };
}
