/**
 * The reliability suite (issue 8; `npm run test:chaos`, vitest project `chaos`, PostgreSQL).
 *
 * A 2,000-device run of mixed change types (`chaos-plan.ts`, one line per change type) worked
 * by 3 worker PROCESSES (`src/bench/bench-worker.ts`: the production engine, handlers,
 * gateways, pg-boss and stall sweeper on a fresh PostgreSQL database) against the Jasper and
 * Rev.io simulators over HTTP, while:
 * - workers are SIGKILLed at seeded random moments and restarted (crash rig supervisor);
 * - every message is sent twice (the test's own, and every continuation and sweeper message);
 * - every carrier and billing call meets 20 % 5xx, 5 % hangs past the client timeout (half of
 *   them with the write applied), three 429 bursts, and one carrier account (POD19) is down
 *   for `CHAOS_OUTAGE_MS` (default 30 s);
 * - poison messages (unknown bulk change ids, malformed attributes) are mixed in.
 *
 * It then asserts: every device change terminal and every bulk change PROCESSED with one
 * completion whose counts equal a recount of the rows; no mutation applied twice (the Jasper
 * audit trail shows each change once; no write reached a simulator after its step was
 * recorded COMPLETED; each device row change written once); the POD19 breaker opened during
 * the outage and POD19 traffic succeeded again after it; the poison messages, and nothing
 * else, reached pg-boss's dead-letter queue.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPgBossBulkChangeQueue } from '../../src/adapters/queue/pgboss/pgboss-bulk-change-queue.ts';
import {
  BULK_CHANGE_DEAD_LETTER_QUEUE,
  BULK_CHANGE_QUEUE,
  type PgBossQueue,
  startPgBossQueue,
} from '../../src/adapters/queue/pgboss/pgboss-queue.ts';
import { createPrng } from '../../src/app/demo/demo-random.ts';
import type { BenchEngineSettings } from '../../src/bench/bench-engine.ts';
import { type BenchEnvironment, openBenchEnvironment } from '../../src/bench/bench-environment.ts';
import {
  type BenchWorkerHandle,
  samplesOf,
  spawnBenchWorker,
} from '../../src/bench/bench-processes.ts';
import { sleep, stopWorkers, superviseUntilProcessed } from '../crash/crash-rig.ts';
import { silentLogger } from '../support/engine-fixtures.ts';
import { testDatabaseUrl } from '../support/test-database-url.ts';
import { CHAOS, CHAOS_MIX } from './chaos-plan.ts';

const SETTINGS: BenchEngineSettings = {
  pageSize: 20,
  maxParallel: 12,
  concurrency: 2,
  leaseMs: 8000,
  carrierTimeoutMs: 1500,
  retry: { maxAttempts: 6, baseDelayMs: 500, maxDelayMs: 4000, circuitOpenDelayMs: 2000 },
  sweeper: { intervalMs: 1000, graceMs: 4000 },
  pollingIntervalSeconds: 0.5,
  duplicateSends: true,
};

describe('reliability: crashes, duplicates, faults, an outage and poison messages', () => {
  const perMix = Math.floor(CHAOS.devices / CHAOS_MIX.length);
  const perAccount: Record<string, number> = {};
  for (const mix of CHAOS_MIX) perAccount[mix.account] = (perAccount[mix.account] ?? 0) + perMix;
  let env: BenchEnvironment;
  let boss: PgBossQueue;

  beforeAll(async () => {
    env = await openBenchEnvironment({
      database: { kind: 'postgres', serverUrl: testDatabaseUrl() },
      devices: perAccount,
      jasperLimits: { ratePerSecond: 300, maxConcurrent: 20 },
      revioLimits: { ratePerSecond: 300, maxConcurrent: 20 },
      seed: CHAOS.seed,
    });
    boss = await startPgBossQueue({
      connection: { kind: 'postgres', url: env.databaseUrl ?? '', poolSize: 2 },
      logger: silentLogger,
    });
  }, 120_000);

  afterAll(async () => {
    await boss?.stop();
    await env?.close();
  });

  it(
    'ends with every device change terminal, nothing applied twice, the breaker opened and closed, poison in the DLQ only',
    async () => {
      const db = env.database.db;
      const prng = createPrng(CHAOS.seed);
      // ---- the bulk changes ----
      const offsets: Record<string, number> = {};
      const bulks: { id: number; mix: (typeof CHAOS_MIX)[number] }[] = [];
      for (const mix of CHAOS_MIX) {
        const offset = offsets[mix.account] ?? 0;
        offsets[mix.account] = offset + perMix;
        const created = await env.createBulkChange({
          accountKey: mix.account,
          changeType: mix.changeType,
          request: mix.request,
          offset,
          limit: perMix,
        });
        expect(created.devices).toBe(perMix);
        bulks.push({ id: created.bulkChangeId, mix });
      }
      const pod19 = await env.provider('pod19');
      const pod19Breaker = `jasper:${pod19.id}`;

      // ---- faults on every call (order matters: the first effect that fires wins) ----
      for (const sim of [env.jasper, env.revio]) {
        sim.faults.add({
          probability: CHAOS.hangRate / 2,
          effect: { kind: 'hang', applyWrite: true },
        });
        sim.faults.add({
          probability: CHAOS.hangRate / 2,
          effect: { kind: 'hang', applyWrite: false },
        });
        sim.faults.add({
          probability: CHAOS.serverErrorRate,
          effect: { kind: 'error', status: 503 },
        });
      }

      // ---- workers ----
      const config = (name: string) => ({
        name,
        databaseUrl: env.databaseUrl ?? '',
        secretsKey: env.secretsKey,
        settings: SETTINGS,
        poolSize: 6,
        sampleMs: 200,
      });
      const envVars = { PATH: process.env.PATH, HOME: process.env.HOME };
      let restarts = 0;
      const workers: BenchWorkerHandle[] = Array.from({ length: CHAOS.workers }, (_, i) =>
        spawnBenchWorker(config(`chaos-${i + 1}`), envVars),
      );
      await Promise.all(workers.map((w) => w.ready));

      // ---- messages: every one twice, poison mixed in ----
      const queue = createPgBossBulkChangeQueue(boss.boss);
      const began = Date.now();
      for (const b of bulks) {
        await queue.send({ bulkChangeId: b.id, retryNumber: 0 });
        await queue.send({ bulkChangeId: b.id, retryNumber: 0 });
      }
      for (const id of CHAOS.unknownBulkChangeIds) {
        await queue.send({ bulkChangeId: id, retryNumber: 0 });
        await queue.send({ bulkChangeId: id, retryNumber: 0 });
      }
      for (let i = 0; i < CHAOS.malformedMessages; i++) {
        const data = {
          attributes: { Poison: { DataType: 'String', StringValue: `malformed-${i}` } },
        };
        await boss.boss.send(BULK_CHANGE_QUEUE, data);
        await boss.boss.send(BULK_CHANGE_QUEUE, data);
      }

      const all: BenchWorkerHandle[] = [...workers];
      const supervision = superviseUntilProcessed(env, {
        bulkChangeIds: bulks.map((b) => b.id),
        workers,
        restart: (dead) => {
          const next = spawnBenchWorker(
            config(`${dead.name.split('~')[0]}~r${++restarts}`),
            envVars,
          );
          all.push(next);
          return next;
        },
        timeoutMs: CHAOS.timeoutMs,
        maxRestarts: CHAOS.maxRestarts,
      });
      let done = false;
      void supervision.finally(() => {
        done = true;
      });

      // ---- the outage, 429 bursts, random kills ----
      const outage = { start: 0, end: 0 };
      const outageRun = (async () => {
        const target = bulks.find((b) => b.mix.account === CHAOS.outageAccount)?.id ?? 0;
        for (let waited = 0; waited < CHAOS.outageLatestStartMs; waited += 250) {
          const progressed = await db
            .selectFrom('device_changes')
            .select('id')
            .where('bulk_change_id', '=', target)
            .where('status', 'in', ['PROCESSED', 'API_FAILED'])
            .limit(1)
            .execute();
          if (progressed.length > 0) break;
          await sleep(250);
        }
        outage.start = Date.now();
        // The outage rule must win over the others: put it first.
        const others = env.jasper.faults.list().filter((r) => r.id !== 'outage');
        env.jasper.faults.clear();
        env.jasper.faults.add({
          id: 'outage',
          account: CHAOS.outageAccount,
          effect: { kind: 'error', status: 503 },
        });
        for (const r of others) env.jasper.faults.add(r);
        await sleep(CHAOS.outageMs);
        env.jasper.faults.remove('outage');
        outage.end = Date.now();
      })();
      const burstRun = (async () => {
        for (let i = 0; i < CHAOS.throttleBursts && !done; i++) {
          await sleep(prng.int(2000, 9000));
          for (const sim of [env.jasper, env.revio]) {
            sim.faults.add({
              times: CHAOS.throttleBurstCalls,
              effect: { kind: 'throttle', retryAfterSeconds: 1 },
            });
          }
        }
      })();
      const progressRun = (async () => {
        while (!done) {
          await sleep(15_000);
          const rows = await db
            .selectFrom('device_changes')
            .select(['status'])
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .where(
              'bulk_change_id',
              'in',
              bulks.map((b) => b.id),
            )
            .groupBy('status')
            .execute();
          const counts = Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
          console.info(
            `chaos: ${Math.round((Date.now() - began) / 1000)} s ${JSON.stringify(counts)}`,
          );
        }
      })();
      const kills: string[] = [];
      while (!done) {
        await sleep(prng.int(CHAOS.killEveryMs[0], CHAOS.killEveryMs[1]));
        if (done) break;
        const live = all.filter((w) => w.exitInfo === undefined);
        const victim = live[prng.int(0, Math.max(0, live.length - 1))];
        if (victim === undefined) continue;
        await victim.ready.catch(() => undefined);
        victim.child.kill('SIGKILL');
        await victim.exit;
        kills.push(victim.name);
      }
      const result = await supervision;
      await Promise.all([outageRun, burstRun, progressRun]);
      const elapsedMs = Date.now() - began;

      // Poison needs its 4 deliveries (pg-boss backoff from 5 s) before it is dead-lettered.
      const poisonJobs = CHAOS.unknownBulkChangeIds.length * 2 + CHAOS.malformedMessages * 2;
      const deadLetters = async () =>
        (
          await sql<{ data: { attributes?: Record<string, { StringValue?: string }> } }>`
            select data from ${sql.id('pgboss', 'job')} where name = ${BULK_CHANGE_DEAD_LETTER_QUEUE}`.execute(
            db,
          )
        ).rows;
      for (let i = 0; i < 240 && (await deadLetters()).length < poisonJobs; i++) await sleep(500);
      await stopWorkers(all);

      console.info(
        `chaos: ${result.processed ? 'PROCESSED' : 'NOT processed'} in ${elapsedMs} ms; kills ${kills.length} (${kills.join(', ')}); outage ${outage.end - outage.start} ms`,
      );
      expect(result.processed).toBe(true);
      expect(kills.length).toBeGreaterThan(0);

      // ---- every device change terminal; counts equal a recount ----
      for (const b of bulks) {
        const rows = await db
          .selectFrom('device_changes')
          .select(['id', 'status', 'lease_owner'])
          .where('bulk_change_id', '=', b.id)
          .execute();
        expect(rows).toHaveLength(perMix);
        expect(rows.filter((r) => r.status !== 'PROCESSED' && r.status !== 'API_FAILED')).toEqual(
          [],
        );
        expect(rows.filter((r) => r.lease_owner !== null)).toEqual([]);
        const recount: Record<string, number> = {};
        for (const r of rows) recount[r.status] = (recount[r.status] ?? 0) + 1;
        const outbox = await db
          .selectFrom('notification_outbox')
          .selectAll()
          .where('kind', '=', 'bulkChange.completed')
          .where(sql<string>`payload->>'bulkChangeId'`, '=', String(b.id))
          .execute();
        expect(outbox).toHaveLength(1);
        expect(outbox[0]?.payload).toEqual({
          bulkChangeId: b.id,
          changeType: b.mix.changeType,
          tenantId: expect.any(Number),
          serviceProviderId: expect.any(Number),
          processedAt: expect.any(String),
          status: 'PROCESSED',
          counts: recount,
        });
        // Faults are retried: most device changes succeed.
        expect(recount.PROCESSED ?? 0).toBeGreaterThan(perMix * 0.8);
        console.info(`chaos: ${b.mix.changeType} on ${b.mix.account}: ${JSON.stringify(recount)}`);
      }

      // ---- no mutation applied twice ----
      // (a) the Jasper audit trail shows each applied change once;
      const changed = await db
        .selectFrom('device_changes as dc')
        .innerJoin('bulk_changes as b', 'b.id', 'dc.bulk_change_id')
        .select(['dc.id', 'dc.iccid', 'dc.status', 'b.id as bulkId'])
        .where(
          'b.id',
          'in',
          bulks.map((b) => b.id),
        )
        .execute();
      for (const b of bulks) {
        if (b.mix.jasperAudit === undefined) continue;
        const { field, value } = b.mix.jasperAudit;
        for (const dc of changed.filter((c) => c.bulkId === b.id)) {
          const records = env.jasper
            .auditRecords(dc.iccid ?? '')
            .filter((r) => r.field === field && r.value === value);
          expect({ iccid: dc.iccid, status: dc.status, applied: records.length }).toEqual({
            iccid: dc.iccid,
            status: dc.status,
            applied:
              dc.status === 'PROCESSED'
                ? 1
                : records.length > 1
                  ? 'more than once'
                  : records.length,
          });
        }
      }
      // (b) no write reached a simulator after its step was recorded COMPLETED;
      const steps = await sql<{ key: string; updated_at: Date }>`
        select key, updated_at from idempotency_records where status = 'COMPLETED'`.execute(db);
      const completedAt = new Map(steps.rows.map((r) => [r.key, new Date(r.updated_at).getTime()]));
      const services = await db
        .selectFrom('rev_services')
        .select(['external_id', 'iccid', 'msisdn'])
        .execute();
      const serviceOf = new Map<string, string>();
      for (const s of services) {
        if (s.iccid !== null) serviceOf.set(s.iccid, String(s.external_id));
      }
      const late: string[] = [];
      const iccidOfChange = new Map(changed.map((c) => [c.id, c.iccid ?? '']));
      for (const b of bulks) {
        for (const dc of changed.filter((c) => c.bulkId === b.id)) {
          for (const w of b.mix.writes) {
            const done = completedAt.get(`dc:${dc.id}:${w.step}`);
            if (done === undefined) continue;
            const iccid = iccidOfChange.get(dc.id) ?? '';
            const target =
              w.sim === 'jasper' ? `/devices/${iccid}` : `/Services/${serviceOf.get(iccid)}`;
            const journal = w.sim === 'jasper' ? env.jasper.journal : env.revio.journal;
            for (const e of journal) {
              if (e.operation === w.operation && e.path.endsWith(target) && e.at > done + 2) {
                late.push(
                  `${w.step} of device change ${dc.id} sent at ${e.at}, completed at ${done}`,
                );
              }
            }
          }
        }
      }
      expect(late).toEqual([]);
      // (c) each device row change was written once.
      const history = await sql<{ device_change_id: number; field: string; n: number }>`
        select device_change_id, field, count(*)::int as n from device_history
        where bulk_change_id in (${sql.join(bulks.map((b) => b.id))})
        group by 1, 2 having count(*) > 1`.execute(db);
      expect(history.rows).toEqual([]);

      // ---- the breaker opened during the outage, and POD19 traffic recovered after it ----
      expect(outage.end).toBeGreaterThan(outage.start);
      const openedDuring = samplesOf(all).filter(
        (s) =>
          s.breakersOpened.includes(pod19Breaker) &&
          s.at >= outage.start &&
          s.at <= outage.end + 2000,
      );
      expect(openedDuring.length).toBeGreaterThan(0);
      const okAfter = env.jasper.journal.filter(
        (e) => e.account === CHAOS.outageAccount && e.at > outage.end && e.outcome === 200,
      );
      expect(okAfter.length).toBeGreaterThan(0);
      const pod19Bulk = bulks.find((b) => b.mix.account === 'pod19');
      const processedAfter = await db
        .selectFrom('device_changes')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('bulk_change_id', '=', pod19Bulk?.id ?? 0)
        .where('status', '=', 'PROCESSED')
        .where('processed_at', '>', new Date(outage.end))
        .executeTakeFirstOrThrow();
      expect(Number(processedAfter.n)).toBeGreaterThan(0);

      // ---- poison, and only poison, in the dead-letter queue ----
      const dead = await deadLetters();
      const describeJob = (d: (typeof dead)[number]) =>
        d.data.attributes?.BulkChangeId?.StringValue ??
        d.data.attributes?.Poison?.StringValue ??
        'other';
      const expected = [
        ...CHAOS.unknownBulkChangeIds.flatMap((id) => [String(id), String(id)]),
        ...Array.from({ length: CHAOS.malformedMessages }, (_, i) => [
          `malformed-${i}`,
          `malformed-${i}`,
        ]).flat(),
      ].sort();
      expect(dead.map(describeJob).sort()).toEqual(expected);
    },
    CHAOS.timeoutMs + 240_000,
  );
});
