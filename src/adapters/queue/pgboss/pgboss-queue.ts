/**
 * pg-boss, the queue of local and server modes, on the same database as the data: embedded
 * PGlite (backend profile `pglite`) or PostgreSQL (its own `pgboss` schema).
 *
 * This module starts pg-boss, makes sure the bulk-change queue and its dead-letter queue exist
 * and reports their state for `/health`. Sending and working messages is the engine's part.
 */
import { fromPglite, type PGliteLike, PgBoss } from 'pg-boss';
import type { Logger } from 'pino';
import type { HealthProbe } from '../../../app/health.ts';

/** Name of the queue that carries bulk-change messages. */
export const BULK_CHANGE_QUEUE = 'bulk-change';
/** Where messages go after their last failed attempt. */
export const BULK_CHANGE_DEAD_LETTER_QUEUE = 'bulk-change-dlq';

/** How pg-boss reaches the database. */
export type PgBossConnection =
  | { readonly kind: 'pglite'; readonly pglite: PGliteLike }
  | { readonly kind: 'postgres'; readonly url: string; readonly poolSize: number };

/** A started pg-boss with its health probe. */
export interface PgBossQueue {
  readonly boss: PgBoss;
  readonly probe: HealthProbe;
  stop(): Promise<void>;
}

/**
 * Starts pg-boss and ensures the queues exist.
 *
 * @example
 * const queue = await startPgBossQueue({ connection: { kind: 'postgres', url, poolSize: 4 }, logger });
 * await queue.stop();
 */
export async function startPgBossQueue(options: {
  connection: PgBossConnection;
  logger: Logger;
  /** Schema pg-boss installs into. @default 'pgboss' */
  schema?: string;
  /** Run pg-boss maintenance (supervision) in this process. @default true */
  supervise?: boolean;
}): Promise<PgBossQueue> {
  const { connection, logger } = options;
  const schema = options.schema ?? 'pgboss';
  const boss =
    connection.kind === 'pglite'
      ? new PgBoss({
          db: fromPglite(connection.pglite),
          backend: 'pglite',
          schema,
          supervise: options.supervise ?? true,
        })
      : new PgBoss({
          connectionString: connection.url,
          max: Math.max(2, Math.min(connection.poolSize, 10)),
          schema,
          supervise: options.supervise ?? true,
          application_name: 'device-bulk-change',
        });
  boss.on('error', (error) => logger.error({ err: error }, 'pg-boss error'));
  await boss.start();
  try {
    await ensureQueue(boss, BULK_CHANGE_DEAD_LETTER_QUEUE, {});
    // 3 retries = 4 deliveries, the original's RetryNumber 0..3; then the dead-letter queue.
    await ensureQueue(boss, BULK_CHANGE_QUEUE, {
      deadLetter: BULK_CHANGE_DEAD_LETTER_QUEUE,
      retryLimit: 3,
      retryDelay: 5,
      retryBackoff: true,
      expireInSeconds: 300,
    });
  } catch (error) {
    // A started pg-boss keeps polling: left running, it would outlive the database it uses.
    await boss.stop({ graceful: false, timeout: 1_000 }).catch(() => undefined);
    throw error;
  }

  let stopped = false;
  return {
    boss,
    probe: {
      name: 'queue',
      async check() {
        if (stopped) throw new Error('queue stopped');
        const [main, dead] = await Promise.all([
          boss.getQueue(BULK_CHANGE_QUEUE),
          boss.getQueue(BULK_CHANGE_DEAD_LETTER_QUEUE),
        ]);
        if (main === null || dead === null) throw new Error('bulk-change queues are missing');
        return {
          kind: 'pg-boss',
          queue: BULK_CHANGE_QUEUE,
          queued: main.queuedCount,
          active: main.activeCount,
          deferred: main.deferredCount,
          deadLettered: dead.queuedCount,
        };
      },
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      await boss.stop({ graceful: true, timeout: 10_000 });
    },
  };
}

async function ensureQueue(
  boss: PgBoss,
  name: string,
  options: NonNullable<Parameters<PgBoss['createQueue']>[1]>,
): Promise<void> {
  if ((await boss.getQueue(name)) !== null) {
    // Existing installations get the current retry settings (pg-boss refuses an empty update).
    if (Object.keys(options).length > 0) await boss.updateQueue(name, options);
    return;
  }
  try {
    await boss.createQueue(name, options);
  } catch (error) {
    // Another process may have created it between the check and the create.
    if ((await boss.getQueue(name)) === null) throw error;
  }
}
