/**
 * The one error table of the Telegence client: (HTTP status, vendor code, body, what was sent)
 * → error code, retryable, ambiguous, retryAfterMs. Every {@link IntegrationError} the client
 * throws is built here.
 *
 * Rules, first match wins (see {@link TELEGENCE_ERROR_TABLE}):
 * - 404 with `description: "/service/"` on a request that carried a new ICCID (swap,
 *   activation) → INTEGRATION_ESIM_REQUIRED, terminal (the original's special case).
 * - 401/403 → INTEGRATION_AUTH_FAILED, terminal.
 * - 429 → INTEGRATION_THROTTLED, retryable, `Retry-After` honoured.
 * - 408 → INTEGRATION_TIMEOUT, retryable; may have been applied (writes).
 * - 502/503 → INTEGRATION_UNAVAILABLE, retryable (the gateway did not forward the request).
 * - 500/504/other 5xx → INTEGRATION_UNAVAILABLE, retryable; may have been applied (writes), so
 *   non-idempotent calls look the result up before any retry.
 * - other 4xx (400 validation, 404 unknown line, 409 state conflict) → INTEGRATION_REJECTED,
 *   terminal.
 * - 2xx whose body does not parse or lacks required fields → INTEGRATION_BAD_RESPONSE,
 *   retryable (the original treats it as a failure; for writes the server probably applied
 *   the request, so it is marked ambiguous and resolved by idempotent retry or lookup).
 *
 * Messages name the operation, the line/ICCID/activation, the HTTP status and the vendor
 * code/message; the client's credentials are redacted from anything taken from the body.
 */
import { ErrorCode } from '../../../domain/errors.ts';
import {
  IntegrationApi,
  IntegrationError,
  type IntegrationErrorCode,
  parseRetryAfter,
} from '../shared/integration-error.ts';
import { errorBodySchema, TELEGENCE_SERVICE_NOT_FOUND_DESCRIPTION } from './telegence-wire.ts';

/** The original's status text for a swap refused because the device needs an eSIM profile. */
export const TELEGENCE_ESIM_REQUIRED_MESSAGE =
  'Telegence: ICCID/IMEI swap failed. Device requires an eSIM profile.';

/** The original's log text for an activation refused because the device needs an eSIM profile. */
export const TELEGENCE_ESIM_ACTIVATION_MESSAGE = 'Activation Failed - eSIM Required';

/** Client operations, as they appear in errors. */
export type TelegenceOperation =
  | 'getLine'
  | 'changeRatePlan'
  | 'changeStatus'
  | 'swapEquipment'
  | 'removeOffering'
  | 'activateServices'
  | 'getActivationStatus'
  | 'listLines';

/** What the error table looks at. */
export interface TelegenceFailure {
  operation: TelegenceOperation;
  /** Line (MDN), ICCID or activation id the call was about. */
  deviceId?: string;
  /** True for requests that are not plain reads (PATCH, POST). */
  write: boolean;
  /** The request carried a new ICCID: a `/service/` 404 then means "eSIM required". */
  sentIccid: boolean;
  status: number;
  headers: Headers;
  /** Parsed JSON body, if any. */
  json: unknown;
  /** Raw body text. */
  text: string;
}

interface Classified {
  code: IntegrationErrorCode;
  retryable: boolean;
  /** The request may have been applied although it failed (writes only). */
  ambiguousOnWrite: boolean;
}

/** One row of the table. */
export interface TelegenceErrorRule extends Classified {
  name: string;
  matches(f: TelegenceFailure, body: VendorBody): boolean;
}

interface VendorBody {
  code: string | undefined;
  message: string | undefined;
  description: string | undefined;
}

/** The table, first match wins. */
export const TELEGENCE_ERROR_TABLE: readonly TelegenceErrorRule[] = [
  {
    name: 'esim-required',
    matches: (f, b) =>
      f.status === 404 && f.sentIccid && b.description === TELEGENCE_SERVICE_NOT_FOUND_DESCRIPTION,
    code: ErrorCode.INTEGRATION_ESIM_REQUIRED,
    retryable: false,
    ambiguousOnWrite: false,
  },
  rule('auth', (s) => s === 401 || s === 403, ErrorCode.INTEGRATION_AUTH_FAILED, false, false),
  rule('throttled', (s) => s === 429, ErrorCode.INTEGRATION_THROTTLED, true, false),
  rule('request-timeout', (s) => s === 408, ErrorCode.INTEGRATION_TIMEOUT, true, true),
  rule('gateway', (s) => s === 502 || s === 503, ErrorCode.INTEGRATION_UNAVAILABLE, true, false),
  rule('server', (s) => s >= 500, ErrorCode.INTEGRATION_UNAVAILABLE, true, true),
  rule('rejected', (s) => s >= 400, ErrorCode.INTEGRATION_REJECTED, false, false),
  rule('unexpected', () => true, ErrorCode.INTEGRATION_BAD_RESPONSE, false, false),
];

function rule(
  name: string,
  status: (s: number) => boolean,
  code: IntegrationErrorCode,
  retryable: boolean,
  ambiguousOnWrite: boolean,
): TelegenceErrorRule {
  return { name, matches: (f) => status(f.status), code, retryable, ambiguousOnWrite };
}

/** Removes the client's credentials from text taken from a response. */
export type Redactor = (text: string) => string;

/**
 * Builds a redactor for the given secret values (empty values ignored).
 *
 * @example
 * const redact = createRedactor(['app-secret-value']);
 * redact('echo app-secret-value'); // 'echo [redacted]'
 */
export function createRedactor(secrets: readonly string[]): Redactor {
  const values = secrets.filter((s) => s.length > 0).sort((a, b) => b.length - a.length);
  return (text) => values.reduce((out, secret) => out.split(secret).join('[redacted]'), text);
}

/** Turns a non-2xx response into the client's error, by {@link TELEGENCE_ERROR_TABLE}. */
export function errorFromResponse(failure: TelegenceFailure, redact: Redactor): IntegrationError {
  const body = vendorBody(failure, redact);
  const row = TELEGENCE_ERROR_TABLE.find((r) => r.matches(failure, body));
  const c: Classified = row ?? {
    code: ErrorCode.INTEGRATION_BAD_RESPONSE,
    retryable: false,
    ambiguousOnWrite: false,
  };
  const retryAfterMs =
    c.code === ErrorCode.INTEGRATION_THROTTLED || c.code === ErrorCode.INTEGRATION_UNAVAILABLE
      ? parseRetryAfter(failure.headers.get('retry-after'))
      : undefined;
  const vendorCode = body.code ?? body.description;
  const message =
    c.code === ErrorCode.INTEGRATION_ESIM_REQUIRED
      ? `${failure.operation === 'activateServices' ? TELEGENCE_ESIM_ACTIVATION_MESSAGE : TELEGENCE_ESIM_REQUIRED_MESSAGE} (${where(failure)}: HTTP ${failure.status} ${body.description})`
      : `Telegence ${where(failure)} failed: HTTP ${failure.status}${vendorCode === undefined ? '' : ` ${vendorCode}`}${body.message === undefined || body.message === vendorCode ? '' : ` - ${body.message}`}`;
  return new IntegrationError(c.code, message, {
    api: IntegrationApi.Telegence,
    operation: failure.operation,
    httpStatus: failure.status,
    vendorCode,
    vendorMessage: body.message,
    deviceId: failure.deviceId,
    retryable: c.retryable,
    ambiguous: failure.write && c.ambiguousOnWrite,
    retryAfterMs,
  });
}

/** A 2xx whose body is not what the operation needs. */
export function badResponseError(
  failure: Omit<TelegenceFailure, 'sentIccid' | 'json' | 'headers'>,
  reason: string,
  redact: Redactor,
): IntegrationError {
  return new IntegrationError(
    ErrorCode.INTEGRATION_BAD_RESPONSE,
    `Telegence ${where(failure)}: HTTP ${failure.status} with an unusable body (${redact(reason)})`,
    {
      api: IntegrationApi.Telegence,
      operation: failure.operation,
      httpStatus: failure.status,
      deviceId: failure.deviceId,
      retryable: true,
      ambiguous: failure.write,
    },
  );
}

/** The client refuses a request before sending it (bad MDN, batch too large). */
export function invalidRequestError(
  operation: TelegenceOperation,
  deviceId: string | undefined,
  reason: string,
): IntegrationError {
  return new IntegrationError(
    ErrorCode.INTEGRATION_REJECTED,
    `Telegence ${operation}${deviceId === undefined ? '' : ` for ${deviceId}`} not sent: ${reason}`,
    { api: IntegrationApi.Telegence, operation, deviceId, retryable: false },
  );
}

/**
 * A write failed ambiguously and the lookup that should tell whether it was applied failed
 * too: the caller must reconcile; never retried.
 */
export function unconfirmedWriteError(
  operation: TelegenceOperation,
  deviceId: string | undefined,
  lookupError: unknown,
): IntegrationError {
  const lookup = lookupError instanceof IntegrationError ? lookupError : undefined;
  return new IntegrationError(
    (lookup?.code as IntegrationErrorCode | undefined) ?? ErrorCode.INTEGRATION_NETWORK,
    `Telegence ${operation}${deviceId === undefined ? '' : ` for ${deviceId}`}: outcome unknown; the check whether it was applied failed (${lookup?.message ?? 'lookup error'})`,
    {
      api: IntegrationApi.Telegence,
      operation,
      deviceId,
      httpStatus: lookup?.httpStatus,
      vendorCode: lookup?.vendorCode,
      vendorMessage: lookup?.vendorMessage,
      retryable: false,
      ambiguous: true,
      cause: lookupError,
    },
  );
}

/**
 * Re-labels a transport failure (timeout, network) with the line it was about, keeping its
 * code and flags; anything else (the caller's own abort reason) is returned unchanged.
 */
export function withDevice(error: unknown, deviceId: string | undefined): unknown {
  if (!(error instanceof IntegrationError) || deviceId === undefined) return error;
  if (error.deviceId !== undefined && error.message.includes(deviceId)) return error;
  return new IntegrationError(
    error.code as IntegrationErrorCode,
    `${error.message.replace(/^telegence /, 'Telegence ')} (${deviceId})`,
    {
      api: error.api,
      operation: error.operation,
      httpStatus: error.httpStatus,
      vendorCode: error.vendorCode,
      vendorMessage: error.vendorMessage,
      deviceId,
      retryable: error.retryable,
      ambiguous: error.ambiguous,
      retryAfterMs: error.retryAfterMs,
      cause: error.cause,
    },
  );
}

function where(f: { operation: string; deviceId?: string }): string {
  return f.deviceId === undefined ? f.operation : `${f.operation} for ${f.deviceId}`;
}

function vendorBody(f: TelegenceFailure, redact: Redactor): VendorBody {
  const parsed = errorBodySchema.safeParse(f.json);
  if (!parsed.success) {
    const text = f.text.trim();
    return {
      code: undefined,
      description: undefined,
      message: text === '' ? undefined : redact(text.slice(0, 200)),
    };
  }
  const b = parsed.data;
  const code = b.errorCode ?? b.code;
  const message = b.responseMessage ?? b.errorDescription ?? b.description;
  return {
    code: code === undefined ? undefined : redact(String(code)),
    description: b.description === undefined ? undefined : redact(b.description),
    message: message === undefined ? undefined : redact(message),
  };
}
