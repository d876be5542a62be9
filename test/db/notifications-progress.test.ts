import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNotificationStore } from '../../src/adapters/db/notification-store.ts';
import { createWebhookSecretStore } from '../../src/adapters/db/webhook-secret-store.ts';
import { createWebhookSender } from '../../src/adapters/notify/webhook/webhook-sender.ts';
import { createNotificationDispatcher } from '../../src/app/notifications/dispatch-notifications.ts';
import {
  progressDedupeKey,
  progressWebhookId,
} from '../../src/app/notifications/notification-kinds.ts';
import { createBulkChangeFixture, silentLogger } from '../support/engine-fixtures.ts';
import { useTestDatabase } from '../support/test-database.ts';
import { createTestSecretBox } from '../support/test-secret-box.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.ts';

/** Progress webhooks (tenant setting `webhookProgress`): at most one per bulk change and interval. */
describe('progress webhooks', () => {
  const testDb = useTestDatabase();
  const box = createTestSecretBox();
  let receiver: WebhookReceiver;
  let tenantId = 0;
  let offsetMs = 0;
  const now = () => new Date(Date.now() + offsetMs);
  const secrets = () => createWebhookSecretStore(testDb().db, box);

  beforeAll(async () => {
    receiver = await startWebhookReceiver(() => secrets().getOrCreate(tenantId), now);
  });
  afterAll(() => receiver.close());

  const dispatcher = () =>
    createNotificationDispatcher(
      {
        store: createNotificationStore(testDb().db),
        email: undefined,
        webhook: createWebhookSender(),
        secrets: secrets(),
        logger: silentLogger,
        now,
      },
      { progressIntervalMs: 60_000 },
    );

  it('posts the running bulk change with its counts, once per interval, and none once it finished', async () => {
    const { db } = testDb();
    const { tenant, bulkChangeId } = await createBulkChangeFixture(db, { count: 3 });
    tenantId = tenant.id;
    await db
      .updateTable('tenants')
      .set({ settings: JSON.stringify({ webhookUrl: receiver.url, webhookProgress: true }) })
      .where('id', '=', tenant.id)
      .execute();
    // a running bulk change, one device done a moment ago
    await db
      .updateTable('bulk_changes')
      .set({ status: 'PROCESSING', last_progress_at: new Date() })
      .where('id', '=', bulkChangeId)
      .execute();
    const first = await db
      .selectFrom('device_changes')
      .select('id')
      .where('bulk_change_id', '=', bulkChangeId)
      .orderBy('row_number')
      .executeTakeFirstOrThrow();
    await db
      .updateTable('device_changes')
      .set({ status: 'PROCESSED' })
      .where('id', '=', first.id)
      .execute();
    await db
      .updateTable('device_changes')
      .set({ status: 'PENDING' })
      .where('bulk_change_id', '=', bulkChangeId)
      .where('status', '=', 'NEW')
      .execute();

    const d = dispatcher();
    await d.runOnce();
    await d.runOnce(); // same interval: nothing new
    expect(receiver.requests).toHaveLength(1);
    const bucket = Math.floor(now().getTime() / 60_000);
    expect(receiver.requests[0]?.id).toBe(progressWebhookId(bulkChangeId, bucket));
    expect(receiver.requests[0]?.signatureValid).toBe(true);
    const body = JSON.parse(receiver.requests[0]?.body ?? '{}') as {
      type: string;
      data: { bulkChange: { status: string; counts: Record<string, number> }; deviceChanges: [] };
    };
    expect(body.type).toBe('bulkChange.progress');
    expect(body.data.bulkChange).toMatchObject({
      status: 'PROCESSING',
      counts: { PROCESSED: 1, PENDING: 2 },
    });
    expect(body.data.deviceChanges).toEqual([]);
    const rows = await db
      .selectFrom('notification_outbox')
      .select(['dedupe_key', 'status'])
      .where('kind', '=', 'notification.webhook')
      .execute();
    expect(rows).toEqual([{ dedupe_key: progressDedupeKey(bulkChangeId, bucket), status: 'SENT' }]);

    // next interval, no progress since: nothing
    offsetMs = 120_000;
    await d.runOnce();
    expect(receiver.requests).toHaveLength(1);

    // progress again, but the bulk change finished before the row was sent: skipped
    await db
      .updateTable('bulk_changes')
      .set({ last_progress_at: now() })
      .where('id', '=', bulkChangeId)
      .execute();
    const store = createNotificationStore(db);
    expect(await store.enqueueProgress(new Date(now().getTime() - 60_000), bucket + 2)).toBe(1);
    await db
      .updateTable('bulk_changes')
      .set({ status: 'PROCESSED' })
      .where('id', '=', bulkChangeId)
      .execute();
    await d.runOnce();
    expect(receiver.requests).toHaveLength(1);
  });

  it('tenants without webhookProgress get no progress webhooks', async () => {
    const { db } = testDb();
    const { tenant, bulkChangeId } = await createBulkChangeFixture(db, { count: 1 });
    await db
      .updateTable('tenants')
      .set({ settings: JSON.stringify({ webhookUrl: receiver.url }) })
      .where('id', '=', tenant.id)
      .execute();
    await db
      .updateTable('bulk_changes')
      .set({ status: 'PROCESSING', last_progress_at: now() })
      .where('id', '=', bulkChangeId)
      .execute();
    expect(
      await createNotificationStore(db).enqueueProgress(new Date(now().getTime() - 60_000), 1),
    ).toBe(0);
  });
});
