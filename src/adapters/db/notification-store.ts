/**
 * {@link NotificationStore} over kysely (PGlite and PostgreSQL): outbox claims limited to the
 * dispatcher's kinds, the fan-out transaction, delivery attempts, and the paged reads of a
 * finished bulk change (results, failures, webhook pages with logs, username report built
 * from `device_history`).
 */
import { type Kysely, sql } from 'kysely';
import { NotificationKind, WebhookEvent } from '../../app/notifications/notification-kinds.ts';
import type {
  CompletedBulkChange,
  DeviceChangeResult,
  NotificationStore,
  UsernameReportLine,
  UsernameValues,
} from '../../app/ports/notification-store.ts';
import { toJson } from './repositories/db-helpers.ts';
import { createOutboxRepository } from './repositories/outbox-repository.ts';
import type { Database, DeviceChange } from './schema.ts';

const FAILED_STATUSES = ['API_FAILED', 'ERROR', 'CANCELLED'] as const;

/** `device_history.field` → username report value. */
const REPORT_FIELDS = {
  username: 'username',
  cost_center_1: 'costCenter1',
  cost_center_2: 'costCenter2',
  cost_center_3: 'costCenter3',
} as const satisfies Record<string, keyof UsernameValues>;

type ReportColumn = keyof typeof REPORT_FIELDS;

/**
 * Creates the notification store.
 *
 * @example
 * const store = createNotificationStore(database.db);
 * const items = await store.claim(DISPATCHER_KINDS, { limit: 10, leaseMs: 300_000, now: new Date() });
 */
export function createNotificationStore(db: Kysely<Database>): NotificationStore {
  const outbox = createOutboxRepository(db);

  return {
    async claim(kinds, options) {
      const rows = await outbox.claimDue({ ...options, kinds });
      return rows.map((r) => ({
        id: r.id,
        kind: r.kind,
        payload: (r.payload ?? {}) as Record<string, unknown>,
        attempts: r.attempts,
      }));
    },

    async enqueueProgress(since, bucket) {
      // one statement: concurrent dispatchers insert the same keys, and the unique dedupe key
      // keeps one row per bulk change and bucket
      const result = await sql`
        insert into notification_outbox (kind, payload, dedupe_key)
        select ${NotificationKind.Webhook},
          jsonb_build_object(
            'bulkChangeId', b.id, 'event', ${WebhookEvent.Progress}::text,
            'page', 1, 'pages', 1, 'pageSize', 1,
            'webhookId', 'msg_bulkchange_' || b.id || '_progress_' || ${String(bucket)}::text),
          'webhook:bulk-change-progress:' || b.id || ':' || ${String(bucket)}::text
        from bulk_changes b
        join tenants t on t.id = b.tenant_id
        where b.status = 'PROCESSING'
          and b.last_progress_at >= ${since}
          and t.settings ->> 'webhookProgress' = 'true'
          and coalesce(t.settings ->> 'webhookUrl', '') <> ''
        on conflict (dedupe_key) do nothing`.execute(db);
      return Number(result.numAffectedRows ?? 0n);
    },

    async loadBulkChange(bulkChangeId) {
      const row = await db
        .selectFrom('bulk_changes as bc')
        .innerJoin('tenants as t', 't.id', 'bc.tenant_id')
        .innerJoin('service_providers as sp', 'sp.id', 'bc.service_provider_id')
        .select([
          'bc.id',
          'bc.tenant_id',
          't.name as tenant_name',
          't.settings',
          'bc.service_provider_id',
          'sp.name as sp_name',
          'sp.integration',
          'bc.change_type',
          'bc.status',
          'bc.request',
          'bc.total',
          'bc.created_by',
          'bc.created_at',
          'bc.processed_at',
          'bc.error_text',
        ])
        .where('bc.id', '=', bulkChangeId)
        .executeTakeFirst();
      if (row === undefined) return undefined;
      const counts = await db
        .selectFrom('device_changes')
        .select(['status', sql<number>`count(*)::int`.as('n')])
        .where('bulk_change_id', '=', bulkChangeId)
        .groupBy('status')
        .execute();
      const settings = (row.settings ?? {}) as Record<string, unknown>;
      const emails = Array.isArray(settings.notificationEmails)
        ? settings.notificationEmails.filter(
            (e): e is string => typeof e === 'string' && e.trim() !== '',
          )
        : [];
      const webhookUrl =
        typeof settings.webhookUrl === 'string' && settings.webhookUrl.trim() !== ''
          ? settings.webhookUrl.trim()
          : null;
      const result: CompletedBulkChange = {
        id: row.id,
        tenantId: row.tenant_id,
        tenantName: row.tenant_name,
        serviceProviderId: row.service_provider_id,
        serviceProviderName: row.sp_name,
        integration: row.integration,
        changeType: row.change_type,
        status: row.status,
        request: (row.request ?? {}) as Record<string, unknown>,
        total: row.total,
        createdBy: row.created_by,
        createdAt: row.created_at,
        processedAt: row.processed_at,
        errorText: row.error_text,
        counts: Object.fromEntries(counts.map((c) => [c.status, Number(c.n)])),
        settings: {
          notificationEmails: emails,
          webhookUrl,
          webhookProgress: settings.webhookProgress === true,
        },
      };
      return result;
    },

    async fanOut(completionId, items) {
      await db.transaction().execute(async (trx) => {
        if (items.length > 0) {
          await trx
            .insertInto('notification_outbox')
            .values(
              items.map((i) => ({
                kind: i.kind,
                payload: toJson(i.payload),
                dedupe_key: i.dedupeKey,
              })),
            )
            .onConflict((oc) => oc.column('dedupe_key').doNothing())
            .execute();
        }
        await trx
          .updateTable('notification_outbox')
          .set({ status: 'SENT', sent_at: new Date(), last_error: null })
          .where('id', '=', completionId)
          .execute();
      });
    },

    markSent: (id) => outbox.markSent(id),
    markFailed: (id, error, retryAt) => outbox.markFailed(id, error, retryAt),

    async recordAttempt(a) {
      await db
        .insertInto('notification_attempts')
        .values({
          outbox_id: a.outboxId,
          channel: a.channel,
          delivery_id: a.deliveryId,
          attempt: Math.max(1, a.attempt),
          target: a.target,
          status_code: a.statusCode,
          succeeded: a.succeeded,
          error: a.error,
          duration_ms: Math.max(0, Math.round(a.durationMs)),
        })
        .execute();
    },

    async listFailures(bulkChangeId, limit) {
      const rows = await db
        .selectFrom('device_changes')
        .select(['row_number', 'identifier', 'status', 'status_details'])
        .where('bulk_change_id', '=', bulkChangeId)
        .where('status', 'in', FAILED_STATUSES)
        .orderBy('row_number')
        .limit(limit)
        .execute();
      return rows.map((r) => ({
        rowNumber: r.row_number,
        identifier: r.identifier,
        status: r.status,
        details: r.status_details,
      }));
    },

    async *deviceResults(bulkChangeId, pageSize) {
      let after = 0;
      for (;;) {
        const rows = await db
          .selectFrom('device_changes')
          .selectAll()
          .where('bulk_change_id', '=', bulkChangeId)
          .where('row_number', '>', after)
          .orderBy('row_number')
          .limit(pageSize)
          .execute();
        if (rows.length === 0) return;
        yield rows.map(toResult);
        after = rows[rows.length - 1]?.row_number ?? after;
        if (rows.length < pageSize) return;
      }
    },

    async deviceChangesPage(bulkChangeId, page, pageSize) {
      const rows = await db
        .selectFrom('device_changes')
        .selectAll()
        .where('bulk_change_id', '=', bulkChangeId)
        .orderBy('row_number')
        .offset((page - 1) * pageSize)
        .limit(pageSize)
        .execute();
      if (rows.length === 0) return [];
      const logs = await db
        .selectFrom('bulk_change_logs')
        .selectAll()
        .where('bulk_change_id', '=', bulkChangeId)
        .where(
          'device_change_id',
          'in',
          rows.map((r) => r.id),
        )
        .orderBy('id')
        .execute();
      const byChange = new Map<number, typeof logs>();
      for (const log of logs) {
        const list = byChange.get(log.device_change_id ?? 0) ?? [];
        list.push(log);
        byChange.set(log.device_change_id ?? 0, list);
      }
      return rows.map((r) => ({
        ...toResult(r),
        logEntries: (byChange.get(r.id) ?? []).map((l) => ({
          processedAt: l.processed_at,
          description: l.description,
          responseStatus: l.response_status,
          requestText: l.request_text,
          responseText: l.response_text,
          hasErrors: l.has_errors,
          errorText: l.error_text,
        })),
      }));
    },

    async *usernameReport(bulkChangeId, pageSize) {
      const bc = await db
        .selectFrom('bulk_changes')
        .select('created_by')
        .where('id', '=', bulkChangeId)
        .executeTakeFirst();
      if (bc === undefined) return;
      let after = 0;
      for (;;) {
        const rows = await db
          .selectFrom('device_changes as dc')
          .leftJoin('devices as d', 'd.id', 'dc.device_id')
          .leftJoin('rev_customers as rc', 'rc.id', 'd.rev_customer_id')
          .select([
            'dc.id',
            'dc.iccid',
            'dc.msisdn',
            'dc.processed_at',
            'd.iccid as device_iccid',
            'd.msisdn as device_msisdn',
            'd.username',
            'd.cost_center_1',
            'd.cost_center_2',
            'd.cost_center_3',
            'rc.name as customer',
          ])
          .where('dc.bulk_change_id', '=', bulkChangeId)
          .where('dc.status', '=', 'PROCESSED')
          .where('dc.id', '>', after)
          .orderBy('dc.id')
          .limit(pageSize)
          .execute();
        if (rows.length === 0) return;
        const history = await db
          .selectFrom('device_history')
          .select(['device_change_id', 'field', 'previous_value', 'new_value', 'changed_at'])
          .where('bulk_change_id', '=', bulkChangeId)
          .where(
            'device_change_id',
            'in',
            rows.map((r) => r.id),
          )
          .where('field', 'in', Object.keys(REPORT_FIELDS))
          .orderBy('id')
          .execute();
        const lines: UsernameReportLine[] = rows.map((r) => {
          const current: UsernameValues = {
            username: r.username,
            costCenter1: r.cost_center_1,
            costCenter2: r.cost_center_2,
            costCenter3: r.cost_center_3,
          };
          const previous = { ...current };
          const next = { ...current };
          const changed: Array<keyof UsernameValues> = [];
          let changedAt: Date | null = null;
          for (const h of history) {
            if (h.device_change_id !== r.id) continue;
            const key = REPORT_FIELDS[h.field as ReportColumn];
            if (!changed.includes(key)) {
              changed.push(key);
              previous[key] = h.previous_value;
            }
            next[key] = h.new_value;
            changedAt = h.changed_at;
          }
          return {
            deviceChangeId: r.id,
            customer: r.customer,
            iccid: r.iccid ?? r.device_iccid,
            msisdn: r.msisdn ?? r.device_msisdn,
            previous,
            next,
            changed,
            changedAt: changedAt ?? r.processed_at,
            changedBy: bc.created_by,
          };
        });
        yield lines;
        after = rows[rows.length - 1]?.id ?? after;
        if (rows.length < pageSize) return;
      }
    },
  };
}

function toResult(r: DeviceChange): DeviceChangeResult {
  return {
    id: r.id,
    rowNumber: r.row_number,
    deviceId: r.device_id,
    identifierKind: r.identifier_kind,
    identifier: r.identifier,
    iccid: r.iccid,
    msisdn: r.msisdn,
    imei: r.imei,
    eid: r.eid,
    status: r.status,
    statusDetails: r.status_details,
    changeRequest: (r.change_request ?? null) as Record<string, unknown> | null,
    processedAt: r.processed_at,
  };
}
