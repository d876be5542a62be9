/**
 * Translates AWS SDK errors from Amazon SQS into {@link AppError}s at the adapter edge.
 *
 * The message names the SQS operation and the queue URL (never credentials); the SDK error
 * stays the `cause`. Classification, in order: throttling, credentials/permissions, network,
 * time-outs, server faults (5xx), and everything else as a rejection (4xx such as
 * `QueueDoesNotExist` or `InvalidParameterValue`).
 *
 * There is no queue-specific error code yet; the `INTEGRATION_*` codes are used because SQS is
 * an external API like the carriers (`context.service` says `sqs`).
 */
import { AppError, ErrorCode } from '../../../domain/errors.ts';

/** SQS / AWS error names that mean "slow down". */
const THROTTLING = new Set([
  'ThrottlingException',
  'Throttling',
  'RequestThrottled',
  'RequestThrottledException',
  'OverLimit',
  'KmsThrottled',
]);

/** SQS / AWS error names that mean "bad or missing credentials, or not allowed". */
const AUTH = new Set([
  'AccessDenied',
  'AccessDeniedException',
  'InvalidClientTokenId',
  'UnrecognizedClientException',
  'SignatureDoesNotMatch',
  'ExpiredToken',
  'ExpiredTokenException',
  'InvalidSecurity',
  'MissingAuthenticationToken',
  'CredentialsProviderError',
  'KmsAccessDenied',
]);

/** Node socket error codes that mean the endpoint could not be reached. */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
]);

/** Shape of the AWS SDK v3 service exceptions and Node socket errors we look at. */
interface SdkErrorLike {
  name?: string;
  message?: string;
  code?: string;
  $fault?: 'client' | 'server';
  $metadata?: { httpStatusCode?: number; requestId?: string };
}

/**
 * Wraps an error thrown by the SQS client in an {@link AppError} whose message names the
 * operation and the queue URL. An {@link AppError} passes through unchanged.
 *
 * @example
 * try {
 *   await client.send(new SendMessageCommand(input));
 * } catch (error) {
 *   throw toSqsError(error, 'SendMessage', queueUrl);
 * }
 */
export function toSqsError(error: unknown, operation: string, queueUrl: string): AppError {
  if (error instanceof AppError) return error;
  const e = (typeof error === 'object' && error !== null ? error : {}) as SdkErrorLike;
  const name = e.name ?? 'Error';
  const status = e.$metadata?.httpStatusCode;
  const code = classify(e, name, status);
  const detail = redactKeys(e.message ?? String(error)).slice(0, 300);
  return new AppError(code, `SQS ${operation} on ${queueUrl} failed: ${name}: ${detail}`, {
    cause: error,
    context: {
      service: 'sqs',
      operation,
      queueUrl,
      awsErrorName: name,
      ...(status === undefined ? {} : { httpStatus: status }),
      ...(e.$metadata?.requestId === undefined ? {} : { awsRequestId: e.$metadata.requestId }),
    },
  });
}

function classify(e: SdkErrorLike, name: string, status: number | undefined): AppError['code'] {
  if (THROTTLING.has(name) || status === 429) return ErrorCode.INTEGRATION_THROTTLED;
  if (AUTH.has(name) || status === 401 || status === 403) {
    return ErrorCode.INTEGRATION_AUTH_FAILED;
  }
  if (e.code !== undefined && NETWORK_CODES.has(e.code)) return ErrorCode.INTEGRATION_NETWORK;
  if (name === 'TimeoutError' || e.code === 'ETIMEDOUT' || name === 'RequestTimeout') {
    return ErrorCode.INTEGRATION_TIMEOUT;
  }
  if (e.$fault === 'server' || (status !== undefined && status >= 500)) {
    return ErrorCode.INTEGRATION_UNAVAILABLE;
  }
  if (e.$fault === 'client' || status !== undefined) return ErrorCode.INTEGRATION_REJECTED;
  // No HTTP answer at all and no known socket code: the endpoint was not reached.
  return ErrorCode.INTEGRATION_NETWORK;
}

/** AWS access key ids never reach a message, even if an SDK message were to quote one. */
function redactKeys(text: string): string {
  return text.replace(/\b(AKIA|ASIA)[A-Z0-9]{16}\b/g, '[redacted]');
}
