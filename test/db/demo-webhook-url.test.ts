import { describe, expect, it } from 'vitest';
import { seedDemo } from '../../src/adapters/db/seed-demo.ts';
import { buildDemoDataset } from '../../src/app/demo/demo-dataset.ts';
import { demoWebhookUrl, pointDemoWebhookUrl } from '../../src/runtime/demo-webhook-url.ts';
import { useTestDatabase } from '../support/test-database.ts';
import { createTestSecretBox } from '../support/test-secret-box.ts';

const testDb = useTestDatabase();

async function seeded() {
  const { database, db } = testDb();
  const { tenantId } = await seedDemo(database, {
    secretBox: createTestSecretBox(),
    dataset: buildDemoDataset(),
  });
  const settings = async () =>
    (
      await db
        .selectFrom('tenants')
        .select('settings')
        .where('id', '=', tenantId)
        .executeTakeFirstOrThrow()
    ).settings;
  return { db, tenantId, settings };
}

describe('the demo tenant webhook URL (local mode demo receiver)', () => {
  it('is set when null, refreshed on a new port, and never overwrites a URL the user set', async () => {
    const { db, tenantId, settings } = await seeded();
    expect((await settings()).webhookUrl).toBeNull();

    const first = 'http://localhost:41001/demo/webhooks';
    expect(await pointDemoWebhookUrl(db, tenantId, first)).toEqual({ kind: 'set', url: first });
    expect(await settings()).toMatchObject({
      webhookUrl: first,
      demoWebhookUrl: first,
      notificationEmails: expect.any(Array),
    });

    const second = 'http://localhost:41002/demo/webhooks';
    expect(await pointDemoWebhookUrl(db, tenantId, second)).toEqual({ kind: 'set', url: second });
    expect((await settings()).webhookUrl).toBe(second);

    // the user points the webhook at their own endpoint: later starts leave it alone
    const mine = 'https://hooks.example.com/bulk-change';
    const current = await settings();
    await db
      .updateTable('tenants')
      .set({ settings: JSON.stringify({ ...current, webhookUrl: mine }) })
      .where('id', '=', tenantId)
      .execute();
    const third = 'http://localhost:41003/demo/webhooks';
    expect(await pointDemoWebhookUrl(db, tenantId, third)).toEqual({ kind: 'kept', url: mine });
    expect((await settings()).webhookUrl).toBe(mine);

    // emptied again: the demo receiver takes over
    await db
      .updateTable('tenants')
      .set({ settings: JSON.stringify({ ...current, webhookUrl: null }) })
      .where('id', '=', tenantId)
      .execute();
    expect(await pointDemoWebhookUrl(db, tenantId, third)).toEqual({ kind: 'set', url: third });
    expect(await pointDemoWebhookUrl(db, tenantId + 1000, third)).toEqual({ kind: 'no-tenant' });
  });

  it('uses the listening port unless PUBLIC_URL was configured', () => {
    expect(demoWebhookUrl({ publicUrl: 'http://localhost:0', port: 0 }, 41234)).toBe(
      'http://localhost:41234/demo/webhooks',
    );
    expect(demoWebhookUrl({ publicUrl: 'http://localhost:3000', port: 3000 }, 3000)).toBe(
      'http://localhost:3000/demo/webhooks',
    );
    expect(demoWebhookUrl({ publicUrl: 'https://bulk.example.com', port: 0 }, 41234)).toBe(
      'https://bulk.example.com/demo/webhooks',
    );
  });
});
