import { describe, expect, it } from 'vitest';
import { createBulkChangeRepository } from '../../src/adapters/db/repositories/bulk-change-repository.ts';
import { DEACTIVATION_RATE_PLAN_ERROR } from '../../src/app/handlers/jasper-deactivation-rate-plan.ts';
import type { Integration } from '../../src/domain/integrations.ts';
import { useJasperEngine } from '../support/jasper-engine-fixtures.ts';

/**
 * StatusUpdate on the Jasper family end to end: the engine's message processor with the real
 * handlers and gateways, the Control Center simulator over HTTP, the demo data in the test
 * database (PGlite or PostgreSQL).
 */
describe('StatusUpdate on the Jasper family through the engine and the Control Center simulator', () => {
  const h = useJasperEngine({ seed: 21 });

  /** The cheapest plan (by base rate) whose allowance covers the usage, else the last one. */
  async function expectedPlan(serviceProviderId: number, usageMb: number) {
    const plans = await h
      .db()
      .selectFrom('carrier_rate_plans')
      .selectAll()
      .where('service_provider_id', '=', serviceProviderId)
      .execute();
    const sorted = plans.sort((a, b) => Number(a.base_rate) - Number(b.base_rate));
    return (sorted.find((p) => Number(p.plan_mb) >= usageMb) ?? sorted.at(-1))?.code;
  }

  it('activates (restores) a deactivated device: case-normalised status, status id in the database, history, logs', async () => {
    const { sp, devices } = await h.pick('Jasper', 1);
    const device = await h.arrange(devices[0] as NonNullable<(typeof devices)[0]>, {
      status: 'DEACTIVATED',
    });
    const statusId = await h.statusId('Jasper', 'ACTIVATED');
    const id = await h.submit(sp, [device], 'StatusUpdate', {
      UpdateStatus: 'Activated',
      PostUpdateStatusId: statusId,
    });

    const [change] = await h.changes(id);
    expect(change?.status).toBe('PROCESSED');
    expect(change?.status_details).toBe('Successfully updated device status to ACTIVATED');
    expect(h.puts(device.iccid)).toEqual([{ body: { status: 'ACTIVATED' }, outcome: 200 }]);
    expect(h.sim.device(device.iccid ?? '')?.status).toBe('ACTIVATED');
    expect((await h.device(device.id)).status).toBe('ACTIVATED');
    const history = await h.history(id);
    expect(history.map((r) => [r.field, r.previous_value, r.new_value])).toEqual([
      ['status', 'DEACTIVATED', 'ACTIVATED'],
    ]);
    const logs = await h.logs(id);
    expect(logs.map((l) => l.description)).toEqual([
      'Update Jasper Status: Jasper API',
      'Update Jasper Status: Update AMOP Device Status',
    ]);
    expect(logs[0]?.request_text).toBe(
      JSON.stringify({ iccid: device.iccid, status: 'ACTIVATED' }),
    );
    expect(logs[0]?.response_text).toContain(device.iccid);
    // No secret reaches the log.
    expect(JSON.stringify(logs)).not.toMatch(/demo-jasper-api-key|Basic /);
    expect(await h.bulkStatus(id)).toBe('PROCESSED');
  });

  it('deactivates after moving the device to the cheapest rate plan covering its usage', async () => {
    const { sp, devices } = await h.pick(
      'Jasper',
      1,
      (d) => d.status === 'ACTIVATED' && Number(d.data_usage_mb) > 0,
    );
    const device = await h.arrange(devices[0] as NonNullable<(typeof devices)[0]>, {
      communication_plan: 'CP_Basic_LTE',
    });
    const plan = await expectedPlan(sp.id, Number(device.data_usage_mb));
    const id = await h.submit(sp, [device], 'StatusUpdate', { UpdateStatus: 'deactivated' });

    const [change] = await h.changes(id);
    expect(change?.status).toBe('PROCESSED');
    expect(change?.status_details).toBe(
      `Successfully updated device status to DEACTIVATED (rate plan moved to ${plan} first)`,
    );
    // The rate plan first, then the status: two PUTs, in that order.
    expect(h.puts(device.iccid)).toEqual([
      { body: { ratePlan: plan }, outcome: 200 },
      { body: { status: 'DEACTIVATED' }, outcome: 200 },
    ]);
    const simDevice = h.sim.device(device.iccid ?? '');
    expect([simDevice?.ratePlan, simDevice?.status]).toEqual([plan, 'DEACTIVATED']);
    const row = await h.device(device.id);
    expect([row.carrier_rate_plan, row.status]).toEqual([plan, 'DEACTIVATED']);
    const history = await h.history(id);
    expect(history.map((r) => [r.field, r.new_value])).toEqual(
      [
        device.carrier_rate_plan === plan ? [] : [['carrier_rate_plan', plan]],
        [['status', 'DEACTIVATED']],
      ].flat(),
    );
    expect((await h.logs(id)).map((l) => l.description)).toEqual([
      'Update Jasper Rate Plan: Jasper API',
      'Update Jasper Rate Plan: Update AMOP Device Details',
      'Update Jasper Status: Jasper API',
      'Update Jasper Status: Update AMOP Device Status',
    ]);
  });

  it('deactivates without a rate-plan move when the device has no communication plan, or for the automated status Lambda', async () => {
    const { sp, devices } = await h.pick('Jasper', 2, (d) => d.status === 'ACTIVATED');
    const [a, b] = devices as [(typeof devices)[0], (typeof devices)[0]];
    const noPlan = await h.arrange(a, { communication_plan: null });
    const id1 = await h.submit(sp, [noPlan], 'StatusUpdate', { UpdateStatus: 'DEACTIVATED' });
    const automated = await h.arrange(b, { communication_plan: 'CP_Basic_LTE' });
    const id2 = await h.submit(
      sp,
      [automated],
      'StatusUpdate',
      { UpdateStatus: 'DEACTIVATED' },
      { isFromAutomatedUpdateDeviceStatusLambda: true },
    );
    for (const [id, d] of [
      [id1, noPlan],
      [id2, automated],
    ] as const) {
      expect((await h.changes(id))[0]?.status).toBe('PROCESSED');
      expect(h.puts(d.iccid)).toEqual([{ body: { status: 'DEACTIVATED' }, outcome: 200 }]);
      expect((await h.device(d.id)).carrier_rate_plan).toBe(d.carrier_rate_plan);
    }
  });

  it('skips the status change when the rate-plan move fails, with the message the error report needs', async () => {
    const { sp, devices } = await h.pick('Jasper', 1, (d) => d.status === 'ACTIVATED');
    const device = await h.arrange(devices[0] as NonNullable<(typeof devices)[0]>, {
      communication_plan: 'CP_Basic_LTE',
    });
    // A plan the database offers (cheapest, unlimited) that the carrier account does not know.
    await h
      .db()
      .insertInto('carrier_rate_plans')
      .values({
        service_provider_id: sp.id,
        code: 'GHOST-PLAN',
        name: 'Ghost',
        plan_mb: 1e9,
        base_rate: 0,
      })
      .execute();
    try {
      const id = await h.submit(sp, [device], 'StatusUpdate', { UpdateStatus: 'deactivated' });
      const [change] = await h.changes(id);
      expect(change?.status).toBe('API_FAILED');
      expect(change?.status_details).toMatch(
        new RegExp(
          `^${DEACTIVATION_RATE_PLAN_ERROR}: could not move ${device.iccid} to rate plan GHOST-PLAN: .*Invalid rate plan: GHOST-PLAN`,
        ),
      );
      // One rate-plan PUT (rejected, not retried), no status PUT.
      expect(h.puts(device.iccid)).toEqual([{ body: { ratePlan: 'GHOST-PLAN' }, outcome: 400 }]);
      expect(h.sim.device(device.iccid ?? '')?.status).toBe('ACTIVATED');
      const row = await h.device(device.id);
      expect([row.status, row.carrier_rate_plan]).toEqual(['ACTIVATED', device.carrier_rate_plan]);
      expect(await h.history(id)).toEqual([]);
      const logs = await h.logs(id);
      expect(logs.map((l) => [l.description, l.has_errors])).toEqual([
        ['Update Jasper Rate Plan: Jasper API', true],
      ]);
      expect(logs[0]?.request_text).toContain('GHOST-PLAN');
    } finally {
      await h.db().deleteFrom('carrier_rate_plans').where('code', '=', 'GHOST-PLAN').execute();
    }
  });

  it('skips the status change when the service provider has no carrier rate plans to move to', async () => {
    const { sp, devices } = await h.pick('Rogers', 1, (d) => d.status === 'ACTIVATED');
    const device = await h.arrange(devices[0] as NonNullable<(typeof devices)[0]>, {
      communication_plan: 'CP_Basic_LTE',
    });
    const db = h.db();
    const plans = await db
      .selectFrom('carrier_rate_plans')
      .selectAll()
      .where('service_provider_id', '=', sp.id)
      .execute();
    await db.deleteFrom('carrier_rate_plans').where('service_provider_id', '=', sp.id).execute();
    try {
      const id = await h.submit(sp, [device], 'StatusUpdate', { UpdateStatus: 'DEACTIVATED' });
      const [change] = await h.changes(id);
      expect(change?.status).toBe('API_FAILED');
      expect(change?.status_details).toBe(
        `${DEACTIVATION_RATE_PLAN_ERROR}: no carrier rate plans for service provider ${sp.name}`,
      );
      expect(h.puts(device.iccid)).toEqual([]);
      expect((await h.logs(id)).map((l) => l.description)).toEqual([
        'Update Jasper Rate Plan: General',
      ]);
    } finally {
      await db
        .insertInto('carrier_rate_plans')
        .values(plans.map(({ id: _id, created_at: _at, ...p }) => p))
        .execute();
    }
  });

  it('fails the device on carrier business rules: unknown status, already activated, answer without iccid', async () => {
    const { sp, devices } = await h.pick('Jasper', 3, (d) => d.status === 'ACTIVATED');
    const [suspend, twice, noIccid] = devices as [
      (typeof devices)[0],
      (typeof devices)[0],
      (typeof devices)[0],
    ];
    const id1 = await h.submit(sp, [suspend], 'StatusUpdate', { UpdateStatus: 'suspend' });
    const id2 = await h.submit(sp, [twice], 'StatusUpdate', { UpdateStatus: 'ACTIVATED' });
    h.sim.setControls({ missingIccidIccids: [noIccid.iccid ?? ''] });
    const id3 = await h
      .submit(
        sp,
        [noIccid],
        'StatusUpdate',
        { UpdateStatus: 'DEACTIVATED' },
        {
          isFromAutomatedUpdateDeviceStatusLambda: true,
        },
      )
      .finally(() => h.sim.setControls({ missingIccidIccids: [] }));

    const expectations = [
      [id1, suspend, 'SUSPEND', /Invalid status: SUSPEND/],
      [id2, twice, 'ACTIVATED', /Cannot activate a SIM which is already activated/],
      [id3, noIccid, 'DEACTIVATED', /no iccid in the response/],
    ] as const;
    for (const [id, device, sent, message] of expectations) {
      const [change] = await h.changes(id);
      expect(change?.status).toBe('API_FAILED');
      expect(change?.status_details).toMatch(message);
      // Rejections are not retried: one PUT each.
      expect(h.puts(device.iccid).map((p) => p.body)).toEqual([{ status: sent }]);
      expect((await h.device(device.id)).status).toBe('ACTIVATED');
      expect(await h.history(id)).toEqual([]);
      const logs = await h.logs(id);
      expect(logs.map((l) => [l.description, l.has_errors, l.response_status])).toEqual([
        ['Update Jasper Status: Jasper API', true, 'ERROR'],
      ]);
      expect(logs[0]?.error_text).toMatch(message);
    }
  });

  it('refuses a PostUpdateStatusId of another integration or another status before calling the carrier', async () => {
    const { sp, devices } = await h.pick('Jasper', 2, (d) => d.status === 'ACTIVATED');
    const [a, b] = devices as [(typeof devices)[0], (typeof devices)[0]];
    const thingSpaceId = await h.statusId('ThingSpace', 'deactive');
    const activatedId = await h.statusId('Jasper', 'ACTIVATED');
    const id1 = await h.submit(sp, [a], 'StatusUpdate', {
      UpdateStatus: 'DEACTIVATED',
      PostUpdateStatusId: thingSpaceId,
    });
    const id2 = await h.submit(sp, [b], 'StatusUpdate', {
      UpdateStatus: 'DEACTIVATED',
      PostUpdateStatusId: activatedId,
    });
    expect((await h.changes(id1))[0]?.status_details).toBe(
      `PostUpdateStatusId ${thingSpaceId} is a ThingSpace status (deactive), not a Jasper one`,
    );
    expect((await h.changes(id2))[0]?.status_details).toBe(
      `PostUpdateStatusId ${activatedId} is ACTIVATED but UpdateStatus asks for DEACTIVATED`,
    );
    expect([...h.puts(a.iccid), ...h.puts(b.iccid)]).toEqual([]);
    expect((await h.logs(id1)).map((l) => l.description)).toEqual([
      'Update Jasper Status: Pre-flight Check',
    ]);
  });

  it('finds the ICCID of a device named by its MSISDN in the device database', async () => {
    const { sp, devices } = await h.pick(
      'Jasper',
      1,
      (d) => d.status === 'ACTIVATED' && d.msisdn !== null,
    );
    const device = devices[0] as NonNullable<(typeof devices)[0]>;
    const created = await createBulkChangeRepository(h.db()).create({
      tenantId: sp.tenant_id,
      serviceProviderId: sp.id,
      changeType: 'StatusUpdate',
      portalType: 0,
      request: { UpdateStatus: 'DEACTIVATED' },
      createdBy: 'test',
      deviceChanges: [
        { identifierKind: 'msisdn', identifier: device.msisdn ?? '', deviceId: device.id },
      ],
    });
    const id = created.bulkChange.id;
    await h.deliver(id, { isFromAutomatedUpdateDeviceStatusLambda: true });
    expect((await h.changes(id))[0]?.status).toBe('PROCESSED');
    expect(h.puts(device.iccid)).toEqual([{ body: { status: 'DEACTIVATED' }, outcome: 200 }]);
  });

  it.each([
    ['POD19', 'pod19'],
    ['TMobileJasper', 'tmobile'],
    ['Rogers', 'rogers'],
  ] as const)(
    '%s: deactivates with the rate-plan move on its own Control Center account',
    async (integration: Integration, account: string) => {
      const { sp, devices } = await h.pick(integration, 2, (d) => d.status === 'ACTIVATED');
      const arranged: Awaited<ReturnType<typeof h.arrange>>[] = [];
      for (const d of devices)
        arranged.push(await h.arrange(d, { communication_plan: 'CP_Basic_LTE' }));
      const statusId = await h.statusId(integration, 'DEACTIVATED');
      const id = await h.submit(sp, arranged, 'StatusUpdate', {
        UpdateStatus: 'Deactivated',
        PostUpdateStatusId: statusId,
      });
      for (const [i, change] of (await h.changes(id)).entries()) {
        const device = arranged[i] as NonNullable<(typeof arranged)[0]>;
        const plan = await expectedPlan(sp.id, Number(device.data_usage_mb));
        expect(change.status).toBe('PROCESSED');
        expect(h.puts(device.iccid)).toEqual([
          { body: { ratePlan: plan }, outcome: 200 },
          { body: { status: 'DEACTIVATED' }, outcome: 200 },
        ]);
        const row = await h.device(device.id);
        expect([row.status, row.carrier_rate_plan]).toEqual(['DEACTIVATED', plan]);
      }
      const accounts = new Set(
        h.sim.journal
          .filter((e) => arranged.some((d) => e.path.endsWith(`/devices/${d.iccid}`)))
          .map((e) => e.account),
      );
      expect([...accounts]).toEqual([account]);
    },
  );
});
