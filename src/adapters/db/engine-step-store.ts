/**
 * Step idempotency records of the engine (`idempotency_records`, key `dc:<id>:<step>`):
 * IN_PROGRESS before a carrier call, COMPLETED with its result and log rows after.
 */
import { type Kysely, sql } from 'kysely';
import type { StepRecord, StepStore } from '../../app/ports/engine-store.ts';
import { writeLogs } from './engine-store-shared.ts';
import type { Database } from './schema.ts';

/** Step records are kept this long (re-deliveries and retries happen well within it). */
const STEP_TTL = '30 days';

/**
 * Creates the step store.
 *
 * @example
 * const steps = createEngineStepStore(db);
 * await steps.begin('dc:7:jasper.editDevice'); // { state: 'new' }
 */
export function createEngineStepStore(db: Kysely<Database>): StepStore {
  return {
    async begin(key): Promise<StepRecord> {
      const inserted = await sql<{ key: string }>`
      insert into idempotency_records (key, status, expires_at)
      values (${key}, 'IN_PROGRESS', now() + ${STEP_TTL}::interval)
      on conflict (key) do nothing
      returning key`.execute(db);
      if (inserted.rows.length > 0) return { state: 'new' };
      const row = await db
        .selectFrom('idempotency_records')
        .select(['status', 'result'])
        .where('key', '=', key)
        .executeTakeFirst();
      if (row === undefined) return { state: 'new' };
      return row.status === 'COMPLETED'
        ? { state: 'completed', result: row.result }
        : { state: 'in-progress' };
    },
    async complete(key, result, log) {
      await db.transaction().execute(async (trx) => {
        await sql`
        insert into idempotency_records (key, status, result, expires_at, updated_at)
        values (${key}, 'COMPLETED', ${JSON.stringify(result ?? null)}::jsonb, now() + ${STEP_TTL}::interval, now())
        on conflict (key) do update set status = 'COMPLETED', result = excluded.result, updated_at = now()`.execute(
          trx,
        );
        if (log !== undefined)
          await writeLogs(trx, log.bulkChangeId, log.deviceChangeId, log.entries);
      });
    },
  };
}
