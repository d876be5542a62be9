/**
 * The one error table of the Control Center client: (HTTP status, vendor `errorCode`, body) →
 * error code, retryable or terminal, and the wait the server asked for.
 *
 * | Rule                | Matches                                   | Code          | Retry |
 * |---------------------|-------------------------------------------|---------------|-------|
 * | vendor-throttle     | `errorCode` 40000029, whatever the status  | THROTTLED     | yes   |
 * | http-429            | HTTP 429                                  | THROTTLED     | yes   |
 * | bad-credentials     | HTTP 401 or `errorCode` 10000001          | AUTH_FAILED   | no    |
 * | forbidden           | HTTP 403                                  | AUTH_FAILED   | no    |
 * | server-error        | HTTP 5xx                                  | UNAVAILABLE   | yes   |
 * | error-in-2xx        | 2xx carrying an `errorCode` (202 1000512) | REJECTED      | no    |
 * | bad-success-body    | 2xx unparsable / wrong shape / no `iccid` | BAD_RESPONSE  | no    |
 * | rejected            | other 4xx (400 invalid, 404 unknown ICCID) | REJECTED      | no    |
 * | unexpected          | anything else (1xx, 3xx)                  | BAD_RESPONSE  | no    |
 *
 * Throttling waits for `Retry-After` when present, else `throttleWaitMs` (the vendor asks for
 * a back-off of at least a second). 5xx honours `Retry-After` when present. Network failures
 * and timeouts come from the shared transport already classified (retryable); they only get
 * the device id added to their message.
 *
 * Messages name the operation, HTTP status, vendor code and message and the device; they never
 * contain credentials: vendor messages are scrubbed of the user's API key and Basic token.
 */
import { ErrorCode } from '../../../domain/errors.ts';
import type { HttpResponse } from '../shared/http-transport.ts';
import {
  IntegrationError,
  type IntegrationErrorCode,
  isIntegrationError,
  parseRetryAfter,
} from '../shared/integration-error.ts';
import { JASPER_ERROR_CODES, jasperErrorBodySchema } from './jasper-wire.ts';

/** The call a failure belongs to. */
export interface JasperCall {
  operation: string;
  deviceId?: string;
}

/** What the table looks at. */
export interface JasperFailureFacts {
  status: number;
  vendorCode: string | undefined;
  /** Set when a 2xx body could not be accepted (why, in words). */
  badBody: string | undefined;
}

/** One row of the table. */
export interface JasperErrorRule {
  name: string;
  matches(facts: JasperFailureFacts): boolean;
  code: IntegrationErrorCode;
  retryable: boolean;
  /** `throttle`: Retry-After or the default wait; `header`: Retry-After only; `none`. */
  wait: 'throttle' | 'header' | 'none';
  summary: string;
}

const is2xx = (status: number) => status >= 200 && status < 300;

/** The error table, first match wins. */
export const JASPER_ERROR_TABLE: readonly JasperErrorRule[] = [
  {
    name: 'vendor-throttle',
    matches: (f) => f.vendorCode === JASPER_ERROR_CODES.rateLimitExceeded,
    code: ErrorCode.INTEGRATION_THROTTLED,
    retryable: true,
    wait: 'throttle',
    summary: 'rate limit exceeded for the account',
  },
  {
    name: 'http-429',
    matches: (f) => f.status === 429,
    code: ErrorCode.INTEGRATION_THROTTLED,
    retryable: true,
    wait: 'throttle',
    summary: 'too many requests',
  },
  {
    name: 'bad-credentials',
    matches: (f) => f.status === 401 || f.vendorCode === JASPER_ERROR_CODES.invalidCredentials,
    code: ErrorCode.INTEGRATION_AUTH_FAILED,
    retryable: false,
    wait: 'none',
    summary: 'credentials refused',
  },
  {
    name: 'forbidden',
    matches: (f) => f.status === 403,
    code: ErrorCode.INTEGRATION_AUTH_FAILED,
    retryable: false,
    wait: 'none',
    summary: 'the API user may not perform this operation',
  },
  {
    name: 'server-error',
    matches: (f) => f.status >= 500 && f.status <= 599,
    code: ErrorCode.INTEGRATION_UNAVAILABLE,
    retryable: true,
    wait: 'header',
    summary: 'server error',
  },
  {
    name: 'error-in-2xx',
    matches: (f) => is2xx(f.status) && f.vendorCode !== undefined,
    code: ErrorCode.INTEGRATION_REJECTED,
    retryable: false,
    wait: 'none',
    summary: 'accepted with an error code (not applied)',
  },
  {
    name: 'bad-success-body',
    matches: (f) => is2xx(f.status),
    code: ErrorCode.INTEGRATION_BAD_RESPONSE,
    retryable: false,
    wait: 'none',
    summary: 'unusable success body',
  },
  {
    name: 'rejected',
    matches: (f) => f.status >= 400 && f.status <= 499,
    code: ErrorCode.INTEGRATION_REJECTED,
    retryable: false,
    wait: 'none',
    summary: 'request rejected',
  },
  {
    name: 'unexpected',
    matches: () => true,
    code: ErrorCode.INTEGRATION_BAD_RESPONSE,
    retryable: false,
    wait: 'none',
    summary: 'unexpected response',
  },
];

/** Finds the rule for a failure. */
export function classifyJasperFailure(facts: JasperFailureFacts): JasperErrorRule {
  const rule = JASPER_ERROR_TABLE.find((r) => r.matches(facts));
  // The last rule matches everything; this is for the type checker.
  if (rule === undefined) throw new Error('jasper error table has no catch-all rule');
  return rule;
}

/** Options of {@link createJasperErrors}. */
export interface JasperErrorsOptions {
  /** Wait after a throttling answer without Retry-After. @default 1000 */
  throttleWaitMs?: number;
  /** Strings that must never appear in an error (API key, Basic token, user:key). */
  secrets: readonly string[];
}

/** Builds the client's errors. */
export interface JasperErrors {
  /** A non-accepted HTTP response (status or body). */
  fromResponse(res: HttpResponse, call: JasperCall, badBody?: string): IntegrationError;
  /** A failure thrown while sending (transport errors get the device id; others pass). */
  fromThrown(error: unknown, call: JasperCall): unknown;
  /** A request the client refuses to send. */
  invalidRequest(call: JasperCall, reason: string): IntegrationError;
}

/**
 * Creates the error builder of one client.
 *
 * @example
 * const errors = createJasperErrors({ secrets: [apiKey] });
 * throw errors.fromResponse(res, { operation: 'getDevice', deviceId: iccid });
 */
export function createJasperErrors(options: JasperErrorsOptions): JasperErrors {
  const throttleWaitMs = options.throttleWaitMs ?? 1000;
  const secrets = options.secrets.filter((s) => s.length >= 4);
  const scrub = (value: string): string =>
    secrets.reduce((out, secret) => out.split(secret).join('[redacted]'), value);
  const where = (call: JasperCall) =>
    call.deviceId === undefined ? '' : ` for device ${call.deviceId}`;

  return {
    fromResponse(res, call, badBody) {
      const parsed = jasperErrorBodySchema.safeParse(res.json);
      const vendorCode = parsed.success ? parsed.data.errorCode : undefined;
      const rawMessage = parsed.success ? parsed.data.errorMessage : undefined;
      const vendorMessage = rawMessage === undefined ? undefined : scrub(rawMessage);
      const rule = classifyJasperFailure({ status: res.status, vendorCode, badBody });
      const header = parseRetryAfter(res.headers.get('retry-after'));
      const retryAfterMs =
        rule.wait === 'throttle'
          ? (header ?? throttleWaitMs)
          : rule.wait === 'header'
            ? header
            : undefined;
      const vendor =
        vendorCode === undefined
          ? ''
          : `, vendor code ${vendorCode}${vendorMessage === undefined ? '' : ` "${vendorMessage}"`}`;
      const why = badBody === undefined || vendorCode !== undefined ? '' : `: ${scrub(badBody)}`;
      return new IntegrationError(
        rule.code,
        `jasper ${call.operation}${where(call)} failed: HTTP ${res.status}${vendor} (${rule.summary}${why})`,
        {
          api: 'jasper',
          operation: call.operation,
          deviceId: call.deviceId,
          httpStatus: res.status,
          vendorCode,
          vendorMessage,
          retryable: rule.retryable,
          retryAfterMs,
        },
      );
    },
    fromThrown(error, call) {
      if (!isIntegrationError(error)) return error;
      const device = error.deviceId ?? call.deviceId;
      const suffix =
        device === undefined || error.message.includes(device) ? '' : ` (device ${device})`;
      return new IntegrationError(
        error.code as IntegrationErrorCode,
        scrub(error.message) + suffix,
        {
          api: 'jasper',
          operation: error.operation === 'circuit' ? call.operation : error.operation,
          deviceId: device,
          httpStatus: error.httpStatus,
          vendorCode: error.vendorCode,
          vendorMessage: error.vendorMessage,
          retryable: error.retryable,
          ambiguous: error.ambiguous,
          retryAfterMs: error.retryAfterMs,
          cause: error.cause,
        },
      );
    },
    invalidRequest(call, reason) {
      return new IntegrationError(
        ErrorCode.INTEGRATION_REJECTED,
        `jasper ${call.operation}${where(call)} not sent: ${scrub(reason)}`,
        { api: 'jasper', operation: call.operation, deviceId: call.deviceId, retryable: false },
      );
    },
  };
}
