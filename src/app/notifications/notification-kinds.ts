/**
 * Outbox kinds the notification dispatcher handles, their payloads, and the dedupe keys and
 * delivery ids derived from them. Every key and id is a pure function of the bulk change (and
 * page), so fanning out twice, or retrying a send, reuses them.
 *
 * Flow: the engine writes one `bulkChange.completed` row per bulk change (in the completing
 * transaction); the dispatcher turns it into one `notification.email` row and one
 * `notification.webhook` row per page, each retried on its own.
 */

/** Outbox kinds of this dispatcher. */
export const NotificationKind = {
  /** Written by the engine when a bulk change finishes (PROCESSED or ERROR). */
  Completed: 'bulkChange.completed',
  /** The completion email of one bulk change. */
  Email: 'notification.email',
  /** One page of the completion status webhook of one bulk change. */
  Webhook: 'notification.webhook',
} as const;

/** One kind handled by the dispatcher. */
export type NotificationKind = (typeof NotificationKind)[keyof typeof NotificationKind];

/** Every kind the dispatcher claims (and only those: other relays share the outbox). */
export const DISPATCHER_KINDS: readonly NotificationKind[] = Object.freeze(
  Object.values(NotificationKind),
);

/** Status-webhook event types. */
export const WebhookEvent = {
  /** The bulk change finished: it and every device change, page by page. */
  Completed: 'bulkChange.completed',
  /** The bulk change is running (tenant setting `webhookProgress`): it and its counts. */
  Progress: 'bulkChange.progress',
} as const;

/** One status-webhook event type. */
export type WebhookEvent = (typeof WebhookEvent)[keyof typeof WebhookEvent];

/** Payload of a `notification.email` row. */
export interface EmailPayload {
  bulkChangeId: number;
  /** Id of the `bulkChange.completed` row it came from. */
  completionId: number;
}

/** Payload of a `notification.webhook` row. */
export interface WebhookPayload {
  bulkChangeId: number;
  /** Event type sent as the body's `type`. */
  event: WebhookEvent;
  /** 1-based page of the device changes, of `pages`. */
  page: number;
  pages: number;
  pageSize: number;
  webhookId: string;
}

/*
 * Keys and ids of a completion derive from its `bulkChange.completed` row (`completionId`):
 * repeating a fan-out reuses them, while a later completion of the same bulk change (after a
 * retry re-opened it, if the engine announces that one too) gets its own.
 */

/** Dedupe key of the completion email. */
export function emailDedupeKey(completionId: number): string {
  return `email:completion:${completionId}`;
}

/** Message-ID of the completion email: the same on every attempt. */
export function completionMessageId(
  bulkChangeId: number,
  completionId: number,
  domain: string,
): string {
  return `<bulk-change-${bulkChangeId}.completion-${completionId}@${domain}>`;
}

/** Dedupe key of one page of the completion webhook. */
export function webhookDedupeKey(completionId: number, page: number): string {
  return `webhook:completion:${completionId}:page:${page}`;
}

/** `webhook-id` of one page of the completion webhook: stable across retries and processes. */
export function completionWebhookId(
  bulkChangeId: number,
  completionId: number,
  page: number,
  pages: number,
): string {
  return `msg_bulkchange_${bulkChangeId}_completion_${completionId}_${page}of${pages}`;
}

/** `webhook-id` of a progress webhook: one per bulk change and time bucket. */
export function progressWebhookId(bulkChangeId: number, bucket: number): string {
  return `msg_bulkchange_${bulkChangeId}_progress_${bucket}`;
}

/** Dedupe key of a progress webhook. */
export function progressDedupeKey(bulkChangeId: number, bucket: number): string {
  return `webhook:bulk-change-progress:${bulkChangeId}:${bucket}`;
}

/** Reads a positive integer field of an outbox payload. */
export function payloadInt(payload: Record<string, unknown>, field: string): number {
  const value = payload[field];
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw new Error(`outbox payload field ${field} is not a positive integer: ${String(value)}`);
  }
  return value;
}
