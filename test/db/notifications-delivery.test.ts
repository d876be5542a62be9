import { describe, expect, it } from 'vitest';
import { announceCompletion } from '../../src/adapters/db/engine-store-shared.ts';
import { createNotificationStore } from '../../src/adapters/db/notification-store.ts';
import { emailDedupeKey } from '../../src/app/notifications/notification-kinds.ts';
import type { NotificationStore } from '../../src/app/ports/notification-store.ts';
import { useNotificationHarness } from '../support/notification-harness.ts';

/**
 * Exactly once per completion, retries and paging, on the real outbox (PGlite and PostgreSQL)
 * with a real SMTP server and a real webhook receiver on loopback: retried completions,
 * concurrent dispatchers, a dispatcher dying mid-send, receivers failing, large bulk changes.
 */
describe('notification delivery', () => {
  const h = useNotificationHarness();

  it('a retried completion and two dispatchers at once still send one email and one webhook id', async () => {
    const { bulkChangeId, store } = await h.finished({ count: 3 });
    // the completion is retried: the engine runs it again, and the announcement is repeated
    expect(await store.finishIfComplete(bulkChangeId)).toBe(false);
    await announceCompletion(h.testDb().db, bulkChangeId, { status: 'PROCESSED', counts: {} });
    expect((await h.outboxOf(bulkChangeId)).length).toBe(1);

    await Promise.all([h.drain(h.dispatcher()), h.drain(h.dispatcher())]);
    // and a fan-out repeated after the fact (a crash replay) creates nothing new
    const completionId = (await h.outboxOf(bulkChangeId))[0]?.id ?? 0;
    await createNotificationStore(h.testDb().db).fanOut(completionId, [
      {
        kind: 'notification.email',
        payload: { bulkChangeId, completionId },
        dedupeKey: emailDedupeKey(completionId),
      },
    ]);
    await h.drain();

    expect(h.mail.messages).toHaveLength(1);
    expect(new Set(h.receiver.requests.map((r) => r.id)).size).toBe(1);
    expect(h.receiver.requests).toHaveLength(1);
    expect((await h.outboxOf(bulkChangeId)).map((r) => r.kind)).toEqual([
      'bulkChange.completed',
      'notification.email',
      'notification.webhook',
    ]);
  });

  it('a second completion of the same bulk change (after a retry) is notified on its own', async () => {
    const { bulkChangeId } = await h.finished({ count: 1 });
    await h.drain();
    // the engine announcing a later completion under its own key (e.g. one per retry)
    await h
      .testDb()
      .db.insertInto('notification_outbox')
      .values({
        kind: 'bulkChange.completed',
        payload: JSON.stringify({ bulkChangeId, status: 'PROCESSED' }),
        dedupe_key: `bulk-change-completed:${bulkChangeId}:retry-1`,
      })
      .execute();
    await h.drain();
    expect(h.mail.messages).toHaveLength(2);
    expect(new Set(h.mail.messages.map((m) => m.parsed.messageId)).size).toBe(2);
    expect(new Set(h.receiver.requests.map((r) => r.id)).size).toBe(2);
  });

  it('a dispatcher dying after the receiver answered resends with the same webhook-id; the receiver dedupes', async () => {
    const { bulkChangeId } = await h.finished({ count: 2, settings: { notificationEmails: [] } });
    const real = createNotificationStore(h.testDb().db);
    let crashed = 0;
    // the process "dies" between the receiver's 200 and marking the row: nothing after the
    // POST reaches the database
    const dying: NotificationStore = {
      ...real,
      async markSent(id) {
        const row = await h
          .testDb()
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
    await h.drain(h.dispatcher({ leaseMs: 60_000 }, dying));
    expect(crashed).toBe(0); // recordAttempt "died" first: the row is still leased
    expect(h.receiver.requests).toHaveLength(1);

    // before the lease ends nobody takes the row; after it, another dispatcher does
    await h.drain();
    expect(h.receiver.requests).toHaveLength(1);
    h.offsetMs = 61_000;
    await h.drain();

    expect(h.receiver.requests).toHaveLength(2);
    const completionId = (await h.outboxOf(bulkChangeId))[0]?.id ?? 0;
    const webhookId = `msg_bulkchange_${bulkChangeId}_completion_${completionId}_1of1`;
    expect(h.receiver.requests.map((r) => r.id)).toEqual([webhookId, webhookId]);
    expect(h.receiver.requests.map((r) => r.duplicate)).toEqual([false, true]);
    expect(h.receiver.requests.every((r) => r.signatureValid)).toBe(true);
    expect(h.receiver.processed.size).toBe(1);
    const webhookRow = (await h.outboxOf(bulkChangeId)).find(
      (r) => r.kind === 'notification.webhook',
    );
    expect(webhookRow).toMatchObject({ status: 'SENT', attempts: 2 });
  });

  it('a receiver answering 500 then 200 gets the same message again after a backoff, every attempt recorded', async () => {
    const { bulkChangeId } = await h.finished({ count: 2, settings: { notificationEmails: [] } });
    h.receiver.answerNext(500);

    const before = Date.now();
    await h.drain();
    const after = Date.now();
    const row = (await h.outboxOf(bulkChangeId)).find((r) => r.kind === 'notification.webhook');
    expect(row).toMatchObject({ status: 'PENDING', attempts: 1 });
    expect(row?.last_error).toContain('HTTP 500');
    // 10 s base delay, jitter fixed at the middle
    const due = row?.available_at.getTime() ?? 0;
    expect(due).toBeGreaterThanOrEqual(before + 10_000);
    expect(due).toBeLessThanOrEqual(after + 10_000);

    await h.drain(); // not due yet
    expect(h.receiver.requests).toHaveLength(1);
    h.offsetMs = due - Date.now() + 1;
    await h.drain();

    expect(h.receiver.requests.map((r) => r.answeredWith)).toEqual([500, 200]);
    expect(new Set(h.receiver.requests.map((r) => r.id)).size).toBe(1);
    expect(new Set(h.receiver.requests.map((r) => r.timestamp)).size).toBe(2);
    const attempts = await h.attemptsOf([row?.id ?? 0]);
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
    expect((await h.outboxOf(bulkChangeId)).find((r) => r.id === row?.id)?.status).toBe('SENT');
  });

  it('a 4xx answer is final (FAILED after one attempt); an SMTP 4xx is retried', async () => {
    const { bulkChangeId } = await h.finished({ count: 1 });
    h.receiver.answerNext(410);
    h.mail.refuseNext(1, 451);

    await h.drain();
    let rows = await h.outboxOf(bulkChangeId);
    expect(rows.find((r) => r.kind === 'notification.webhook')).toMatchObject({
      status: 'FAILED',
      attempts: 1,
    });
    expect(rows.find((r) => r.kind === 'notification.email')).toMatchObject({
      status: 'PENDING',
    });
    expect(h.mail.messages).toHaveLength(0);

    h.offsetMs = 11_000;
    await h.drain();
    rows = await h.outboxOf(bulkChangeId);
    expect(rows.find((r) => r.kind === 'notification.email')).toMatchObject({ status: 'SENT' });
    expect(h.mail.messages).toHaveLength(1);
    const attempts = await h.attemptsOf(rows.map((r) => r.id));
    expect(attempts.filter((a) => a.channel === 'email').map((a) => a.status_code)).toEqual([
      451, 250,
    ]);
  });

  it('a large bulk change is sent as several signed pages and every device in the CSV', async () => {
    const { bulkChangeId, changes } = await h.finished({
      count: 1201,
      changeType: 'CarrierRatePlanChange',
      failRows: [1, 600, 1201],
    });

    await h.drain(h.dispatcher({ webhookPageSize: 500 }));

    expect(h.receiver.requests).toHaveLength(3);
    expect(h.receiver.requests.every((r) => r.signatureValid)).toBe(true);
    const outbox = await h.outboxOf(bulkChangeId);
    const pages = [...h.receiver.processed.values()].map(
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
    expect(h.receiver.requests.map((r) => r.id).sort()).toEqual(
      [1, 2, 3].map(
        (p) => `msg_bulkchange_${bulkChangeId}_completion_${outbox[0]?.id ?? 0}_${p}of3`,
      ),
    );

    expect(h.mail.messages).toHaveLength(1);
    const csv = h.mail.messages[0]?.parsed.attachments
      .find((a) => a.filename === 'results.csv')
      ?.content.toString('utf8')
      .trimEnd()
      .split('\r\n');
    expect(csv).toHaveLength(1202);
    expect(csv?.filter((l) => l.includes(',API_FAILED,'))).toHaveLength(3);
    // no username report for other change types
    expect(h.mail.messages[0]?.parsed.attachments).toHaveLength(1);
  });
});
