/**
 * Benchmark of the submit route: a 100,000-row CSV uploaded over real HTTP to the real server
 * on PostgreSQL (a throw-away schema), with the heap sampled while it runs.
 *
 *   npm exec -- node scripts/bench-submit.ts [rows] [database-url]
 *
 * The server and the timed upload are `src/bench/bench-api.ts` (shared with the `scale-100k`
 * scenario). Prints the elapsed time (first byte sent → the answer's status line), the answer's counts and the peak heap / RSS growth.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { createDatabase } from '../src/adapters/db/database.ts';
import { migrate } from '../src/adapters/db/migrate.ts';
import { createDeviceRepository } from '../src/adapters/db/repositories/device-repository.ts';
import { createServiceProviderRepository } from '../src/adapters/db/repositories/service-provider-repository.ts';
import { createTenantRepository } from '../src/adapters/db/repositories/tenant-repository.ts';
import { postCsv, startBenchApiServer } from '../src/bench/bench-api.ts';
import { luhnCheckDigit } from '../src/domain/identifiers/luhn.ts';

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
  const api = await startBenchApiServer({ database, tenantId: tenant.id });

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
  const res = await postCsv(api, {
    changeType: 'EditUsernameCostCenter',
    serviceProviderId: provider.id,
    csv,
  });
  const body = res.body as { total?: number; rejected?: number };
  const seconds = res.ms / 1000;
  clearInterval(sampler);
  const mb = (n: number) => (n / 1024 / 1024).toFixed(0);
  process.stdout.write(
    `${rows} rows, ${mb(csv.length)} MB CSV: HTTP ${res.status} in ${seconds.toFixed(2)} s ` +
      `(total ${body.total}, rejected ${body.rejected}); peak heap +${mb(peakHeap - baseHeap)} MB, ` +
      `peak RSS +${mb(peakRss - baseRss)} MB\n`,
  );
  await api.close();
} finally {
  await database.close();
  await admin.query(`drop schema ${schema} cascade`);
  await admin.end();
}
