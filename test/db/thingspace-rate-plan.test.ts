import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createThingSpaceClient } from '../../src/adapters/integrations/thingspace/thingspace-client.ts';
import { useTestDatabase } from '../support/test-database.ts';
import {
  logText,
  startThingSpaceHarness,
  type ThingSpaceHarness,
} from '../support/thingspace-fixtures.ts';

/**
 * CarrierRatePlanChange on ThingSpace end to end: engine → handler → gateway → client →
 * ThingSpace simulator over HTTP; completion by CarrierService callback through the service's
 * own endpoint, or by request status when no callback comes.
 */
describe('CarrierRatePlanChange on ThingSpace', () => {
  const testDb = useTestDatabase();
  let h: ThingSpaceHarness;

  beforeAll(async () => {
    h = await startThingSpaceHarness(testDb(), 21);
  });
  afterAll(async () => {
    await h?.close();
  });

  const otherPlan = (current: string | null) =>
    current === 'M2MPlan2GB' ? 'M2MPlan5MB' : 'M2MPlan2GB';

  it('completes by callback: device rate plan updated with history, logs written', async () => {
    const device = await h.device('active');
    const plan = otherPlan(device.carrier_rate_plan);
    const id = await h.submit('CarrierRatePlanChange', device, { CarrierRatePlan: plan });
    let change = await h.changeOf(id);
    expect(change.status).toBe('PENDING');
    const request = h.pendingRequest(device.iccid ?? '');
    expect(change.park_state).toMatchObject({ requestId: request.requestId, checks: 0 });
    expect(h.sim.device(device.iccid ?? '')?.servicePlan).toBe(device.carrier_rate_plan);

    await h.complete(request.requestId);
    await h.deliverQueued();
    change = await h.changeOf(id);
    expect(change.status).toBe('PROCESSED');
    expect(change.status_details).toBe(`Successfully updated carrier rate plan to ${plan}`);
    expect(h.sim.device(device.iccid ?? '')?.servicePlan).toBe(plan);
    expect((await h.deviceRow(device.id)).carrier_rate_plan).toBe(plan);
    const history = await h.history(id);
    expect(history.map((r) => [r.field, r.previous_value, r.new_value])).toEqual([
      ['carrier_rate_plan', device.carrier_rate_plan, plan],
    ]);
    const logs = await h.logs(id);
    expect(logs.map((l) => l.description)).toEqual([
      'Update ThingSpace Rate Plan: ThingSpace API',
      'Update ThingSpace Rate Plan: ThingSpace Callback',
      'Update ThingSpace Rate Plan: AMOP Update',
    ]);
    expect(logText(logs)).not.toContain(h.callbackPassword);
    expect(await h.bulkStatus(id)).toBe('PROCESSED');
    expect(h.requestsFor(device.iccid ?? '', 'changeServicePlan')).toHaveLength(1);
  });

  it('completes by request status when no callback comes; a late callback changes nothing', async () => {
    const device = await h.device('active');
    const plan = otherPlan(device.carrier_rate_plan);
    h.sim.configure({ callbacks: { delayMs: 400 } });
    try {
      const id = await h.submit('CarrierRatePlanChange', device, { CarrierRatePlan: plan });
      const request = h.pendingRequest(device.iccid ?? '');
      expect(h.sim.completeRequest(request.requestId)).toBe('settled');
      await h.recheck(id); // the fallback re-check, before the (late) callback arrives
      const change = await h.changeOf(id);
      expect(change.status).toBe('PROCESSED');
      expect((await h.logs(id)).map((l) => l.description)).toContain(
        'Update ThingSpace Rate Plan: ThingSpace Request Status',
      );
      await h.sim.whenIdle(); // the late callback is delivered and accepted…
      expect(h.sim.deliveries.filter((d) => d.requestId === request.requestId).at(-1)?.result).toBe(
        200,
      );
      await h.deliverQueued(); // …but wakes nothing
      const logCount = (await h.logs(id)).length;
      expect(await h.changeOf(id)).toEqual(change);
      expect(await h.logs(id)).toHaveLength(logCount);
      expect(await h.history(id)).toHaveLength(1);
    } finally {
      h.sim.configure({ callbacks: { delayMs: 0 } });
    }
  });

  it('a request still pending at the re-check parks again; duplicate callbacks resume it once', async () => {
    const device = await h.device('active');
    const plan = otherPlan(device.carrier_rate_plan);
    const id = await h.submit('CarrierRatePlanChange', device, { CarrierRatePlan: plan });
    await h.recheck(id);
    expect((await h.changeOf(id)).park_state).toMatchObject({ checks: 1 });
    h.sim.configure({ callbacks: { duplicates: 2 } });
    try {
      await h.complete(h.pendingRequest(device.iccid ?? '').requestId);
      await h.deliverQueued();
    } finally {
      h.sim.configure({ callbacks: { duplicates: 0 } });
    }
    expect((await h.changeOf(id)).status).toBe('PROCESSED');
    expect(await h.history(id)).toHaveLength(1);
    expect(h.requestsFor(device.iccid ?? '', 'changeServicePlan')).toHaveLength(1);
  });

  it('a request-status check that fails (503) counts as a check: parked again, then done', async () => {
    const device = await h.device('active');
    const plan = otherPlan(device.carrier_rate_plan);
    h.sim.configure({ callbacks: { drop: true } });
    try {
      const id = await h.submit('CarrierRatePlanChange', device, { CarrierRatePlan: plan });
      expect(h.sim.completeRequest(h.pendingRequest(device.iccid ?? '').requestId)).toBe('settled');
      h.sim.faults.add({
        operation: 'getRequestStatus',
        times: 4,
        effect: { kind: 'error', status: 503 },
      });
      await h.recheck(id);
      const waiting = await h.changeOf(id);
      expect(waiting.status).toBe('PENDING');
      expect(waiting.park_state).toMatchObject({ checks: 1 });
      expect(waiting.status_details).toContain('last status check failed');
      await h.recheck(id);
      expect((await h.changeOf(id)).status).toBe('PROCESSED');
      expect((await h.deviceRow(device.id)).carrier_rate_plan).toBe(plan);
    } finally {
      h.sim.faults.clear();
      h.sim.configure({ callbacks: { drop: false } });
    }
  });

  it('4 plan changes a month: the fifth is refused with a clear per-device error', async () => {
    const device = await h.device('active');
    const line = h.sim.device(device.iccid ?? '');
    const month = new Date().toISOString().slice(0, 7);
    h.sim.state.counters.set(`month:${line?.lineId}:${month}`, 4);
    const id = await h.submit('CarrierRatePlanChange', device, {
      CarrierRatePlan: otherPlan(device.carrier_rate_plan),
    });
    const change = await h.changeOf(id);
    expect(change.status).toBe('API_FAILED');
    expect(change.status_details).toMatch(
      /^ThingSpace: ThingSpace allows at most 4 service plan changes per device per calendar month, and this device has reached that limit \(ServicePlanChangeLimitExceeded/,
    );
    expect((await h.deviceRow(device.id)).carrier_rate_plan).toBe(device.carrier_rate_plan);
    expect(h.requestsFor(device.iccid ?? '')).toHaveLength(0);
  });

  it('a suspended device: refused (no plan change while suspended), device row unchanged', async () => {
    const device = await h.device('suspend');
    const id = await h.submit('CarrierRatePlanChange', device, {
      CarrierRatePlan: otherPlan(device.carrier_rate_plan),
    });
    const change = await h.changeOf(id);
    expect(change.status).toBe('API_FAILED');
    expect(change.status_details).toContain(
      'ThingSpace does not change the service plan of a suspended device; restore it first',
    );
    expect(await h.history(id)).toHaveLength(0);
  });

  it('suspended before the request completed: the callback fault fails the device clearly', async () => {
    const device = await h.device('active');
    const id = await h.submit('CarrierRatePlanChange', device, {
      CarrierRatePlan: otherPlan(device.carrier_rate_plan),
    });
    const line = h.sim.device(device.iccid ?? '');
    if (line !== undefined) line.state = 'suspend';
    await h.complete(h.pendingRequest(device.iccid ?? '').requestId);
    await h.deliverQueued();
    const change = await h.changeOf(id);
    expect(change.status).toBe('API_FAILED');
    expect(change.status_details).toContain('(DeviceSuspended:');
    expect(await h.history(id)).toHaveLength(0);
  });

  it('a plan that is not a carrier rate plan of the provider fails before any call', async () => {
    const device = await h.device('active');
    const before = h.sim.journal.length;
    const id = await h.submit('CarrierRatePlanChange', device, { CarrierRatePlan: 'NOPE-PLAN' });
    const change = await h.changeOf(id);
    expect(change.status).toBe('API_FAILED');
    expect(change.status_details).toBe(
      `Carrier rate plan NOPE-PLAN does not exist for service provider ${h.sp.name}`,
    );
    expect(h.sim.journal.length).toBe(before);
  });

  it('5xx and a timed-out call that was applied: recovered, the plan change sent once', async () => {
    const device = await h.device('active');
    const plan = otherPlan(device.carrier_rate_plan);
    const iccid = device.iccid ?? '';
    h.sim.faults.add({
      operation: 'changeServicePlan',
      pathIncludes: '',
      times: 1,
      effect: { kind: 'error', status: 503 },
    });
    h.sim.faults.add({
      operation: 'changeServicePlan',
      times: 1,
      effect: { kind: 'hang', applyWrite: true },
    });
    const id = await h.submit('CarrierRatePlanChange', device, { CarrierRatePlan: plan });
    const sent = h.sim.journal.filter(
      (e) => e.operation === 'changeServicePlan' && JSON.stringify(e.body).includes(iccid),
    );
    expect(sent.map((e) => e.outcome)).toEqual([503, 'hang']);
    expect(h.requestsFor(iccid, 'changeServicePlan')).toHaveLength(1);
    await h.complete(h.pendingRequest(iccid).requestId);
    await h.deliverQueued();
    expect((await h.changeOf(id)).status).toBe('PROCESSED');
    expect(h.requestsFor(iccid, 'changeServicePlan')).toHaveLength(1);
  });

  it('a worker that died during the call: the lookup finds the request, nothing is sent again', async () => {
    const device = await h.device('active');
    const plan = otherPlan(device.carrier_rate_plan);
    const iccid = device.iccid ?? '';
    const id = await h.submit('CarrierRatePlanChange', device, { CarrierRatePlan: 'NOPE-PLAN' });
    // Rewind the (failed) change as if a worker had sent the plan change and died right after.
    const change = await h.changeOf(id);
    const provider = await h.db
      .selectFrom('service_providers')
      .selectAll()
      .where('id', '=', h.sp.id)
      .executeTakeFirstOrThrow();
    const settings = provider.settings as Record<string, string>;
    const client = createThingSpaceClient({
      baseUrl: settings.baseUrl ?? '',
      accountName: settings.accountName ?? '',
      clientId: settings.clientId ?? '',
      clientSecret: 'demo-thingspace-secret',
      username: settings.username ?? '',
      password: 'demo-thingspace-password',
    });
    const startedAt = Date.now();
    const lost = await client.changeServicePlan({ iccid, servicePlan: plan });
    await sql`update device_changes set status = 'PENDING', not_before = null, change_request = ${JSON.stringify({ CarrierRatePlan: plan })}::jsonb where id = ${change.id}`.execute(
      h.db,
    );
    await sql`update bulk_changes set status = 'PROCESSING' where id = ${id}`.execute(h.db);
    await sql`insert into idempotency_records (key, status, result, expires_at) values
      (${`dc:${change.id}:thingspace.changeServicePlan.started`}, 'COMPLETED', ${JSON.stringify({ at: startedAt })}::jsonb, now() + interval '1 day'),
      (${`dc:${change.id}:thingspace.changeServicePlan`}, 'IN_PROGRESS', null, now() + interval '1 day')`.execute(
      h.db,
    );
    await h.processMessage(
      { bulkChangeId: id, retryNumber: 1 },
      {
        messageId: 'redelivered',
        deadline: Date.now() + 30_000,
        signal: new AbortController().signal,
      },
    );
    expect((await h.changeOf(id)).park_state).toMatchObject({ requestId: lost.requestId });
    await h.complete(lost.requestId);
    await h.deliverQueued();
    expect((await h.changeOf(id)).status).toBe('PROCESSED');
    expect(h.requestsFor(iccid, 'changeServicePlan')).toHaveLength(1);
  });

  it('the same message delivered twice at once: one plan change at the carrier', async () => {
    const device = await h.device('active');
    const plan = otherPlan(device.carrier_rate_plan);
    const id = await h.submit(
      'CarrierRatePlanChange',
      device,
      { CarrierRatePlan: plan },
      { deliveries: 2 },
    );
    await h.complete(h.pendingRequest(device.iccid ?? '').requestId);
    await h.deliverQueued();
    await h.processMessage(
      { bulkChangeId: id, retryNumber: 0 },
      { messageId: 'again', deadline: Date.now() + 30_000, signal: new AbortController().signal },
    );
    expect((await h.changeOf(id)).status).toBe('PROCESSED');
    expect(h.requestsFor(device.iccid ?? '', 'changeServicePlan')).toHaveLength(1);
    expect(await h.history(id)).toHaveLength(1);
  });
});
