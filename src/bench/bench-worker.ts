/**
 * A bench / reliability worker PROCESS: the engine of `bench-engine.ts` on PostgreSQL, with the
 * settings of one JSON object in `BENCH_WORKER` ({@link BenchWorkerConfig}). It reports on
 * stdout, one JSON object per line ({@link BenchWorkerEvent}): `ready`, then every
 * `sampleMs` a `sample` with its resident set size and what the collector saw. SIGTERM stops
 * it gracefully (a last sample is written first); the reliability suite SIGKILLs it.
 *
 * Run: `node src/bench/bench-worker.ts` (Node 24 strips the types); spawned by
 * {@link spawnBenchWorker}.
 */
import { writeSync } from 'node:fs';
import { pino } from 'pino';
import { createDatabase } from '../adapters/db/database.ts';
import { createSecretBox } from '../adapters/secrets/secret-box.ts';
import { processEnv } from '../config/env.ts';
import { type BenchEngineSettings, type BenchSample, startBenchEngine } from './bench-engine.ts';

/** Settings of one worker process. */
export interface BenchWorkerConfig {
  name: string;
  databaseUrl: string;
  /** base64 of the key the seeded credentials are sealed with. */
  secretsKey: string;
  settings: BenchEngineSettings;
  /** @default 250 */
  sampleMs?: number;
  /** @default 'warn' */
  logLevel?: string;
  /** PostgreSQL connections of the engine. @default min(12, parallel device changes + 2) */
  poolSize?: number;
}

/** What a worker process reports. */
export type BenchWorkerEvent =
  | { event: 'ready'; worker: string; pid: number }
  | ({
      event: 'sample';
      worker: string;
      at: number;
      rssMb: number;
      /** V8 heap in use (what the engine's objects take, unlike RSS). */
      heapUsedMb: number;
    } & BenchSample);

function emit(event: BenchWorkerEvent): void {
  // Synchronous: a SIGKILL right after must not lose a line (stdout on a pipe is asynchronous).
  writeSync(1, `${JSON.stringify(event)}\n`);
}

async function main(): Promise<void> {
  const raw = processEnv().BENCH_WORKER;
  if (raw === undefined) throw new Error('BENCH_WORKER (JSON settings) is not set');
  const config = JSON.parse(raw) as BenchWorkerConfig;
  const logger = pino(
    { level: config.logLevel ?? 'warn', base: { worker: config.name } },
    pino.destination(2),
  );
  const database = await createDatabase({
    kind: 'postgres',
    url: config.databaseUrl,
    poolSize: Math.max(
      4,
      Math.min(20, config.settings.maxParallel * config.settings.concurrency + 2),
    ),
  });
  const engine = await startBenchEngine({
    database,
    secretBox: createSecretBox({ key: Buffer.from(config.secretsKey, 'base64'), env: {} }),
    logger,
    pgboss: { kind: 'postgres', url: config.databaseUrl, poolSize: 3 },
    settings: config.settings,
    workerId: `${config.name}:${process.pid}`,
  });
  const sample = () =>
    emit({
      event: 'sample',
      worker: config.name,
      at: Date.now(),
      rssMb: process.memoryUsage.rss() / 1_048_576,
      heapUsedMb: process.memoryUsage().heapUsed / 1_048_576,
      ...engine.collector.drain(),
    });
  const timer = setInterval(sample, config.sampleMs ?? 250);
  emit({ event: 'ready', worker: config.name, pid: process.pid });

  let stopping = false;
  process.on('SIGTERM', () => {
    if (stopping) return;
    stopping = true;
    clearInterval(timer);
    const force = setTimeout(() => process.exit(0), 8000);
    force.unref();
    void (async () => {
      await engine.stop();
      sample();
      await database.close();
      process.exit(0);
    })().catch((error: unknown) => {
      logger.error({ err: error }, 'stop failed');
      process.exit(1);
    });
  });
}

await main();
