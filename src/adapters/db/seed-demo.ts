/**
 * Writes the demo dataset (`app/demo/demo-dataset.ts`) into the store.
 *
 * One transaction, idempotent: when the demo tenant exists nothing is written. An interrupted
 * seed leaves nothing behind (the transaction rolls back); two concurrent seeders end with one
 * tenant (unique slug + `on conflict do nothing`: the loser waits for the winner's commit, then
 * reports `created: false`). Carrier and billing secrets are sealed with the secret box.
 */
import type { Kysely } from 'kysely';
import { buildDemoDataset, type DemoDataset } from '../../app/demo/demo-dataset.ts';
import type { SecretBox, SecretRef } from '../../domain/secret-ref.ts';
import type { AppDatabase } from './database.ts';
import { createDeviceRepository } from './repositories/device-repository.ts';
import { createRatePlanRepository } from './repositories/rate-plan-repository.ts';
import { createRevRepository } from './repositories/rev-repository.ts';
import {
  createBillingIntegrationRepository,
  createServiceProviderRepository,
} from './repositories/service-provider-repository.ts';
import { createTenantRepository } from './repositories/tenant-repository.ts';
import type { Database } from './schema.ts';

/** Options of {@link seedDemo}. */
export interface SeedDemoOptions {
  /** Seals the demo carrier and billing secrets. */
  secretBox: SecretBox;
  /** @default buildDemoDataset() */
  dataset?: DemoDataset;
}

/** What was seeded. */
export interface SeedDemoCounts {
  serviceProviders: number;
  devices: number;
  revCustomers: number;
  revServices: number;
  carrierRatePlans: number;
}

/** Outcome of {@link seedDemo}. */
export type SeedDemoResult =
  | { created: false; tenantId: number; apiKey?: undefined }
  | {
      created: true;
      tenantId: number;
      /** Plain demo API key: shown now, never retrievable again. */
      apiKey: string;
      counts: SeedDemoCounts;
    };

/**
 * Seeds the demo tenant unless it exists.
 *
 * @example
 * const result = await seedDemo(database, { secretBox });
 * if (result.created) console.log(`demo API key: ${result.apiKey}`);
 */
export async function seedDemo(
  database: AppDatabase,
  options: SeedDemoOptions,
): Promise<SeedDemoResult> {
  const dataset = options.dataset ?? buildDemoDataset();
  return database.db.transaction().execute((trx) => seedIn(trx, dataset, options.secretBox));
}

/** Demo sites: one on its own, two belonging to Rev.io customers of the demo. */
const DEMO_SITES: readonly { name: string; revCustomerExternalId: string | null }[] = [
  { name: 'Head Office', revCustomerExternalId: null },
  { name: 'North Depot', revCustomerExternalId: '100101' },
  { name: 'South Depot', revCustomerExternalId: '100102' },
];

async function seedIn(
  trx: Kysely<Database>,
  dataset: DemoDataset,
  secretBox: SecretBox,
): Promise<SeedDemoResult> {
  const tenants = createTenantRepository(trx);
  const existing = await tenants.findBySlug(dataset.tenant.slug);
  if (existing !== undefined) return { created: false, tenantId: existing.id };
  const inserted = await trx
    .insertInto('tenants')
    .values({
      name: dataset.tenant.name,
      slug: dataset.tenant.slug,
      settings: JSON.stringify(dataset.tenant.settings),
    })
    .onConflict((oc) => oc.column('slug').doNothing())
    .returning('id')
    .executeTakeFirst();
  if (inserted === undefined) {
    // Another seeder committed the tenant while we waited on the unique index.
    const winner = await tenants.findBySlug(dataset.tenant.slug);
    if (winner === undefined) throw new Error('demo tenant vanished during seeding');
    return { created: false, tenantId: winner.id };
  }
  const tenantId = inserted.id;
  const { key } = await tenants.createApiKey(tenantId, 'demo');
  const seal = (secrets: Record<string, string>): Record<string, SecretRef> =>
    Object.fromEntries(
      Object.entries(secrets).map(([name, value]) => [name, secretBox.seal(value)]),
    );

  const billing = await createBillingIntegrationRepository(trx).create({
    tenantId,
    name: dataset.billingIntegration.name,
    baseUrl: dataset.billingIntegration.baseUrl,
    clientCode: dataset.billingIntegration.clientCode,
    login: dataset.billingIntegration.login,
    writeEnabled: dataset.billingIntegration.writeEnabled,
    credentials: seal(dataset.billingIntegration.secrets),
  });

  const providers = createServiceProviderRepository(trx);
  const providerIds = new Map<string, number>();
  for (const sp of dataset.serviceProviders) {
    const row = await providers.create({
      tenantId,
      name: sp.name,
      integration: sp.integration,
      writeEnabled: sp.writeEnabled,
      settings: sp.settings,
      credentials: seal(sp.secrets),
      billingIntegrationId: billing.id,
    });
    providerIds.set(sp.key, row.id);
  }
  const providerId = (key: string): number => {
    const id = providerIds.get(key);
    if (id === undefined) throw new Error(`demo dataset: unknown provider "${key}"`);
    return id;
  };

  const plans = createRatePlanRepository(trx);
  await plans.insertCarrierPlans(
    dataset.carrierRatePlans.map((p) => ({
      service_provider_id: providerId(p.providerKey),
      code: p.code,
      name: p.name,
      communication_plan: p.communicationPlan,
      plan_mb: p.planMb,
      base_rate: p.baseRate,
    })),
  );
  await plans.insertCustomerPlans(
    dataset.customerRatePlans.map((p) => ({
      tenant_id: tenantId,
      code: p.code,
      name: p.name,
      plan_mb: p.planMb,
      base_rate: p.baseRate,
    })),
  );
  await plans.insertCustomerPools(
    dataset.customerRatePools.map((p) => ({ tenant_id: tenantId, name: p.name })),
  );

  const rev = createRevRepository(trx);
  const customerIdList = await rev.insertCustomers(
    dataset.revCustomers.map((c) => ({
      tenant_id: tenantId,
      billing_integration_id: billing.id,
      external_id: c.externalId,
      name: c.name,
      status: c.status,
    })),
  );
  const customerIds = new Map(
    dataset.revCustomers.map((c, i) => [c.externalId, customerIdList[i] ?? null]),
  );
  const customerId = (externalId: string | null): number | null =>
    externalId === null ? null : (customerIds.get(externalId) ?? null);

  // The tenant's own customers (sites, migration 0006), for AssociateCustomer without Rev.io.
  await trx
    .insertInto('customer_sites')
    .values(
      DEMO_SITES.map((site) => ({
        tenant_id: tenantId,
        name: site.name,
        rev_customer_id: customerId(site.revCustomerExternalId),
      })),
    )
    .execute();

  await createDeviceRepository(trx).insertMany(
    dataset.devices.map((d) => ({
      tenant_id: tenantId,
      service_provider_id: providerId(d.providerKey),
      iccid: d.iccid,
      imei: d.imei,
      msisdn: d.msisdn,
      eid: d.eid,
      status: d.status,
      carrier_rate_plan: d.carrierRatePlan,
      communication_plan: d.communicationPlan,
      username: d.username,
      cost_center_1: d.costCenter1,
      cost_center_2: d.costCenter2,
      cost_center_3: d.costCenter3,
      rev_customer_id: customerId(d.revCustomerExternalId),
      data_usage_mb: d.dataUsageMb,
      ip_address: d.ipAddress,
    })),
  );

  await rev.insertServices(
    dataset.revServices.map((s) => {
      const revCustomerId = customerId(s.customerExternalId);
      if (revCustomerId === null)
        throw new Error(`demo dataset: unknown customer ${s.customerExternalId}`);
      return {
        tenant_id: tenantId,
        billing_integration_id: billing.id,
        external_id: s.serviceId,
        rev_customer_id: revCustomerId,
        iccid: s.iccid,
        msisdn: s.msisdn,
        service_type_id: s.serviceTypeId,
        activated_at: s.activatedAt,
        disconnected_at: s.disconnectedAt,
        description: s.description,
      };
    }),
  );

  return {
    created: true,
    tenantId,
    apiKey: key,
    counts: {
      serviceProviders: dataset.serviceProviders.length,
      devices: dataset.devices.length,
      revCustomers: dataset.revCustomers.length,
      revServices: dataset.revServices.length,
      carrierRatePlans: dataset.carrierRatePlans.length,
    },
  };
}
