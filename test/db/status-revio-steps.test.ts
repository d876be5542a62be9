import { describe, expect, it } from 'vitest';
import { createEngineStore } from '../../src/adapters/db/engine-store.ts';
import type { Device } from '../../src/adapters/db/schema.ts';
import { useJasperEngine } from '../support/jasper-engine-fixtures.ts';
import { revioJournal } from '../support/rev-service-fixtures.ts';

/**
 * The optional Rev.io steps after a successful StatusUpdate, as the runtime wires them
 * (`createHandlers`): the Jasper StatusUpdate handler, the Control Center and Rev.io simulators
 * over HTTP, the demo data on PGlite or PostgreSQL.
 */
describe('StatusUpdate with the Rev.io steps after the status change', () => {
  const h = useJasperEngine({ seed: 31, withRevio: true });

  /** Deactivated Jasper devices with no Rev.io line at all (so a new line may be created). */
  async function devicesWithoutLine(count: number) {
    const store = createEngineStore(h.db());
    const sp = await h.provider('Jasper');
    const free: Device[] = [];
    for (let tries = 0; free.length < count && tries < 35; tries += 1) {
      const [d] = (await h.pick('Jasper', 1)).devices;
      if (d === undefined || d.msisdn === null) continue;
      const lines = await store.findActiveRevServicesOfDevice({
        tenantId: sp.tenant_id,
        billingIntegrationId: sp.billing_integration_id ?? 0,
        iccid: d.iccid,
        msisdn: d.msisdn,
      });
      if (lines.length === 0) free.push(await h.arrange(d, { status: 'DEACTIVATED' }));
    }
    if (free.length < count) throw new Error(`only ${free.length} Jasper devices without a line`);
    return { sp, devices: free };
  }

  it('creates the Rev.io line and its product once and attaches the customer, even when the message comes twice', async () => {
    const { sp, devices } = await devicesWithoutLine(2);
    const journal = revioJournal(h.revioSim ?? expect.fail('no Rev.io simulator'));
    const request = {
      UpdateStatus: 'activated',
      AccountNumber: '100102',
      RevService: {
        RevCustomerId: '100102',
        ServiceTypeId: 101,
        RevProductId: 3001,
        Rate: 3,
        ActivatedDate: '2024-05-01',
      },
    };
    const id = await h.create(sp, devices, 'StatusUpdate', request);
    await Promise.all([h.deliver(id), h.deliver(id)]);
    await h.deliver(id);

    const customer = await h
      .db()
      .selectFrom('rev_customers')
      .select('id')
      .where('external_id', '=', '100102')
      .executeTakeFirstOrThrow();
    const changes = await h.changes(id);
    for (const [i, device] of devices.entries()) {
      // The line's number is the device change's MSISDN, else its identifier (the ICCID here).
      const lines = journal.linesFor(device.iccid ?? '');
      expect(lines).toHaveLength(1);
      expect(journal.serviceCreates(device.iccid ?? '')).toBe(1);
      const serviceId = lines[0]?.service_id ?? 0;
      expect(journal.productCreates(serviceId)).toBe(1);
      expect(changes[i]?.status).toBe('PROCESSED');
      expect(changes[i]?.status_details).toMatch(
        new RegExp(
          `^Successfully updated device status to ACTIVATED; Rev\\.io service ${serviceId} created \\(product 3001 → service product \\d+\\); attached to Rev\\.io customer 100102$`,
        ),
      );
      const row = await h.device(device.id);
      expect(row.status).toBe('ACTIVATED');
      expect(row.rev_customer_id).toBe(customer.id);
      expect(h.puts(device.iccid)).toEqual([{ body: { status: 'ACTIVATED' }, outcome: 200 }]);
    }
    const history = await h.history(id);
    expect(history.filter((r) => r.field === 'rev_customer_id')).toHaveLength(2);
    expect(history.filter((r) => r.field === 'status')).toHaveLength(2);
    expect(await h.bulkStatus(id)).toBe('PROCESSED');
  });

  it('keeps the status change and says why when the Rev.io steps cannot be done', async () => {
    const { sp, devices } = await devicesWithoutLine(1);
    const device = devices[0] as Device;
    const id = await h.submit(sp, [device], 'StatusUpdate', {
      UpdateStatus: 'ACTIVATED',
      AccountNumber: 'NO-SUCH-CUSTOMER',
      RevService: { RevCustomerId: '999999', ServiceTypeId: 101, ActivatedDate: '2024-05-01' },
    });
    const [change] = await h.changes(id);
    expect(change?.status).toBe('PROCESSED');
    expect(change?.status_details).toContain('Successfully updated device status to ACTIVATED');
    expect(change?.status_details).toContain('Rev.io service not created: Rev.io customer 999999');
    expect(change?.status_details).toContain('Rev.io customer NO-SUCH-CUSTOMER not attached');
    const row = await h.device(device.id);
    expect(row.status).toBe('ACTIVATED');
    expect(row.rev_customer_id).toBeNull();
  });
});
