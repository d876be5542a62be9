import { describe, expect, it } from 'vitest';
import { useNotificationHarness } from '../support/notification-harness.ts';
import { verifyStandardWebhook } from '../support/webhook-receiver.ts';

/**
 * The notification dispatcher on the real outbox (PGlite and PostgreSQL): what it sends. Email
 * through nodemailer to a real SMTP server on loopback (parsed with mailparser); the status
 * webhook through fetch to a real HTTP receiver that verifies the Standard Webhooks signature
 * with its own verifier.
 */
describe('notification content', () => {
  const h = useNotificationHarness();

  it('emails the summary (failures first), the username report and every device as CSV', async () => {
    const { bulkChangeId } = await h.finished({ count: 6, failRows: [2, 5] });

    await h.drain();

    expect(h.mail.messages).toHaveLength(1);
    const [message] = h.mail.messages;
    const parsed = message?.parsed;
    expect(message?.to.sort()).toEqual(['fleet@customer.example', 'ops@customer.example']);
    const completionId = (await h.outboxOf(bulkChangeId))[0]?.id ?? 0;
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

    const outbox = await h.outboxOf(bulkChangeId);
    expect(outbox.map((r) => [r.kind, r.status])).toEqual([
      ['bulkChange.completed', 'SENT'],
      ['notification.email', 'SENT'],
      ['notification.webhook', 'SENT'],
    ]);
    const attempts = await h.attemptsOf(outbox.map((r) => r.id));
    expect(attempts.find((a) => a.channel === 'email')).toMatchObject({
      succeeded: true,
      status_code: 250,
      attempt: 1,
      delivery_id: `<bulk-change-${bulkChangeId}.completion-${completionId}@ops.example>`,
    });
  });

  it('posts the bulk change and its device changes, signed, to the tenant URL', async () => {
    const { bulkChangeId, changes } = await h.finished({ count: 4, failRows: [1] });

    await h.drain();

    expect(h.receiver.requests).toHaveLength(1);
    const [request] = h.receiver.requests;
    expect(request?.signatureValid).toBe(true);
    const completionId = (await h.outboxOf(bulkChangeId))[0]?.id ?? 0;
    expect(request?.id).toBe(`msg_bulkchange_${bulkChangeId}_completion_${completionId}_1of1`);
    const body = h.receiver.processed.get(request?.id ?? '') as {
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
    const outbox = await h.outboxOf(bulkChangeId);
    const attempts = await h.attemptsOf(outbox.map((r) => r.id));
    const webhookAttempt = attempts.find((a) => a.channel === 'webhook');
    expect(webhookAttempt).toMatchObject({ succeeded: true, status_code: 200, attempt: 1 });
    // the query string (it may carry a token) is not recorded
    expect(webhookAttempt?.target).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/hooks\/bulk-change$/);
  });

  it('keeps the signing secret encrypted, and a wrong secret fails verification', async () => {
    const { tenant } = await h.finished({ count: 1 });
    const plain = await h.secrets().getOrCreate(tenant.id);
    expect(plain).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(await h.secrets().getOrCreate(tenant.id)).toBe(plain);
    const row = await h
      .testDb()
      .db.selectFrom('tenant_webhook_secrets')
      .selectAll()
      .where('tenant_id', '=', tenant.id)
      .executeTakeFirstOrThrow();
    expect(row.secret.kind).toBe('encrypted');
    expect(JSON.stringify(row.secret)).not.toContain(plain.slice(6, 20));

    // the receiver checks with the rotated secret: the old signature no longer verifies
    await h.secrets().rotate(tenant.id);
    const rotated = await h.secrets().getOrCreate(tenant.id);
    expect(rotated).not.toBe(plain);
    await h.drain();
    expect(h.receiver.requests[0]?.signatureValid).toBe(true);
    const r = h.receiver.requests[0];
    expect(
      verifyStandardWebhook(
        plain,
        { id: r?.id ?? '', timestamp: r?.timestamp ?? '', signature: r?.signature ?? '' },
        r?.body ?? '',
        Math.floor(Date.now() / 1000),
      ),
    ).toBe(false);
  });

  it('an ERROR completion is announced too; a tenant with no recipients and no URL gets nothing', async () => {
    const quiet = await h.finished({
      count: 1,
      settings: { notificationEmails: [], webhookUrl: null },
    });
    await h.drain();
    expect(h.mail.messages).toHaveLength(0);
    expect(h.receiver.requests).toHaveLength(0);
    expect((await h.outboxOf(quiet.bulkChangeId)).map((r) => [r.kind, r.status])).toEqual([
      ['bulkChange.completed', 'SENT'],
    ]);

    const failing = await h.finished({
      count: 3,
      failRows: [3],
      endWithError: 'database unreachable',
    });
    await h.drain();
    expect(h.mail.messages).toHaveLength(1);
    expect(h.mail.messages[0]?.parsed.subject).toContain(': failed');
    expect(h.mail.messages[0]?.parsed.text).toContain('Error: database unreachable');
    expect(h.mail.messages[0]?.parsed.text).toContain('row 3  ');
    expect(h.mail.messages[0]?.parsed.text).toContain(
      'Not processed: the bulk change failed (database unreachable)',
    );
    const body = [...h.receiver.processed.values()][0] as {
      data: { bulkChange: { id: number; status: string; errorText: string } };
    };
    expect(body.data.bulkChange).toMatchObject({
      id: failing.bulkChangeId,
      status: 'ERROR',
      errorText: 'database unreachable',
    });
  });
});
