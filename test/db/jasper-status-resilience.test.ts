import { describe, expect, it } from 'vitest';
import { createHandlerRegistry } from '../../src/app/engine/change-handler.ts';
import {
  type AfterJasperStatusChange,
  createJasperStatusUpdateHandler,
} from '../../src/app/handlers/jasper-status-update.ts';
import { AppError, ErrorCode } from '../../src/domain/errors.ts';
import { createHandlers } from '../../src/runtime/start-engine.ts';
import { useJasperEngine } from '../support/jasper-engine-fixtures.ts';

/**
 * StatusUpdate on the Jasper family when things go wrong: Control Center 5xx, timeouts and
 * throttling (recovered by the client, or later by the engine without repeating a completed
 * write), duplicate message delivery, and the place where the Rev.io steps run after a status
 * change (wired here with a test hook).
 */
describe('StatusUpdate on the Jasper family: faults, duplicates and the post-status steps', () => {
  let hook: AfterJasperStatusChange | undefined;
  const h = useJasperEngine({
    seed: 33,
    timeoutMs: 800,
    engine: { retry: { baseDelayMs: 60_000 } },
    handlers: (deps) =>
      createHandlerRegistry([
        ...createHandlers(deps)
          .list()
          .filter((x) => x.changeType !== 'StatusUpdate'),
        createJasperStatusUpdateHandler({
          ...deps,
          afterStatusChange: async (ctx, outcome) => hook?.(ctx, outcome),
        }),
      ]),
  });
  const status = '"status"';

  it('recovers from a 5xx and from a timeout (write applied, answer lost) inside the client', async () => {
    const { sp, devices } = await h.pick('Jasper', 2, (d) => d.status === 'ACTIVATED');
    const [a, b] = devices as [(typeof devices)[0], (typeof devices)[0]];
    h.sim.faults.add({
      pathIncludes: a.iccid ?? '',
      bodyIncludes: status,
      times: 1,
      effect: { kind: 'error', status: 503 },
    });
    h.sim.faults.add({
      pathIncludes: b.iccid ?? '',
      bodyIncludes: status,
      times: 1,
      effect: { kind: 'hang', applyWrite: true },
    });
    const id = await h.submit(
      sp,
      [a, b],
      'StatusUpdate',
      { UpdateStatus: 'DEACTIVATED' },
      {
        isFromAutomatedUpdateDeviceStatusLambda: true,
      },
    );
    expect((await h.changes(id)).map((c) => c.status)).toEqual(['PROCESSED', 'PROCESSED']);
    expect(h.puts(a.iccid).map((p) => p.outcome)).toEqual([503, 200]);
    expect(h.puts(b.iccid).map((p) => p.outcome)).toEqual(['hang', 200]);
    for (const d of [a, b]) {
      expect(h.sim.device(d.iccid ?? '')?.status).toBe('DEACTIVATED');
      expect((await h.device(d.id)).status).toBe('DEACTIVATED');
    }
    // One history row per device although the timed-out write was sent twice.
    expect((await h.history(id)).map((r) => r.field)).toEqual(['status', 'status']);
  });

  it('waits out an outage longer than the client retries, then finishes without repeating the rate-plan move', async () => {
    const { sp, devices } = await h.pick('TMobileJasper', 1, (d) => d.status === 'ACTIVATED');
    const device = await h.arrange(devices[0] as NonNullable<(typeof devices)[0]>, {
      communication_plan: 'CP_Basic_LTE',
    });
    h.sim.faults.add({
      pathIncludes: device.iccid ?? '',
      bodyIncludes: status,
      times: 4,
      effect: { kind: 'error', status: 503 },
    });
    const id = await h.submit(sp, [device], 'StatusUpdate', { UpdateStatus: 'DEACTIVATED' });
    const [waiting] = await h.changes(id);
    expect(waiting?.status).toBe('PENDING');
    expect(waiting?.status_details).toMatch(
      /^Attempt 1 of 5 failed \(.*HTTP 503.*\); retrying at /,
    );
    const moved = (await h.device(device.id)).carrier_rate_plan;
    expect(h.puts(device.iccid).map((p) => [Object.keys(p.body)[0], p.outcome])).toEqual([
      ['ratePlan', 200],
      ['status', 503],
      ['status', 503],
      ['status', 503],
      ['status', 503],
    ]);
    expect((await h.device(device.id)).status).toBe('ACTIVATED');

    await h.resume(id);
    expect((await h.changes(id))[0]?.status).toBe('PROCESSED');
    const puts = h.puts(device.iccid);
    expect(puts.filter((p) => 'ratePlan' in p.body)).toHaveLength(1);
    expect(puts.at(-1)).toEqual({ body: { status: 'DEACTIVATED' }, outcome: 200 });
    const row = await h.device(device.id);
    expect([row.status, row.carrier_rate_plan]).toEqual(['DEACTIVATED', moved]);
    expect(
      (await h.logs(id)).filter(
        (l) => l.description === 'Update Jasper Rate Plan: Update AMOP Device Details',
      ),
    ).toHaveLength(1);
  });

  it('holds the status change back while the rate-plan move fails with 5xx, then does both', async () => {
    const { sp, devices } = await h.pick('Rogers', 1, (d) => d.status === 'ACTIVATED');
    const device = await h.arrange(devices[0] as NonNullable<(typeof devices)[0]>, {
      communication_plan: 'CP_Basic_LTE',
    });
    h.sim.faults.add({
      pathIncludes: device.iccid ?? '',
      bodyIncludes: '"ratePlan"',
      times: 4,
      effect: { kind: 'error', status: 500 },
    });
    const id = await h.submit(sp, [device], 'StatusUpdate', { UpdateStatus: 'DEACTIVATED' });
    const [waiting] = await h.changes(id);
    expect(waiting?.status).toBe('PENDING');
    expect(waiting?.status_details).toMatch(
      /Error Updating Rate Plan for Deactivation: could not move/,
    );
    expect(h.puts(device.iccid).filter((p) => 'status' in p.body)).toEqual([]);
    await h.resume(id);
    expect((await h.changes(id))[0]?.status).toBe('PROCESSED');
    expect(
      h
        .puts(device.iccid)
        .map((p) => [Object.keys(p.body)[0], p.outcome])
        .slice(-2),
    ).toEqual([
      ['ratePlan', 200],
      ['status', 200],
    ]);
  });

  it('waits and retries when Control Center throttles (40000029)', async () => {
    const { sp, devices } = await h.pick('POD19', 1, (d) => d.status === 'ACTIVATED');
    const device = devices[0] as NonNullable<(typeof devices)[0]>;
    h.sim.faults.add({
      pathIncludes: device.iccid ?? '',
      times: 2,
      effect: { kind: 'throttle', retryAfterSeconds: 0 },
    });
    const id = await h.submit(
      sp,
      [device],
      'StatusUpdate',
      { UpdateStatus: 'DEACTIVATED' },
      {
        isFromAutomatedUpdateDeviceStatusLambda: true,
      },
    );
    expect((await h.changes(id))[0]?.status).toBe('PROCESSED');
    expect(h.puts(device.iccid).map((p) => p.outcome)).toEqual([429, 429, 200]);
  });

  it('applies each write exactly once when the message is delivered twice at once and again later', async () => {
    const { sp, devices } = await h.pick('Jasper', 6, (d) => d.status === 'ACTIVATED');
    const arranged: Awaited<ReturnType<typeof h.arrange>>[] = [];
    for (const d of devices)
      arranged.push(await h.arrange(d, { communication_plan: 'CP_Basic_LTE' }));
    const id = await h.create(sp, arranged, 'StatusUpdate', { UpdateStatus: 'deactivated' });
    await Promise.all([h.deliver(id), h.deliver(id)]);
    await h.deliver(id);
    expect((await h.changes(id)).every((c) => c.status === 'PROCESSED')).toBe(true);
    for (const d of arranged) {
      const puts = h.puts(d.iccid);
      expect(puts.map((p) => [Object.keys(p.body)[0], p.outcome])).toEqual([
        ['ratePlan', 200],
        ['status', 200],
      ]);
    }
    expect(await h.bulkStatus(id)).toBe('PROCESSED');
    // Four devices at once, yet one call at a time per Control Center account.
    expect(h.sim.stats().peakConcurrency.jasper).toBe(1);
  });

  it('runs the post-status steps once after a success, never after a failure', async () => {
    const calls: string[] = [];
    hook = async (ctx, outcome) => {
      await ctx.step(
        'test.afterStatus',
        { idempotent: false, lookup: async () => undefined },
        async () => {
          calls.push(`${outcome.iccid}:${outcome.carrierStatus}:${outcome.deviceStatus}`);
          return true;
        },
      );
      return undefined;
    };
    try {
      const { sp, devices } = await h.pick('Jasper', 2, (d) => d.status === 'ACTIVATED');
      const [ok, bad] = devices as [(typeof devices)[0], (typeof devices)[0]];
      const statusId = await h.statusId('Jasper', 'DEACTIVATED');
      const id = await h.submit(
        sp,
        [ok],
        'StatusUpdate',
        {
          UpdateStatus: 'deactivated',
          PostUpdateStatusId: statusId,
        },
        { isFromAutomatedUpdateDeviceStatusLambda: true },
      );
      await h.deliver(id);
      const failed = await h.submit(sp, [bad], 'StatusUpdate', { UpdateStatus: 'suspend' });
      expect((await h.changes(id))[0]?.status).toBe('PROCESSED');
      expect((await h.changes(failed))[0]?.status).toBe('API_FAILED');
      expect(calls).toEqual([`${ok.iccid}:DEACTIVATED:DEACTIVATED`]);
    } finally {
      hook = undefined;
    }
  });

  it('keeps the status change in the database when a post-status step fails the device', async () => {
    hook = async () => {
      throw new AppError(ErrorCode.INTEGRATION_REJECTED, 'Rev.io service could not be created');
    };
    try {
      const { sp, devices } = await h.pick('Jasper', 1, (d) => d.status === 'ACTIVATED');
      const device = devices[0] as NonNullable<(typeof devices)[0]>;
      const id = await h.submit(
        sp,
        [device],
        'StatusUpdate',
        { UpdateStatus: 'DEACTIVATED' },
        {
          isFromAutomatedUpdateDeviceStatusLambda: true,
        },
      );
      const [change] = await h.changes(id);
      expect(change?.status).toBe('API_FAILED');
      expect(change?.status_details).toBe('Rev.io service could not be created');
      expect((await h.device(device.id)).status).toBe('DEACTIVATED');
      expect((await h.history(id)).map((r) => [r.field, r.new_value])).toEqual([
        ['status', 'DEACTIVATED'],
      ]);
    } finally {
      hook = undefined;
    }
  });
});
