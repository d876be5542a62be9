/**
 * {@link WebhookSecrets} in `tenant_webhook_secrets` (migration 0008): each tenant's Standard
 * Webhooks secret, sealed with the service's secret box (AES-256-GCM under SECRETS_KEY), or an
 * `env` reference an operator stored. Created on first use, concurrently safe (insert … on
 * conflict do nothing, then read back), never logged.
 */
import type { Kysely } from 'kysely';
import type { WebhookSecrets } from '../../app/ports/notification-channels.ts';
import type { SecretBox } from '../../domain/secret-ref.ts';
import { generateWebhookSecret } from '../notify/webhook/standard-webhooks.ts';
import { toJson } from './repositories/db-helpers.ts';
import type { Database } from './schema.ts';

/**
 * Creates the store.
 *
 * @example
 * const secret = await createWebhookSecretStore(db, secretBox).getOrCreate(tenantId); // 'whsec_…'
 */
export function createWebhookSecretStore(db: Kysely<Database>, box: SecretBox): WebhookSecrets {
  return {
    async getOrCreate(tenantId) {
      const existing = await db
        .selectFrom('tenant_webhook_secrets')
        .select('secret')
        .where('tenant_id', '=', tenantId)
        .executeTakeFirst();
      if (existing !== undefined) return box.open(existing.secret);
      await db
        .insertInto('tenant_webhook_secrets')
        .values({ tenant_id: tenantId, secret: toJson(box.seal(generateWebhookSecret())) })
        .onConflict((oc) => oc.column('tenant_id').doNothing())
        .execute();
      const row = await db
        .selectFrom('tenant_webhook_secrets')
        .select('secret')
        .where('tenant_id', '=', tenantId)
        .executeTakeFirstOrThrow();
      return box.open(row.secret);
    },

    async rotate(tenantId) {
      const plain = generateWebhookSecret();
      const sealed = toJson(box.seal(plain));
      await db
        .insertInto('tenant_webhook_secrets')
        .values({ tenant_id: tenantId, secret: sealed })
        .onConflict((oc) =>
          oc.column('tenant_id').doUpdateSet({ secret: sealed, created_at: new Date() }),
        )
        .execute();
      return plain;
    },
  };
}
