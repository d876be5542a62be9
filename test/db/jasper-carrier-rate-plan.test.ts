import { describe, expect, it } from 'vitest';
import { createBulkChangeRepository } from '../../src/adapters/db/repositories/bulk-change-repository.ts';
import { useJasperEngine } from '../support/jasper-engine-fixtures.ts';

/**
 * CarrierRatePlanChange on the Jasper family end to end (original-system.md §3.3): plan and
 * communication plan to Control Center, then the device row with history; unknown plan codes,
 * carrier rejections, 5xx and timeouts with recovery, duplicate delivery.
 */
describe('CarrierRatePlanChange on the Jasper family through the engine and the Control Center simulator', () => {
  const h = useJasperEngine({
    seed: 44,
    timeoutMs: 800,
    engine: { retry: { baseDelayMs: 60_000 } },
  });

  /** A plan of the provider other than the device's. */
  async function otherPlan(serviceProviderId: number, current: string | null) {
    const plans = await h
      .db()
      .selectFrom('carrier_rate_plans')
      .select('code')
      .where('service_provider_id', '=', serviceProviderId)
      .orderBy('code')
      .execute();
    const plan = plans.find((p) => p.code !== current);
    if (plan === undefined) throw new Error('no other plan');
    return plan.code;
  }

  it('sets the rate plan and communication plan at the carrier and in the database, with history and the original log rows', async () => {
    const { sp, devices } = await h.pick(
      'Jasper',
      1,
      (d) => d.communication_plan === 'CP_Basic_LTE',
    );
    const device = devices[0] as NonNullable<(typeof devices)[0]>;
    const plan = await otherPlan(sp.id, device.carrier_rate_plan);
    const id = await h.submit(sp, [device], 'CarrierRatePlanChange', {
      CarrierRatePlan: plan,
      CommPlan: 'CP_Static_IP_LTE',
    });
    const [change] = await h.changes(id);
    expect(change?.status).toBe('PROCESSED');
    expect(h.puts(device.iccid)).toEqual([
      { body: { ratePlan: plan, communicationPlan: 'CP_Static_IP_LTE' }, outcome: 200 },
    ]);
    const simDevice = h.sim.device(device.iccid ?? '');
    expect([simDevice?.ratePlan, simDevice?.communicationPlan]).toEqual([plan, 'CP_Static_IP_LTE']);
    const row = await h.device(device.id);
    expect([row.carrier_rate_plan, row.communication_plan]).toEqual([plan, 'CP_Static_IP_LTE']);
    expect((await h.history(id)).map((r) => [r.field, r.previous_value, r.new_value])).toEqual([
      ['carrier_rate_plan', device.carrier_rate_plan, plan],
      ['communication_plan', 'CP_Basic_LTE', 'CP_Static_IP_LTE'],
    ]);
    expect((await h.logs(id)).map((l) => [l.description, l.has_errors])).toEqual([
      ['Update Jasper Rate Plan: Jasper API', false],
      ['Update Jasper Rate Plan: AMOP Update', false],
    ]);
  });

  it('fails an unknown plan code before calling the carrier, and a plan the carrier refuses with the original text', async () => {
    const { sp, devices } = await h.pick('POD19', 2);
    const [a, b] = devices as [(typeof devices)[0], (typeof devices)[0]];
    const unknown = await h.submit(sp, [a], 'CarrierRatePlanChange', {
      CarrierRatePlan: 'NO-SUCH-PLAN',
    });
    expect((await h.changes(unknown))[0]?.status_details).toBe(
      `Carrier rate plan NO-SUCH-PLAN does not exist for service provider ${sp.name}`,
    );
    expect(h.puts(a.iccid)).toEqual([]);
    expect((await h.logs(unknown)).map((l) => l.description)).toEqual([
      'Update Jasper Rate Plan: Pre-flight Check',
    ]);

    await h
      .db()
      .insertInto('carrier_rate_plans')
      .values({ service_provider_id: sp.id, code: 'DB-ONLY', name: 'Not at the carrier' })
      .execute();
    try {
      const refused = await h.submit(sp, [b], 'CarrierRatePlanChange', {
        CarrierRatePlan: 'DB-ONLY',
      });
      const [change] = await h.changes(refused);
      expect(change?.status).toBe('API_FAILED');
      expect(change?.status_details).toMatch(
        /^Failed to update Carrier Rate Plan: Jasper API\. .*Invalid rate plan: DB-ONLY/,
      );
      expect(h.puts(b.iccid).map((p) => p.outcome)).toEqual([400]);
      expect((await h.device(b.id)).carrier_rate_plan).toBe(b.carrier_rate_plan);
      expect(await h.history(refused)).toEqual([]);
    } finally {
      await h.db().deleteFrom('carrier_rate_plans').where('code', '=', 'DB-ONLY').execute();
    }
  });

  it('recovers from an outage longer than the client retries (engine retry) and from a timeout', async () => {
    const { sp, devices } = await h.pick('Rogers', 2);
    const [down, slow] = devices as [(typeof devices)[0], (typeof devices)[0]];
    const planDown = await otherPlan(sp.id, down.carrier_rate_plan);
    const planSlow = await otherPlan(sp.id, slow.carrier_rate_plan);
    h.sim.faults.add({
      pathIncludes: down.iccid ?? '',
      times: 4,
      effect: { kind: 'error', status: 502 },
    });
    h.sim.faults.add({
      pathIncludes: slow.iccid ?? '',
      times: 1,
      effect: { kind: 'hang', applyWrite: true },
    });
    const idDown = await h.create(sp, [down], 'CarrierRatePlanChange', {
      CarrierRatePlan: planDown,
    });
    const idSlow = await h.submit(sp, [slow], 'CarrierRatePlanChange', {
      CarrierRatePlan: planSlow,
    });
    await h.deliver(idDown);

    const [waiting] = await h.changes(idDown);
    expect(waiting?.status).toBe('PENDING');
    expect(waiting?.status_details).toMatch(
      /^Attempt 1 of 5 failed \(Failed to update Carrier Rate Plan: Jasper API\. .*502.*\); retrying at /,
    );
    expect((await h.device(down.id)).carrier_rate_plan).toBe(down.carrier_rate_plan);
    await h.resume(idDown);
    expect((await h.changes(idDown))[0]?.status).toBe('PROCESSED');
    expect(h.puts(down.iccid).map((p) => p.outcome)).toEqual([502, 502, 502, 502, 200]);
    expect((await h.device(down.id)).carrier_rate_plan).toBe(planDown);

    expect((await h.changes(idSlow))[0]?.status).toBe('PROCESSED');
    expect(h.puts(slow.iccid).map((p) => p.outcome)).toEqual(['hang', 200]);
    expect(h.sim.device(slow.iccid ?? '')?.ratePlan).toBe(planSlow);
    // One audit record: the re-sent PUT found the plan already set.
    const audit = h.sim.auditRecords(slow.iccid ?? '').filter((r) => r.field === 'ratePlan');
    expect(audit).toHaveLength(1);
    expect((await h.history(idSlow)).map((r) => r.field)).toEqual(['carrier_rate_plan']);
  });

  it('finds the ICCID of a device named by its MSISDN in the device database', async () => {
    const { sp, devices } = await h.pick('Jasper', 1, (d) => d.msisdn !== null);
    const device = devices[0] as NonNullable<(typeof devices)[0]>;
    const plan = await otherPlan(sp.id, device.carrier_rate_plan);
    const created = await createBulkChangeRepository(h.db()).create({
      tenantId: sp.tenant_id,
      serviceProviderId: sp.id,
      changeType: 'CarrierRatePlanChange',
      portalType: 0,
      request: { CarrierRatePlan: plan },
      createdBy: 'test',
      deviceChanges: [
        { identifierKind: 'msisdn', identifier: device.msisdn ?? '', deviceId: device.id },
      ],
    });
    await h.deliver(created.bulkChange.id);
    expect((await h.changes(created.bulkChange.id))[0]?.status).toBe('PROCESSED');
    expect(h.puts(device.iccid)).toEqual([{ body: { ratePlan: plan }, outcome: 200 }]);
  });

  it('sends one PUT per device when the message is delivered twice at once and again later', async () => {
    const { sp, devices } = await h.pick('TMobileJasper', 8);
    const plan = await otherPlan(sp.id, null);
    const id = await h.create(sp, devices, 'CarrierRatePlanChange', { CarrierRatePlan: plan });
    await Promise.all([h.deliver(id), h.deliver(id)]);
    await h.deliver(id);
    expect((await h.changes(id)).every((c) => c.status === 'PROCESSED')).toBe(true);
    for (const d of devices) {
      expect(h.puts(d.iccid)).toEqual([{ body: { ratePlan: plan }, outcome: 200 }]);
    }
    const logs = await h.logs(id);
    expect(
      logs.filter((l) => l.description === 'Update Jasper Rate Plan: Jasper API'),
    ).toHaveLength(8);
    expect(await h.bulkStatus(id)).toBe('PROCESSED');
  });
});
