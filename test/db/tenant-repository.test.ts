import { describe, expect, it } from 'vitest';
import {
  createBillingIntegrationRepository,
  createServiceProviderRepository,
} from '../../src/adapters/db/repositories/service-provider-repository.ts';
import {
  createTenantRepository,
  hashApiKey,
} from '../../src/adapters/db/repositories/tenant-repository.ts';
import { NotFoundError } from '../../src/domain/errors.ts';
import type { Integration } from '../../src/domain/integrations.ts';
import { secretRefSchema } from '../../src/domain/secret-ref.ts';
import { useTestDatabase } from '../support/test-database.ts';
import { createTestSecretBox } from '../support/test-secret-box.ts';

const testDb = useTestDatabase();

describe('tenant repository', () => {
  it('creates tenants with default settings and finds them by slug', async () => {
    const tenants = createTenantRepository(testDb().db);

    const created = await tenants.create({ name: 'Acme', slug: 'acme' });
    const custom = await tenants.create({
      name: 'Beta',
      slug: 'beta',
      settings: { pushUsernameUpdate: 'both', notificationEmails: ['ops@beta.example'] },
    });

    expect(created.settings).toEqual({
      pushUsernameUpdate: 'field',
      notificationEmails: [],
      webhookUrl: null,
    });
    expect(custom.settings).toEqual({
      pushUsernameUpdate: 'both',
      notificationEmails: ['ops@beta.example'],
      webhookUrl: null,
    });
    expect((await tenants.findBySlug('acme'))?.id).toBe(created.id);
    expect(await tenants.findBySlug('nope')).toBeUndefined();
    await expect(tenants.create({ name: 'Again', slug: 'acme' })).rejects.toThrow();
    await expect(
      tenants.create({
        name: 'Bad',
        slug: 'bad-mode',
        settings: { pushUsernameUpdate: 'x' as 'field' },
      }),
    ).rejects.toThrow();
  });

  it('issues API keys that are stored hashed, found by secret, and revocable', async () => {
    const { db } = testDb();
    const tenants = createTenantRepository(db);
    const tenant = await tenants.create({ name: 'Keys', slug: 'keys' });

    const { key, apiKey } = await tenants.createApiKey(tenant.id, 'ci');

    expect(key).toMatch(/^dbc_[A-Za-z0-9_-]{43}$/);
    expect(apiKey.key_hash).toBe(hashApiKey(key));
    expect(key.startsWith(apiKey.key_prefix)).toBe(true);
    const stored = await db
      .selectFrom('api_keys')
      .selectAll()
      .where('id', '=', apiKey.id)
      .execute();
    expect(JSON.stringify(stored)).not.toContain(key);
    expect((await tenants.findByApiKey(key))?.id).toBe(tenant.id);
    expect(await tenants.findByApiKey(`${key}x`)).toBeUndefined();
    expect(await tenants.findByApiKey('not-a-key')).toBeUndefined();

    expect(await tenants.revokeApiKey(tenant.id, apiKey.id)).toBe(true);
    expect(await tenants.revokeApiKey(tenant.id, apiKey.id)).toBe(false);
    expect(await tenants.findByApiKey(key)).toBeUndefined();
    expect(await tenants.listApiKeys(tenant.id)).toHaveLength(1);
  });
});

describe('service provider and billing integration repositories', () => {
  it('stores carrier accounts with sealed credentials, scoped to their tenant', async () => {
    const { db } = testDb();
    const box = createTestSecretBox();
    const tenants = createTenantRepository(db);
    const owner = await tenants.create({ name: 'Owner', slug: 'sp-owner' });
    const other = await tenants.create({ name: 'Other', slug: 'sp-other' });
    const billing = await createBillingIntegrationRepository(db).create({
      tenantId: owner.id,
      name: 'Rev.io',
      baseUrl: 'https://api.revioapi.com/v1',
      clientCode: 'ACME',
      login: 'api',
      credentials: { password: box.seal('rev-pw') },
      writeEnabled: true,
    });
    const providers = createServiceProviderRepository(db);

    const sp = await providers.create({
      tenantId: owner.id,
      name: 'Jasper main',
      integration: 'Jasper',
      writeEnabled: true,
      settings: { baseUrl: 'https://restapi1.jasper.com/rws/api/v1', rateLimitPerSecond: 5 },
      credentials: { apiKey: box.seal('jasper-key'), password: { kind: 'env', name: 'JASPER_PW' } },
      billingIntegrationId: billing.id,
    });
    await providers.create({ tenantId: owner.id, name: 'Verizon', integration: 'ThingSpace' });

    expect(sp.write_enabled).toBe(true);
    expect(sp.settings).toEqual({
      baseUrl: 'https://restapi1.jasper.com/rws/api/v1',
      rateLimitPerSecond: 5,
    });
    const apiKeyRef = secretRefSchema.parse(sp.credentials.apiKey);
    expect(box.open(apiKeyRef)).toBe('jasper-key');
    expect(JSON.stringify(sp.credentials)).not.toContain('jasper-key');
    expect((await providers.listByTenant(owner.id)).map((p) => p.name)).toEqual([
      'Jasper main',
      'Verizon',
    ]);
    expect(await providers.listByTenant(other.id)).toEqual([]);
    expect((await providers.getById(owner.id, sp.id)).integration).toBe('Jasper');
    expect(await providers.findById(other.id, sp.id)).toBeUndefined();
    await expect(providers.getById(other.id, sp.id)).rejects.toBeInstanceOf(NotFoundError);
    await expect(
      providers.create({ tenantId: owner.id, name: 'Bogus', integration: 'Bogus' as Integration }),
    ).rejects.toThrow();
    await expect(
      providers.create({
        tenantId: other.id,
        name: 'Cross',
        integration: 'Jasper',
        billingIntegrationId: billing.id,
      }),
    ).rejects.toThrow();

    const integrations = createBillingIntegrationRepository(db);
    expect((await integrations.getById(owner.id, billing.id)).client_code).toBe('ACME');
    await expect(integrations.getById(other.id, billing.id)).rejects.toBeInstanceOf(NotFoundError);
    expect(await integrations.listByTenant(owner.id)).toHaveLength(1);
  });
});
