/**
 * Small factories for database tests.
 */
import type { Kysely } from 'kysely';
import { createServiceProviderRepository } from '../../src/adapters/db/repositories/service-provider-repository.ts';
import { createTenantRepository } from '../../src/adapters/db/repositories/tenant-repository.ts';
import type { Database, NewDevice, ServiceProvider, Tenant } from '../../src/adapters/db/schema.ts';
import { luhnCheckDigit } from '../../src/domain/identifiers/luhn.ts';
import type { Integration } from '../../src/domain/integrations.ts';

let sequence = 0;

/** A tenant with one service provider; slugs are unique per call. */
export async function createTenantWithProvider(
  db: Kysely<Database>,
  integration: Integration = 'Jasper',
): Promise<{ tenant: Tenant; provider: ServiceProvider }> {
  sequence += 1;
  const slug = `t-${sequence}-${Math.floor(Math.random() * 1e9).toString(36)}`;
  const tenant = await createTenantRepository(db).create({ name: `Tenant ${slug}`, slug });
  const provider = await createServiceProviderRepository(db).create({
    tenantId: tenant.id,
    name: `${integration} ${slug}`,
    integration,
    writeEnabled: true,
  });
  return { tenant, provider };
}

/** Luhn-valid ICCID (19 digits) derived from `n`. */
export function iccidFor(n: number): string {
  const payload = `890141${String(n).padStart(12, '0')}`;
  return payload + luhnCheckDigit(payload);
}

/** Luhn-valid IMEI derived from `n`. */
export function imeiFor(n: number): string {
  const payload = `353325${String(n).padStart(8, '0')}`;
  return payload + luhnCheckDigit(payload);
}

/** 11-digit MSISDN derived from `n`. */
export function msisdnFor(n: number): string {
  return `1555${String(n).padStart(7, '0')}`;
}

/** Device row `n` of a provider. */
export function deviceRow(
  tenant: Tenant,
  provider: ServiceProvider,
  n: number,
  overrides: Partial<NewDevice> = {},
): NewDevice {
  return {
    tenant_id: tenant.id,
    service_provider_id: provider.id,
    iccid: iccidFor(n),
    imei: imeiFor(n),
    msisdn: msisdnFor(n),
    eid: null,
    status: 'ACTIVATED',
    data_usage_mb: n % 100,
    ...overrides,
  };
}
