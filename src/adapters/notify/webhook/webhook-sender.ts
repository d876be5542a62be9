/**
 * {@link WebhookSender} over `fetch`: one signed POST per call, a time limit per attempt, no
 * redirects followed. Retrying is the dispatcher's job (through the outbox), so a failure
 * here is one attempt, classified by `webhook-errors.ts`.
 */
import type { WebhookSender } from '../../../app/ports/notification-channels.ts';
import { NotificationDeliveryError } from '../../../app/ports/notification-channels.ts';
import { signWebhook } from './standard-webhooks.ts';
import { webhookNetworkError, webhookStatusError } from './webhook-errors.ts';

/** Options of {@link createWebhookSender}. */
export interface WebhookSenderOptions {
  /** Time limit of one attempt. @default 10000 */
  timeoutMs?: number;
  /** @default 'device-bulk-change' */
  userAgent?: string;
  /** @default globalThis.fetch */
  fetch?: typeof fetch;
}

/**
 * Creates the sender.
 *
 * @example
 * await createWebhookSender().post({ url, webhookId: 'msg_1', body, secret, timestamp: new Date() });
 */
export function createWebhookSender(options: WebhookSenderOptions = {}): WebhookSender {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const doFetch = options.fetch ?? globalThis.fetch;
  return {
    async post(request) {
      let url: URL;
      try {
        url = new URL(request.url);
      } catch {
        throw new NotificationDeliveryError('webhook URL is not a valid URL', { retryable: false });
      }
      if (url.protocol !== 'https:' && url.protocol !== 'http:') {
        throw new NotificationDeliveryError(`webhook URL must be http(s), not ${url.protocol}`, {
          retryable: false,
        });
      }
      const headers = {
        'content-type': 'application/json',
        'user-agent': options.userAgent ?? 'device-bulk-change',
        ...signWebhook(request.secret, request.webhookId, request.timestamp, request.body),
      };
      let response: Response;
      try {
        response = await doFetch(url, {
          method: 'POST',
          headers,
          body: request.body,
          redirect: 'manual',
          signal: AbortSignal.timeout(timeoutMs),
        });
      } catch (error) {
        throw webhookNetworkError(error, timeoutMs);
      }
      const text = await response.text().catch(() => '');
      if (response.status < 200 || response.status >= 300) {
        throw webhookStatusError(response.status, text.slice(0, 200));
      }
      return { statusCode: response.status };
    },
  };
}
