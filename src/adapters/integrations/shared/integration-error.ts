/**
 * The one error type every carrier and billing client throws.
 *
 * It says which API and operation failed, for which device, with which HTTP status and vendor
 * error code, whether a retry may help ({@link IntegrationError.retryable}) and whether the
 * request may have been applied even though we saw a failure ({@link IntegrationError.ambiguous}:
 * a timeout or a connection lost after the request was sent). Messages and context never carry
 * credentials, tokens or API keys: clients build them from status, code and vendor message only.
 */
import { AppError, type ErrorCode } from '../../../domain/errors.ts';

/** External APIs the service calls. */
export const IntegrationApi = {
  Jasper: 'jasper',
  ThingSpace: 'thingspace',
  Telegence: 'telegence',
  Revio: 'revio',
} as const;

/** One external API. */
export type IntegrationApi = (typeof IntegrationApi)[keyof typeof IntegrationApi];

/** The error codes an {@link IntegrationError} may carry. */
export type IntegrationErrorCode =
  | typeof ErrorCode.INTEGRATION_NETWORK
  | typeof ErrorCode.INTEGRATION_TIMEOUT
  | typeof ErrorCode.INTEGRATION_THROTTLED
  | typeof ErrorCode.INTEGRATION_AUTH_FAILED
  | typeof ErrorCode.INTEGRATION_REJECTED
  | typeof ErrorCode.INTEGRATION_UNAVAILABLE
  | typeof ErrorCode.INTEGRATION_BAD_RESPONSE
  | typeof ErrorCode.INTEGRATION_CIRCUIT_OPEN
  | typeof ErrorCode.INTEGRATION_ESIM_REQUIRED;

/** Facts about a failed call. */
export interface IntegrationErrorDetails {
  api: IntegrationApi;
  /** Client operation name, e.g. `editDevice`. */
  operation: string;
  /** HTTP status, when a response arrived. */
  httpStatus?: number;
  /** Vendor error code from the body (e.g. Jasper `40000029`, ThingSpace `REQUEST_FAILED`). */
  vendorCode?: string;
  /** Vendor error message from the body (never contains our credentials). */
  vendorMessage?: string;
  /** ICCID / MSISDN / service id the call was about. */
  deviceId?: string;
  /** A retry may succeed (network, timeout, throttling, 5xx). */
  retryable: boolean;
  /** The request may have been applied server-side although we saw a failure. */
  ambiguous?: boolean;
  /** Server-requested wait before retrying (Retry-After, Rev.io seconds-in-message). */
  retryAfterMs?: number;
  cause?: unknown;
}

/** A carrier or billing API call failed. */
export class IntegrationError extends AppError {
  readonly api: IntegrationApi;
  readonly operation: string;
  readonly httpStatus: number | undefined;
  readonly vendorCode: string | undefined;
  readonly vendorMessage: string | undefined;
  readonly deviceId: string | undefined;
  readonly retryable: boolean;
  readonly ambiguous: boolean;
  readonly retryAfterMs: number | undefined;

  constructor(code: IntegrationErrorCode, message: string, details: IntegrationErrorDetails) {
    const { cause, ...context } = details;
    super(code, message, { cause, context: { ...context } });
    this.api = details.api;
    this.operation = details.operation;
    this.httpStatus = details.httpStatus;
    this.vendorCode = details.vendorCode;
    this.vendorMessage = details.vendorMessage;
    this.deviceId = details.deviceId;
    this.retryable = details.retryable;
    this.ambiguous = details.ambiguous ?? false;
    this.retryAfterMs = details.retryAfterMs;
  }
}

/** True for an {@link IntegrationError}. */
export function isIntegrationError(value: unknown): value is IntegrationError {
  return value instanceof IntegrationError;
}

/**
 * Parses an HTTP `Retry-After` header (seconds or HTTP date) into milliseconds.
 *
 * @example
 * parseRetryAfter('3'); // 3000
 */
export function parseRetryAfter(
  value: string | null | undefined,
  now = Date.now(),
): number | undefined {
  if (value === null || value === undefined || value.trim() === '') return undefined;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}
