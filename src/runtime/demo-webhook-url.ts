/**
 * Points the demo tenant's status webhook (`tenants.settings.webhookUrl`) at local mode's demo
 * receiver, at every `serve` start, because the port can differ between starts. A URL the
 * user set is never overwritten: the URL is (re)written only when it is empty or still the one
 * this feature wrote last time, which is remembered in `settings.demoWebhookUrl`. One
 * conditional UPDATE, so the check and the write cannot be separated by another writer.
 */
import { type Kysely, sql } from 'kysely';
import type { Database } from '../adapters/db/schema.ts';
import { DEMO_WEBHOOK_PATH } from './demo-webhook-receiver.ts';

/** What {@link pointDemoWebhookUrl} did. */
export type DemoWebhookUrlOutcome =
  /** webhookUrl now is `url`. */
  | { kind: 'set'; url: string }
  /** The user's own webhookUrl was kept. */
  | { kind: 'kept'; url: string }
  /** No such tenant. */
  | { kind: 'no-tenant' };

/**
 * The base URL this process is reached at: `PUBLIC_URL` when it was configured, else this
 * process's actual listening port (with `--port 0` only the listening socket knows it).
 *
 * @example
 * reachableBaseUrl({ publicUrl: 'http://localhost:0', port: 0 }, 41234); // 'http://localhost:41234'
 */
export function reachableBaseUrl(
  config: { publicUrl: string; port: number },
  listeningPort: number,
): string {
  return config.publicUrl === `http://localhost:${config.port}`
    ? `http://localhost:${listeningPort}`
    : config.publicUrl;
}

/**
 * The URL of the demo receiver ({@link reachableBaseUrl} + its path).
 *
 * @example
 * demoWebhookUrl({ publicUrl: 'http://localhost:0', port: 0 }, 41234); // 'http://localhost:41234/demo/webhooks'
 */
export function demoWebhookUrl(
  config: { publicUrl: string; port: number },
  listeningPort: number,
): string {
  return `${reachableBaseUrl(config, listeningPort)}${DEMO_WEBHOOK_PATH}`;
}

/**
 * Sets the tenant's webhookUrl to `url` unless the user set their own.
 *
 * @example
 * await pointDemoWebhookUrl(db, demoTenantId, demoWebhookUrl(config, port)); // { kind: 'set', url }
 */
export async function pointDemoWebhookUrl(
  db: Kysely<Database>,
  tenantId: number,
  url: string,
): Promise<DemoWebhookUrlOutcome> {
  const result = await sql`
    update tenants
    set settings = settings || jsonb_build_object('webhookUrl', ${url}::text, 'demoWebhookUrl', ${url}::text)
    where id = ${tenantId}
      and (coalesce(settings ->> 'webhookUrl', '') = ''
           or settings ->> 'webhookUrl' = settings ->> 'demoWebhookUrl')`.execute(db);
  if (Number(result.numAffectedRows ?? 0n) > 0) return { kind: 'set', url };
  const row = await db
    .selectFrom('tenants')
    .select('settings')
    .where('id', '=', tenantId)
    .executeTakeFirst();
  if (row === undefined) return { kind: 'no-tenant' };
  return { kind: 'kept', url: String(row.settings.webhookUrl ?? '') };
}
