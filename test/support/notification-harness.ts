/**
 * Shared set-up of the notification dispatcher tests: a migrated test database, a real SMTP
 * server and a real signature-verifying webhook receiver on loopback, a dispatcher over the
 * real store and senders (clock moved forward by tests that wait for a lease or a backoff),
 * and read-back helpers.
 */
import { afterAll, afterEach, beforeAll } from 'vitest';
import { createNotificationStore } from '../../src/adapters/db/notification-store.ts';
import { createWebhookSecretStore } from '../../src/adapters/db/webhook-secret-store.ts';
import { createNodemailerEmailSender } from '../../src/adapters/notify/email/nodemailer-email-sender.ts';
import { createWebhookSender } from '../../src/adapters/notify/webhook/webhook-sender.ts';
import {
  createNotificationDispatcher,
  type NotificationDispatcher,
  type NotificationDispatcherOptions,
} from '../../src/app/notifications/dispatch-notifications.ts';
import type { NotificationStore } from '../../src/app/ports/notification-store.ts';
import { silentLogger } from './engine-fixtures.ts';
import { type MailSink, startMailSink } from './mail-sink.ts';
import { createFinishedBulkChange } from './notification-fixtures.ts';
import { type TestDatabase, useTestDatabase } from './test-database.ts';
import { createTestSecretBox } from './test-secret-box.ts';
import { startWebhookReceiver, type WebhookReceiver } from './webhook-receiver.ts';

/** The harness of {@link useNotificationHarness}. */
export interface NotificationHarness {
  testDb: () => TestDatabase;
  mail: MailSink;
  receiver: WebhookReceiver;
  /** Added to the real time the dispatcher and the receiver see; reset after each test. */
  offsetMs: number;
  /** Tenant whose secret the receiver verifies with (set by `finished`). */
  tenantId: number;
  now(): Date;
  secrets(): ReturnType<typeof createWebhookSecretStore>;
  dispatcher(
    options?: NotificationDispatcherOptions,
    store?: NotificationStore,
  ): NotificationDispatcher;
  /** Runs the dispatcher until a run finds nothing due. */
  drain(d?: NotificationDispatcher): Promise<void>;
  /** A finished bulk change of a tenant notified by email (two recipients) and webhook. */
  finished(
    options: Parameters<typeof createFinishedBulkChange>[1],
  ): ReturnType<typeof createFinishedBulkChange>;
  outboxOf(bulkChangeId: number): Promise<Array<Awaited<ReturnType<typeof outboxRows>>[number]>>;
  attemptsOf(outboxIds: number[]): ReturnType<typeof attemptRows>;
}

function outboxRows(testDb: TestDatabase) {
  return testDb.db.selectFrom('notification_outbox').selectAll().orderBy('id').execute();
}

function attemptRows(testDb: TestDatabase, ids: number[]) {
  return testDb.db
    .selectFrom('notification_attempts')
    .selectAll()
    .where('outbox_id', 'in', ids)
    .orderBy('id')
    .execute();
}

/** Registers the hooks and returns the harness (servers are ready inside tests). */
export function useNotificationHarness(): NotificationHarness {
  const testDb = useTestDatabase();
  const box = createTestSecretBox();
  const h = {
    testDb,
    offsetMs: 0,
    tenantId: 0,
    now: () => new Date(Date.now() + h.offsetMs),
    secrets: () => createWebhookSecretStore(testDb().db, box),
    dispatcher(options = {}, store = createNotificationStore(testDb().db)) {
      return createNotificationDispatcher(
        {
          store,
          email: createNodemailerEmailSender({
            transport: { kind: 'smtp', url: h.mail.url },
            from: 'Bulk change <bulk-change@ops.example>',
          }),
          webhook: createWebhookSender({ timeoutMs: 30_000 }),
          secrets: h.secrets(),
          logger: silentLogger,
          now: h.now,
          random: () => 0.5,
        },
        { messageIdDomain: 'ops.example', ...options },
      );
    },
    async drain(d = h.dispatcher()) {
      for (let i = 0; i < 50; i++) if ((await d.runOnce()) === 0) return;
      throw new Error('dispatcher never went idle');
    },
    async finished(options) {
      const result = await createFinishedBulkChange(testDb().db, {
        ...options,
        settings: {
          notificationEmails: ['ops@customer.example', 'fleet@customer.example'],
          webhookUrl: h.receiver.url,
          ...options.settings,
        },
      });
      h.tenantId = result.tenant.id;
      return result;
    },
    async outboxOf(bulkChangeId) {
      const rows = await outboxRows(testDb());
      return rows.filter(
        (r) => (r.payload as { bulkChangeId?: number }).bulkChangeId === bulkChangeId,
      );
    },
    attemptsOf: (ids) => attemptRows(testDb(), ids),
  } as NotificationHarness;

  beforeAll(async () => {
    h.mail = await startMailSink();
    h.receiver = await startWebhookReceiver(() => h.secrets().getOrCreate(h.tenantId), h.now);
  });
  afterAll(async () => {
    await h.mail.close();
    await h.receiver.close();
  });
  afterEach(() => {
    h.mail.messages.length = 0;
    h.receiver.requests.length = 0;
    h.receiver.processed.clear();
    h.offsetMs = 0;
  });
  return h;
}
