/**
 * Registers this service's callback endpoint (`<PUBLIC_URL>/callbacks/thingspace`) as the
 * CarrierService listener of every ThingSpace service provider whose settings say
 * `callbackEnabled: true` (the original's `RegisterCarrierServiceCallBack`), with the
 * configured callback user name and password, which ThingSpace sends back in every callback.
 * Idempotent (ThingSpace keeps one CarrierService registration per account); a provider that
 * cannot be registered is reported and skipped — its completions are then found by the
 * request-status checks.
 */
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Database } from '../adapters/db/schema.ts';
import { createThingSpaceClient } from '../adapters/integrations/thingspace/thingspace-client.ts';
import type { EngineServiceProvider } from '../app/ports/engine-store.ts';
import type { Integration } from '../domain/integrations.ts';
import type { SecretBox, SecretRefs } from '../domain/secret-ref.ts';
import { thingSpaceClientSettings } from './thingspace-gateway.ts';

/** Outcome per service provider. */
export interface CallbackRegistrationResult {
  serviceProviderId: number;
  ok: boolean;
  error?: string;
}

/**
 * Registers the callbacks; never throws for one provider's failure.
 *
 * @example
 * await registerThingSpaceCallbacks({ db, secretBox, logger,
 *   url: `${config.publicUrl}/callbacks/thingspace`, credentials: config.callbacks });
 */
export async function registerThingSpaceCallbacks(deps: {
  db: Kysely<Database>;
  secretBox: SecretBox;
  logger: Pick<Logger, 'info' | 'warn'>;
  /** Where ThingSpace should POST, e.g. `https://bulk.example.com/callbacks/thingspace`. */
  url: string;
  credentials: { username?: string | undefined; password?: string | undefined };
  timeoutMs?: number;
}): Promise<CallbackRegistrationResult[]> {
  const rows = await deps.db
    .selectFrom('service_providers')
    .selectAll()
    .where('integration', '=', 'ThingSpace')
    .orderBy('id')
    .execute();
  const results: CallbackRegistrationResult[] = [];
  for (const row of rows) {
    const settings = (row.settings ?? {}) as Record<string, unknown>;
    if (settings.callbackEnabled !== true) continue;
    const provider: EngineServiceProvider = {
      id: row.id,
      tenantId: row.tenant_id,
      name: row.name,
      integration: row.integration as Integration,
      writeEnabled: row.write_enabled,
      settings,
      credentials: (row.credentials ?? {}) as SecretRefs,
      billingIntegrationId: row.billing_integration_id,
    };
    try {
      const { usernameCustomField: _field, ...options } = thingSpaceClientSettings(
        provider,
        deps.secretBox,
      );
      const client = createThingSpaceClient({ ...options, timeoutMs: deps.timeoutMs ?? 15_000 });
      await client.registerCallback({
        url: deps.url,
        ...(deps.credentials.username === undefined ? {} : { username: deps.credentials.username }),
        ...(deps.credentials.password === undefined ? {} : { password: deps.credentials.password }),
      });
      deps.logger.info(
        { serviceProviderId: row.id, url: deps.url },
        'ThingSpace callback registered',
      );
      results.push({ serviceProviderId: row.id, ok: true });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      deps.logger.warn(
        { serviceProviderId: row.id, error: message },
        'ThingSpace callback not registered; completions will be found by request-status checks',
      );
      results.push({ serviceProviderId: row.id, ok: false, error: message });
    }
  }
  return results;
}
