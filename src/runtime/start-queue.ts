/**
 * Starts the queue adapter the configuration asks for: pg-boss on the service's own database
 * in local and server modes, Amazon SQS in aws mode. Either way the caller gets the engine's
 * {@link BulkChangeQueue} port, a health probe and `stop()`; {@link startEngine} decides how
 * messages are worked.
 */
import { createPgBossBulkChangeQueue } from '../adapters/queue/pgboss/pgboss-bulk-change-queue.ts';
import { type PgBossQueue, startPgBossQueue } from '../adapters/queue/pgboss/pgboss-queue.ts';
import type { HealthProbe } from '../app/health.ts';
import type { BulkChangeQueue } from '../app/ports/bulk-change-queue.ts';
import type { Runtime } from './open-runtime.ts';
import { type OpenSqs, openSqs, type SqsClientOverrides } from './start-sqs.ts';

interface StartedQueueBase {
  /** Where the engine and the API send bulk-change messages. */
  readonly queue: BulkChangeQueue;
  /** Queue state for `GET /health`. */
  readonly probe: HealthProbe;
  /** Stops the adapter (pg-boss) or releases its client (SQS). */
  stop(): Promise<void>;
}

/** pg-boss (local and server modes). */
export interface StartedPgBossQueue extends StartedQueueBase {
  readonly kind: 'pgboss';
  readonly pgboss: PgBossQueue;
}

/** Amazon SQS (aws mode). */
export interface StartedSqsQueue extends StartedQueueBase {
  readonly kind: 'sqs';
  readonly sqs: OpenSqs;
}

/** The queue of this process. */
export type StartedQueue = StartedPgBossQueue | StartedSqsQueue;

/** Options of {@link startQueue}. */
export interface StartQueueOptions {
  /** SQS client settings that are not configuration (tests: emulator credentials). */
  sqsClient?: SqsClientOverrides;
}

/**
 * Starts the queue of the runtime's mode.
 *
 * @example
 * const queue = await startQueue(runtime);
 * await queue.queue.send({ bulkChangeId: 42, retryNumber: 0 });
 * await queue.stop();
 */
export async function startQueue(
  runtime: Runtime,
  options: StartQueueOptions = {},
): Promise<StartedQueue> {
  if (runtime.config.mode === 'aws') {
    const sqs = openSqs(runtime.config, options.sqsClient);
    return {
      kind: 'sqs',
      sqs,
      queue: sqs.queue,
      probe: sqs.queue.probe,
      async stop() {
        sqs.close();
      },
    };
  }
  const pgboss = await startPgBoss(runtime);
  return {
    kind: 'pgboss',
    pgboss,
    queue: createPgBossBulkChangeQueue(pgboss.boss),
    probe: pgboss.probe,
    stop: () => pgboss.stop(),
  };
}

/** Starts pg-boss on the runtime's database. */
async function startPgBoss(runtime: Runtime): Promise<PgBossQueue> {
  const { database, config, logger } = runtime;
  if (database.kind === 'pglite') {
    return startPgBossQueue({ connection: { kind: 'pglite', pglite: database.pglite }, logger });
  }
  if (config.database.kind !== 'postgres') throw new Error('database and configuration disagree');
  return startPgBossQueue({
    connection: { kind: 'postgres', url: config.database.url, poolSize: config.database.poolSize },
    logger,
  });
}
