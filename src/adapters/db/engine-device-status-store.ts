/**
 * The device status look-up of the engine store: a StatusUpdate's `PostUpdateStatusId` names a
 * row of `device_statuses`, whose `status` the device row takes after a successful change.
 */
import type { Kysely } from 'kysely';
import type { EngineStore } from '../../app/ports/engine-store.ts';
import type { Database } from './schema.ts';

/**
 * Creates the look-up over kysely.
 *
 * @example
 * await createEngineDeviceStatusLookup(db).getDeviceStatus(12); // { integration: 'ThingSpace', status: 'active', … }
 */
export function createEngineDeviceStatusLookup(
  db: Kysely<Database>,
): Pick<EngineStore, 'getDeviceStatus'> {
  return {
    async getDeviceStatus(id) {
      const row = await db
        .selectFrom('device_statuses')
        .select(['id', 'integration', 'status', 'display_name'])
        .where('id', '=', id)
        .executeTakeFirst();
      if (row === undefined) return undefined;
      return {
        id: Number(row.id),
        integration: row.integration,
        status: row.status,
        displayName: row.display_name,
      };
    },
  };
}
