/**
 * Carrier accounts ("service providers") and Rev.io billing integrations of a tenant.
 * Credentials are maps of SecretRef; plain secrets never reach this layer.
 */
import type { Kysely } from 'kysely';
import { NotFoundError } from '../../../domain/errors.ts';
import type { Integration } from '../../../domain/integrations.ts';
import type {
  BillingIntegrationRow,
  CredentialsJson,
  Database,
  ServiceProvider,
  ServiceProviderSettings,
} from '../schema.ts';
import { toJson } from './db-helpers.ts';

/** Input of {@link ServiceProviderRepository.create}. */
export interface NewServiceProvider {
  tenantId: number;
  name: string;
  integration: Integration;
  /** @default false */
  writeEnabled?: boolean;
  settings?: ServiceProviderSettings;
  credentials?: CredentialsJson;
  billingIntegrationId?: number | null;
}

/** Input of {@link BillingIntegrationRepository.create}. */
export interface NewBillingIntegration {
  tenantId: number;
  name: string;
  baseUrl: string;
  clientCode: string;
  login: string;
  credentials?: CredentialsJson;
  /** @default false */
  writeEnabled?: boolean;
}

/** Repository of service providers. */
export interface ServiceProviderRepository {
  create(provider: NewServiceProvider): Promise<ServiceProvider>;
  listByTenant(tenantId: number): Promise<ServiceProvider[]>;
  findById(tenantId: number, id: number): Promise<ServiceProvider | undefined>;
  /** @throws {NotFoundError} absent or owned by another tenant. */
  getById(tenantId: number, id: number): Promise<ServiceProvider>;
}

/** Repository of billing (Rev.io) integrations. */
export interface BillingIntegrationRepository {
  create(integration: NewBillingIntegration): Promise<BillingIntegrationRow>;
  listByTenant(tenantId: number): Promise<BillingIntegrationRow[]>;
  findById(tenantId: number, id: number): Promise<BillingIntegrationRow | undefined>;
  /** @throws {NotFoundError} absent or owned by another tenant. */
  getById(tenantId: number, id: number): Promise<BillingIntegrationRow>;
}

/**
 * Creates the service provider repository.
 *
 * @example
 * const sp = await createServiceProviderRepository(db).create({
 *   tenantId, name: 'AT&T Jasper', integration: 'Jasper', writeEnabled: true,
 *   settings: { baseUrl: 'https://restapi1.jasper.com/rws/api/v1' },
 *   credentials: { apiKey: secretBox.seal(apiKey) },
 * });
 */
export function createServiceProviderRepository(db: Kysely<Database>): ServiceProviderRepository {
  const findById = (tenantId: number, id: number) =>
    db
      .selectFrom('service_providers')
      .selectAll()
      .where('id', '=', id)
      .where('tenant_id', '=', tenantId)
      .executeTakeFirst();
  return {
    create: (p) =>
      db
        .insertInto('service_providers')
        .values({
          tenant_id: p.tenantId,
          name: p.name,
          integration: p.integration,
          write_enabled: p.writeEnabled ?? false,
          settings: toJson(p.settings ?? {}),
          credentials: toJson(p.credentials ?? {}),
          billing_integration_id: p.billingIntegrationId ?? null,
        })
        .returningAll()
        .executeTakeFirstOrThrow(),

    listByTenant: (tenantId) =>
      db
        .selectFrom('service_providers')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .orderBy('id')
        .execute(),

    findById,

    async getById(tenantId, id) {
      const row = await findById(tenantId, id);
      if (row === undefined) throw new NotFoundError('Service provider', id);
      return row;
    },
  };
}

/** Creates the billing integration repository. */
export function createBillingIntegrationRepository(
  db: Kysely<Database>,
): BillingIntegrationRepository {
  const findById = (tenantId: number, id: number) =>
    db
      .selectFrom('billing_integrations')
      .selectAll()
      .where('id', '=', id)
      .where('tenant_id', '=', tenantId)
      .executeTakeFirst();
  return {
    create: (b) =>
      db
        .insertInto('billing_integrations')
        .values({
          tenant_id: b.tenantId,
          name: b.name,
          base_url: b.baseUrl,
          client_code: b.clientCode,
          login: b.login,
          credentials: toJson(b.credentials ?? {}),
          write_enabled: b.writeEnabled ?? false,
        })
        .returningAll()
        .executeTakeFirstOrThrow(),

    listByTenant: (tenantId) =>
      db
        .selectFrom('billing_integrations')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .orderBy('id')
        .execute(),

    findById,

    async getById(tenantId, id) {
      const row = await findById(tenantId, id);
      if (row === undefined) throw new NotFoundError('Billing integration', id);
      return row;
    },
  };
}
