import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTelegenceHarness, type TelegenceHarness } from '../support/telegence-fixtures.ts';
import { useTestDatabase } from '../support/test-database.ts';

/**
 * StatusUpdate on Telegence (suspend / restore / cancel through the subscriber PATCH) end to
 * end: engine message processor, real handlers and gateway, Telegence simulator over HTTP.
 */
describe('Telegence StatusUpdate (subscriber PATCH) through the engine', () => {
  const testDb = useTestDatabase();
  let h: TelegenceHarness;

  beforeAll(async () => {
    h = await startTelegenceHarness(testDb, 21);
  });

  afterAll(async () => {
    await h?.sim.close();
  });

  const statusId = async (status: string) =>
    (
      await h.db
        .selectFrom('device_statuses')
        .select('id')
        .where('integration', '=', 'Telegence')
        .where('status', '=', status)
        .executeTakeFirstOrThrow()
    ).id;

  it('suspends each line once, even when the message is delivered twice, with status, history and logs', async () => {
    const devices = await h.lines('A', 3);
    const from = h.sim.journal.length;
    const id = await h.create(
      'StatusUpdate',
      {
        UpdateStatus: 'Suspend',
        PostUpdateStatusId: await statusId('S'),
        Request: { reasonCode: 'CR' },
      },
      devices,
    );
    // Two deliveries of the same message at once, then a late third one.
    await Promise.all([h.deliver(id), h.deliver(id)]);
    await h.deliver(id);
    expect(await h.bulkStatus(id)).toBe('PROCESSED');
    const changes = await h.changes(id);
    expect(changes.map((c) => c.status)).toEqual(['PROCESSED', 'PROCESSED', 'PROCESSED']);
    for (const d of devices) {
      expect(h.appliedPatches(d.msisdn ?? '', from)).toHaveLength(1);
      expect(h.sim.line(d.msisdn ?? '')?.status).toBe('S');
      expect((await h.device(d.id)).status).toBe('S');
    }
    const patch = h.appliedPatches(devices[0]?.msisdn ?? '', from)[0];
    expect(patch?.body).toEqual({ mode: 'S', reasonCode: 'CR' });
    const history = await h.history(id);
    expect(
      history.filter((r) => r.field === 'status').map((r) => [r.previous_value, r.new_value]),
    ).toEqual([
      ['A', 'S'],
      ['A', 'S'],
      ['A', 'S'],
    ]);
    const logs = await h.logs(id);
    const api = logs.filter((l) => l.description === 'Update Telegence Subscriber: Telegence API');
    expect(api).toHaveLength(3);
    expect(api.every((l) => l.response_status === 'PROCESSED' && !l.has_errors)).toBe(true);
    const text = logs.map((l) => `${l.request_text} ${l.response_text}`).join(' ');
    expect(text).not.toContain('demo-telegence-app-secret');
    expect(text).not.toContain('demo-telegence-app');
  });

  it('gives each device its own result: a restore of a suspended line succeeds, of an active line fails', async () => {
    const [suspended] = await h.lines('S', 1);
    const [active] = await h.lines('A', 1);
    if (suspended === undefined || active === undefined) throw new Error('no lines');
    const id = await h.create(
      'StatusUpdate',
      {
        UpdateStatus: 'Restore',
        PostUpdateStatusId: await statusId('A'),
        Request: { reasonCode: 'RS' },
      },
      [suspended, active],
    );
    expect(await h.run(id)).toBe('PROCESSED');
    const [first, second] = await h.changes(id);
    expect(first?.status).toBe('PROCESSED');
    expect((await h.device(suspended.id)).status).toBe('A');
    expect(h.sim.line(suspended.msisdn ?? '')?.status).toBe('A');
    expect(second?.status).toBe('API_FAILED');
    expect(second?.status_details).toContain('cannot restore an active line');
    expect((await h.device(active.id)).status).toBe('A');
    const failedLog = (await h.logs(id)).find(
      (l) =>
        l.device_change_id === second?.id &&
        l.description === 'Update Telegence Subscriber: Telegence API',
    );
    expect(failedLog?.has_errors).toBe(true);
    expect(failedLog?.response_status).toBe('ERROR');
  });

  it('fails an unknown line with the carrier answer and cancels the known one', async () => {
    const [known] = await h.lines('A', 1);
    const [ghost] = await h.newSims(1);
    if (known === undefined || ghost === undefined) throw new Error('no lines');
    await h.db
      .updateTable('devices')
      .set({ msisdn: '12025550199', status: 'A' })
      .where('id', '=', ghost.id)
      .execute();
    const id = await h.create(
      'StatusUpdate',
      { UpdateStatus: 'Cancel', Request: { reasonCode: 'CAN' } },
      [known, { ...ghost, msisdn: '12025550199' }],
    );
    expect(await h.run(id)).toBe('PROCESSED');
    const [ok, unknown] = await h.changes(id);
    expect(ok?.status).toBe('PROCESSED');
    expect((await h.device(known.id)).status).toBe('C');
    expect(unknown?.status).toBe('API_FAILED');
    expect(unknown?.status_details).toContain('HTTP 404');
    expect((await h.device(ghost.id)).status).toBe('A');
  });

  it('recovers from carrier 503s (client retries) and applies the change once', async () => {
    const [device] = await h.lines('A', 1);
    if (device === undefined) throw new Error('no line');
    const from = h.sim.journal.length;
    h.sim.faults.add({ operation: 'patchLine', effect: { kind: 'error', status: 503 }, times: 2 });
    try {
      const id = await h.create(
        'StatusUpdate',
        { UpdateStatus: 'S', Request: { reasonCode: 'CR' } },
        [device],
      );
      expect(await h.run(id)).toBe('PROCESSED');
      expect((await h.changes(id))[0]?.status).toBe('PROCESSED');
      expect(h.calls('patchLine', from).map((e) => e.outcome)).toEqual([503, 503, 200]);
      expect(h.appliedPatches(device.msisdn ?? '', from)).toHaveLength(1);
    } finally {
      h.sim.faults.clear();
    }
  });

  it('a timeout after the carrier applied the suspend is resolved by reading the line, not by sending again', async () => {
    const [device] = await h.lines('A', 1);
    if (device === undefined) throw new Error('no line');
    const from = h.sim.journal.length;
    h.sim.faults.add({
      operation: 'patchLine',
      effect: { kind: 'hang', applyWrite: true },
      times: 1,
    });
    try {
      const id = await h.create(
        'StatusUpdate',
        { UpdateStatus: 'S', Request: { reasonCode: 'CR' } },
        [device],
      );
      expect(await h.run(id)).toBe('PROCESSED');
      expect((await h.changes(id))[0]?.status).toBe('PROCESSED');
      expect(h.calls('patchLine', from).map((e) => e.outcome)).toEqual(['hang']);
      expect(h.calls('getLine', from).length).toBeGreaterThan(0);
      expect(h.sim.line(device.msisdn ?? '')?.status).toBe('S');
      expect((await h.device(device.id)).status).toBe('S');
    } finally {
      h.sim.faults.clear();
    }
  });

  it('refuses before any call: no reason code, an unknown target status, a foreign status id', async () => {
    const devices = await h.lines('A', 1);
    const from = h.sim.journal.length;
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ UpdateStatus: 'S' }, 'Request.reasonCode is required to suspend'],
      [
        { UpdateStatus: 'Frozen', Request: { reasonCode: 'X' } },
        'UpdateStatus "Frozen" is not a Telegence status change',
      ],
      [
        { UpdateStatus: 'S', PostUpdateStatusId: 999_999, Request: { reasonCode: 'X' } },
        'PostUpdateStatusId 999999 is not a Telegence device status',
      ],
    ];
    for (const [request, message] of cases) {
      const id = await h.create('StatusUpdate', request, devices);
      expect(await h.run(id)).toBe('PROCESSED');
      const [change] = await h.changes(id);
      expect(change?.status).toBe('API_FAILED');
      expect(change?.status_details).toContain(message);
      const logs = await h.logs(id);
      expect(logs.map((l) => l.description)).toEqual(['Telegence Status Update: Pre-flight Check']);
    }
    expect(h.calls('patchLine', from)).toHaveLength(0);
    expect((await h.device(devices[0]?.id ?? 0)).status).toBe('A');
  });
});
