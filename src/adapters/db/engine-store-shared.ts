/**
 * What the engine store's parts share: the bulk change log writer, the statuses that count as
 * open, and the completion announcement (one outbox row per bulk change, whatever happens).
 */
import { type Kysely, sql, type Transaction } from 'kysely';
import type { LogEntry } from '../../app/ports/engine-store.ts';
import { chunk } from './repositories/db-helpers.ts';
import type { Database } from './schema.ts';

/** Device change statuses that are not terminal. */
export const OPEN_STATUSES = ['NEW', 'PENDING', 'PROCESSING'] as const;
/** `processed_by` of log rows the engine writes. */
export const PROCESSED_BY = 'device-bulk-change';

type Db = Kysely<Database> | Transaction<Database>;

/** Appends log entries of one device change (or of the bulk change when `deviceChangeId` is null). */
export async function writeLogs(
  db: Db,
  bulkChangeId: number,
  deviceChangeId: number | null,
  entries: readonly LogEntry[],
): Promise<void> {
  if (entries.length === 0) return;
  await db
    .insertInto('bulk_change_logs')
    .values(entries.map((e) => logRow(bulkChangeId, deviceChangeId, e)))
    .execute();
}

/** Appends the same entry to many device changes, in a few multi-row inserts. */
export async function writeLogForEach(
  db: Db,
  bulkChangeId: number,
  deviceChangeIds: readonly number[],
  entry: LogEntry,
): Promise<void> {
  for (const part of chunk(deviceChangeIds, 1000)) {
    await db
      .insertInto('bulk_change_logs')
      .values(part.map((id) => logRow(bulkChangeId, id, entry)))
      .execute();
  }
}

function logRow(bulkChangeId: number, deviceChangeId: number | null, e: LogEntry) {
  return {
    bulk_change_id: bulkChangeId,
    device_change_id: deviceChangeId,
    description: e.description,
    request_text: e.requestText ?? null,
    response_text: e.responseText ?? null,
    response_status: e.responseStatus ?? null,
    has_errors: e.hasErrors,
    error_text: e.errorText ?? null,
    processed_by: PROCESSED_BY,
  };
}

/** Fails every open device change of a bulk change with `details`; returns their ids. */
export async function failOpen(
  trx: Db,
  bulkChangeId: number,
  details: string,
  lastError: string,
): Promise<number[]> {
  const failed = await trx
    .updateTable('device_changes')
    .set({
      status: 'API_FAILED',
      status_details: details,
      has_errors: true,
      last_error: lastError,
      processed_at: sql`now()`,
      lease_owner: null,
      lease_expires_at: null,
      not_before: null,
    })
    .where('bulk_change_id', '=', bulkChangeId)
    .where('status', 'in', OPEN_STATUSES)
    .returning('id')
    .execute();
  return failed.map((r) => r.id);
}

/**
 * Inserts the `bulkChange.completed` outbox row of a completion (kept once by its key). Callers
 * announce only from a conditional status transition (PROCESSING → PROCESSED, or → ERROR), so
 * each completion announces once; the first completion's key is `bulk-change-completed:<id>`,
 * and a completion after a user retry reopened the bulk change gets
 * `bulk-change-completed:<id>:<processed_at>`, so that it is notified too (the payload's
 * `processedAt` tells a repeat of the same completion, which keeps the first key, from it). The payload always
 * carries `bulkChangeId`, `changeType`, `tenantId` and `serviceProviderId`, so
 * a notifier can build its report (e.g. the username report from the bulk change's
 * `device_history` rows) without guessing what the bulk change was.
 */
export async function announceCompletion(
  trx: Db,
  bulkChangeId: number,
  payload: Record<string, unknown>,
): Promise<void> {
  const bulk = await trx
    .selectFrom('bulk_changes')
    .select(['change_type', 'tenant_id', 'service_provider_id', 'processed_at'])
    .where('id', '=', bulkChangeId)
    .executeTakeFirst();
  const firstKey = `bulk-change-completed:${bulkChangeId}`;
  const processedAt = (bulk?.processed_at ?? new Date()).toISOString();
  const first = await trx
    .selectFrom('notification_outbox')
    .select('payload')
    .where('dedupe_key', '=', firstKey)
    .executeTakeFirst();
  // The same completion announced again keeps the first key (and is dropped by it); a later
  // completion (the bulk change was reopened by a retry and finished anew) gets its own.
  const firstAt = (first?.payload as { processedAt?: unknown } | undefined)?.processedAt;
  const dedupeKey =
    first === undefined || firstAt === undefined || firstAt === processedAt
      ? firstKey
      : `${firstKey}:${processedAt}`;
  const identity =
    bulk === undefined
      ? {}
      : {
          changeType: bulk.change_type,
          tenantId: bulk.tenant_id,
          serviceProviderId: bulk.service_provider_id,
        };
  await trx
    .insertInto('notification_outbox')
    .values({
      kind: 'bulkChange.completed',
      payload: JSON.stringify({ bulkChangeId, ...identity, processedAt, ...payload }),
      dedupe_key: dedupeKey,
    })
    .onConflict((oc) => oc.column('dedupe_key').doNothing())
    .execute();
}
