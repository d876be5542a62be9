/**
 * Kysely table types of `migrations/*.sql`, column for column.
 *
 * Value conventions (identical on PostgreSQL and PGlite, see `database.ts`):
 * - `bigint` ids and `count(*)` come back as JS `number` (int8 parser = `Number`; ids stay far
 *   below 2^53);
 * - `numeric` comes back as a decimal `string` (exact); it accepts numbers or strings on write;
 * - `timestamptz` comes back as `Date` and accepts `Date` or ISO strings on write;
 * - `jsonb` columns are written as JSON text (`JSON.stringify`) and read back parsed, which is
 *   what {@link JSONColumnType} encodes. Always stringify: `pg` would turn a JS array into a
 *   PostgreSQL array literal.
 */

import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';
import type { BulkChangeStatus } from '../../domain/bulk-change/bulk-change-status.ts';
import { DeviceChangeStatus } from '../../domain/device-change/device-change-status.ts';
import type { IdentifierKind } from '../../domain/identifiers/identifier-kind.ts';
import type { Integration } from '../../domain/integrations.ts';
import type { SecretRef } from '../../domain/secret-ref.ts';
import type {
  NotificationAttemptsTable,
  TenantWebhookSecretsTable,
} from './schema-notifications.ts';
import type {
  BulkChangeLogsTable,
  BulkChangesTable,
  CarrierCallbacksTable,
  DeviceChangesTable,
  IdempotencyRecordsTable,
  NotificationOutboxTable,
  RateLimitBucketsTable,
  RateLimitSlotsTable,
  SchemaMigrationsTable,
} from './schema-processing.ts';

export type * from './schema-notifications.ts';
export type * from './schema-processing.ts';

/** `timestamptz` that must be given on insert. */
export type Timestamp = ColumnType<Date, Date | string, Date | string>;
/** `timestamptz` with a database default (`now()`). */
export type GeneratedTimestamp = ColumnType<Date, Date | string | undefined, Date | string>;
/** Nullable `timestamptz`. */
export type NullableTimestamp = ColumnType<
  Date | null,
  Date | string | null | undefined,
  Date | string | null
>;
/** `numeric`: exact decimal string out, number or string in. */
export type Numeric = ColumnType<string, string | number | undefined, string | number>;
/** Stored credentials: named secret references, never plain secrets. */
export type CredentialsJson = Record<string, SecretRef>;

/** How a tenant wants ContactName pushed to Rev.io (original `PushUsernameUpdate`). */
export type PushUsernameUpdateMode = 'field' | 'service_description' | 'both';

/** `tenants.settings`. */
export interface TenantSettings {
  /** @default 'field' */
  pushUsernameUpdate?: PushUsernameUpdateMode;
  /** Recipients of bulk change completion emails. */
  notificationEmails?: string[];
  /** Status webhook endpoint (signed POST), or null. */
  webhookUrl?: string | null;
  /** Also POST `bulkChange.progress` webhooks while a bulk change runs. @default false */
  webhookProgress?: boolean;
  /**
   * The webhookUrl local mode's demo receiver last wrote (`runtime/demo-webhook-url.ts`): while
   * webhookUrl still equals it, serve refreshes it; a URL the user set is left alone.
   */
  demoWebhookUrl?: string;
}

/** `service_providers.settings`: non-secret carrier account settings. */
export interface ServiceProviderSettings {
  /** Carrier API base URL. */
  baseUrl?: string;
  /** Carrier account name (ThingSpace `accountName`, Jasper account id). */
  accountName?: string;
  /** Non-secret login (Jasper user name, ThingSpace user, Telegence app-id…). */
  username?: string;
  /** Jasper device field that receives the username. @default 'accountCustom1' */
  usernameTargetField?: string;
  /** Carrier calls per second allowed for this account, shared by all workers. */
  rateLimitPerSecond?: number;
  /** Other integration-specific settings. */
  [key: string]: unknown;
}

/**
 * Statuses of a bulk change: the domain's state machine values, which the CHECK constraint of
 * `bulk_changes.status` mirrors.
 */
export type BulkChangeStatusValue = BulkChangeStatus;
/** Statuses of a device change (CHECK constraint of `device_changes.status`). */
export type DeviceChangeStatusValue = DeviceChangeStatus;
/** Every device change status, in lifecycle order. */
export const DEVICE_CHANGE_STATUS_VALUES: readonly DeviceChangeStatusValue[] = Object.freeze(
  Object.values(DeviceChangeStatus),
);
/** Which identifier a device change was submitted with. */
export type { IdentifierKind };

/** Row of `tenants` (see migrations). */
export interface TenantsTable {
  id: Generated<number>;
  name: string;
  slug: string;
  settings: ColumnType<TenantSettings, string | undefined, string>;
  created_at: GeneratedTimestamp;
}

/** Row of `api_keys` (see migrations). */
export interface ApiKeysTable {
  id: Generated<number>;
  tenant_id: number;
  name: string;
  key_hash: string;
  key_prefix: string;
  created_at: GeneratedTimestamp;
  revoked_at: NullableTimestamp;
}

/** Row of `billing_integrations` (see migrations). */
export interface BillingIntegrationsTable {
  id: Generated<number>;
  tenant_id: number;
  kind: ColumnType<'Revio', 'Revio' | undefined, 'Revio'>;
  name: string;
  base_url: string;
  client_code: string;
  login: string;
  credentials: ColumnType<CredentialsJson, string | undefined, string>;
  write_enabled: Generated<boolean>;
  created_at: GeneratedTimestamp;
  /** Non-secret settings (0009): `rateLimitPerSecond`, `maxConcurrent` of the Rev.io client. */
  settings: ColumnType<Record<string, unknown>, string | undefined, string>;
}

/** Row of `service_providers` (see migrations). */
export interface ServiceProvidersTable {
  id: Generated<number>;
  tenant_id: number;
  name: string;
  integration: Integration;
  write_enabled: Generated<boolean>;
  settings: ColumnType<ServiceProviderSettings, string | undefined, string>;
  credentials: ColumnType<CredentialsJson, string | undefined, string>;
  billing_integration_id: number | null;
  created_at: GeneratedTimestamp;
}

/** Row of `device_statuses` (see migrations). */
export interface DeviceStatusesTable {
  id: Generated<number>;
  integration: Integration;
  status: string;
  display_name: string;
  is_active_status: Generated<boolean>;
}

/** Row of `change_request_types` (see migrations). */
export interface ChangeRequestTypesTable {
  id: number;
  name: string;
}

/** Row of `rev_customers` (see migrations). */
export interface RevCustomersTable {
  id: Generated<number>;
  tenant_id: number;
  billing_integration_id: number;
  external_id: string;
  name: string;
  status: ColumnType<string, string | undefined, string>;
  created_at: GeneratedTimestamp;
}

/** Row of `rev_services` (see migrations). */
export interface RevServicesTable {
  id: Generated<number>;
  tenant_id: number;
  billing_integration_id: number;
  external_id: number;
  rev_customer_id: number;
  iccid: string | null;
  msisdn: string | null;
  service_type_id: number | null;
  activated_at: NullableTimestamp;
  disconnected_at: NullableTimestamp;
  description: string | null;
  created_at: GeneratedTimestamp;
}

/** Row of `carrier_rate_plans` (see migrations). */
export interface CarrierRatePlansTable {
  id: Generated<number>;
  service_provider_id: number;
  code: string;
  name: string;
  communication_plan: string | null;
  plan_mb: Numeric;
  base_rate: Numeric;
  created_at: GeneratedTimestamp;
}

/** Row of `customer_rate_plans` (see migrations). */
export interface CustomerRatePlansTable {
  id: Generated<number>;
  tenant_id: number;
  code: string;
  name: string;
  plan_mb: Numeric;
  base_rate: Numeric;
  created_at: GeneratedTimestamp;
}

/** Row of `customer_rate_pools` (see migrations). */
export interface CustomerRatePoolsTable {
  id: Generated<number>;
  tenant_id: number;
  name: string;
  created_at: GeneratedTimestamp;
}

/** Row of `devices` (see migrations). */
export interface DevicesTable {
  id: Generated<number>;
  tenant_id: number;
  service_provider_id: number;
  iccid: string | null;
  imei: string | null;
  msisdn: string | null;
  eid: string | null;
  status: string;
  carrier_rate_plan: string | null;
  communication_plan: string | null;
  username: string | null;
  cost_center_1: string | null;
  cost_center_2: string | null;
  cost_center_3: string | null;
  rev_customer_id: number | null;
  customer_rate_plan_id: number | null;
  customer_rate_pool_id: number | null;
  /** The tenant's own customer (migration 0006). */
  site_id: ColumnType<number | null, number | null | undefined, number | null>;
  data_usage_mb: Numeric;
  ip_address: string | null;
  created_at: GeneratedTimestamp;
  updated_at: GeneratedTimestamp;
  archived_at: NullableTimestamp;
}

/** Row of `customer_sites` (migration 0006): the tenant's own customers (AMOP sites). */
export interface CustomerSitesTable {
  id: Generated<number>;
  tenant_id: number;
  name: string;
  rev_customer_id: number | null;
  created_at: GeneratedTimestamp;
}

/** Row of `device_history` (see migrations). */
export interface DeviceHistoryTable {
  id: Generated<number>;
  device_id: number;
  field: string;
  previous_value: string | null;
  new_value: string | null;
  changed_by: string;
  changed_at: GeneratedTimestamp;
  bulk_change_id: number | null;
  device_change_id: number | null;
}

/** The whole database, as Kysely sees it. */
export interface Database {
  tenants: TenantsTable;
  api_keys: ApiKeysTable;
  billing_integrations: BillingIntegrationsTable;
  service_providers: ServiceProvidersTable;
  device_statuses: DeviceStatusesTable;
  change_request_types: ChangeRequestTypesTable;
  rev_customers: RevCustomersTable;
  rev_services: RevServicesTable;
  carrier_rate_plans: CarrierRatePlansTable;
  customer_rate_plans: CustomerRatePlansTable;
  customer_rate_pools: CustomerRatePoolsTable;
  devices: DevicesTable;
  device_history: DeviceHistoryTable;
  bulk_changes: BulkChangesTable;
  device_changes: DeviceChangesTable;
  bulk_change_logs: BulkChangeLogsTable;
  idempotency_records: IdempotencyRecordsTable;
  notification_outbox: NotificationOutboxTable;
  schema_migrations: SchemaMigrationsTable;
  rate_limit_buckets: RateLimitBucketsTable;
  rate_limit_slots: RateLimitSlotsTable;
  carrier_callbacks: CarrierCallbacksTable;
  customer_sites: CustomerSitesTable;
  tenant_webhook_secrets: TenantWebhookSecretsTable;
  notification_attempts: NotificationAttemptsTable;
}

/** Selected rows and insert/update shapes, one alias per table. */
export type Tenant = Selectable<TenantsTable>;
export type ApiKey = Selectable<ApiKeysTable>;
export type BillingIntegrationRow = Selectable<BillingIntegrationsTable>;
export type ServiceProvider = Selectable<ServiceProvidersTable>;
export type DeviceStatusRow = Selectable<DeviceStatusesTable>;
export type RevCustomer = Selectable<RevCustomersTable>;
export type RevService = Selectable<RevServicesTable>;
export type CarrierRatePlan = Selectable<CarrierRatePlansTable>;
export type CustomerRatePlan = Selectable<CustomerRatePlansTable>;
export type CustomerRatePool = Selectable<CustomerRatePoolsTable>;
export type Device = Selectable<DevicesTable>;
export type NewDevice = Insertable<DevicesTable>;
export type DeviceUpdate = Updateable<DevicesTable>;
export type DeviceHistoryRow = Selectable<DeviceHistoryTable>;
export type BulkChange = Selectable<BulkChangesTable>;
export type DeviceChange = Selectable<DeviceChangesTable>;
export type BulkChangeLog = Selectable<BulkChangeLogsTable>;
export type IdempotencyRecord = Selectable<IdempotencyRecordsTable>;
export type OutboxMessage = Selectable<NotificationOutboxTable>;
