/**
 * Bulk-change level writes of the engine store: starting, failing every open device change,
 * remaining work and continuation wakeups, completion (exactly once, with its outbox row),
 * ERROR, and finding bulk changes whose continuation was lost.
 */
import { type Kysely, sql } from 'kysely';
import type { EngineStore } from '../../app/ports/engine-store.ts';
import { announceCompletion, failOpen, writeLogForEach } from './engine-store-shared.ts';
import type { Database } from './schema.ts';

/** The bulk-change lifecycle part of {@link EngineStore}. */
export type EngineLifecycleStore = Pick<
  EngineStore,
  | 'startBulkChange'
  | 'failOpenDeviceChanges'
  | 'openWork'
  | 'scheduleWakeup'
  | 'clearDueWakeup'
  | 'finishIfComplete'
  | 'markBulkChangeError'
  | 'findStalled'
>;

/**
 * Creates the lifecycle part of the engine store.
 *
 * @example
 * await createEngineLifecycleStore(db).finishIfComplete(42);
 */
export function createEngineLifecycleStore(db: Kysely<Database>): EngineLifecycleStore {
  return {
    async startBulkChange(id) {
      await db.transaction().execute(async (trx) => {
        await trx
          .updateTable('bulk_changes')
          .set({ status: 'PROCESSING', started_at: sql`coalesce(started_at, now())` })
          .where('id', '=', id)
          .where('status', '=', 'NEW')
          .execute();
        await trx
          .updateTable('device_changes')
          .set({ status: 'PENDING' })
          .where('bulk_change_id', '=', id)
          .where('status', '=', 'NEW')
          .execute();
      });
    },

    async failOpenDeviceChanges(bulkChangeId, details, log) {
      return db.transaction().execute(async (trx) => {
        const failed = await failOpen(trx, bulkChangeId, details, details);
        await writeLogForEach(trx, bulkChangeId, failed, log);
        return failed.length;
      });
    },

    async openWork(bulkChangeId) {
      const row = await sql<{ open: number; due_at: Date | null }>`
        select count(*)::int as open,
               min(case when status = 'PROCESSING' then lease_expires_at
                        else coalesce(not_before, now()) end) as due_at
        from device_changes
        where bulk_change_id = ${bulkChangeId} and status in ('NEW', 'PENDING', 'PROCESSING')`.execute(
        db,
      );
      const first = row.rows[0];
      return { open: Number(first?.open ?? 0), dueAt: first?.due_at ?? null };
    },

    async scheduleWakeup(bulkChangeId, at) {
      const updated = await db
        .updateTable('bulk_changes')
        .set({ next_wakeup_at: at })
        .where('id', '=', bulkChangeId)
        .where('status', '=', 'PROCESSING')
        .where((eb) =>
          eb.or([
            eb('next_wakeup_at', 'is', null),
            eb('next_wakeup_at', '>', at),
            eb('next_wakeup_at', '<', sql<Date>`now()`),
          ]),
        )
        .returning('id')
        .executeTakeFirst();
      return updated !== undefined;
    },

    async clearDueWakeup(bulkChangeId) {
      await db
        .updateTable('bulk_changes')
        .set({ next_wakeup_at: null })
        .where('id', '=', bulkChangeId)
        .where('next_wakeup_at', '<=', sql<Date>`now() + interval '1 second'`)
        .execute();
    },

    async finishIfComplete(bulkChangeId) {
      return db.transaction().execute(async (trx) => {
        const done = await sql<{ id: number }>`
          update bulk_changes set status = 'PROCESSED', processed_at = now(), next_wakeup_at = null
          where id = ${bulkChangeId} and status = 'PROCESSING'
            and not exists (
              select 1 from device_changes
              where bulk_change_id = ${bulkChangeId} and status in ('NEW', 'PENDING', 'PROCESSING'))
          returning id`.execute(trx);
        if (done.rows.length === 0) return false;
        const counts = await trx
          .selectFrom('device_changes')
          .select(['status', sql<number>`count(*)::int`.as('n')])
          .where('bulk_change_id', '=', bulkChangeId)
          .groupBy('status')
          .execute();
        await announceCompletion(trx, bulkChangeId, {
          status: 'PROCESSED',
          counts: Object.fromEntries(counts.map((c) => [c.status, Number(c.n)])),
        });
        return true;
      });
    },

    async markBulkChangeError(bulkChangeId, errorText) {
      await db.transaction().execute(async (trx) => {
        const updated = await trx
          .updateTable('bulk_changes')
          .set({
            status: 'ERROR',
            error_text: errorText,
            processed_at: sql`now()`,
            next_wakeup_at: null,
          })
          .where('id', '=', bulkChangeId)
          .where('status', 'in', ['NEW', 'PROCESSING'])
          .returning('id')
          .executeTakeFirst();
        if (updated === undefined) return;
        const details = `Not processed: the bulk change failed (${errorText})`;
        const failed = await failOpen(trx, bulkChangeId, details, errorText);
        await writeLogForEach(trx, bulkChangeId, failed, {
          description: 'Bulk change failed',
          responseStatus: 'API_FAILED',
          hasErrors: true,
          errorText,
        });
        await announceCompletion(trx, bulkChangeId, { status: 'ERROR', error: errorText });
      });
    },

    async findStalled(graceMs, limit) {
      const rows = await sql<{ id: number }>`
        select b.id from bulk_changes b
        where b.status = 'PROCESSING'
          and coalesce(b.next_wakeup_at, b.last_progress_at, b.started_at, b.created_at)
              < now() - ${`${graceMs} milliseconds`}::interval
        order by b.id
        limit ${limit}`.execute(db);
      return rows.rows.map((r) => Number(r.id));
    },
  };
}
