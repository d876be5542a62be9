import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemo } from '../../src/adapters/db/seed-demo.ts';
import {
  createThingSpaceSimulator,
  THINGSPACE_M2M_PREFIX,
} from '../../src/adapters/integrations/thingspace/thingspace-simulator.ts';
import { buildDemoDataset } from '../../src/app/demo/demo-dataset.ts';
import { registerThingSpaceCallbacks } from '../../src/runtime/register-thingspace-callbacks.ts';
import { silentLogger } from '../support/engine-fixtures.ts';
import { useTestDatabase } from '../support/test-database.ts';
import { createTestSecretBox } from '../support/test-secret-box.ts';

/** Registering this service as the CarrierService listener of the ThingSpace accounts. */
describe('registerThingSpaceCallbacks', () => {
  const testDb = useTestDatabase();
  const dataset = buildDemoDataset({ devicesPerProvider: 5 });
  const sim = createThingSpaceSimulator({ seed: 3, dataset });
  const secretBox = createTestSecretBox();

  beforeAll(async () => {
    const origin = await sim.start(0);
    await seedDemo(testDb().database, {
      secretBox,
      dataset: buildDemoDataset({
        devicesPerProvider: 5,
        baseUrls: { thingspace: `${origin}${THINGSPACE_M2M_PREFIX}` },
      }),
    });
  });
  afterAll(async () => {
    await sim.close();
  });

  it('registers the endpoint with the callback credentials, and reports a provider it cannot', async () => {
    const { db } = testDb();
    const url = 'https://bulk.example.com/callbacks/thingspace';
    const credentials = { username: 'cb-user', password: 'cb-pass-1234' };
    const ok = await registerThingSpaceCallbacks({
      db,
      secretBox,
      logger: silentLogger,
      url,
      credentials,
    });
    expect(ok).toEqual([{ serviceProviderId: expect.any(Number), ok: true }]);
    const account = String(
      dataset.serviceProviders.find((p) => p.integration === 'ThingSpace')?.settings.accountName,
    );
    expect(sim.state.callbacks.get(account)?.get('CarrierService')).toEqual({
      name: 'CarrierService',
      url,
      ...credentials,
    });

    // Wrong UWS password: reported (without the secret), nothing thrown.
    const sp = await db
      .selectFrom('service_providers')
      .selectAll()
      .where('integration', '=', 'ThingSpace')
      .executeTakeFirstOrThrow();
    const original = sp.credentials;
    await db
      .updateTable('service_providers')
      .set({
        credentials: JSON.stringify({
          ...(sp.credentials as object),
          password: secretBox.seal('wrong-password-77'),
        }),
      })
      .where('id', '=', sp.id)
      .execute();
    try {
      const refused = await registerThingSpaceCallbacks({
        db,
        secretBox,
        logger: silentLogger,
        url,
        credentials,
      });
      expect(refused).toHaveLength(1);
      expect(refused[0]?.ok).toBe(false);
      expect(refused[0]?.error).toMatch(/thingspace/i);
      expect(refused[0]?.error).not.toContain('wrong-password-77');
    } finally {
      await db
        .updateTable('service_providers')
        .set({ credentials: JSON.stringify(original) })
        .where('id', '=', sp.id)
        .execute();
    }

    // Not enabled: skipped.
    await db
      .updateTable('service_providers')
      .set({ settings: JSON.stringify({ ...(sp.settings as object), callbackEnabled: false }) })
      .where('id', '=', sp.id)
      .execute();
    expect(
      await registerThingSpaceCallbacks({ db, secretBox, logger: silentLogger, url, credentials }),
    ).toEqual([]);
  });
});
