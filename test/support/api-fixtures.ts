/**
 * The real Fastify server with the REST API on a test database: tenants with API keys,
 * service providers and devices, and a recording queue behind the real outbox relay.
 */
import { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import { createDeviceRepository } from '../../src/adapters/db/repositories/device-repository.ts';
import { createTenantRepository } from '../../src/adapters/db/repositories/tenant-repository.ts';
import type { Database, ServiceProvider, Tenant } from '../../src/adapters/db/schema.ts';
import { createLogger } from '../../src/adapters/logging/create-logger.ts';
import { buildServer } from '../../src/api/build-server.ts';
import { createServiceMetrics } from '../../src/api/metrics.ts';
import { createHealthCheck } from '../../src/app/health.ts';
import type { BulkChangeMessage } from '../../src/app/messages/bulk-change-message.ts';
import type { Integration } from '../../src/domain/integrations.ts';
import { startApi } from '../../src/runtime/start-api.ts';
import { createTenantWithProvider, deviceRow } from './db-fixtures.ts';
import type { TestDatabase } from './test-database.ts';

/** A silent logger. */
export const silentLogger = createLogger({
  level: 'silent',
  destination: new Writable({ write: (_c, _e, done) => done() }),
});

/** A tenant with a key, a provider and `devices` devices numbered from `firstDevice`. */
export interface ApiTenant {
  tenant: Tenant;
  provider: ServiceProvider;
  key: string;
  auth: { authorization: string };
}

/** Seeds a tenant with an API key, one provider and devices 1..n (offset by `base`). */
export async function seedApiTenant(
  db: Kysely<Database>,
  options: { integration?: Integration; devices?: number; base?: number } = {},
): Promise<ApiTenant> {
  const { tenant, provider } = await createTenantWithProvider(db, options.integration ?? 'POD19');
  const { key } = await createTenantRepository(db).createApiKey(tenant.id, 'test');
  const n = options.devices ?? 10;
  const base = options.base ?? 0;
  if (n > 0) {
    await createDeviceRepository(db).insertMany(
      Array.from({ length: n }, (_, i) => deviceRow(tenant, provider, base + i + 1)),
    );
  }
  return { tenant, provider, key, auth: { authorization: `Bearer ${key}` } };
}

/** The server and what it sent to the queue. */
export interface ApiHarness {
  app: FastifyInstance;
  sent: BulkChangeMessage[];
  /** Sends what the outbox holds now (the relay's loop is slowed down in tests). */
  drain(): Promise<number>;
  /** Listens on 127.0.0.1 (port 0) and returns the base URL. */
  listen(): Promise<string>;
  close(): Promise<void>;
}

/** Builds the server with the API on the test database (ready for `inject`). */
export async function createApiHarness(testDb: TestDatabase): Promise<ApiHarness> {
  const sent: BulkChangeMessage[] = [];
  const queue = {
    async send(message: BulkChangeMessage) {
      sent.push(message);
    },
  };
  const api = startApi({ database: testDb.database, logger: silentLogger }, queue, {
    intervalMs: 3_600_000,
  });
  const app = buildServer({
    logger: silentLogger,
    health: createHealthCheck({ probes: [], version: 'test', mode: 'local' }),
    metrics: createServiceMetrics({ version: 'test', mode: 'local' }),
    api: { ...api.deps, version: 'test' },
  });
  await app.ready();
  return {
    app,
    sent,
    drain: () => api.relay.drain(),
    async listen() {
      await app.listen({ host: '127.0.0.1', port: 0 });
      const address = app.server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      return `http://127.0.0.1:${port}`;
    },
    async close() {
      await app.close();
      await api.stop();
    },
  };
}
