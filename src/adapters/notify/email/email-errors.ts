/**
 * The one table that decides whether a failed email is retried, from the nodemailer error code,
 * the SMTP reply code, or the SES error name: connection trouble, timeouts, SMTP 4xx and SES
 * throttling / 5xx are transient; SMTP 5xx, authentication, bad envelopes and SES rejections
 * are final. Messages never contain credentials (nodemailer's do not; SMTP_URL is never echoed).
 */
import { NotificationDeliveryError } from '../../../app/ports/notification-channels.ts';

const TRANSIENT_CODES: ReadonlySet<string> = new Set([
  'ECONNECTION',
  'ETIMEDOUT',
  'ESOCKET',
  'EDNS',
  'ETLS',
  'EPROXY',
  'EMAXLIMIT',
  // file transport: disk full, too many open files
  'ENOSPC',
  'EMFILE',
  'EAGAIN',
  'EBUSY',
]);

const SES_TRANSIENT_NAMES: ReadonlySet<string> = new Set([
  'ThrottlingException',
  'TooManyRequestsException',
  'LimitExceededException',
  'InternalServiceErrorException',
  'ServiceUnavailableException',
]);

interface MailErrorShape {
  name?: string;
  message?: string;
  code?: string;
  responseCode?: number;
  $metadata?: { httpStatusCode?: number };
  $retryable?: unknown;
}

/** Turns a transport failure into a {@link NotificationDeliveryError}. */
export function classifyEmailError(error: unknown): NotificationDeliveryError {
  const e = (typeof error === 'object' && error !== null ? error : {}) as MailErrorShape;
  const smtp = typeof e.responseCode === 'number' ? e.responseCode : null;
  const httpStatus = e.$metadata?.httpStatusCode;
  let retryable: boolean;
  if (smtp !== null) retryable = smtp >= 400 && smtp < 500;
  else if (e.name !== undefined && SES_TRANSIENT_NAMES.has(e.name)) retryable = true;
  else if (e.$retryable !== undefined || (httpStatus !== undefined && httpStatus >= 500))
    retryable = true;
  else if (httpStatus !== undefined) retryable = httpStatus === 429;
  else retryable = e.code === undefined || TRANSIENT_CODES.has(e.code);
  const what = [
    e.code,
    smtp === null ? undefined : `SMTP ${smtp}`,
    e.name === 'Error' ? undefined : e.name,
  ]
    .filter((x) => x !== undefined)
    .join(', ');
  return new NotificationDeliveryError(
    `email not sent${what === '' ? '' : ` (${what})`}: ${e.message ?? String(error)}`,
    { retryable, statusCode: smtp ?? httpStatus ?? null, cause: error },
  );
}
