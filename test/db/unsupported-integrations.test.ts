import { describe, expect, it } from 'vitest';
import { createEngineStore } from '../../src/adapters/db/engine-store.ts';
import { createBulkChangeRepository } from '../../src/adapters/db/repositories/bulk-change-repository.ts';
import { createDeviceRepository } from '../../src/adapters/db/repositories/device-repository.ts';
import { createMessageProcessor } from '../../src/app/engine/process-message.ts';
import type { ChangeType } from '../../src/domain/change-types/change-type.ts';
import type { Integration } from '../../src/domain/integrations.ts';
import { createCarrierGateways } from '../../src/runtime/carrier-gateways.ts';
import { createHandlers } from '../../src/runtime/start-engine.ts';
import { createTenantWithProvider, deviceRow } from '../support/db-fixtures.ts';
import { context, createRecordingQueue, silentLogger } from '../support/engine-fixtures.ts';
import { useTestDatabase } from '../support/test-database.ts';
import { createTestSecretBox } from '../support/test-secret-box.ts';

/**
 * Bulk changes the build cannot carry, through the engine with the runtime's real handlers:
 * every change type on Teal, Pond and eBonding, and ChangeICCIDAndIMEI on the Jasper family
 * (Control Center's Edit Device Details has no ICCID/IMEI field, carrier-apis.md §1.3; the
 * original did not support it either). Each device change fails with a clear message, the
 * bulk change finishes (no endless requeue) and no carrier is called.
 */
describe('bulk changes for integrations or change types that are not supported', () => {
  const testDb = useTestDatabase();

  async function run(integration: Integration, changeType: ChangeType, count = 3) {
    const { db } = testDb();
    const { tenant, provider } = await createTenantWithProvider(db, integration);
    const base = Math.floor(Math.random() * 1e9);
    const ids = await createDeviceRepository(db).insertMany(
      Array.from({ length: count }, (_, i) => deviceRow(tenant, provider, base + i)),
    );
    const devices = await db.selectFrom('devices').selectAll().where('id', 'in', ids).execute();
    const portalType = integration === 'eBonding' ? 2 : 0;
    const created = await createBulkChangeRepository(db).create({
      tenantId: tenant.id,
      serviceProviderId: provider.id,
      changeType,
      portalType,
      request: changeType === 'StatusUpdate' ? { UpdateStatus: 'DEACTIVATED' } : {},
      createdBy: 'test',
      deviceChanges: devices.map((d) => ({
        identifierKind: 'iccid' as const,
        identifier: d.iccid ?? '',
        iccid: d.iccid,
        deviceId: d.id,
      })),
    });
    const store = createEngineStore(db);
    const queue = createRecordingQueue();
    const gateways = createCarrierGateways({ secretBox: createTestSecretBox() });
    const process = createMessageProcessor({
      store,
      queue,
      handlers: createHandlers({ gateways, store }),
      logger: silentLogger,
    });
    const bulkChangeId = created.bulkChange.id;
    await process({ bulkChangeId, retryNumber: 0 }, context());
    await process({ bulkChangeId, retryNumber: 0 }, context()); // a duplicate changes nothing
    const changes = await db
      .selectFrom('device_changes')
      .selectAll()
      .where('bulk_change_id', '=', bulkChangeId)
      .execute();
    const logs = await db
      .selectFrom('bulk_change_logs')
      .selectAll()
      .where('bulk_change_id', '=', bulkChangeId)
      .execute();
    const bulk = await db
      .selectFrom('bulk_changes')
      .select('status')
      .where('id', '=', bulkChangeId)
      .executeTakeFirstOrThrow();
    const history = await db
      .selectFrom('device_history')
      .selectAll()
      .where('bulk_change_id', '=', bulkChangeId)
      .execute();
    return { changes, logs, bulk, history, queue };
  }

  const CHANGE_TYPES: ChangeType[] = [
    'StatusUpdate',
    'CarrierRatePlanChange',
    'ChangeICCIDAndIMEI',
    'EditUsernameCostCenter',
    'AssociateCustomer',
    'CreateRevService',
  ];

  it.each(['Teal', 'Pond', 'eBonding'] as const)(
    '%s: every change type fails each device with "integration not supported"',
    async (integration) => {
      for (const changeType of CHANGE_TYPES) {
        const r = await run(integration, changeType);
        const message = `Integration ${integration} is not supported: change type ${changeType} was not applied`;
        expect(r.changes.map((c) => [c.status, c.status_details, c.has_errors])).toEqual(
          r.changes.map(() => ['API_FAILED', message, true]),
        );
        expect(r.logs).toHaveLength(r.changes.length);
        expect(
          r.logs.every(
            (l) => l.description === 'Bulk change: Pre-flight Check' && l.error_text === message,
          ),
        ).toBe(true);
        expect(r.bulk.status).toBe('PROCESSED');
        expect(r.history).toEqual([]);
        expect(r.queue.sent).toEqual([]);
      }
    },
  );

  it.each(['Jasper', 'POD19', 'TMobileJasper', 'Rogers'] as const)(
    '%s: ChangeICCIDAndIMEI fails each device with a clear message and calls no carrier',
    async (integration) => {
      const r = await run(integration, 'ChangeICCIDAndIMEI', 2);
      const message = `Change type ChangeICCIDAndIMEI is not supported for integration ${integration}`;
      expect(r.changes.map((c) => [c.status, c.status_details])).toEqual([
        ['API_FAILED', message],
        ['API_FAILED', message],
      ]);
      expect(r.bulk.status).toBe('PROCESSED');
      expect(r.history).toEqual([]);
    },
  );
});
