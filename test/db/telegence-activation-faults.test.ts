import { sql } from 'kysely';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  ACTIVATION_TEMPLATE,
  startTelegenceHarness,
  type TelegenceHarness,
} from '../support/telegence-fixtures.ts';
import { useTestDatabase } from '../support/test-database.ts';

/**
 * Telegence activations under carrier faults: the non-idempotent activation request is sent
 * once however the carrier misbehaves (5xx before it was taken, a timeout after it was taken,
 * a timeout before it was taken), and failing status checks are retried at the next check.
 */
describe('Telegence StatusUpdate activations under carrier faults', () => {
  const testDb = useTestDatabase();
  let h: TelegenceHarness;

  beforeAll(async () => {
    h = await startTelegenceHarness(testDb, 29);
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

  const request = { UpdateStatus: 'A', Request: ACTIVATION_TEMPLATE };

  it('a 503 before the carrier took the request is retried; one activation', async () => {
    const sims = await h.newSims(2);
    const from = h.sim.journal.length;
    h.sim.faults.add({
      operation: 'activateServices',
      effect: { kind: 'error', status: 503 },
      times: 1,
    });
    const id = await h.create('StatusUpdate', request, sims, 'iccid');
    expect(await h.run(id)).toBe('PROCESSED');
    expect(h.calls('activateServices', from).map((e) => e.outcome)).toEqual([503, 202]);
    expect((await h.changes(id)).map((c) => c.status)).toEqual(['PROCESSED', 'PROCESSED']);
    for (const s of sims) expect((await h.device(s.id)).status).toBe('A');
  });

  it('a send that failed without reaching the carrier (client retries exhausted) is sent on the next attempt', async () => {
    const sims = await h.newSims(2);
    const from = h.sim.journal.length;
    h.sim.faults.add({
      operation: 'activateServices',
      effect: { kind: 'error', status: 503 },
      times: 4,
    });
    const id = await h.create('StatusUpdate', request, sims, 'iccid');
    expect(await h.run(id)).toBe('PROCESSED');
    expect(h.calls('activateServices', from).map((e) => e.outcome)).toEqual([
      503, 503, 503, 503, 202,
    ]);
    expect((await h.changes(id)).map((c) => c.status)).toEqual(['PROCESSED', 'PROCESSED']);
  });

  it('status checks failing with 5xx are retried at the next check, then the device completes', async () => {
    const sims = await h.newSims(1);
    const from = h.sim.journal.length;
    const id = await h.create('StatusUpdate', request, sims, 'iccid');
    await h.deliver(id);
    h.sim.faults.add({
      operation: 'getActivationStatus',
      effect: { kind: 'error', status: 500 },
      times: 8,
    });
    await h.wake(id);
    const [waiting] = await h.changes(id);
    expect(waiting?.status).toBe('PENDING');
    expect(waiting?.status_details).toContain('status check 1 of 6 failed');
    h.sim.faults.clear();
    expect(await h.run(id)).toBe('PROCESSED');
    expect((await h.changes(id))[0]?.status).toBe('PROCESSED');
    expect(h.calls('activateServices', from)).toHaveLength(1);
  });

  it('a timeout after the carrier took the request: found in the device list, never sent again', async () => {
    // Lines become active at once, so the device list shows them right after the request.
    h.sim.configure({ activation: { pendingPolls: 0, reservedPolls: 0 } });
    const sims = await h.newSims(2);
    const from = h.sim.journal.length;
    h.sim.faults.add({
      operation: 'activateServices',
      effect: { kind: 'hang', applyWrite: true },
      times: 1,
    });
    const id = await h.create('StatusUpdate', request, sims, 'iccid');
    expect(await h.run(id)).toBe('PROCESSED');
    expect(h.calls('activateServices', from).map((e) => e.outcome)).toEqual(['hang']);
    const changes = await h.changes(id);
    expect(changes.map((c) => c.status_details)).toEqual([
      expect.stringContaining(`ICCID: ${sims[0]?.iccid} active`),
      expect.stringContaining(`ICCID: ${sims[1]?.iccid} active`),
    ]);
    for (const s of sims) {
      const row = await h.device(s.id);
      expect(row.status).toBe('A');
      expect(h.sim.line(row.msisdn ?? '')?.sim).toBe(s.iccid);
    }
  });

  it('a timeout before the carrier took the request: not sent again, the devices fail with a clear message', async () => {
    const sims = await h.newSims(1);
    const from = h.sim.journal.length;
    h.sim.faults.add({
      operation: 'activateServices',
      effect: { kind: 'hang', applyWrite: false },
      times: 1,
    });
    const id = await h.create('StatusUpdate', request, sims, 'iccid');
    expect(await h.run(id)).toBe('PROCESSED');
    expect(h.calls('activateServices', from).map((e) => e.outcome)).toEqual(['hang']);
    const [change] = await h.changes(id);
    expect(change?.status).toBe('API_FAILED');
    expect(change?.status_details).toContain(
      'the request timed out and no line appeared for the SIM after 6 checks; check Telegence before activating it again',
    );
    expect((await h.device(sims[0]?.id ?? 0)).status).toBe('Unknown');
  }, 60_000);

  it('a leader that died mid-request is resumed through the device-list lookup; nothing is sent twice', async () => {
    h.sim.configure({ activation: { pendingPolls: 0, reservedPolls: 0 } });
    const sims = await h.newSims(2);
    const from = h.sim.journal.length;
    const id = await h.create('StatusUpdate', request, sims, 'iccid');
    await h.deliver(id);
    expect(h.calls('activateServices', from)).toHaveLength(1);
    // Turn the clock back to "the leader died after sending, before recording anything": its
    // step is IN_PROGRESS, the batch has no submission, no device change has a park state.
    const [leader] = await h.leaders(id);
    await sql`update idempotency_records set status = 'IN_PROGRESS', result = null
      where key = ${`dc:${leader}:telegence.activateServices`}`.execute(h.db);
    await sql`update telegence_activation_batches set submission = null
      where leader_device_change_id = ${leader}`.execute(h.db);
    await sql`update device_changes set park_state = null, not_before = null
      where bulk_change_id = ${id}`.execute(h.db);
    const resumed = h.sim.journal.length;
    expect(await h.run(id)).toBe('PROCESSED');
    expect(h.calls('listLines', resumed).length).toBeGreaterThan(0);
    expect(h.calls('activateServices', from)).toHaveLength(1);
    expect((await h.changes(id)).map((c) => c.status)).toEqual(['PROCESSED', 'PROCESSED']);
  });
});
