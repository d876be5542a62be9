/**
 * The billing part of the engine store: billing integrations, the device's Rev.io service
 * and tenant settings (what EditUsernameCostCenter needs besides the carrier).
 */
import type { Kysely } from 'kysely';
import type { EngineStore } from '../../app/ports/engine-store.ts';
import type { SecretRefs } from '../../domain/secret-ref.ts';
import { createRevRepository } from './repositories/rev-repository.ts';
import type { Database } from './schema.ts';

/** The engine store's billing look-ups. */
export type EngineBillingLookups = Pick<
  EngineStore,
  'getBillingIntegration' | 'findRevService' | 'getTenantSettings'
>;

/**
 * Creates the billing look-ups over kysely.
 *
 * @example
 * const lookups = createEngineBillingLookups(db);
 * await lookups.findRevService({ tenantId: 1, billingIntegrationId: 1, iccid: '8901…' });
 */
export function createEngineBillingLookups(db: Kysely<Database>): EngineBillingLookups {
  return {
    async getBillingIntegration(id) {
      const row = await db
        .selectFrom('billing_integrations')
        .selectAll()
        .where('id', '=', id)
        .executeTakeFirst();
      if (row === undefined) return undefined;
      return {
        id: row.id,
        tenantId: row.tenant_id,
        name: row.name,
        baseUrl: row.base_url,
        clientCode: row.client_code,
        login: row.login,
        credentials: (row.credentials ?? {}) as SecretRefs,
        writeEnabled: row.write_enabled,
        settings: (row.settings ?? {}) as Record<string, unknown>,
      };
    },

    async findRevService(query) {
      // The device's service: earliest activated, not disconnected, of this billing account.
      const rev = createRevRepository(db);
      const candidates =
        query.iccid !== undefined
          ? await rev.findActiveServicesByIccid(query.tenantId, query.iccid)
          : query.msisdn !== undefined
            ? await rev.findActiveServicesByMsisdn(query.tenantId, query.msisdn)
            : [];
      const row = candidates.find((c) => c.billing_integration_id === query.billingIntegrationId);
      if (row === undefined) return undefined;
      return {
        serviceId: Number(row.external_id),
        iccid: row.iccid,
        msisdn: row.msisdn,
        activatedAt: row.activated_at === null ? null : new Date(row.activated_at),
      };
    },

    async getTenantSettings(tenantId) {
      const row = await db
        .selectFrom('tenants')
        .select('settings')
        .where('id', '=', tenantId)
        .executeTakeFirst();
      const settings = row?.settings;
      return typeof settings === 'object' && settings !== null
        ? (settings as Record<string, unknown>)
        : {};
    },
  };
}
