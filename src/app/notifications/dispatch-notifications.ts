/**
 * The notification dispatcher: claims its outbox rows and delivers them.
 *
 * - `bulkChange.completed` (one per bulk change, written by the engine in the completing
 *   transaction) fans out, in one transaction, into one `notification.email` row (when the
 *   tenant has recipients) and one `notification.webhook` row per page of device changes (when
 *   it has a webhook URL), each with its own dedupe key: a completion fans out once, and each
 *   channel is retried on its own.
 * - A channel row is sent, its attempt recorded (`notification_attempts`), and it is marked
 *   SENT; a failure puts it back with a backoff (`retry-schedule.ts`) or marks it FAILED when
 *   terminal or out of attempts.
 *
 * Exactly once, and its one edge: rows are leased, so a dispatcher that dies mid-send leaves
 * its rows to come back when the lease ends. A process that dies after the receiver accepted
 * but before the row was marked SENT sends it again: a webhook is resent with the same
 * `webhook-id` (receivers dedupe on it, as Standard Webhooks asks), an email with the same
 * Message-ID.
 */
import type { Logger } from 'pino';
import { toError } from '../../domain/errors.ts';
import { mapWithConcurrency } from '../engine/map-with-concurrency.ts';
import {
  type EmailSender,
  isNotificationDeliveryError,
  type WebhookSecrets,
  type WebhookSender,
} from '../ports/notification-channels.ts';
import type {
  CompletedBulkChange,
  NewNotificationItem,
  NotificationItem,
  NotificationStore,
} from '../ports/notification-store.ts';
import { buildCompletionEmail } from './completion-email.ts';
import {
  completionMessageId,
  completionWebhookId,
  DISPATCHER_KINDS,
  emailDedupeKey,
  NotificationKind,
  payloadInt,
  WebhookEvent,
  webhookDedupeKey,
} from './notification-kinds.ts';
import { DEFAULT_RETRY_SCHEDULE, nextAttemptAt, type RetrySchedule } from './retry-schedule.ts';
import { USERNAME_REPORT_CSV_FILENAME, usernameReportCsv } from './username-report.ts';
import { buildWebhookBody } from './webhook-body.ts';

/** Dependencies of {@link createNotificationDispatcher}. */
export interface NotificationDispatcherDeps {
  store: NotificationStore;
  /** Undefined: emails are off (their rows are marked sent without sending). */
  email: EmailSender | undefined;
  webhook: WebhookSender;
  secrets: WebhookSecrets;
  logger: Pick<Logger, 'info' | 'warn' | 'error'>;
  /** @default () => new Date() */
  now?: () => Date;
  /** @default Math.random */
  random?: () => number;
}

/** Options of {@link createNotificationDispatcher}. */
export interface NotificationDispatcherOptions {
  /** Device changes per webhook POST. @default 500 */
  webhookPageSize?: number;
  /** @default DEFAULT_RETRY_SCHEDULE */
  retry?: RetrySchedule;
  /** Rows claimed per run. @default 10 */
  batchSize?: number;
  /** Rows delivered at once. @default 4 */
  concurrency?: number;
  /** How long a claimed row is reserved for this dispatcher. @default 300000 */
  leaseMs?: number;
  /** Failures listed in the email body. @default 200 */
  inlineFailures?: number;
  /** Username report lines shown in the email body. @default 200 */
  inlineReportLines?: number;
  /** Domain of the stable Message-IDs. @default 'device-bulk-change.local' */
  messageIdDomain?: string;
  /** At most one progress webhook per bulk change in this time (tenant setting `webhookProgress`). @default 30000 */
  progressIntervalMs?: number;
}

/** A dispatcher. */
export interface NotificationDispatcher {
  /** Claims and delivers one batch; returns how many rows it handled. */
  runOnce(): Promise<number>;
}

/**
 * Creates the dispatcher.
 *
 * @example
 * const dispatcher = createNotificationDispatcher({ store, email, webhook, secrets, logger });
 * while ((await dispatcher.runOnce()) > 0);
 */
export function createNotificationDispatcher(
  deps: NotificationDispatcherDeps,
  options: NotificationDispatcherOptions = {},
): NotificationDispatcher {
  const now = deps.now ?? (() => new Date());
  const random = deps.random ?? Math.random;
  const pageSize = options.webhookPageSize ?? 500;
  const schedule = options.retry ?? DEFAULT_RETRY_SCHEDULE;
  const domain = options.messageIdDomain ?? 'device-bulk-change.local';
  const { store, logger } = deps;

  async function fanOut(item: NotificationItem): Promise<void> {
    const bulkChangeId = payloadInt(item.payload, 'bulkChangeId');
    const bc = await store.loadBulkChange(bulkChangeId);
    if (bc === undefined) {
      logger.warn({ bulkChangeId }, 'completed bulk change no longer exists; nothing to notify');
      await store.markSent(item.id);
      return;
    }
    const rows: NewNotificationItem[] = [];
    if (bc.settings.notificationEmails.length > 0) {
      rows.push({
        kind: NotificationKind.Email,
        payload: { bulkChangeId, completionId: item.id },
        dedupeKey: emailDedupeKey(item.id),
      });
    }
    if (bc.settings.webhookUrl !== null) {
      const rowsTotal = Object.values(bc.counts).reduce((a, b) => a + b, 0);
      const pages = Math.max(1, Math.ceil(rowsTotal / pageSize));
      for (let page = 1; page <= pages; page++) {
        rows.push({
          kind: NotificationKind.Webhook,
          payload: {
            bulkChangeId,
            event: WebhookEvent.Completed,
            page,
            pages,
            pageSize,
            webhookId: completionWebhookId(bulkChangeId, item.id, page, pages),
          },
          dedupeKey: webhookDedupeKey(item.id, page),
        });
      }
    }
    await store.fanOut(item.id, rows);
  }

  async function sendEmail(item: NotificationItem): Promise<void> {
    const bulkChangeId = payloadInt(item.payload, 'bulkChangeId');
    const messageId = completionMessageId(
      bulkChangeId,
      payloadInt(item.payload, 'completionId'),
      domain,
    );
    const bc = await store.loadBulkChange(bulkChangeId);
    const to = bc?.settings.notificationEmails ?? [];
    if (bc === undefined || to.length === 0 || deps.email === undefined) {
      logger.info({ bulkChangeId }, 'completion email skipped (no recipients or email off)');
      await store.markSent(item.id);
      return;
    }
    const message = buildCompletionEmail(
      {
        bulkChange: bc,
        failures: await store.listFailures(bulkChangeId, options.inlineFailures ?? 200),
        results: store.deviceResults(bulkChangeId, 1000),
        messageId,
        ...(await typeReport(bc)),
      },
      to,
    );
    const started = Date.now();
    try {
      const receipt = await deps.email.send(message);
      await store.recordAttempt({
        outboxId: item.id,
        channel: 'email',
        deliveryId: messageId,
        attempt: item.attempts,
        target: to.join(', '),
        statusCode: receipt.statusCode,
        succeeded: true,
        error: null,
        durationMs: Date.now() - started,
      });
    } catch (error) {
      await failed(item, 'email', messageId, to.join(', '), started, error);
      return;
    }
    await store.markSent(item.id);
  }

  /** The change type's own report: EditUsernameCostCenter has the username report. */
  async function typeReport(bc: CompletedBulkChange) {
    if (bc.changeType !== 'EditUsernameCostCenter') return {};
    const limit = options.inlineReportLines ?? 200;
    const lines = [];
    for await (const page of store.usernameReport(bc.id, limit)) {
      lines.push(...page);
      break;
    }
    return {
      usernameReport: { lines: lines.slice(0, limit), total: bc.counts.PROCESSED ?? 0 },
      extraAttachments: [
        {
          filename: USERNAME_REPORT_CSV_FILENAME,
          contentType: 'text/csv; charset=utf-8',
          content: usernameReportCsv(store.usernameReport(bc.id, 1000)),
        },
      ],
    };
  }

  async function sendWebhook(item: NotificationItem): Promise<void> {
    const bulkChangeId = payloadInt(item.payload, 'bulkChangeId');
    const page = payloadInt(item.payload, 'page');
    const pages = payloadInt(item.payload, 'pages');
    const size = payloadInt(item.payload, 'pageSize');
    const webhookId = String(item.payload.webhookId);
    const event = String(item.payload.event ?? WebhookEvent.Completed);
    const progress = event === WebhookEvent.Progress;
    const bc = await store.loadBulkChange(bulkChangeId);
    const url = bc?.settings.webhookUrl ?? null;
    if (bc === undefined || url === null || (progress && bc.status !== 'PROCESSING')) {
      // a progress event that arrives after the bulk change finished would only mislead
      logger.info(
        { bulkChangeId, webhookId },
        'status webhook skipped (no URL, or progress of a finished bulk change)',
      );
      await store.markSent(item.id);
      return;
    }
    const body = buildWebhookBody({
      type: event,
      bulkChange: bc,
      page,
      pages,
      pageSize: progress ? 0 : size,
      deviceChanges: progress ? [] : await store.deviceChangesPage(bulkChangeId, page, size),
    });
    const target = describeUrl(url);
    const started = Date.now();
    let statusCode: number;
    try {
      const secret = await deps.secrets.getOrCreate(bc.tenantId);
      ({ statusCode } = await deps.webhook.post({
        url,
        webhookId,
        body,
        secret,
        timestamp: now(),
      }));
    } catch (error) {
      await failed(item, 'webhook', webhookId, target, started, error);
      return;
    }
    await store.recordAttempt({
      outboxId: item.id,
      channel: 'webhook',
      deliveryId: webhookId,
      attempt: item.attempts,
      target,
      statusCode,
      succeeded: true,
      error: null,
      durationMs: Date.now() - started,
    });
    await store.markSent(item.id);
  }

  async function failed(
    item: NotificationItem,
    channel: 'email' | 'webhook',
    deliveryId: string,
    target: string,
    started: number,
    error: unknown,
  ): Promise<void> {
    const err = toError(error);
    const known = isNotificationDeliveryError(error);
    const retryable = known ? error.retryable : true;
    await store.recordAttempt({
      outboxId: item.id,
      channel,
      deliveryId,
      attempt: item.attempts,
      target,
      statusCode: known ? error.statusCode : null,
      succeeded: false,
      error: err.message,
      durationMs: Date.now() - started,
    });
    const retryAt = nextAttemptAt(item.attempts, retryable, now(), schedule, random);
    await store.markFailed(item.id, err.message, retryAt);
    const log = {
      outboxId: item.id,
      channel,
      deliveryId,
      attempt: item.attempts,
      err: err.message,
    };
    if (retryAt === null) logger.error(log, `${channel} notification failed for good`);
    else logger.warn({ ...log, retryAt }, `${channel} notification failed; will retry`);
  }

  async function handle(item: NotificationItem): Promise<void> {
    try {
      if (item.kind === NotificationKind.Completed) await fanOut(item);
      else if (item.kind === NotificationKind.Email) await sendEmail(item);
      else if (item.kind === NotificationKind.Webhook) await sendWebhook(item);
    } catch (error) {
      // preparing the notification failed (database down, bug): retry later like a send
      const err = toError(error);
      const retryAt = nextAttemptAt(item.attempts, true, now(), schedule, random);
      logger.error({ outboxId: item.id, kind: item.kind, err: err.message }, 'notification failed');
      await store.markFailed(item.id, err.message, retryAt).catch(() => undefined);
    }
  }

  return {
    async runOnce() {
      const at = now();
      const interval = options.progressIntervalMs ?? 30_000;
      await store.enqueueProgress(
        new Date(at.getTime() - interval),
        Math.floor(at.getTime() / interval),
      );
      const items = await store.claim(DISPATCHER_KINDS, {
        limit: options.batchSize ?? 10,
        leaseMs: options.leaseMs ?? 300_000,
        now: now(),
      });
      await mapWithConcurrency(items, options.concurrency ?? 4, handle);
      return items.length;
    },
  };
}

/** Scheme, host and path of a URL: query strings may carry tokens, so they are not recorded. */
function describeUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    return '(invalid URL)';
  }
}
