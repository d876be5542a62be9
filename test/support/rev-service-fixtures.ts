/**
 * Helpers of the CreateRevService / AssociateCustomer end-to-end tests: fresh devices without
 * any Rev.io line, a bulk change of several devices, and counts of Rev.io creates in the
 * simulator's journal.
 */
import type { Kysely } from 'kysely';
import { createBulkChangeRepository } from '../../src/adapters/db/repositories/bulk-change-repository.ts';
import { createDeviceRepository } from '../../src/adapters/db/repositories/device-repository.ts';
import type { Database, Device, ServiceProvider } from '../../src/adapters/db/schema.ts';
import type { RevioSimulator } from '../../src/adapters/integrations/revio/revio-simulator.ts';
import { deviceRow } from './db-fixtures.ts';

/** Inserts `count` devices (no Rev.io line anywhere) for the provider. */
export async function freshDevices(
  db: Kysely<Database>,
  sp: ServiceProvider,
  count: number,
): Promise<Device[]> {
  const tenant = await db
    .selectFrom('tenants')
    .selectAll()
    .where('id', '=', sp.tenant_id)
    .executeTakeFirstOrThrow();
  const base = 500_000_000 + Math.floor(Math.random() * 4e8);
  const ids = await createDeviceRepository(db).insertMany(
    Array.from({ length: count }, (_, i) => deviceRow(tenant, sp, base + i)),
  );
  return db.selectFrom('devices').selectAll().where('id', 'in', ids).orderBy('id').execute();
}

/** Creates a bulk change for the devices (keyed by ICCID, or MSISDN for Telegence). */
export async function createRevBulkChange(
  db: Kysely<Database>,
  sp: ServiceProvider,
  changeType: 'CreateRevService' | 'AssociateCustomer',
  request: Record<string, unknown>,
  devices: readonly Device[],
): Promise<number> {
  const byMsisdn = sp.integration === 'Telegence';
  const created = await createBulkChangeRepository(db).create({
    tenantId: sp.tenant_id,
    serviceProviderId: sp.id,
    changeType,
    portalType: byMsisdn ? 2 : 0,
    request,
    createdBy: 'test',
    deviceChanges: devices.map((d) => ({
      identifierKind: byMsisdn ? ('msisdn' as const) : ('iccid' as const),
      identifier: (byMsisdn ? d.msisdn : d.iccid) ?? '',
      iccid: d.iccid,
      msisdn: d.msisdn,
      deviceId: d.id,
    })),
  });
  return created.bulkChange.id;
}

/** Journal counters of the Rev.io simulator. */
export function revioJournal(sim: RevioSimulator) {
  const bodies = (operation: string) =>
    sim.journal
      .filter((e) => e.operation === operation && e.method === 'POST')
      .map((e) => e.body as Record<string, unknown>);
  return {
    /** POST /Services sent for a line number. */
    serviceCreates: (number: string) =>
      bodies('createService').filter((b) => b.number === number).length,
    /** POST /ServiceProduct sent for a service. */
    productCreates: (serviceId: number) =>
      bodies('createServiceProduct').filter((b) => b.service_id === serviceId).length,
    /** Active lines the simulator holds for a number. */
    linesFor: (number: string) =>
      sim.controls.services().filter((s) => s.number === number && s.status === 'ACTIVE'),
    /** Service products the simulator holds for a service. */
    productsOf: (serviceId: number) =>
      sim.controls.serviceProducts().filter((p) => p.service_id === serviceId),
  };
}
