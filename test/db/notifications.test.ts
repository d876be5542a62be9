import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { announceCompletion } from '../../src/adapters/db/engine-store-shared.ts';
import { createNotificationStore } from '../../src/adapters/db/notification-store.ts';
import { createWebhookSecretStore } from '../../src/adapters/db/webhook-secret-store.ts';
import { createNodemailerEmailSender } from '../../src/adapters/notify/email/nodemailer-email-sender.ts';
import { createWebhookSender } from '../../src/adapters/notify/webhook/webhook-sender.ts';
import {
  createNotificationDispatcher,
  type NotificationDispatcherOptions,
} from '../../src/app/notifications/dispatch-notifications.ts';
import { emailDedupeKey } from '../../src/app/notifications/notification-kinds.ts';
import type { NotificationStore } from '../../src/app/ports/notification-store.ts';
import { silentLogger } from '../support/engine-fixtures.ts';
import { type MailSink, startMailSink } from '../support/mail-sink.ts';
import { createFinishedBulkChange } from '../support/notification-fixtures.ts';
import { useTestDatabase } from '../support/test-database.ts';
import { createTestSecretBox } from '../support/test-secret-box.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.ts';

/**
 * The notification dispatcher on the real outbox (PGlite and PostgreSQL), sending through
 * nodemailer to a real SMTP server on loopback and through fetch to a real HTTP receiver that
 * verifies the Standard Webhooks signature with its own verifier.
 */
describe('notification dispatcher', () => {
  const testDb = useTestDatabase();
  const box = createTestSecretBox();
  let mail: MailSink;
  let receiver: WebhookReceiver;
  // real time, moved forward by tests that wait for a lease or a backoff
  let offsetMs = 0;
  const now = () => new Date(Date.now() + offsetMs);

  beforeAll(async () => {
    mail = await startMailSink();
    receiver = await startWebhookReceiver(async () => secrets().getOrCreate(currentTenant), now);
  });
  afterAll(async () => {
    await mail.close();
    await receiver.close();
  });
  afterEach(() => {
    mail.messages.length = 0;
    receiver.requests.length = 0;
    receiver.processed.clear();
    offsetMs = 0;
  });

  let currentTenant = 0;
  const secrets = () => createWebhookSecretStore(testDb().db, box);

  function dispatcher(
    options: NotificationDispatcherOptions = {},
    store: NotificationStore = createNotificationStore(testDb().db),
  ) {
    return createNotificationDispatcher(
      {
        store,
        email: createNodemailerEmailSender({
          transport: { kind: 'smtp', url: mail.url },
          from: 'Bulk change <bulk-change@ops.example>',
        }),
        webhook: createWebhookSender({ timeoutMs: 30_000 }),
        secrets: secrets(),
        logger: silentLogger,
        now,
        random: () => 0.5,
      },
      { messageIdDomain: 'ops.example', ...options },
    );
  }

  /** Runs the dispatcher until a run finds nothing due. */
  async function drain(d = dispatcher()) {
    for (let i = 0; i < 50; i++) if ((await d.runOnce()) === 0) return;
    throw new Error('dispatcher never went idle');
  }

  async function finished(options: Parameters<typeof createFinishedBulkChange>[1]) {
    const result = await createFinishedBulkChange(testDb().db, {
      ...options,
      settings: {
        notificationEmails: ['ops@customer.example', 'fleet@customer.example'],
        webhookUrl: receiver.url,
        ...options.settings,
      },
    });
    currentTenant = result.tenant.id;
    return result;
  }

  async function outboxOf(bulkChangeId: number) {
    const rows = await testDb()
      .db.selectFrom('notification_outbox')
      .selectAll()
      .orderBy('id')
      .execute();
    return rows.filter(
      (r) => (r.payload as { bulkChangeId?: number }).bulkChangeId === bulkChangeId,
    );
  }

  async function attemptsOf(outboxIds: number[]) {
    return testDb()
      .db.selectFrom('notification_attempts')
      .selectAll()
      .where('outbox_id', 'in', outboxIds)
      .orderBy('id')
      .execute();
  }

  it('emails the summary (failures first), the username report and every device as CSV', async () => {
    const { bulkChangeId } = await finished({ count: 6, failRows: [2, 5] });

    await drain();

    expect(mail.messages).toHaveLength(1);
    const [message] = mail.messages;
    const parsed = message?.parsed;
    expect(message?.to.sort()).toEqual(['fleet@customer.example', 'ops@customer.example']);
    const completionId = (await outboxOf(bulkChangeId))[0]?.id ?? 0;
    expect(parsed?.messageId).toBe(
      `<bulk-change-${bulkChangeId}.completion-${completionId}@ops.example>`,
    );
    expect(parsed?.subject).toContain(`Bulk change ${bulkChangeId} (EditUsernameCostCenter`);
    expect(parsed?.subject).toContain('2 of 6 failed');
    const text = parsed?.text ?? '';
    expect(text.indexOf('API_FAILED: 2')).toBeGreaterThan(-1);
    expect(text.indexOf('API_FAILED: 2')).toBeLessThan(text.indexOf('PROCESSED: 4'));
    expect(text).toContain('row 2 ');
    expect(text).toContain('The Username (Truck) not exists.');
    expect(text).toContain('Requested by: alice@customer.example');
    // username report: previous and new username and cost center, customer, date, who
    expect(text).toContain('Username: Old name 1 → Truck 1');
    expect(text).toContain('Cost center 1: OLD-1 → FLEET-A');
    const html = String(parsed?.html ?? '');
    expect(html).toContain('<h2>Username update report</h2>');
    expect(html).toContain('Acme Logistics &lt;Fleet &amp; Co&gt;');
    expect(html).not.toContain('<Fleet & Co>');
    expect(html).toContain('<td>Old name 3</td><td style="font-weight:bold">Truck 3</td>');

    const attachments = parsed?.attachments ?? [];
    expect(attachments.map((a) => a.filename).sort()).toEqual([
      'results.csv',
      'username-report.csv',
    ]);
    const results = attachments
      .find((a) => a.filename === 'results.csv')
      ?.content.toString('utf8')
      .trimEnd()
      .split('\r\n');
    expect(results?.[0]).toBe(
      'row,identifier_kind,identifier,iccid,msisdn,imei,eid,status,status_details,processed_at',
    );
    expect(results).toHaveLength(7);
    expect(results?.[2]).toMatch(/^2,iccid,(\d{19}),\1,\d+,,,API_FAILED,Unsuccessfully updated/);
    expect(results?.[1]).toMatch(/^1,iccid,.*,PROCESSED,updated,\d{4}-/);
    const report = attachments
      .find((a) => a.filename === 'username-report.csv')
      ?.content.toString('utf8')
      .trimEnd()
      .split('\r\n');
    expect(report?.[0]).toContain('username_previous,username_new,cost_center_1_previous');
    expect(report).toHaveLength(5); // the four PROCESSED devices
    expect(report?.[1]?.startsWith('Acme Logistics <Fleet & Co>,')).toBe(true);
    expect(report?.[1]).toContain('Old name 1,Truck 1,OLD-1,FLEET-A');
    expect(report?.[1]).toContain(',username costCenter1,');
    expect(report?.[1]).toMatch(/,alice@customer\.example$/);

    const outbox = await outboxOf(bulkChangeId);
    expect(outbox.map((r) => [r.kind, r.status])).toEqual([
      ['bulkChange.completed', 'SENT'],
      ['notification.email', 'SENT'],
      ['notification.webhook', 'SENT'],
    ]);
    const attempts = await attemptsOf(outbox.map((r) => r.id));
    expect(attempts.find((a) => a.channel === 'email')).toMatchObject({
      succeeded: true,
      status_code: 250,
      attempt: 1,
      delivery_id: `<bulk-change-${bulkChangeId}.completion-${completionId}@ops.example>`,
    });
  });

  it('posts the bulk change and its device changes, signed, to the tenant URL', async () => {
    const { bulkChangeId, changes } = await finished({ count: 4, failRows: [1] });

    await drain();

    expect(receiver.requests).toHaveLength(1);
    const [request] = receiver.requests;
    expect(request?.signatureValid).toBe(true);
    const completionId = (await outboxOf(bulkChangeId))[0]?.id ?? 0;
    expect(request?.id).toBe(`msg_bulkchange_${bulkChangeId}_completion_${completionId}_1of1`);
    const body = receiver.processed.get(request?.id ?? '') as {
      type: string;
      data: {
        bulkChange: { id: number; status: string; counts: Record<string, number> };
        page: number;
        pages: number;
        deviceChanges: Array<{ id: number; status: string; logEntries: unknown[] }>;
      };
    };
    expect(body.type).toBe('bulkChange.completed');
    expect(body.data.bulkChange).toMatchObject({
      id: bulkChangeId,
      status: 'PROCESSED',
      counts: { PROCESSED: 3, API_FAILED: 1 },
    });
    expect(body.data.deviceChanges.map((d) => d.id)).toEqual(changes.map((c) => c.id));
    expect(body.data.deviceChanges[0]?.status).toBe('API_FAILED');
    expect(body.data.deviceChanges[0]?.logEntries).toEqual([
      expect.objectContaining({
        description: 'Update Username of device: Jasper API',
        requestText: '{"row":1}',
        responseStatus: '200',
      }),
    ]);
    const outbox = await outboxOf(bulkChangeId);
    const attempts = await attemptsOf(outbox.map((r) => r.id));
    const webhookAttempt = attempts.find((a) => a.channel === 'webhook');
    expect(webhookAttempt).toMatchObject({ succeeded: true, status_code: 200, attempt: 1 });
    // the query string (it may carry a token) is not recorded
    expect(webhookAttempt?.target).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/hooks\/bulk-change$/);
  });

  it('keeps the signing secret encrypted, and a wrong secret fails verification', async () => {
    const { tenant } = await finished({ count: 1 });
    const plain = await secrets().getOrCreate(tenant.id);
    expect(plain).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(await secrets().getOrCreate(tenant.id)).toBe(plain);
    const row = await testDb()
      .db.selectFrom('tenant_webhook_secrets')
      .selectAll()
      .where('tenant_id', '=', tenant.id)
      .executeTakeFirstOrThrow();
    expect(row.secret.kind).toBe('encrypted');
    expect(JSON.stringify(row.secret)).not.toContain(plain.slice(6, 20));

    // the receiver checks with the rotated secret: the old signature no longer verifies
    await secrets().rotate(tenant.id);
    const rotated = await secrets().getOrCreate(tenant.id);
    expect(rotated).not.toBe(plain);
    await drain();
    expect(receiver.requests[0]?.signatureValid).toBe(true);
    const { verifyStandardWebhook } = await import('../support/webhook-receiver.ts');
    const r = receiver.requests[0];
    expect(
      verifyStandardWebhook(
        plain,
        { id: r?.id ?? '', timestamp: r?.timestamp ?? '', signature: r?.signature ?? '' },
        r?.body ?? '',
        Math.floor(Date.now() / 1000),
      ),
    ).toBe(false);
  });

  it('a retried completion and two dispatchers at once still send one email and one webhook id', async () => {
    const { bulkChangeId, store } = await finished({ count: 3 });
    // the completion is retried: the engine runs it again, and the announcement is repeated
    expect(await store.finishIfComplete(bulkChangeId)).toBe(false);
    await announceCompletion(testDb().db, bulkChangeId, { status: 'PROCESSED', counts: {} });
    expect((await outboxOf(bulkChangeId)).length).toBe(1);

    await Promise.all([drain(dispatcher()), drain(dispatcher())]);
    // and a fan-out repeated after the fact (a crash replay) creates nothing new
    const completionId = (await outboxOf(bulkChangeId))[0]?.id ?? 0;
    await createNotificationStore(testDb().db).fanOut(completionId, [
      {
        kind: 'notification.email',
        payload: { bulkChangeId, completionId },
        dedupeKey: emailDedupeKey(completionId),
      },
    ]);
    await drain();

    expect(mail.messages).toHaveLength(1);
    expect(new Set(receiver.requests.map((r) => r.id)).size).toBe(1);
    expect(receiver.requests).toHaveLength(1);
    expect((await outboxOf(bulkChangeId)).map((r) => r.kind)).toEqual([
      'bulkChange.completed',
      'notification.email',
      'notification.webhook',
    ]);
  });

  it('a second completion of the same bulk change (after a retry) is notified on its own', async () => {
    const { bulkChangeId } = await finished({ count: 1 });
    await drain();
    // the engine announcing a later completion under its own key (e.g. one per retry)
    await testDb()
      .db.insertInto('notification_outbox')
      .values({
        kind: 'bulkChange.completed',
        payload: JSON.stringify({ bulkChangeId, status: 'PROCESSED' }),
        dedupe_key: `bulk-change-completed:${bulkChangeId}:retry-1`,
      })
      .execute();
    await drain();
    expect(mail.messages).toHaveLength(2);
    expect(new Set(mail.messages.map((m) => m.parsed.messageId)).size).toBe(2);
    expect(new Set(receiver.requests.map((r) => r.id)).size).toBe(2);
  });

  it('a dispatcher dying after the receiver answered resends with the same webhook-id; the receiver dedupes', async () => {
    const { bulkChangeId } = await finished({ count: 2, settings: { notificationEmails: [] } });
    const real = createNotificationStore(testDb().db);
    let crashed = 0;
    // the process "dies" between the receiver's 200 and marking the row: nothing after the
    // POST reaches the database
    const dying: NotificationStore = {
      ...real,
      async markSent(id) {
        const row = await testDb()
          .db.selectFrom('notification_outbox')
          .select('kind')
          .where('id', '=', id)
          .executeTakeFirstOrThrow();
        if (row.kind !== 'notification.webhook') return real.markSent(id);
        crashed += 1;
        throw new Error('process killed');
      },
      async markFailed() {
        throw new Error('process killed');
      },
      async recordAttempt(a) {
        if (a.channel === 'webhook') throw new Error('process killed');
        return real.recordAttempt(a);
      },
    };
    await drain(dispatcher({ leaseMs: 60_000 }, dying));
    expect(crashed).toBe(0); // recordAttempt "died" first: the row is still leased
    expect(receiver.requests).toHaveLength(1);

    // before the lease ends nobody takes the row; after it, another dispatcher does
    await drain();
    expect(receiver.requests).toHaveLength(1);
    offsetMs = 61_000;
    await drain();

    expect(receiver.requests).toHaveLength(2);
    const completionId = (await outboxOf(bulkChangeId))[0]?.id ?? 0;
    const webhookId = `msg_bulkchange_${bulkChangeId}_completion_${completionId}_1of1`;
    expect(receiver.requests.map((r) => r.id)).toEqual([webhookId, webhookId]);
    expect(receiver.requests.map((r) => r.duplicate)).toEqual([false, true]);
    expect(receiver.requests.every((r) => r.signatureValid)).toBe(true);
    expect(receiver.processed.size).toBe(1);
    const webhookRow = (await outboxOf(bulkChangeId)).find(
      (r) => r.kind === 'notification.webhook',
    );
    expect(webhookRow).toMatchObject({ status: 'SENT', attempts: 2 });
  });

  it('a receiver answering 500 then 200 gets the same message again after a backoff, every attempt recorded', async () => {
    const { bulkChangeId } = await finished({ count: 2, settings: { notificationEmails: [] } });
    receiver.answerNext(500);

    const before = Date.now();
    await drain();
    const after = Date.now();
    const row = (await outboxOf(bulkChangeId)).find((r) => r.kind === 'notification.webhook');
    expect(row).toMatchObject({ status: 'PENDING', attempts: 1 });
    expect(row?.last_error).toContain('HTTP 500');
    // 10 s base delay, jitter fixed at the middle
    const due = row?.available_at.getTime() ?? 0;
    expect(due).toBeGreaterThanOrEqual(before + 10_000);
    expect(due).toBeLessThanOrEqual(after + 10_000);

    await drain(); // not due yet
    expect(receiver.requests).toHaveLength(1);
    offsetMs = due - Date.now() + 1;
    await drain();

    expect(receiver.requests.map((r) => r.answeredWith)).toEqual([500, 200]);
    expect(new Set(receiver.requests.map((r) => r.id)).size).toBe(1);
    expect(new Set(receiver.requests.map((r) => r.timestamp)).size).toBe(2);
    const attempts = await attemptsOf([row?.id ?? 0]);
    expect(
      attempts.map((a) => ({
        attempt: a.attempt,
        status: a.status_code,
        ok: a.succeeded,
        error: a.error === null ? null : a.error.slice(0, 36),
      })),
    ).toEqual([
      { attempt: 1, status: 500, ok: false, error: 'webhook receiver answered HTTP 500 e' },
      { attempt: 2, status: 200, ok: true, error: null },
    ]);
    expect(attempts.every((a) => a.duration_ms >= 0)).toBe(true);
    expect((await outboxOf(bulkChangeId)).find((r) => r.id === row?.id)?.status).toBe('SENT');
  });

  it('a 4xx answer is final (FAILED after one attempt); an SMTP 4xx is retried', async () => {
    const { bulkChangeId } = await finished({ count: 1 });
    receiver.answerNext(410);
    mail.refuseNext(1, 451);

    await drain();
    let rows = await outboxOf(bulkChangeId);
    expect(rows.find((r) => r.kind === 'notification.webhook')).toMatchObject({
      status: 'FAILED',
      attempts: 1,
    });
    expect(rows.find((r) => r.kind === 'notification.email')).toMatchObject({
      status: 'PENDING',
    });
    expect(mail.messages).toHaveLength(0);

    offsetMs = 11_000;
    await drain();
    rows = await outboxOf(bulkChangeId);
    expect(rows.find((r) => r.kind === 'notification.email')).toMatchObject({ status: 'SENT' });
    expect(mail.messages).toHaveLength(1);
    const attempts = await attemptsOf(rows.map((r) => r.id));
    expect(attempts.filter((a) => a.channel === 'email').map((a) => a.status_code)).toEqual([
      451, 250,
    ]);
  });

  it('a large bulk change is sent as several signed pages and every device in the CSV', async () => {
    const { bulkChangeId, changes } = await finished({
      count: 1201,
      changeType: 'CarrierRatePlanChange',
      failRows: [1, 600, 1201],
    });

    await drain(dispatcher({ webhookPageSize: 500 }));

    expect(receiver.requests).toHaveLength(3);
    expect(receiver.requests.every((r) => r.signatureValid)).toBe(true);
    const outbox = await outboxOf(bulkChangeId);
    const pages = [...receiver.processed.values()].map(
      (b) =>
        (b as { data: { page: number; pages: number; deviceChanges: Array<{ id: number }> } }).data,
    );
    expect(pages.map((p) => [p.page, p.pages]).sort()).toEqual([
      [1, 3],
      [2, 3],
      [3, 3],
    ]);
    const ids = pages
      .sort((a, b) => a.page - b.page)
      .flatMap((p) => p.deviceChanges.map((d) => d.id));
    expect(ids).toEqual(changes.map((c) => c.id));
    expect(receiver.requests.map((r) => r.id).sort()).toEqual(
      [1, 2, 3].map(
        (p) => `msg_bulkchange_${bulkChangeId}_completion_${outbox[0]?.id ?? 0}_${p}of3`,
      ),
    );

    expect(mail.messages).toHaveLength(1);
    const csv = mail.messages[0]?.parsed.attachments
      .find((a) => a.filename === 'results.csv')
      ?.content.toString('utf8')
      .trimEnd()
      .split('\r\n');
    expect(csv).toHaveLength(1202);
    expect(csv?.filter((l) => l.includes(',API_FAILED,'))).toHaveLength(3);
    // no username report for other change types
    expect(mail.messages[0]?.parsed.attachments).toHaveLength(1);
  });

  it('an ERROR completion is announced too; a tenant with no recipients and no URL gets nothing', async () => {
    const quiet = await finished({
      count: 1,
      settings: { notificationEmails: [], webhookUrl: null },
    });
    await drain();
    expect(mail.messages).toHaveLength(0);
    expect(receiver.requests).toHaveLength(0);
    expect((await outboxOf(quiet.bulkChangeId)).map((r) => [r.kind, r.status])).toEqual([
      ['bulkChange.completed', 'SENT'],
    ]);

    const failing = await finished({
      count: 3,
      failRows: [3],
      endWithError: 'database unreachable',
    });
    await drain();
    expect(mail.messages).toHaveLength(1);
    expect(mail.messages[0]?.parsed.subject).toContain(': failed');
    expect(mail.messages[0]?.parsed.text).toContain('Error: database unreachable');
    expect(mail.messages[0]?.parsed.text).toContain('row 3  ');
    expect(mail.messages[0]?.parsed.text).toContain(
      'Not processed: the bulk change failed (database unreachable)',
    );
    const body = [...receiver.processed.values()][0] as {
      data: { bulkChange: { id: number; status: string; errorText: string } };
    };
    expect(body.data.bulkChange).toMatchObject({
      id: failing.bulkChangeId,
      status: 'ERROR',
      errorText: 'database unreachable',
    });
  });
});
