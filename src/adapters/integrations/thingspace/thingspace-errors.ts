/**
 * The ThingSpace error table: every HTTP answer that is not a usable success becomes one
 * {@link IntegrationError}, decided here and nowhere else.
 *
 * Facts read from an answer: HTTP status, the gateway (WSO2) fault code, the API `errorCode`
 * (matched on its last segment, as Verizon advises), an OAuth `error`, and whether a 2xx body
 * was unreadable. Rows are tried in order; the first that matches decides code, retryability
 * and whether a failed write may still have been applied (`ambiguous`).
 *
 * Messages name the operation, device, HTTP status and vendor code/message. Vendor messages
 * pass through `redact` (which blanks every credential and token the client holds) so that a
 * server echoing a secret cannot leak it into errors or logs.
 */
import { ErrorCode } from '../../../domain/errors.ts';
import type { HttpResponse } from '../shared/http-transport.ts';
import {
  IntegrationError,
  type IntegrationErrorCode,
  parseRetryAfter,
} from '../shared/integration-error.ts';
import { gatewayFaultSchema, oauthErrorSchema, vendorErrorSchema } from './thingspace-wire.ts';

/** What went wrong, as far as the client's own behaviour is concerned. */
export type ThingSpaceFailureKind =
  /** Bearer token missing, wrong or expired (gateway 900901/900902): fetch a new token. */
  | 'token'
  /** VZ-M2M session token missing, invalid or expired: log in again. */
  | 'session'
  /** Login refused for the user name / password (counts towards the vendor lockout). */
  | 'login'
  /** The UWS user is locked (5 failed logins). */
  | 'locked'
  | 'auth'
  | 'throttled'
  | 'unavailable'
  | 'rejected'
  | 'bad-response';

/** Facts the table decides on. */
interface Facts {
  status: number;
  gatewayCode: string | undefined;
  vendorCode: string | undefined;
  /** Last segment of `errorCode` (`UnifiedWebService.REQUEST_FAILED.X` → `X`). */
  suffix: string | undefined;
  oauthError: string | undefined;
  malformed: boolean;
}

interface Row {
  when: (f: Facts) => boolean;
  kind: ThingSpaceFailureKind;
  code: IntegrationErrorCode;
  retryable: boolean;
  /** A write that got this answer may have been applied (look it up before retrying). */
  ambiguousForWrites?: boolean;
}

const isGateway =
  (...codes: string[]) =>
  (f: Facts) =>
    f.gatewayCode !== undefined && codes.includes(f.gatewayCode);

/** The table. Order matters: the first matching row wins. */
const TABLE: readonly Row[] = [
  // WSO2 throttling faults (900800–900809) and plain 429.
  {
    when: (f) => f.status === 429 || /^9008\d\d$/.test(f.gatewayCode ?? ''),
    kind: 'throttled',
    code: ErrorCode.INTEGRATION_THROTTLED,
    retryable: true,
  },
  {
    when: isGateway('900901', '900902'),
    kind: 'token',
    code: ErrorCode.INTEGRATION_AUTH_FAILED,
    retryable: false,
  },
  {
    when: (f) => /sessiontoken/i.test(f.suffix ?? '') || f.oauthError === 'unauthorized',
    kind: 'session',
    code: ErrorCode.INTEGRATION_AUTH_FAILED,
    retryable: false,
  },
  {
    when: (f) => /locked/i.test(f.suffix ?? ''),
    kind: 'locked',
    code: ErrorCode.INTEGRATION_AUTH_FAILED,
    retryable: false,
  },
  {
    when: (f) => /^(InvalidCredentials|AuthenticationFailed|LoginFailed)$/i.test(f.suffix ?? ''),
    kind: 'login',
    code: ErrorCode.INTEGRATION_AUTH_FAILED,
    retryable: false,
  },
  {
    when: (f) =>
      f.status === 401 ||
      f.status === 403 ||
      /^(invalid_client|invalid_grant|unauthorized_client|access_denied|invalid_token)$/.test(
        f.oauthError ?? '',
      ),
    kind: 'auth',
    code: ErrorCode.INTEGRATION_AUTH_FAILED,
    retryable: false,
  },
  // 503: the service refused the call before doing anything — plainly retryable.
  {
    when: (f) => f.status === 503,
    kind: 'unavailable',
    code: ErrorCode.INTEGRATION_UNAVAILABLE,
    retryable: true,
  },
  // 500/502/504 and other 5xx: retryable, but a write may have gone through upstream.
  {
    when: (f) => f.status >= 500,
    kind: 'unavailable',
    code: ErrorCode.INTEGRATION_UNAVAILABLE,
    retryable: true,
    ambiguousForWrites: true,
  },
  {
    when: (f) => f.status >= 400,
    kind: 'rejected',
    code: ErrorCode.INTEGRATION_REJECTED,
    retryable: false,
  },
  // A 2xx (or 3xx) we cannot use: the write was accepted, we just cannot read the answer.
  {
    when: (f) => f.malformed,
    kind: 'bad-response',
    code: ErrorCode.INTEGRATION_BAD_RESPONSE,
    retryable: true,
    ambiguousForWrites: true,
  },
  {
    when: () => true,
    kind: 'bad-response',
    code: ErrorCode.INTEGRATION_BAD_RESPONSE,
    retryable: false,
    ambiguousForWrites: true,
  },
];

/** Context of one failed answer. */
export interface ThingSpaceErrorContext {
  operation: string;
  deviceId?: string;
  /** The call is a non-idempotent write (provisioning action). */
  write: boolean;
  /** Blanks credentials and tokens in vendor text. */
  redact: (text: string) => string;
  /** What was wrong with a 2xx body, when the caller's schema rejected it. */
  detail?: string;
}

/** A classified failure. */
export interface ThingSpaceFailure {
  kind: ThingSpaceFailureKind;
  error: IntegrationError;
}

/**
 * Classifies an answer that is not a usable success.
 *
 * @example
 * if (res.status >= 400) throw classifyThingSpaceResponse(res, { operation: 'suspend', write: true, redact }).error;
 */
export function classifyThingSpaceResponse(
  res: Pick<HttpResponse, 'status' | 'json' | 'text' | 'malformed' | 'headers'>,
  ctx: ThingSpaceErrorContext,
): ThingSpaceFailure {
  const facts = readFacts(res);
  const row = TABLE.find((r) => r.when(facts)) ?? (TABLE.at(-1) as Row);
  const vendorMessage = vendorMessageOf(res.json, ctx.redact);
  const vendorCode = facts.vendorCode ?? facts.gatewayCode ?? facts.oauthError;
  const ambiguous = ctx.write && row.ambiguousForWrites === true;
  const parts = [
    `thingspace ${ctx.operation}`,
    ctx.deviceId === undefined ? '' : ` for device ${ctx.deviceId}`,
    ` failed: HTTP ${res.status}`,
    vendorCode === undefined ? '' : ` ${vendorCode}`,
    vendorMessage === undefined ? '' : ` (${vendorMessage})`,
    ctx.detail === undefined ? '' : `: ${ctx.redact(ctx.detail)}`,
    ambiguous ? '; the request may have been applied' : '',
  ];
  const error = new IntegrationError(row.code, parts.join(''), {
    api: 'thingspace',
    operation: ctx.operation,
    httpStatus: res.status,
    vendorCode,
    vendorMessage,
    deviceId: ctx.deviceId,
    retryable: row.retryable,
    ambiguous,
    retryAfterMs: row.kind === 'throttled' ? retryAfterOf(res.headers) : undefined,
  });
  return { kind: row.kind, error };
}

/**
 * A failure the client decides itself, without an HTTP answer (e.g. it refuses to log in
 * again after failed logins, or a lookup could not tell whether a write happened).
 */
export function thingSpaceClientError(
  code: IntegrationErrorCode,
  message: string,
  details: { operation: string; deviceId?: string; ambiguous?: boolean; cause?: unknown },
): IntegrationError {
  return new IntegrationError(code, `thingspace ${details.operation}: ${message}`, {
    api: 'thingspace',
    operation: details.operation,
    deviceId: details.deviceId,
    retryable: false,
    ambiguous: details.ambiguous ?? false,
    cause: details.cause,
  });
}

/** True when the error is a rejected/expired Bearer token (gateway 900901/900902). */
export function isTokenRejection(error: unknown): error is IntegrationError {
  return (
    error instanceof IntegrationError &&
    error.api === 'thingspace' &&
    error.code === ErrorCode.INTEGRATION_AUTH_FAILED &&
    (error.vendorCode === '900901' || error.vendorCode === '900902')
  );
}

/** True when the error is a rejected/expired VZ-M2M session token. */
export function isSessionRejection(error: unknown): error is IntegrationError {
  return (
    error instanceof IntegrationError &&
    error.api === 'thingspace' &&
    error.code === ErrorCode.INTEGRATION_AUTH_FAILED &&
    (/sessiontoken/i.test(lastSegment(error.vendorCode) ?? '') ||
      error.vendorCode === 'unauthorized')
  );
}

function readFacts(res: Pick<HttpResponse, 'status' | 'json' | 'malformed'>): Facts {
  const gateway = gatewayFaultSchema.safeParse(res.json);
  const vendor = vendorErrorSchema.safeParse(res.json);
  const oauth = oauthErrorSchema.safeParse(res.json);
  const vendorCode = vendor.success ? vendor.data.errorCode : undefined;
  return {
    status: res.status,
    gatewayCode: gateway.success ? String(gateway.data.fault.code) : undefined,
    vendorCode,
    suffix: lastSegment(vendorCode),
    oauthError: oauth.success ? oauth.data.error : undefined,
    malformed: res.malformed,
  };
}

function vendorMessageOf(json: unknown, redact: (s: string) => string): string | undefined {
  const vendor = vendorErrorSchema.safeParse(json);
  if (vendor.success) return clip(redact(vendor.data.errorMessage ?? ''));
  const gateway = gatewayFaultSchema.safeParse(json);
  if (gateway.success) return clip(redact(gateway.data.fault.message ?? ''));
  const oauth = oauthErrorSchema.safeParse(json);
  if (oauth.success) return clip(redact(oauth.data.error_description ?? oauth.data.cause ?? ''));
  return undefined;
}

function clip(text: string): string | undefined {
  const trimmed = text.trim();
  if (trimmed === '') return undefined;
  return trimmed.length > 300 ? `${trimmed.slice(0, 300)}…` : trimmed;
}

function lastSegment(code: string | undefined): string | undefined {
  return code?.split('.').at(-1);
}

function retryAfterOf(headers: Headers): number | undefined {
  return parseRetryAfter(headers.get('retry-after'));
}
