import { describe, expect, it } from 'vitest';
import { createRatePlanRepository } from '../../src/adapters/db/repositories/rate-plan-repository.ts';
import { createRevRepository } from '../../src/adapters/db/repositories/rev-repository.ts';
import { createBillingIntegrationRepository } from '../../src/adapters/db/repositories/service-provider-repository.ts';
import { createTenantWithProvider, iccidFor, msisdnFor } from '../support/db-fixtures.ts';
import { useTestDatabase } from '../support/test-database.ts';

const testDb = useTestDatabase();

describe('Rev.io repository', () => {
  it('finds active services by ICCID or MSISDN, earliest activation first, disconnected excluded', async () => {
    const { db } = testDb();
    const { tenant } = await createTenantWithProvider(db);
    const { tenant: other } = await createTenantWithProvider(db);
    const billing = await createBillingIntegrationRepository(db).create({
      tenantId: tenant.id,
      name: 'Rev.io',
      baseUrl: 'http://rev',
      clientCode: 'C',
      login: 'l',
    });
    const rev = createRevRepository(db);
    const [customerId = 0] = await rev.insertCustomers([
      {
        tenant_id: tenant.id,
        billing_integration_id: billing.id,
        external_id: '100101',
        name: 'Acme',
      },
    ]);
    const base = {
      tenant_id: tenant.id,
      billing_integration_id: billing.id,
      rev_customer_id: customerId,
      service_type_id: 101,
    };
    const iccid = iccidFor(1);
    const msisdn = msisdnFor(1);
    await rev.insertServices([
      { ...base, external_id: 3, iccid, msisdn, activated_at: '2024-03-01T00:00:00Z' },
      {
        ...base,
        external_id: 1,
        iccid,
        msisdn,
        activated_at: '2022-01-01T00:00:00Z',
        disconnected_at: '2023-01-01T00:00:00Z',
      },
      { ...base, external_id: 2, iccid, msisdn, activated_at: '2023-06-01T00:00:00Z' },
      {
        ...base,
        external_id: 4,
        iccid: iccidFor(2),
        msisdn: msisdnFor(2),
        activated_at: '2023-01-01T00:00:00Z',
      },
    ]);

    const byIccid = await rev.findActiveServicesByIccid(tenant.id, iccid);
    const byMsisdn = await rev.findActiveServicesByMsisdn(tenant.id, msisdn);
    const batch = await rev.findActiveServicesBy(tenant.id, 'iccid', [
      iccid,
      iccidFor(2),
      iccidFor(3),
    ]);

    expect(byIccid.map((s) => s.external_id)).toEqual([2, 3]);
    expect(byMsisdn.map((s) => s.external_id)).toEqual([2, 3]);
    expect(batch.map((s) => s.external_id)).toEqual([4, 2, 3]);
    expect(await rev.findActiveServicesByIccid(other.id, iccid)).toEqual([]);
    expect((await rev.findCustomerByExternalId(billing.id, '100101'))?.id).toBe(customerId);
    expect(await rev.listCustomers(tenant.id)).toHaveLength(1);
  });
});

describe('rate plan repository', () => {
  it('stores carrier plans per provider and customer plans/pools per tenant', async () => {
    const { db } = testDb();
    const { tenant, provider } = await createTenantWithProvider(db);
    const plans = createRatePlanRepository(db);
    await plans.insertCarrierPlans([
      {
        service_provider_id: provider.id,
        code: 'M2M-1GB',
        name: '1 GB',
        plan_mb: 1024,
        base_rate: 20,
      },
      {
        service_provider_id: provider.id,
        code: 'M2M-5MB',
        name: '5 MB',
        plan_mb: 5,
        base_rate: '2.50',
        communication_plan: 'CP_Basic_LTE',
      },
      {
        service_provider_id: provider.id,
        code: 'M2M-100MB',
        name: '100 MB',
        plan_mb: 100,
        base_rate: 9,
      },
    ]);
    const [planId = 0] = await plans.insertCustomerPlans([
      { tenant_id: tenant.id, code: 'CUST-10', name: 'Starter', plan_mb: 10, base_rate: 4.99 },
    ]);
    await plans.insertCustomerPools([{ tenant_id: tenant.id, name: 'Shared' }]);

    const plan = await plans.findCarrierPlanByCode(provider.id, 'M2M-5MB');
    expect(plan).toMatchObject({
      name: '5 MB',
      plan_mb: '5.000',
      base_rate: '2.5000',
      communication_plan: 'CP_Basic_LTE',
    });
    expect(await plans.findCarrierPlanByCode(provider.id, 'NOPE')).toBeUndefined();
    expect((await plans.listCarrierPlans(provider.id)).map((p) => p.code)).toEqual([
      'M2M-5MB',
      'M2M-100MB',
      'M2M-1GB',
    ]);
    expect((await plans.findCustomerPlanById(tenant.id, planId))?.code).toBe('CUST-10');
    expect(await plans.listCustomerPlans(tenant.id)).toHaveLength(1);
    expect((await plans.listCustomerPools(tenant.id)).map((p) => p.name)).toEqual(['Shared']);
    await expect(
      plans.insertCarrierPlans([
        { service_provider_id: provider.id, code: 'M2M-5MB', name: 'dup' },
      ]),
    ).rejects.toThrow();
  });
});
