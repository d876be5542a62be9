import { afterEach, describe, expect, it } from 'vitest';
import { createTenantRepository } from '../../src/adapters/db/repositories/tenant-repository.ts';
import type { Database } from '../../src/adapters/db/schema.ts';
import { seedDemo } from '../../src/adapters/db/seed-demo.ts';
import { buildDemoDataset } from '../../src/app/demo/demo-dataset.ts';
import { isLuhnValid } from '../../src/domain/identifiers/luhn.ts';
import { type SecretBox, secretRefSchema } from '../../src/domain/secret-ref.ts';
import {
  createTestDatabase,
  type TestDatabase,
  useTestDatabase,
} from '../support/test-database.ts';
import { createTestSecretBox } from '../support/test-secret-box.ts';

const testDb = useTestDatabase();
const extra: TestDatabase[] = [];

afterEach(async () => {
  await Promise.all(extra.splice(0).map((t) => t.dispose()));
});

async function count(db: TestDatabase['db'], table: keyof Database): Promise<number> {
  const row = await db
    .selectFrom(table)
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return row.n;
}

async function counts(db: TestDatabase['db']) {
  return {
    tenants: await count(db, 'tenants'),
    serviceProviders: await count(db, 'service_providers'),
    devices: await count(db, 'devices'),
    revCustomers: await count(db, 'rev_customers'),
    revServices: await count(db, 'rev_services'),
    carrierRatePlans: await count(db, 'carrier_rate_plans'),
    apiKeys: await count(db, 'api_keys'),
  };
}

describe('seedDemo', () => {
  it('seeds the demo tenant with valid identifiers and sealed credentials, once', async () => {
    const { database, db } = testDb();
    const box = createTestSecretBox();
    const dataset = buildDemoDataset();

    const started = performance.now();
    const first = await seedDemo(database, { secretBox: box, dataset });
    const seconds = (performance.now() - started) / 1000;
    const before = await counts(db);
    const second = await seedDemo(database, { secretBox: box, dataset });

    expect(seconds).toBeLessThan(15);
    expect(first.created).toBe(true);
    expect(second).toEqual({ created: false, tenantId: first.tenantId });
    expect(await counts(db)).toEqual(before);
    expect(before).toEqual({
      tenants: 1,
      serviceProviders: 6,
      devices: 3_000,
      revCustomers: dataset.revCustomers.length,
      revServices: dataset.revServices.length,
      carrierRatePlans: dataset.carrierRatePlans.length,
      apiKeys: 1,
    });
    const owner = await createTenantRepository(db).findByApiKey(first.apiKey ?? '');
    expect(owner?.slug).toBe('demo');

    const devices = await db
      .selectFrom('devices')
      .select(['iccid', 'imei', 'msisdn', 'eid'])
      .execute();
    for (const d of devices) {
      expect(
        d.iccid !== null && /^\d{19,20}$/.test(d.iccid) && isLuhnValid(d.iccid),
        `ICCID ${d.iccid}`,
      ).toBe(true);
      if (d.imei !== null)
        expect(/^\d{15}$/.test(d.imei) && isLuhnValid(d.imei), `IMEI ${d.imei}`).toBe(true);
      if (d.msisdn !== null) expect(d.msisdn, 'MSISDN').toMatch(/^1[2-9]\d{9}$/);
      if (d.eid !== null)
        expect(/^\d{32}$/.test(d.eid) && BigInt(d.eid) % 97n === 1n, `EID ${d.eid}`).toBe(true);
    }

    const providers = await db.selectFrom('service_providers').selectAll().orderBy('id').execute();
    expect(providers.map((p) => p.integration)).toEqual([
      'Jasper',
      'POD19',
      'TMobileJasper',
      'Rogers',
      'ThingSpace',
      'Telegence',
    ]);
    const jasper = providers[0];
    const apiKey = secretRefSchema.parse(jasper?.credentials.apiKey);
    expect(apiKey.kind).toBe('encrypted');
    expect(box.open(apiKey)).toBe('demo-jasper-api-key');
    expect(JSON.stringify(providers.map((p) => p.credentials))).not.toContain('demo-');
  });

  it('leaves nothing behind when seeding fails half-way', async () => {
    const fresh = await createTestDatabase();
    extra.push(fresh);
    const real = createTestSecretBox();
    let sealed = 0;
    const failing: SecretBox = {
      seal(plain) {
        sealed += 1;
        if (sealed === 4) throw new Error('key store went away');
        return real.seal(plain);
      },
      open: (ref) => real.open(ref),
    };

    await expect(seedDemo(fresh.database, { secretBox: failing })).rejects.toThrow(
      'key store went away',
    );

    expect(await counts(fresh.db)).toMatchObject({
      tenants: 0,
      serviceProviders: 0,
      devices: 0,
      apiKeys: 0,
    });
    const retried = await seedDemo(fresh.database, {
      secretBox: real,
      dataset: buildDemoDataset({ devicesPerProvider: 5 }),
    });
    expect(retried.created).toBe(true);
  });

  it('creates exactly one demo tenant when two seeders race', async () => {
    const fresh = await createTestDatabase();
    extra.push(fresh);
    const dataset = buildDemoDataset({ devicesPerProvider: 40 });

    const results = await Promise.all([
      seedDemo(fresh.database, { secretBox: createTestSecretBox(), dataset }),
      seedDemo(fresh.database, { secretBox: createTestSecretBox(), dataset }),
    ]);

    expect(results.map((r) => r.created).sort()).toEqual([false, true]);
    expect(new Set(results.map((r) => r.tenantId)).size).toBe(1);
    expect(await counts(fresh.db)).toMatchObject({ tenants: 1, devices: 240, apiKeys: 1 });
  });

  it('reports created:false when another seeder holds an uncommitted demo tenant', async () => {
    const fresh = await createTestDatabase();
    extra.push(fresh);
    let release = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    let inserted = () => {};
    const insertedSignal = new Promise<void>((resolve) => {
      inserted = resolve;
    });
    const holder = fresh.db.transaction().execute(async (trx) => {
      const tenant = await trx
        .insertInto('tenants')
        .values({ name: 'Demo (other seeder)', slug: 'demo' })
        .returning('id')
        .executeTakeFirstOrThrow();
      inserted();
      await held;
      return tenant.id;
    });
    await insertedSignal;

    const seeding = seedDemo(fresh.database, {
      secretBox: createTestSecretBox(),
      dataset: buildDemoDataset({ devicesPerProvider: 5 }),
    });
    await new Promise((resolve) => setTimeout(resolve, 100));
    release();
    const holderTenantId = await holder;

    expect(await seeding).toEqual({ created: false, tenantId: holderTenantId });
    expect(await counts(fresh.db)).toMatchObject({ tenants: 1, devices: 0 });
  });
});
