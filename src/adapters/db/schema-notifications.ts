/**
 * Kysely table types of the notification tables of migration 0008 (webhook signing secrets,
 * delivery attempts), column for column with `migrations/0008_notifications.sql`. The outbox
 * itself is in `schema-processing.ts`.
 */
import type { Generated, JSONColumnType } from 'kysely';
import type { SecretRef } from '../../domain/secret-ref.ts';
import type { GeneratedTimestamp } from './schema.ts';

/** Row of `tenant_webhook_secrets`: a tenant's Standard Webhooks secret, as a secret reference. */
export interface TenantWebhookSecretsTable {
  tenant_id: number;
  secret: JSONColumnType<SecretRef>;
  created_at: GeneratedTimestamp;
}

/** Row of `notification_attempts`: one delivery attempt of an outbox row. */
export interface NotificationAttemptsTable {
  id: Generated<number>;
  outbox_id: number;
  channel: 'email' | 'webhook';
  delivery_id: string;
  attempt: number;
  target: string;
  status_code: number | null;
  succeeded: boolean;
  error: string | null;
  duration_ms: number;
  attempted_at: GeneratedTimestamp;
}
