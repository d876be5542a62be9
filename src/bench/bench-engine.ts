/**
 * The engine of a benchmark or reliability worker, composed from the production factories
 * exactly as `runtime/start-engine.ts` does (engine store, the build's handlers with their
 * carrier gateways and per-account limiters — shared through the database on PostgreSQL —,
 * the message processor, the pg-boss worker and the stall sweeper), with two differences:
 * the engine's timings are settable (a reliability run uses short leases so that a killed
 * worker's claims come back within the run), and an {@link EngineMetrics} collector records
 * what the run reports (device latencies, breaker states, carrier call outcomes).
 */
import type { KyselyPlugin } from 'kysely';
import type { Logger } from 'pino';
import type { AppDatabase } from '../adapters/db/database.ts';
import { createEngineStore } from '../adapters/db/engine-store.ts';
import {
  createPgBossBulkChangeQueue,
  startPgBossWorker,
} from '../adapters/queue/pgboss/pgboss-bulk-change-queue.ts';
import { type PgBossConnection, startPgBossQueue } from '../adapters/queue/pgboss/pgboss-queue.ts';
import type { DeviceRetryPolicy } from '../app/engine/classify-failure.ts';
import { createMessageProcessor } from '../app/engine/process-message.ts';
import { startStallSweeper } from '../app/engine/stall-sweeper.ts';
import type { BulkChangeQueue } from '../app/ports/bulk-change-queue.ts';
import type { SecretBox } from '../domain/secret-ref.ts';
import { createCarrierGateways } from '../runtime/carrier-gateways.ts';
import type { EngineMetrics } from '../runtime/engine-metrics.ts';
import { createHandlers } from '../runtime/start-engine.ts';

/** Engine settings of a bench worker (JSON: it crosses a process boundary). */
export interface BenchEngineSettings {
  /** `PAGE_SIZE`. */
  pageSize: number;
  /** `MAX_PARALLEL_REQUESTS`: device changes at once per message. */
  maxParallel: number;
  /** `WORKER_CONCURRENCY`: messages at once per process. */
  concurrency: number;
  /** Device change lease. @default the engine's (300 s) */
  leaseMs?: number;
  /** Carrier call timeout. @default the gateways' (15 s) */
  carrierTimeoutMs?: number;
  retry?: Partial<DeviceRetryPolicy>;
  /** Stall sweeper. @default the sweeper's (60 s / 120 s) */
  sweeper?: { intervalMs: number; graceMs: number };
  /** pg-boss idle poll. @default 1 s */
  pollingIntervalSeconds?: number;
  /** Send every message twice (reliability runs: at-least-once delivery made certain). */
  duplicateSends?: boolean;
}

/** What the collector saw since it was last drained. */
export interface BenchSample {
  /** Handler time of each device result (ms). */
  latencies: number[];
  /** Results by kind (succeeded, failed, retry, parked, released). */
  results: Record<string, number>;
  /** Accounts whose circuit breaker was seen open (sampled every 100 ms). */
  breakersOpened: string[];
  /** Carrier calls by `api.operation:outcome`. */
  calls: Record<string, number>;
  /** SQL statements the engine (store and shared limiters) sent; pg-boss not included. */
  queries: number;
}

/** Collects {@link BenchSample}s. */
export interface BenchCollector extends EngineMetrics {
  /** Counts one SQL statement. */
  countQuery(): void;
  drain(): BenchSample;
  stop(): void;
}

/** Creates the collector. */
export function createBenchCollector(): BenchCollector {
  let latencies: number[] = [];
  let results: Record<string, number> = {};
  let calls: Record<string, number> = {};
  let queries = 0;
  const opened = new Set<string>();
  const breakers = new Map<string, () => string>();
  const timer = setInterval(() => {
    for (const [account, state] of breakers) if (state() === 'open') opened.add(account);
  }, 100);
  timer.unref();
  return {
    onDeviceResult({ result, ms }) {
      latencies.push(ms);
      results[result.kind] = (results[result.kind] ?? 0) + 1;
    },
    observeCarrierCall(api, operation, outcome) {
      const key = `${api}.${operation}:${outcome}`;
      calls[key] = (calls[key] ?? 0) + 1;
    },
    observeLimiterWait() {},
    watchBreaker(account, state) {
      breakers.set(account, state);
    },
    watchQueue() {},
    countQuery() {
      queries += 1;
    },
    drain() {
      const sample = { latencies, results, breakersOpened: [...opened], calls, queries };
      queries = 0;
      latencies = [];
      results = {};
      calls = {};
      opened.clear();
      return sample;
    },
    stop: () => clearInterval(timer),
  };
}

/** A kysely plugin that counts the statements it sees. */
function countingPlugin(count: () => void): KyselyPlugin {
  return {
    transformQuery(args) {
      count();
      return args.node;
    },
    transformResult: async (args) => args.result,
  };
}

/** A running bench engine. */
export interface BenchEngine {
  readonly queue: BulkChangeQueue;
  readonly collector: BenchCollector;
  stop(): Promise<void>;
}

/**
 * Starts pg-boss and the engine on `database`.
 *
 * @example
 * const engine = await startBenchEngine({ database, secretBox, logger, pgboss, settings });
 * await engine.queue.send({ bulkChangeId, retryNumber: 0 });
 */
export async function startBenchEngine(options: {
  database: AppDatabase;
  secretBox: SecretBox;
  logger: Logger;
  pgboss: PgBossConnection;
  settings: BenchEngineSettings;
  workerId?: string;
}): Promise<BenchEngine> {
  const { database, settings, logger } = options;
  const collector = createBenchCollector();
  const pgboss = await startPgBossQueue({ connection: options.pgboss, logger });
  const sent = createPgBossBulkChangeQueue(pgboss.boss);
  const queue: BulkChangeQueue = settings.duplicateSends
    ? {
        async send(message, sendOptions) {
          await sent.send(message, sendOptions);
          await sent.send(message, sendOptions);
        },
      }
    : sent;
  const db = database.db.withPlugin(countingPlugin(() => collector.countQuery()));
  const store = createEngineStore(db);
  const gateways = createCarrierGateways({
    secretBox: options.secretBox,
    ...(database.kind === 'postgres' ? { sharedLimitsDb: db } : {}),
    ...(settings.carrierTimeoutMs === undefined ? {} : { timeoutMs: settings.carrierTimeoutMs }),
    metrics: collector,
  });
  const processMessage = createMessageProcessor(
    { store, handlers: createHandlers({ gateways, store }), queue, logger },
    {
      pageSize: settings.pageSize,
      maxParallel: settings.maxParallel,
      ...(settings.leaseMs === undefined ? {} : { leaseMs: settings.leaseMs }),
      ...(settings.retry === undefined ? {} : { retry: settings.retry }),
      ...(options.workerId === undefined ? {} : { workerId: options.workerId }),
      onDeviceResult: (event) => collector.onDeviceResult(event),
    },
  );
  const worker = await startPgBossWorker(pgboss.boss, {
    process: processMessage,
    logger,
    concurrency: settings.concurrency,
    pollingIntervalSeconds: settings.pollingIntervalSeconds ?? 1,
  });
  const sweeper = startStallSweeper({
    store,
    queue,
    logger,
    ...(settings.sweeper === undefined ? {} : settings.sweeper),
  });
  return {
    queue,
    collector,
    async stop() {
      sweeper.stop();
      collector.stop();
      await worker.stop();
      await pgboss.stop();
    },
  };
}
