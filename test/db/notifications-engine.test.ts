import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngineStore } from '../../src/adapters/db/engine-store.ts';
import { createBulkChangeRepository } from '../../src/adapters/db/repositories/bulk-change-repository.ts';
import { seedDemo } from '../../src/adapters/db/seed-demo.ts';
import { createJasperSimulator } from '../../src/adapters/integrations/jasper/jasper-simulator.ts';
import { createRevioSimulator } from '../../src/adapters/integrations/revio/revio-simulator.ts';
import { buildDemoDataset } from '../../src/app/demo/demo-dataset.ts';
import { createMessageProcessor } from '../../src/app/engine/process-message.ts';
import { createCarrierGateways } from '../../src/runtime/carrier-gateways.ts';
import { createHandlers } from '../../src/runtime/start-engine.ts';
import { context, createRecordingQueue, silentLogger } from '../support/engine-fixtures.ts';
import { useNotificationHarness } from '../support/notification-harness.ts';
import { createTestSecretBox } from '../support/test-secret-box.ts';

/**
 * From the engine to the inbox: an EditUsernameCostCenter bulk change worked by the real
 * handlers against the Jasper and Rev.io simulators, its message delivered twice, then the
 * dispatcher: one email whose username report shows what the handlers changed, one webhook.
 */
describe('notifications of a bulk change worked by the engine', () => {
  const h = useNotificationHarness();
  const dataset = buildDemoDataset({ devicesPerProvider: 12 });
  const jasperSim = createJasperSimulator({ seed: 5, dataset });
  const revioSim = createRevioSimulator({ seed: 5, dataset });
  let jasperUrl = '';
  let revioUrl = '';

  beforeAll(async () => {
    jasperUrl = await jasperSim.start(0);
    revioUrl = await revioSim.start(0);
  });
  afterAll(async () => {
    await jasperSim.close();
    await revioSim.close();
  });

  it('a duplicate delivery still gives one email with the username report and one webhook', async () => {
    const { db, database } = h.testDb();
    const secretBox = createTestSecretBox();
    await seedDemo(database, {
      secretBox,
      dataset: buildDemoDataset({
        devicesPerProvider: 12,
        baseUrls: { jasper: `${jasperUrl}/rws/api/v1`, revio: `${revioUrl}/v1` },
      }),
    });
    const sp = await db
      .selectFrom('service_providers')
      .selectAll()
      .where('integration', '=', 'Jasper')
      .executeTakeFirstOrThrow();
    await db
      .updateTable('tenants')
      .set({
        settings: JSON.stringify({
          pushUsernameUpdate: 'field',
          notificationEmails: ['ops@demo.example'],
          webhookUrl: h.receiver.url,
        }),
      })
      .where('id', '=', sp.tenant_id)
      .execute();
    h.tenantId = sp.tenant_id;
    const devices = await db
      .selectFrom('devices')
      .selectAll()
      .where('service_provider_id', '=', sp.id)
      .orderBy('id')
      .limit(3)
      .execute();
    const created = await createBulkChangeRepository(db).create({
      tenantId: sp.tenant_id,
      serviceProviderId: sp.id,
      changeType: 'EditUsernameCostCenter',
      portalType: 0,
      request: { ContactName: 'Reefer 9' },
      createdBy: 'dispatch@demo.example',
      deviceChanges: devices.map((d) => ({
        identifierKind: 'iccid' as const,
        identifier: d.iccid ?? '',
        iccid: d.iccid,
        deviceId: d.id,
      })),
    });
    const bulkChangeId = created.bulkChange.id;
    const store = createEngineStore(db);
    const processMessage = createMessageProcessor(
      {
        store,
        queue: createRecordingQueue(),
        handlers: createHandlers({ gateways: createCarrierGateways({ secretBox }), store }),
        logger: silentLogger,
      },
      { pageSize: 10, maxParallel: 2 },
    );
    const message = { bulkChangeId, retryNumber: 0 };
    await processMessage(message, context());
    await processMessage(message, context()); // redelivered
    const bulk = await db
      .selectFrom('bulk_changes')
      .select('status')
      .where('id', '=', bulkChangeId)
      .executeTakeFirstOrThrow();
    expect(bulk.status).toBe('PROCESSED');

    await Promise.all([h.drain(), h.drain()]);
    const outbox = await h.outboxOf(bulkChangeId);
    expect(outbox.map((r) => [r.kind, r.status, r.last_error])).toEqual([
      ['bulkChange.completed', 'SENT', null],
      ['notification.email', 'SENT', null],
      ['notification.webhook', 'SENT', null],
    ]);

    expect(h.mail.messages).toHaveLength(1);
    const parsed = h.mail.messages[0]?.parsed;
    expect(parsed?.subject).toContain(`Bulk change ${bulkChangeId} (EditUsernameCostCenter`);
    const report = parsed?.attachments
      .find((a) => a.filename === 'username-report.csv')
      ?.content.toString('utf8')
      .trimEnd()
      .split('\r\n');
    expect(report).toHaveLength(4);
    for (const [i, d] of devices.entries()) {
      const line = report?.[i + 1] ?? '';
      expect(line).toContain(`,${d.iccid},`);
      expect(line).toContain(`,${d.username ?? ''},Reefer 9,`);
      expect(line).toMatch(/,dispatch@demo\.example$/);
    }
    expect(h.receiver.requests).toHaveLength(1);
    expect(h.receiver.requests[0]?.signatureValid).toBe(true);
    const body = JSON.parse(h.receiver.requests[0]?.body ?? '{}') as {
      data: {
        deviceChanges: Array<{ status: string; logEntries: Array<{ description: string }> }>;
      };
    };
    expect(body.data.deviceChanges.map((d) => d.status)).toEqual([
      'PROCESSED',
      'PROCESSED',
      'PROCESSED',
    ]);
    expect(body.data.deviceChanges[0]?.logEntries.map((l) => l.description)).toContain(
      'Update Username of device: Jasper API',
    );
  });
});
