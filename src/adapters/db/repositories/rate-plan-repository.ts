/**
 * Carrier rate plans (per service provider), customer rate plans and pools (per tenant).
 */
import type { Insertable, Kysely } from 'kysely';
import type {
  CarrierRatePlan,
  CarrierRatePlansTable,
  CustomerRatePlan,
  CustomerRatePlansTable,
  CustomerRatePool,
  CustomerRatePoolsTable,
  Database,
} from '../schema.ts';
import { chunk } from './db-helpers.ts';

/** Insert shape of a carrier rate plan. */
export type NewCarrierRatePlan = Insertable<CarrierRatePlansTable>;
/** Insert shape of a customer rate plan. */
export type NewCustomerRatePlan = Insertable<CustomerRatePlansTable>;
/** Insert shape of a customer rate pool. */
export type NewCustomerRatePool = Insertable<CustomerRatePoolsTable>;

/** Repository of rate plans and pools. */
export interface RatePlanRepository {
  insertCarrierPlans(plans: readonly NewCarrierRatePlan[]): Promise<number[]>;
  insertCustomerPlans(plans: readonly NewCustomerRatePlan[]): Promise<number[]>;
  insertCustomerPools(pools: readonly NewCustomerRatePool[]): Promise<number[]>;
  findCarrierPlanByCode(
    serviceProviderId: number,
    code: string,
  ): Promise<CarrierRatePlan | undefined>;
  /** A provider's plans, cheapest first (then smallest allowance). */
  listCarrierPlans(serviceProviderId: number): Promise<CarrierRatePlan[]>;
  listCustomerPlans(tenantId: number): Promise<CustomerRatePlan[]>;
  findCustomerPlanById(tenantId: number, id: number): Promise<CustomerRatePlan | undefined>;
  listCustomerPools(tenantId: number): Promise<CustomerRatePool[]>;
}

/**
 * Creates the rate plan repository.
 *
 * @example
 * const plan = await createRatePlanRepository(db).findCarrierPlanByCode(spId, 'M2M-50MB');
 */
export function createRatePlanRepository(db: Kysely<Database>): RatePlanRepository {
  return {
    async insertCarrierPlans(plans) {
      const ids: number[] = [];
      for (const part of chunk(plans)) {
        const rows = await db
          .insertInto('carrier_rate_plans')
          .values(part)
          .returning('id')
          .execute();
        for (const r of rows) ids.push(r.id);
      }
      return ids;
    },
    async insertCustomerPlans(plans) {
      const ids: number[] = [];
      for (const part of chunk(plans)) {
        const rows = await db
          .insertInto('customer_rate_plans')
          .values(part)
          .returning('id')
          .execute();
        for (const r of rows) ids.push(r.id);
      }
      return ids;
    },
    async insertCustomerPools(pools) {
      const ids: number[] = [];
      for (const part of chunk(pools)) {
        const rows = await db
          .insertInto('customer_rate_pools')
          .values(part)
          .returning('id')
          .execute();
        for (const r of rows) ids.push(r.id);
      }
      return ids;
    },
    findCarrierPlanByCode: (serviceProviderId, code) =>
      db
        .selectFrom('carrier_rate_plans')
        .selectAll()
        .where('service_provider_id', '=', serviceProviderId)
        .where('code', '=', code)
        .executeTakeFirst(),
    listCarrierPlans: (serviceProviderId) =>
      db
        .selectFrom('carrier_rate_plans')
        .selectAll()
        .where('service_provider_id', '=', serviceProviderId)
        .orderBy('base_rate')
        .orderBy('plan_mb')
        .orderBy('id')
        .execute(),
    listCustomerPlans: (tenantId) =>
      db
        .selectFrom('customer_rate_plans')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .orderBy('id')
        .execute(),
    findCustomerPlanById: (tenantId, id) =>
      db
        .selectFrom('customer_rate_plans')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .where('id', '=', id)
        .executeTakeFirst(),
    listCustomerPools: (tenantId) =>
      db
        .selectFrom('customer_rate_pools')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .orderBy('id')
        .execute(),
  };
}
