/**
 * The device part of the engine store: carrier rate plans of a service provider, the device
 * status table, a device's current state, and device updates written outside a result (what
 * StatusUpdate needs besides the carrier).
 */
import type { Kysely } from 'kysely';
import type { EngineStore } from '../../app/ports/engine-store.ts';
import { PROCESSED_BY } from './engine-store-shared.ts';
import {
  createDeviceRepository,
  type DeviceFieldChanges,
} from './repositories/device-repository.ts';
import type { Database } from './schema.ts';

/** The engine store's device look-ups and updates. */
export type EngineDeviceLookups = Pick<
  EngineStore,
  'listCarrierRatePlans' | 'findDeviceStatus' | 'getDeviceState' | 'applyDeviceUpdate'
>;

/**
 * Creates the device look-ups over kysely.
 *
 * @example
 * const lookups = createEngineDeviceLookups(db);
 * const plans = await lookups.listCarrierRatePlans(7); // cheapest first
 */
export function createEngineDeviceLookups(db: Kysely<Database>): EngineDeviceLookups {
  return {
    async listCarrierRatePlans(serviceProviderId) {
      const rows = await db
        .selectFrom('carrier_rate_plans')
        .select(['code', 'communication_plan', 'plan_mb', 'base_rate'])
        .where('service_provider_id', '=', serviceProviderId)
        .orderBy('base_rate')
        .orderBy('plan_mb')
        .orderBy('code')
        .execute();
      return rows.map((r) => ({
        code: r.code,
        communicationPlan: r.communication_plan,
        planMb: Number(r.plan_mb),
        baseRate: Number(r.base_rate),
      }));
    },

    async findDeviceStatus(id) {
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

    async getDeviceState(deviceId) {
      const row = await db
        .selectFrom('devices')
        .select([
          'id',
          'iccid',
          'status',
          'carrier_rate_plan',
          'communication_plan',
          'data_usage_mb',
        ])
        .where('id', '=', deviceId)
        .executeTakeFirst();
      if (row === undefined) return undefined;
      return {
        id: Number(row.id),
        iccid: row.iccid,
        status: row.status,
        carrierRatePlan: row.carrier_rate_plan,
        communicationPlan: row.communication_plan,
        dataUsageMb: Number(row.data_usage_mb),
      };
    },

    async applyDeviceUpdate(update, audit) {
      const result = await createDeviceRepository(db).update(
        update.deviceId,
        update.changes as DeviceFieldChanges,
        { changedBy: PROCESSED_BY, ...audit },
      );
      return result.changedFields;
    },
  };
}
