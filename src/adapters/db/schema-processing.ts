/**
 * Kysely table types of the processing tables (bulk changes, device changes, their log,
 * idempotency records, outbox, rate limits, carrier callbacks, migrations), column for column
 * with `migrations/*.sql`. Re-exported by `schema.ts`, which holds the shared column types,
 * the account and device tables and the `Database` map.
 */
import type { ColumnType, Generated, JSONColumnType } from 'kysely';
import type { PortalType } from '../../domain/portal-type.ts';
import type {
  BulkChangeStatusValue,
  DeviceChangeStatusValue,
  GeneratedTimestamp,
  IdentifierKind,
  NullableTimestamp,
  Timestamp,
} from './schema.ts';

/** Row of `bulk_changes` (see migrations). */
export interface BulkChangesTable {
  id: Generated<number>;
  tenant_id: number;
  service_provider_id: number;
  change_type: string;
  portal_type: PortalType;
  status: ColumnType<BulkChangeStatusValue, BulkChangeStatusValue | undefined>;
  request: JSONColumnType<Record<string, unknown>>;
  total: ColumnType<number, number | undefined, number>;
  created_by: string;
  idempotency_key: string | null;
  created_at: GeneratedTimestamp;
  started_at: NullableTimestamp;
  processed_at: NullableTimestamp;
  error_text: string | null;
  retry_number: ColumnType<number, number | undefined, number>;
  next_wakeup_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  last_progress_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
}

/** Row of `device_changes` (see migrations). */
export interface DeviceChangesTable {
  id: Generated<number>;
  bulk_change_id: number;
  portal_type: PortalType;
  row_number: number;
  device_id: number | null;
  identifier_kind: IdentifierKind;
  identifier: string;
  iccid: string | null;
  msisdn: string | null;
  imei: string | null;
  eid: string | null;
  change_request: ColumnType<
    Record<string, unknown> | null,
    string | null | undefined,
    string | null
  >;
  status: ColumnType<DeviceChangeStatusValue, DeviceChangeStatusValue | undefined>;
  status_details: string | null;
  has_errors: Generated<boolean>;
  attempt: ColumnType<number, number | undefined, number>;
  lease_owner: string | null;
  lease_expires_at: NullableTimestamp;
  not_before: NullableTimestamp;
  created_at: GeneratedTimestamp;
  started_at: NullableTimestamp;
  processed_at: NullableTimestamp;
  last_error: ColumnType<string | null, string | null | undefined, string | null>;
  park_state: ColumnType<unknown, string | null | undefined, string | null>;
}

/** Row of `bulk_change_logs` (see migrations). */
export interface BulkChangeLogsTable {
  id: Generated<number>;
  bulk_change_id: number;
  device_change_id: number | null;
  description: string;
  request_text: string | null;
  response_text: string | null;
  response_status: string | null;
  has_errors: Generated<boolean>;
  error_text: string | null;
  processed_by: string;
  processed_at: GeneratedTimestamp;
}

/** Row of `idempotency_records` (see migrations). */
export interface IdempotencyRecordsTable {
  key: string;
  status: 'IN_PROGRESS' | 'COMPLETED';
  payload_hash: string | null;
  result: ColumnType<unknown, string | null | undefined, string | null>;
  locked_until: NullableTimestamp;
  expires_at: Timestamp;
  created_at: GeneratedTimestamp;
  updated_at: GeneratedTimestamp;
}

/** Row of `notification_outbox` (see migrations). */
export interface NotificationOutboxTable {
  id: Generated<number>;
  kind: string;
  payload: JSONColumnType<Record<string, unknown>>;
  dedupe_key: string | null;
  status: ColumnType<'PENDING' | 'SENT' | 'FAILED', 'PENDING' | 'SENT' | 'FAILED' | undefined>;
  attempts: ColumnType<number, number | undefined, number>;
  available_at: GeneratedTimestamp;
  created_at: GeneratedTimestamp;
  sent_at: NullableTimestamp;
  last_error: string | null;
}

/** Row of `schema_migrations` (see migrations). */
export interface SchemaMigrationsTable {
  version: number;
  name: string;
  checksum: string;
  applied_at: GeneratedTimestamp;
}

/** Row of `rate_limit_buckets` (migration 0002): one token bucket per carrier account. */
export interface RateLimitBucketsTable {
  key: string;
  tokens: number;
  updated_at: Generated<Date>;
}

/** Row of `rate_limit_slots` (migration 0002): one call in flight under a concurrency cap. */
export interface RateLimitSlotsTable {
  id: Generated<number>;
  key: string;
  holder: string;
  expires_at: Date;
}

/** Row of `carrier_callbacks` (migration 0004): asynchronous carrier completions received. */
export interface CarrierCallbacksTable {
  id: Generated<number>;
  integration: string;
  request_id: string;
  payload: ColumnType<unknown, string, string>;
  received_at: Generated<Date>;
}
