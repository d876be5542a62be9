/**
 * Tenants and their API keys. API keys are `dbc_<43 base64url chars>` (32 random bytes); only
 * their sha256 is stored, together with a short visible prefix.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { ApiKey, Database, Tenant, TenantSettings } from '../schema.ts';
import { toJson } from './db-helpers.ts';

/** Prefix of every API key the service issues. */
export const API_KEY_PREFIX = 'dbc_';

/** Input of {@link TenantRepository.create}. */
export interface NewTenant {
  name: string;
  /** Lower-case letters, digits and dashes; unique. */
  slug: string;
  /** @default { pushUsernameUpdate: 'field', notificationEmails: [], webhookUrl: null } */
  settings?: TenantSettings;
}

/** A freshly issued API key: `key` is the plain secret, available only now. */
export interface IssuedApiKey {
  key: string;
  apiKey: ApiKey;
}

/** Repository of tenants and API keys. */
export interface TenantRepository {
  create(tenant: NewTenant): Promise<Tenant>;
  findById(id: number): Promise<Tenant | undefined>;
  findBySlug(slug: string): Promise<Tenant | undefined>;
  /** Tenant owning a non-revoked key equal to `secret`, if any. */
  findByApiKey(secret: string): Promise<Tenant | undefined>;
  createApiKey(tenantId: number, name: string): Promise<IssuedApiKey>;
  listApiKeys(tenantId: number): Promise<ApiKey[]>;
  /** Revokes a key of the tenant; false when no such active key exists. */
  revokeApiKey(tenantId: number, apiKeyId: number): Promise<boolean>;
}

/** sha256 hex of an API key, as stored in `api_keys.key_hash`. */
export function hashApiKey(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

/** A new random API key. */
export function generateApiKey(): string {
  return `${API_KEY_PREFIX}${randomBytes(32).toString('base64url')}`;
}

/**
 * Creates the tenant repository on `db` (a Kysely instance or a transaction).
 *
 * @example
 * const tenants = createTenantRepository(database.db);
 * const { key } = await tenants.createApiKey(tenant.id, 'ci');
 * (await tenants.findByApiKey(key))?.id === tenant.id; // true
 */
export function createTenantRepository(db: Kysely<Database>): TenantRepository {
  return {
    async create(tenant) {
      return db
        .insertInto('tenants')
        .values({
          name: tenant.name,
          slug: tenant.slug,
          ...(tenant.settings === undefined
            ? {}
            : {
                settings: toJson({
                  pushUsernameUpdate: 'field',
                  notificationEmails: [],
                  webhookUrl: null,
                  ...tenant.settings,
                }),
              }),
        })
        .returningAll()
        .executeTakeFirstOrThrow();
    },

    findById: (id) => db.selectFrom('tenants').selectAll().where('id', '=', id).executeTakeFirst(),

    findBySlug: (slug) =>
      db.selectFrom('tenants').selectAll().where('slug', '=', slug).executeTakeFirst(),

    async findByApiKey(secret) {
      if (!secret.startsWith(API_KEY_PREFIX)) return undefined;
      return db
        .selectFrom('api_keys')
        .innerJoin('tenants', 'tenants.id', 'api_keys.tenant_id')
        .selectAll('tenants')
        .where('api_keys.key_hash', '=', hashApiKey(secret))
        .where('api_keys.revoked_at', 'is', null)
        .executeTakeFirst();
    },

    async createApiKey(tenantId, name) {
      const key = generateApiKey();
      const apiKey = await db
        .insertInto('api_keys')
        .values({
          tenant_id: tenantId,
          name,
          key_hash: hashApiKey(key),
          key_prefix: key.slice(0, API_KEY_PREFIX.length + 6),
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      return { key, apiKey };
    },

    listApiKeys: (tenantId) =>
      db
        .selectFrom('api_keys')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .orderBy('id')
        .execute(),

    async revokeApiKey(tenantId, apiKeyId) {
      const result = await db
        .updateTable('api_keys')
        .set({ revoked_at: new Date() })
        .where('id', '=', apiKeyId)
        .where('tenant_id', '=', tenantId)
        .where('revoked_at', 'is', null)
        .executeTakeFirst();
      return result.numUpdatedRows > 0n;
    },
  };
}
