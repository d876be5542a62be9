/**
 * Runs benchmark scenarios (`bench-scenarios.ts`) and measures them: opens the environment,
 * starts the engine (in this process on PGlite, else `workers` worker processes on
 * PostgreSQL), injects the scenario's latency into every simulator call, sends the messages,
 * waits for the bulk change to be PROCESSED, and reads throughput, device change latency
 * (handler time per device, p50/p95), peak RSS (sampled every 250 ms) and the simulators'
 * per-account counts.
 */
import { pino } from 'pino';
import { createPgBossBulkChangeQueue } from '../adapters/queue/pgboss/pgboss-bulk-change-queue.ts';
import { startPgBossQueue } from '../adapters/queue/pgboss/pgboss-queue.ts';
import type { BulkChangeQueue } from '../app/ports/bulk-change-queue.ts';
import { type BenchEngine, startBenchEngine } from './bench-engine.ts';
import { type BenchEnvironment, openBenchEnvironment } from './bench-environment.ts';
import {
  type BenchWorkerHandle,
  samplesOf,
  spawnBenchWorker,
  stopBenchWorkers,
} from './bench-processes.ts';
import { type BenchScenario, ceilingPerSecond } from './bench-scenarios.ts';
import { submitScaleCsv } from './scale-submission.ts';

/** One scenario's figures (one JSON line with `--json`). */
export interface BenchResult {
  scenario: string;
  devices: number;
  carrierLatencyMs: number;
  /** Carrier + billing calls per device change, counted by the simulators. */
  callsPerChange: number;
  concurrency: number;
  workers: number;
  /** The carrier account's rate limit when it is what the scenario measures, else null. */
  rateLimitPerSec: number | null;
  /** Limits configured on the accounts (reported as set). */
  limits: { jasper: string; revio: string };
  ceilingPerSec: number | null;
  measuredPerSec: number;
  ratio: number | null;
  p50Ms: number;
  p95Ms: number;
  peakRssMb: number;
  /** Peak V8 heap in use of the same process(es). */
  peakHeapMb: number;
  /** Whose RSS: the worker process(es), or this process (PGlite: engine, database, simulators). */
  rssOf: 'worker' | 'bench process';
  database: 'pglite' | 'postgres';
  target: string;
  met: boolean;
  elapsedMs: number;
  /** Outcome counts of the device changes. */
  statuses: Record<string, number>;
  /** Highest calls of the Jasper account in one wall-clock second (simulator stats). */
  jasperPeakPerSecond: number;
  /** Throttling answers the Jasper simulator gave. */
  jasperThrottled: number;
  /** SQL statements of the engine per device change (store and limiters; pg-boss excluded). */
  queriesPerChange: number;
  /** scale-100k: time to submit the CSV (see `scale-submission.ts`). */
  submitMs?: number;
  notes: string[];
}

/** Options of {@link runScenario}. */
export interface RunScenarioOptions {
  /** PostgreSQL server to create the scenario's database on. */
  postgresUrl: string;
  /** Environment for worker processes (PATH, HOME). */
  env: Readonly<Record<string, string | undefined>>;
  /** Progress lines (stderr). */
  progress?: (line: string) => void;
  /** Give up after this long. @default 10 min */
  timeoutMs?: number;
}

/**
 * Runs one scenario.
 *
 * @example
 * const result = await runScenario(resolveScenario('pod19-username', { quick: true }), { postgresUrl, env });
 */
export async function runScenario(
  scenario: BenchScenario,
  options: RunScenarioOptions,
): Promise<BenchResult> {
  const progress = options.progress ?? (() => {});
  const notes: string[] = [];
  progress(`${scenario.name}: seeding ${scenario.devices} devices (${scenario.database})`);
  const env = await openBenchEnvironment({
    database:
      scenario.database === 'pglite'
        ? { kind: 'pglite' }
        : { kind: 'postgres', serverUrl: options.postgresUrl },
    devices: { [scenario.accountKey]: scenario.devices },
    jasperLimits: scenario.jasperLimits,
    revioLimits: scenario.revioLimits,
  });
  const logger = pino({ level: 'warn' }, pino.destination(2));
  let engine: BenchEngine | undefined;
  let workers: BenchWorkerHandle[] = [];
  let sender: { queue: BulkChangeQueue; stop(): Promise<void> } | undefined;
  const rss = { peak: 0, heap: 0 };
  let rssTimer: NodeJS.Timeout | undefined;
  try {
    let submitMs: number | undefined;
    let bulkChangeId: number;
    if (scenario.name === 'scale-100k') {
      const submitted = await submitScaleCsv(env, scenario);
      bulkChangeId = submitted.bulkChangeId;
      submitMs = submitted.submitMs;
      notes.push(
        `${submitted.rows}-row CSV submitted in ${submitted.submitMs} ms through the ${submitted.via} (POST /api/v1/bulk-changes over HTTP, first byte → 201; ${submitted.rejected} rows rejected; bench process peak RSS ${submitted.peakRssMb} MB)`,
      );
    } else {
      bulkChangeId = (
        await env.createBulkChange({
          accountKey: scenario.accountKey,
          changeType: scenario.changeType,
          request: scenario.request,
        })
      ).bulkChangeId;
    }
    if (scenario.nodeFlags !== undefined && scenario.workers > 0) {
      notes.push(`worker Node flags: ${scenario.nodeFlags.join(' ')}`);
    }
    const settings = {
      pageSize: scenario.pageSize,
      maxParallel: scenario.concurrency,
      concurrency: Math.max(1, Math.ceil(scenario.messages / Math.max(1, scenario.workers))),
      pollingIntervalSeconds: 0.5,
    };
    if (scenario.workers === 0) {
      if (env.database.kind !== 'pglite') throw new Error('in-process runs use PGlite');
      engine = await startBenchEngine({
        database: env.database,
        secretBox: env.secretBox,
        logger,
        pgboss: { kind: 'pglite', pglite: env.database.pglite },
        settings,
      });
      sender = { queue: engine.queue, stop: async () => {} };
    } else {
      const url = env.databaseUrl;
      if (url === undefined) throw new Error('worker processes need PostgreSQL');
      const boss = await startPgBossQueue({
        connection: { kind: 'postgres', url, poolSize: 2 },
        logger,
      });
      sender = { queue: createPgBossBulkChangeQueue(boss.boss), stop: () => boss.stop() };
      workers = Array.from({ length: scenario.workers }, (_, i) =>
        spawnBenchWorker(
          {
            name: `w${i + 1}`,
            databaseUrl: url,
            secretsKey: env.secretsKey,
            settings,
          },
          options.env,
          scenario.nodeFlags ?? [],
        ),
      );
      await Promise.all(workers.map((w) => w.ready));
    }
    if (scenario.latencyMs > 0) {
      for (const sim of [env.jasper, env.revio]) {
        sim.faults.add({ effect: { kind: 'latency', minMs: scenario.latencyMs } });
      }
    }
    // Counters from here on only.
    for (const sim of [env.jasper, env.revio]) {
      sim.journal.length = 0;
    }
    const statsBefore = { jasper: env.jasper.stats(), revio: env.revio.stats() };
    const throttledBefore = env.jasper.throttleCounts();
    rssTimer = setInterval(() => {
      if (scenario.workers > 0) return;
      rss.peak = Math.max(rss.peak, process.memoryUsage.rss() / 1_048_576);
      rss.heap = Math.max(rss.heap, process.memoryUsage().heapUsed / 1_048_576);
    }, 250);
    progress(`${scenario.name}: running`);
    const started = performance.now();
    for (let i = 0; i < scenario.messages; i++) {
      await sender.queue.send({ bulkChangeId, retryNumber: 0 });
    }
    const timeoutMs = options.timeoutMs ?? 600_000;
    for (;;) {
      const status = await env.bulkStatus(bulkChangeId);
      if (status === 'PROCESSED' || status === 'ERROR') break;
      for (const w of workers) {
        if (w.exitInfo !== undefined) {
          throw new Error(
            `worker ${w.name} ended (${w.exitInfo.code ?? w.exitInfo.signal}):\n${w.stderr()}`,
          );
        }
      }
      if (performance.now() - started > timeoutMs) throw new Error(`${scenario.name}: timed out`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const elapsedMs = performance.now() - started;
    clearInterval(rssTimer);
    rssTimer = undefined;

    const latencies: number[] = [];
    let queries = 0;
    if (engine !== undefined) {
      const sample = engine.collector.drain();
      latencies.push(...sample.latencies);
      queries = sample.queries;
      await engine.stop();
      engine = undefined;
    } else {
      await stopBenchWorkers(workers);
      for (const s of samplesOf(workers)) {
        latencies.push(...s.latencies);
        queries += s.queries;
        rss.peak = Math.max(rss.peak, s.rssMb);
        rss.heap = Math.max(rss.heap, s.heapUsedMb);
      }
    }
    const statuses = await countStatuses(env, bulkChangeId);
    const jasperStats = env.jasper.stats();
    const revioStats = env.revio.stats();
    const calls =
      jasperStats.requests -
      statsBefore.jasper.requests +
      (revioStats.requests - statsBefore.revio.requests);
    const throttled = env.jasper.throttleCounts();
    const jasperThrottled =
      throttled.rate + throttled.concurrency - throttledBefore.rate - throttledBefore.concurrency;
    const accountKey = scenario.accountKey;
    const jasperPeak = jasperStats.peakPerSecond[accountKey] ?? 0;
    const ceiling = ceilingPerSecond(scenario);
    const measured = scenario.devices / (elapsedMs / 1000);
    const ratio = ceiling === undefined ? null : measured / ceiling;
    const processed = statuses.PROCESSED ?? 0;
    if (processed !== scenario.devices) {
      notes.push(
        `only ${processed} of ${scenario.devices} device changes PROCESSED: ${JSON.stringify(statuses)}`,
      );
    }
    let met =
      scenario.target.kind === 'ratio'
        ? ratio !== null && ratio >= scenario.target.value
        : measured >= scenario.target.value;
    if (scenario.rssTargetMb !== undefined && rss.peak > scenario.rssTargetMb) met = false;
    if (processed !== scenario.devices) met = false;
    if (scenario.rateLimited) {
      if (jasperPeak > scenario.jasperLimits.ratePerSecond) {
        met = false;
        notes.push(
          `the account saw ${jasperPeak} calls in one second (limit ${scenario.jasperLimits.ratePerSecond})`,
        );
      }
      if (jasperThrottled > 0)
        notes.push(`${jasperThrottled} calls were throttled by the simulator`);
    }
    sorted(latencies);
    return {
      scenario: scenario.name,
      devices: scenario.devices,
      carrierLatencyMs: scenario.latencyMs,
      callsPerChange: round(calls / scenario.devices, 2),
      concurrency: scenario.concurrency,
      workers: scenario.workers,
      rateLimitPerSec: scenario.rateLimited ? scenario.jasperLimits.ratePerSecond : null,
      limits: {
        jasper: describeLimits(scenario.jasperLimits),
        revio: describeLimits(scenario.revioLimits),
      },
      ceilingPerSec: ceiling === undefined ? null : round(ceiling, 1),
      measuredPerSec: round(measured, 1),
      ratio: ratio === null ? null : round(ratio, 3),
      p50Ms: round(percentile(latencies, 0.5), 1),
      p95Ms: round(percentile(latencies, 0.95), 1),
      peakRssMb: round(rss.peak, 0),
      peakHeapMb: round(rss.heap, 0),
      rssOf: scenario.workers === 0 ? 'bench process' : 'worker',
      database: scenario.database,
      target: describeTarget(scenario),
      met,
      elapsedMs: Math.round(elapsedMs),
      statuses,
      jasperPeakPerSecond: jasperPeak,
      jasperThrottled,
      queriesPerChange: round(queries / scenario.devices, 1),
      ...(submitMs === undefined ? {} : { submitMs }),
      notes,
    };
  } finally {
    if (rssTimer !== undefined) clearInterval(rssTimer);
    await engine?.stop().catch(() => undefined);
    await stopBenchWorkers(workers).catch(() => undefined);
    await sender?.stop().catch(() => undefined);
    await env.close();
  }
}

async function countStatuses(env: BenchEnvironment, bulkChangeId: number) {
  const rows = await env.database.db
    .selectFrom('device_changes')
    .select(['status'])
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('bulk_change_id', '=', bulkChangeId)
    .groupBy('status')
    .execute();
  return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
}

function describeLimits(l: { ratePerSecond: number; maxConcurrent: number }): string {
  return l.ratePerSecond >= 1_000_000
    ? 'not binding (1,000,000/s, 1000 in flight)'
    : `${l.ratePerSecond}/s, ${l.maxConcurrent} in flight`;
}

function describeTarget(s: BenchScenario): string {
  const main = s.target.kind === 'ratio' ? `ratio ≥ ${s.target.value}` : `≥ ${s.target.value}/s`;
  return s.rssTargetMb === undefined ? main : `${main}, RSS ≤ ${s.rssTargetMb} MB`;
}

function sorted(values: number[]): void {
  values.sort((a, b) => a - b);
}

function percentile(sortedValues: readonly number[], p: number): number {
  if (sortedValues.length === 0) return 0;
  const index = Math.min(sortedValues.length - 1, Math.ceil(p * sortedValues.length) - 1);
  return sortedValues[Math.max(0, index)] ?? 0;
}

function round(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
