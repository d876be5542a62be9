/**
 * The Rev.io part of the engine store ({@link EngineRevServiceStore}): customers, a device's
 * active lines (the AssociateCustomer guards), customer rate plans / pools / sites, recording a
 * created line.
 */
import { type Kysely, sql } from 'kysely';
import type { EngineRevServiceStore } from '../../app/ports/engine-store.ts';
import type { Database } from './schema.ts';

/**
 * Creates the Rev.io part of the engine store.
 *
 * @example
 * const rev = createEngineRevServiceStore(db);
 * await rev.findRevCustomerByExternalId(1, '100101');
 */
export function createEngineRevServiceStore(db: Kysely<Database>): EngineRevServiceStore {
  return {
    async findRevCustomerByExternalId(billingIntegrationId, externalId) {
      const row = await db
        .selectFrom('rev_customers')
        .select(['id', 'external_id', 'name', 'status'])
        .where('billing_integration_id', '=', billingIntegrationId)
        .where('external_id', '=', externalId)
        .executeTakeFirst();
      return row === undefined
        ? undefined
        : { id: row.id, externalId: row.external_id, name: row.name, status: row.status };
    },

    async findActiveRevServicesOfDevice(query) {
      const keys: Array<['iccid' | 'msisdn', string]> = [];
      if (query.iccid) keys.push(['iccid', query.iccid]);
      if (query.msisdn) keys.push(['msisdn', query.msisdn]);
      if (keys.length === 0) return [];
      const rows = await db
        .selectFrom('rev_services as s')
        .innerJoin('rev_customers as c', 'c.id', 's.rev_customer_id')
        .select(['s.external_id', 'c.external_id as customer_external_id'])
        .where('s.tenant_id', '=', query.tenantId)
        .where('s.billing_integration_id', '=', query.billingIntegrationId)
        .where((eb) => eb.or(keys.map(([kind, value]) => eb(`s.${kind}`, '=', value))))
        .where((eb) =>
          eb.or([
            eb('s.disconnected_at', 'is', null),
            eb('s.disconnected_at', '>', sql<Date>`now()`),
          ]),
        )
        .orderBy('s.id')
        .execute();
      return rows.map((r) => ({
        serviceId: Number(r.external_id),
        customerExternalId: r.customer_external_id,
      }));
    },

    async findCustomerRatePlanById(tenantId, id) {
      return db
        .selectFrom('customer_rate_plans')
        .select(['id', 'code'])
        .where('tenant_id', '=', tenantId)
        .where('id', '=', id)
        .executeTakeFirst();
    },

    async findCustomerRatePoolById(tenantId, id) {
      return db
        .selectFrom('customer_rate_pools')
        .select(['id', 'name'])
        .where('tenant_id', '=', tenantId)
        .where('id', '=', id)
        .executeTakeFirst();
    },

    async findCustomerSiteById(tenantId, id) {
      const row = await db
        .selectFrom('customer_sites')
        .select(['id', 'name', 'rev_customer_id'])
        .where('tenant_id', '=', tenantId)
        .where('id', '=', id)
        .executeTakeFirst();
      return row === undefined
        ? undefined
        : { id: row.id, name: row.name, revCustomerId: row.rev_customer_id };
    },

    async linkRevService(link) {
      await db
        .insertInto('rev_services')
        .values({
          tenant_id: link.tenantId,
          billing_integration_id: link.billingIntegrationId,
          external_id: link.serviceId,
          rev_customer_id: link.revCustomerId,
          iccid: link.iccid,
          msisdn: link.msisdn,
          service_type_id: link.serviceTypeId,
          activated_at: link.activatedAt,
          description: link.description,
        })
        .onConflict((oc) => oc.columns(['billing_integration_id', 'external_id']).doNothing())
        .execute();
    },
  };
}
