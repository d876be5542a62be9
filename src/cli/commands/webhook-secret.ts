/**
 * `bulk-change webhook-secret --tenant <id> [--rotate]`: prints a tenant's Standard Webhooks
 * signing secret (creating it on first use), so that the tenant can verify status webhooks.
 * `--rotate` replaces it: webhooks signed from then on use the new secret. The secret is
 * stored sealed with SECRETS_KEY and only ever shown here, on stdout.
 */
import { createTenantRepository } from '../../adapters/db/repositories/tenant-repository.ts';
import { createWebhookSecretStore } from '../../adapters/db/webhook-secret-store.ts';
import { createLogger } from '../../adapters/logging/create-logger.ts';
import type { ServiceOptions } from '../../config/config-options.ts';
import { processEnv } from '../../config/env.ts';
import { resolveConfig } from '../../config/resolve-config.ts';
import { NotFoundError } from '../../domain/errors.ts';
import { openRuntime } from '../../runtime/open-runtime.ts';

/** Options of the webhook-secret command. */
export interface WebhookSecretCommandOptions {
  tenantId: number;
  rotate: boolean;
}

/** Runs the webhook-secret command. */
export async function runWebhookSecretCommand(
  flags: ServiceOptions,
  options: WebhookSecretCommandOptions,
): Promise<void> {
  const config = resolveConfig({ flags, env: processEnv() });
  const logger = createLogger({ level: config.logLevel });
  const runtime = await openRuntime(config, logger);
  try {
    const tenant = await createTenantRepository(runtime.database.db).findById(options.tenantId);
    if (tenant === undefined) throw new NotFoundError('tenant', options.tenantId);
    const secrets = createWebhookSecretStore(runtime.database.db, runtime.secretBox);
    const secret = options.rotate
      ? await secrets.rotate(tenant.id)
      : await secrets.getOrCreate(tenant.id);
    process.stdout.write(`${secret}\n`);
  } finally {
    await runtime.close();
  }
}
