/**
 * Starts the queue adapter the configuration asks for. Local and server modes use pg-boss on
 * the service's own database; the aws mode (SQS) arrives with the engine issue.
 */
import { type PgBossQueue, startPgBossQueue } from '../adapters/queue/pgboss/pgboss-queue.ts';
import type { Runtime } from './open-runtime.ts';

/** Starts pg-boss on the runtime's database. */
export async function startQueue(runtime: Runtime): Promise<PgBossQueue> {
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
