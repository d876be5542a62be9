/**
 * Helpers of the EditUsernameCostCenter end-to-end tests: pick a demo device by the shape of
 * its Rev.io service in the simulator, submit a one-device bulk change through the engine's
 * message processor, read back results, and resume a parked change.
 */
import type { Kysely } from 'kysely';
import { createEngineStore } from '../../src/adapters/db/engine-store.ts';
import { createBulkChangeRepository } from '../../src/adapters/db/repositories/bulk-change-repository.ts';
import type { Database } from '../../src/adapters/db/schema.ts';
import type { RevioSimulator } from '../../src/adapters/integrations/revio/revio-simulator.ts';
import type { MessageProcessor } from '../../src/app/ports/bulk-change-queue.ts';
import type { Integration } from '../../src/domain/integrations.ts';
import { context } from './engine-fixtures.ts';

/** The harness of {@link createEditUsernameHarness}. */
export type EditUsernameHarness = ReturnType<typeof createEditUsernameHarness>;

/** Creates the helpers over a seeded demo database, a processor and the Rev.io simulator. */
export function createEditUsernameHarness(
  db: Kysely<Database>,
  processMessage: MessageProcessor,
  revioSim: RevioSimulator,
) {
  const harness = {
    async provider(integration: Integration) {
      return db
        .selectFrom('service_providers')
        .selectAll()
        .where('integration', '=', integration)
        .executeTakeFirstOrThrow();
    },

    /** A device of the provider whose Rev.io service (per the store) satisfies `fits`. */
    async pickDevice(
      integration: Integration,
      fits: (labels: string[] | undefined) => boolean,
      by: 'iccid' | 'msisdn' = 'iccid',
    ) {
      const sp = await harness.provider(integration);
      const store = createEngineStore(db);
      const devices = await db
        .selectFrom('devices')
        .selectAll()
        .where('service_provider_id', '=', sp.id)
        .orderBy('id')
        .execute();
      for (const device of devices) {
        const key = device[by];
        if (key === null) continue;
        const service = await store.findRevService({
          tenantId: sp.tenant_id,
          billingIntegrationId: sp.billing_integration_id ?? 0,
          ...(by === 'iccid' ? { iccid: key } : { msisdn: key }),
        });
        const labels =
          service === undefined
            ? undefined
            : revioSim.controls.service(service.serviceId)?.fields.map((f) => f.label);
        if (fits(labels)) return { sp, device, serviceId: service?.serviceId };
      }
      throw new Error(`no ${integration} device fits`);
    },

    async submit(
      sp: { id: number; tenant_id: number },
      device: { id: number; iccid: string | null; msisdn: string | null },
      request: Record<string, string>,
      by: 'iccid' | 'msisdn' = 'iccid',
    ) {
      const created = await createBulkChangeRepository(db).create({
        tenantId: sp.tenant_id,
        serviceProviderId: sp.id,
        changeType: 'EditUsernameCostCenter',
        portalType: by === 'iccid' ? 0 : 2,
        request,
        createdBy: 'test',
        deviceChanges: [
          {
            identifierKind: by,
            identifier: device[by] ?? '',
            iccid: device.iccid,
            msisdn: device.msisdn,
            deviceId: device.id,
          },
        ],
      });
      const id = created.bulkChange.id;
      await processMessage({ bulkChangeId: id, retryNumber: 0 }, context());
      return id;
    },

    async changeOf(bulkChangeId: number) {
      return db
        .selectFrom('device_changes')
        .selectAll()
        .where('bulk_change_id', '=', bulkChangeId)
        .executeTakeFirstOrThrow();
    },

    async deviceRow(id: number) {
      return db.selectFrom('devices').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    },

    async logs(bulkChangeId: number) {
      return db
        .selectFrom('bulk_change_logs')
        .selectAll()
        .where('bulk_change_id', '=', bulkChangeId)
        .orderBy('id')
        .execute();
    },

    /** Makes the parked change due and delivers the continuation message. */
    async resume(bulkChangeId: number) {
      await db
        .updateTable('device_changes')
        .set({ not_before: new Date(Date.now() - 1000) })
        .where('bulk_change_id', '=', bulkChangeId)
        .where('status', '=', 'PENDING')
        .execute();
      await processMessage({ bulkChangeId, retryNumber: 0 }, context());
    },
  };
  return harness;
}
