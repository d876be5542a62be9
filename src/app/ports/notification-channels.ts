/**
 * Ports of the notification channels: an email sender (nodemailer over SMTP, a file transport
 * or SES), a status-webhook sender (signed HTTP POST) and the tenants' webhook secrets.
 * Adapters turn every failure into a {@link NotificationDeliveryError} that says whether it
 * is worth retrying; the dispatcher decides when.
 */
import { AppError, ErrorCode } from '../../domain/errors.ts';

/** An attachment whose content is produced piece by piece (large CSVs are never held whole). */
export interface EmailAttachment {
  filename: string;
  contentType: string;
  content: AsyncIterable<string>;
}

/** One email. */
export interface EmailMessage {
  to: readonly string[];
  subject: string;
  text: string;
  html: string;
  /** Stable per notification (`<…@…>`), so that a resent copy can be recognised. */
  messageId: string;
  attachments: readonly EmailAttachment[];
}

/** What a sent email returned. */
export interface EmailReceipt {
  messageId: string;
  /** SMTP reply code, when the transport has one (250). */
  statusCode: number | null;
}

/** Port: sends emails. */
export interface EmailSender {
  send(message: EmailMessage): Promise<EmailReceipt>;
}

/** One status-webhook request. */
export interface WebhookRequest {
  url: string;
  /** The `webhook-id`: the same on every retry of one message, so receivers can dedupe. */
  webhookId: string;
  /** Serialized JSON body (signed as is). */
  body: string;
  /** The tenant's signing secret (`whsec_…`). */
  secret: string;
  /** Time of this attempt (the `webhook-timestamp`). */
  timestamp: Date;
}

/** What the receiver answered. */
export interface WebhookResponse {
  statusCode: number;
}

/** Port: posts signed webhooks; a non-2xx answer or a network failure throws. */
export interface WebhookSender {
  post(request: WebhookRequest): Promise<WebhookResponse>;
}

/** Port: the tenants' webhook signing secrets. */
export interface WebhookSecrets {
  /** The tenant's secret (`whsec_` + base64); created on first use. */
  getOrCreate(tenantId: number): Promise<string>;
  /** Replaces the tenant's secret with a new one and returns it. */
  rotate(tenantId: number): Promise<string>;
}

/** An email or webhook was not delivered. The message never contains a secret. */
export class NotificationDeliveryError extends AppError {
  /** Whether a later attempt may succeed (network, 5xx, 429, SMTP 4xx). */
  readonly retryable: boolean;
  /** HTTP status or SMTP reply code, when there was an answer. */
  readonly statusCode: number | null;

  constructor(
    message: string,
    options: { retryable: boolean; statusCode?: number | null; cause?: unknown },
  ) {
    super(ErrorCode.NOTIFICATION_DELIVERY_FAILED, message, {
      cause: options.cause,
      context: { retryable: options.retryable, statusCode: options.statusCode ?? null },
    });
    this.retryable = options.retryable;
    this.statusCode = options.statusCode ?? null;
  }
}

/** Brand check usable across module copies. */
export function isNotificationDeliveryError(error: unknown): error is NotificationDeliveryError {
  return (
    error instanceof Error &&
    (error as { code?: unknown }).code === ErrorCode.NOTIFICATION_DELIVERY_FAILED
  );
}
