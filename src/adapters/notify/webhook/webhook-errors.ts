/**
 * The one table that decides whether a failed status-webhook POST is retried: network
 * failures, timeouts, 408, 425, 429 and 5xx are worth another attempt; redirects (not
 * followed: the signed URL is the one the tenant registered) and other 4xx are final.
 */
import { NotificationDeliveryError } from '../../../app/ports/notification-channels.ts';

/** HTTP statuses retried although they are 4xx. */
const RETRYABLE_4XX: ReadonlySet<number> = new Set([408, 425, 429]);

/** Whether an HTTP status of a webhook answer is worth retrying. */
export function isRetryableWebhookStatus(status: number): boolean {
  return status >= 500 || RETRYABLE_4XX.has(status);
}

/** The error for a non-2xx answer. */
export function webhookStatusError(status: number, bodyStart: string): NotificationDeliveryError {
  const retryable = isRetryableWebhookStatus(status);
  const what = status >= 300 && status < 400 ? 'redirect (not followed)' : 'error';
  return new NotificationDeliveryError(
    `webhook receiver answered HTTP ${status} ${what}${bodyStart === '' ? '' : `: ${bodyStart}`}`,
    { retryable, statusCode: status },
  );
}

/** The error for a request that got no answer. */
export function webhookNetworkError(error: unknown, timeoutMs: number): NotificationDeliveryError {
  const name = error instanceof Error ? error.name : '';
  const timedOut = name === 'TimeoutError' || name === 'AbortError';
  const cause = error instanceof Error ? (error.cause as { code?: string } | undefined) : undefined;
  const detail = timedOut
    ? `no answer within ${timeoutMs} ms`
    : `${cause?.code ?? (error instanceof Error ? error.message : String(error))}`;
  return new NotificationDeliveryError(`webhook receiver unreachable: ${detail}`, {
    retryable: true,
    cause: error,
  });
}
