/**
 * Benchmark of the submit route: a 100,000-row CSV uploaded over real HTTP to the real server
 * on PostgreSQL (a throw-away schema), with the heap sampled while it runs.
 *
 *   npm exec -- node scripts/bench-submit.ts [rows] [database-url]
 *
 * Prints the elapsed time, the answer's counts and the peak heap / RSS growth.
 */
import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import pg from 'pg';
import { createDatabase } from '../src/adapters/db/database.ts';
import { migrate } from '../src/adapters/db/migrate.ts';
import { createDeviceRepository } from '../src/adapters/db/repositories/device-repository.ts';
import { createServiceProviderRepository } from '../src/adapters/db/repositories/service-provider-repository.ts';
import { createTenantRepository } from '../src/adapters/db/repositories/tenant-repository.ts';
import { createLogger } from '../src/adapters/logging/create-logger.ts';
import { buildServer } from '../src/api/build-server.ts';
import { createServiceMetrics } from '../src/api/metrics.ts';
import { createHealthCheck } from '../src/app/health.ts';
import { luhnCheckDigit } from '../src/domain/identifiers/luhn.ts';
import { startApi } from '../src/runtime/start-api.ts';

const rows = Number(process.argv[2] ?? 100_000);
const url = process.argv[3] ?? 'postgres://postgres@127.0.0.1:5432/test';
const schema = `bench_${randomBytes(3).toString('hex')}`;
const iccid = (n: number) => {
  const payload = `890141${String(n).padStart(12, '0')}`;
  return payload + luhnCheckDigit(payload);
};

const admin = new pg.Client({ connectionString: url });
await admin.connect();
await admin.query(`create schema ${schema}`);
const database = await createDatabase({ kind: 'postgres', url, poolSize: 4, searchPath: schema });
try {
  await migrate(database);
  const db = database.db;
  const tenant = await createTenantRepository(db).create({ name: 'Bench', slug: 'bench' });
  const { key } = await createTenantRepository(db).createApiKey(tenant.id, 'bench');
  const provider = await createServiceProviderRepository(db).create({
    tenantId: tenant.id,
    name: 'POD19 bench',
    integration: 'POD19',
  });
  const devices = createDeviceRepository(db);
  for (let start = 0; start < rows; start += 10_000) {
    await devices.insertMany(
      Array.from({ length: Math.min(10_000, rows - start) }, (_, i) => ({
        tenant_id: tenant.id,
        service_provider_id: provider.id,
        iccid: iccid(start + i + 1),
        status: 'ACTIVATED',
      })),
    );
  }
  const logger = createLogger({
    level: 'silent',
    destination: new Writable({ write: (_c, _e, done) => done() }),
  });
  const api = startApi({ database, logger }, { send: async () => undefined });
  const app = buildServer({
    logger,
    health: createHealthCheck({ probes: [], version: 'bench', mode: 'server' }),
    metrics: createServiceMetrics({ version: 'bench', mode: 'server' }),
    api: { ...api.deps, version: 'bench' },
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;

  const lines = ['iccid,ContactName,CostCenter1'];
  for (let i = 1; i <= rows; i++) lines.push(`${iccid(i)},Truck ${i},FLEET-${i % 7}`);
  const csv = `${lines.join('\n')}\n`;
  lines.length = 0;
  globalThis.gc?.();
  const baseHeap = process.memoryUsage().heapUsed;
  const baseRss = process.memoryUsage().rss;
  let peakHeap = baseHeap;
  let peakRss = baseRss;
  const sampler = setInterval(() => {
    const m = process.memoryUsage();
    peakHeap = Math.max(peakHeap, m.heapUsed);
    peakRss = Math.max(peakRss, m.rss);
  }, 20);
  const started = performance.now();
  const res = await fetch(
    `http://127.0.0.1:${port}/api/v1/bulk-changes?changeType=EditUsernameCostCenter&serviceProviderId=${provider.id}`,
    {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'text/csv' },
      body: csv,
    },
  );
  const body = (await res.json()) as { total?: number; counts?: unknown; rejected?: number };
  const seconds = (performance.now() - started) / 1000;
  clearInterval(sampler);
  const mb = (n: number) => (n / 1024 / 1024).toFixed(0);
  process.stdout.write(
    `${rows} rows, ${mb(csv.length)} MB CSV: HTTP ${res.status} in ${seconds.toFixed(2)} s ` +
      `(total ${body.total}, rejected ${body.rejected}); peak heap +${mb(peakHeap - baseHeap)} MB, ` +
      `peak RSS +${mb(peakRss - baseRss)} MB\n`,
  );
  await app.close();
  await api.stop();
} finally {
  await database.close();
  await admin.query(`drop schema ${schema} cascade`);
  await admin.end();
}
