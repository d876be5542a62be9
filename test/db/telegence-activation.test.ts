import { sql } from 'kysely';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  ACTIVATION_TEMPLATE,
  startTelegenceHarness,
  type TelegenceHarness,
} from '../support/telegence-fixtures.ts';
import { useTestDatabase } from '../support/test-database.ts';

/**
 * StatusUpdate activations on Telegence end to end: one batched activation request per ≤ 200
 * device changes, then activation-status checks until each device's own line is active or
 * rejected (engine message processor, real handlers and gateway, simulator over HTTP).
 */
describe('Telegence StatusUpdate activations through the engine', () => {
  const testDb = useTestDatabase();
  let h: TelegenceHarness;

  beforeAll(async () => {
    // No hang faults here: a generous timeout, so that a 200-record request is not cut short
    // on a busy machine (the simulator shares the event loop with the embedded database).
    h = await startTelegenceHarness(testDb, 23, 60_000);
  });

  afterEach(() => {
    h.sim.faults.clear();
    h.sim.configure({
      activation: { pendingPolls: 1, reservedPolls: 1, pendingMs: 0, reservedMs: 0 },
    });
  });

  afterAll(async () => {
    await h?.sim.close();
  });

  const activeId = async () =>
    (
      await h.db
        .selectFrom('device_statuses')
        .select('id')
        .where('integration', '=', 'Telegence')
        .where('status', '=', 'A')
        .executeTakeFirstOrThrow()
    ).id;

  const activation = async () => ({
    UpdateStatus: 'A',
    PostUpdateStatusId: await activeId(),
    Request: ACTIVATION_TEMPLATE,
  });

  it('sends one request for the batch and marks each device with its own result, once under duplicate delivery', async () => {
    const sims = await h.newSims(3);
    const rejected = sims[1];
    if (rejected === undefined) throw new Error('no sims');
    h.sim.setActivationOutcome(rejected.iccid ?? '', 'rejected');
    const from = h.sim.journal.length;
    const id = await h.create('StatusUpdate', await activation(), sims, 'iccid');
    await Promise.all([h.deliver(id), h.deliver(id)]);
    expect(await h.run(id)).toBe('PROCESSED');

    const posts = h.calls('activateServices', from);
    expect(posts).toHaveLength(1);
    const body = posts[0]?.body as Array<{
      service: { serviceCharacteristic: Array<{ name: string; value: string }> };
    }>;
    expect(
      body.map((r) => r.service.serviceCharacteristic.find((c) => c.name === 'sim')?.value),
    ).toEqual(sims.map((s) => s.iccid));
    expect(body[0]?.service.serviceCharacteristic.find((c) => c.name === 'IMEI')?.value).toBe(
      sims[0]?.imei,
    );

    const changes = await h.changes(id);
    expect(changes.map((c) => c.status)).toEqual(['PROCESSED', 'API_FAILED', 'PROCESSED']);
    expect(changes[1]?.status_details).toContain(
      `Telegence activation of ICCID ${rejected.iccid} rejected`,
    );
    for (const [i, s] of sims.entries()) {
      const row = await h.device(s.id);
      if (i === 1) {
        expect(row.status).toBe('Unknown');
        expect(row.msisdn).toBeNull();
        continue;
      }
      expect(row.status).toBe('A');
      expect(row.msisdn).toMatch(/^1\d{10}$/);
      expect(h.sim.line(row.msisdn ?? '')?.status).toBe('A');
      expect(h.sim.line(row.msisdn ?? '')?.sim).toBe(s.iccid);
    }
    const history = await h.history(id);
    expect(history.filter((r) => r.field === 'status')).toHaveLength(2);
    expect(history.filter((r) => r.field === 'msisdn')).toHaveLength(2);

    const logs = await h.logs(id);
    const request = logs.filter(
      (l) =>
        l.description === 'Update Telegence Device Status: Telegence API' &&
        l.response_status === 'PROCESSED',
    );
    expect(request).toHaveLength(1);
    expect(request[0]?.device_change_id).toBe((await h.leaders(id))[0]);
    expect(request[0]?.request_text).toContain(sims[2]?.iccid ?? '-');
    expect(
      logs.filter(
        (l) =>
          l.description === 'Update Telegence Device Status: Telegence API' &&
          l.response_status === 'PENDING',
      ),
    ).toHaveLength(3);
    const validation = logs.filter((l) => l.description === 'Parse Telegence Response: Validation');
    expect(validation.map((l) => l.device_change_id)).toEqual([changes[1]?.id]);
    const all = logs.map((l) => `${l.request_text} ${l.response_text}`).join(' ');
    expect(all).not.toContain('demo-telegence-app-secret');
  });

  it('keeps checking while the activation is pending and completes after several checks', async () => {
    h.sim.configure({ activation: { pendingPolls: 3 } });
    const sims = await h.newSims(2);
    const from = h.sim.journal.length;
    const id = await h.create('StatusUpdate', await activation(), sims, 'iccid');
    await h.deliver(id);
    const parked = await h.changes(id);
    expect(parked.every((c) => c.status === 'PENDING')).toBe(true);
    const [leaderId] = await h.leaders(id);
    const leader = parked.find((c) => c.id === leaderId);
    expect(leader?.park_state).toMatchObject({ phase: 'telegence-activation', checks: 0 });
    expect(leader?.status_details).toContain('submitted; waiting for it to complete');
    expect(await h.run(id, 10)).toBe('PROCESSED');
    const changes = await h.changes(id);
    expect(changes.map((c) => c.status)).toEqual(['PROCESSED', 'PROCESSED']);
    // pending for 3 polls, reserved for 1, then active: at least five status checks.
    expect(h.calls('getActivationStatus', from).length).toBeGreaterThanOrEqual(5);
    expect(h.calls('activateServices', from)).toHaveLength(1);
  });

  it('fails a device still pending after the last status check', async () => {
    h.sim.configure({ activation: { pendingPolls: 100 } });
    const sims = await h.newSims(1);
    const id = await h.create('StatusUpdate', await activation(), sims, 'iccid');
    expect(await h.run(id, 10)).toBe('PROCESSED');
    const [change] = await h.changes(id);
    expect(change?.status).toBe('API_FAILED');
    expect(change?.status_details).toMatch(/still pending after 6 status checks/);
  });

  it('splits more than 200 activations into requests of at most 200', async () => {
    const sims = await h.newSims(205);
    const from = h.sim.journal.length;
    const id = await h.create('StatusUpdate', await activation(), sims, 'iccid');
    expect(await h.run(id, 10)).toBe('PROCESSED');
    const notDone = (await h.changes(id)).filter((c) => c.status !== 'PROCESSED');
    const posts = h.calls('activateServices', from).map((e) => [e.outcome, (e.body as []).length]);
    expect(
      notDone.map((c) => c.status_details),
      `requests: ${JSON.stringify(posts)}`,
    ).toEqual([]);
    const sizes = h.calls('activateServices', from).map((e) => (e.body as unknown[]).length);
    expect(sizes).toEqual([200, 5]);
    const sent = h
      .calls('activateServices', from)
      .flatMap(
        (e) =>
          e.body as Array<{
            service: { serviceCharacteristic: Array<{ name: string; value: string }> };
          }>,
      )
      .map((r) => r.service.serviceCharacteristic.find((c) => c.name === 'sim')?.value);
    expect(new Set(sent).size).toBe(205);
    const batches = await sql<{ batch_id: number; n: number }>`
      select m.batch_id, count(*)::int as n from telegence_activation_batch_members m
      join device_changes dc on dc.id = m.device_change_id
      where dc.bulk_change_id = ${id} group by m.batch_id order by m.batch_id`.execute(h.db);
    expect(batches.rows.map((r) => Number(r.n))).toEqual([200, 5]);
  }, 180_000);

  it('fails the eSIM-required device and a device that already has a line, and activates the rest', async () => {
    const sims = await h.newSims(2);
    const [hasLine] = await h.lines('A', 1);
    const [esim, fine] = sims;
    if (esim === undefined || fine === undefined || hasLine === undefined)
      throw new Error('no sims');
    h.sim.requireEsim(esim.iccid ?? '');
    const from = h.sim.journal.length;
    const id = await h.create('StatusUpdate', await activation(), [esim, fine, hasLine], 'iccid');
    expect(await h.run(id)).toBe('PROCESSED');
    const changes = await h.changes(id);
    expect(changes.map((c) => c.status)).toEqual(['API_FAILED', 'PROCESSED', 'API_FAILED']);
    expect(changes[0]?.status_details).toBe('Activation Failed - eSIM Required');
    expect(changes[2]?.status_details).toContain('already has a Telegence line (status A)');
    const body = h.calls('activateServices', from)[0]?.body as unknown[];
    expect(body).toHaveLength(2);
    expect((await h.device(fine.id)).status).toBe('A');
    expect((await h.device(hasLine.id)).msisdn).toBe(hasLine.msisdn);
  });

  it('fails every device of a batch the carrier refuses as a whole, with the reason', async () => {
    const sims = await h.newSims(2);
    const template = structuredClone(ACTIVATION_TEMPLATE);
    const plan = template.service.serviceCharacteristic[0];
    if (plan) plan.value = 'NOSUCHPLAN';
    const id = await h.create(
      'StatusUpdate',
      { UpdateStatus: 'A', Request: template },
      sims,
      'iccid',
    );
    expect(await h.run(id)).toBe('PROCESSED');
    const changes = await h.changes(id);
    expect(changes.map((c) => c.status)).toEqual(['API_FAILED', 'API_FAILED']);
    for (const c of changes) {
      expect(c.status_details).toContain('Telegence refused the activation request of 2 device(s)');
      expect(c.status_details).toContain('INVALID_SINGLE_USER_CODE');
    }
  });
});
