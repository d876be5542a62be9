/**
 * Wires the notification dispatcher for a runtime: the outbox store, the email sender of the
 * configured transport (file / SMTP / SES / off), the signed webhook sender and the tenants'
 * webhook secrets; `startNotifications` runs it in the background. `serve` and `worker` start
 * it (in aws mode the long-running API service does: a Lambda runs only when a message
 * arrives). Any number of processes may run it: outbox rows are leased with SKIP LOCKED.
 */
import { createNotificationStore } from '../adapters/db/notification-store.ts';
import { createWebhookSecretStore } from '../adapters/db/webhook-secret-store.ts';
import {
  createNodemailerEmailSender,
  type EmailTransportConfig,
} from '../adapters/notify/email/nodemailer-email-sender.ts';
import { createWebhookSender } from '../adapters/notify/webhook/webhook-sender.ts';
import {
  createNotificationDispatcher,
  type NotificationDispatcher,
} from '../app/notifications/dispatch-notifications.ts';
import { startNotificationPoller } from '../app/notifications/notification-poller.ts';
import { DEFAULT_RETRY_SCHEDULE } from '../app/notifications/retry-schedule.ts';
import type { EmailSender } from '../app/ports/notification-channels.ts';
import type { NotificationSettings } from '../config/resolve-notifications.ts';
import type { Runtime } from './open-runtime.ts';

/** The email sender of the configured transport; undefined when emails are off. */
export function createEmailSender(settings: NotificationSettings): EmailSender | undefined {
  const email = settings.email;
  if (email.transport === 'off') return undefined;
  const transport: EmailTransportConfig =
    email.transport === 'file'
      ? { kind: 'file', dir: email.dir }
      : email.transport === 'smtp'
        ? { kind: 'smtp', url: email.url }
        : { kind: 'ses', region: email.region };
  return createNodemailerEmailSender({ transport, from: email.from });
}

/** Domain of the From address, used in the stable Message-IDs. */
function fromDomain(settings: NotificationSettings): string {
  const from = settings.email.transport === 'off' ? '' : settings.email.from;
  return /@([^>\s]+)>?\s*$/.exec(from)?.[1] ?? 'device-bulk-change.local';
}

/**
 * The dispatcher of a runtime.
 *
 * @example
 * await createRuntimeNotificationDispatcher(runtime).runOnce();
 */
export function createRuntimeNotificationDispatcher(runtime: Runtime): NotificationDispatcher {
  const settings = runtime.config.notifications;
  return createNotificationDispatcher(
    {
      store: createNotificationStore(runtime.database.db),
      email: createEmailSender(settings),
      webhook: createWebhookSender({ timeoutMs: settings.webhookTimeoutMs }),
      secrets: createWebhookSecretStore(runtime.database.db, runtime.secretBox),
      logger: runtime.logger,
    },
    {
      webhookPageSize: settings.webhookPageSize,
      retry: { ...DEFAULT_RETRY_SCHEDULE, maxAttempts: settings.maxAttempts },
      messageIdDomain: fromDomain(settings),
    },
  );
}

/**
 * Starts delivering notifications in the background.
 *
 * @example
 * const notifications = startNotifications(runtime);
 * await notifications.stop();
 */
export function startNotifications(
  runtime: Runtime,
  options: { intervalMs?: number } = {},
): { stop(): Promise<void> } {
  return startNotificationPoller({
    dispatcher: createRuntimeNotificationDispatcher(runtime),
    logger: runtime.logger,
    ...(options.intervalMs === undefined ? {} : { intervalMs: options.intervalMs }),
  });
}
