/**
 * The Rev.io error table: every failure of a Rev.io call becomes an {@link IntegrationError}
 * here, and only here. One table decides the code, whether a retry may help and whether a
 * failed write may nevertheless have been applied.
 *
 * Choices (carrier-apis.md §4.3–4.4, original-system.md §5):
 * - 429 (APIM rate limit / quota) is retryable; the wait is the larger of `Retry-After` and the
 *   original's rule "first number in the message + 1 s".
 * - 502/503/504, network errors and timeouts are retryable. 500 is not (the original never
 *   retried a Rev.io 500 either).
 * - 502, 504 and 500 on a write, a timeout or a connection lost after sending, and a 2xx write
 *   whose body is unreadable are *ambiguous*: the write may have happened, so creates look the
 *   result up before anything else (see `revio-client.ts`).
 * - 400/404/405/409/415/422 are rejections; 401/403 are credential/permission failures.
 * - A 2xx body with `ok: false` is a rejection (the original treated it as "no result").
 *
 * Messages name the operation, HTTP status, vendor code/message and the service or number the
 * call was about. They are built from the response only and scrubbed of the client's secrets, so
 * a vendor echoing a header back cannot leak it.
 */
import { ErrorCode } from '../../../domain/errors.ts';
import type { HttpResponse } from '../shared/http-transport.ts';
import {
  IntegrationError,
  type IntegrationErrorCode,
  parseRetryAfter,
} from '../shared/integration-error.ts';
import { revioErrorBodySchema } from './revio-wire.ts';

/** What went wrong, as the client observed it. */
export type RevioFailure =
  /** A non-2xx HTTP response. */
  | { kind: 'http'; response: HttpResponse }
  /** A 2xx response with `ok: false`. */
  | { kind: 'ok-false'; response: HttpResponse }
  /** A 2xx response whose body is not valid JSON (truncated, garbled). */
  | { kind: 'malformed'; response: HttpResponse }
  /** A 2xx response whose JSON does not have the documented shape. */
  | { kind: 'unexpected-body'; response: HttpResponse; detail: string }
  /** The transport failed (network error or timeout); already an IntegrationError. */
  | { kind: 'transport'; error: IntegrationError };

/** The call a failure belongs to. */
export interface RevioCallContext {
  operation: string;
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Service id or line number the call was about (IntegrationError.deviceId). */
  deviceId?: string;
  /** How messages name it, e.g. `service 700001`. @default deviceId */
  subject?: string;
  /** Strings that must never appear in an error (password, key, Basic token). */
  secrets: readonly string[];
}

interface Classification {
  code: IntegrationErrorCode;
  retryable: boolean;
  /** The request may have been applied although it failed (writes only). */
  ambiguousWrite: boolean;
}

interface Rule extends Classification {
  when: (f: RevioFailure, status: number | undefined) => boolean;
}

const rule = (
  when: Rule['when'],
  code: IntegrationErrorCode,
  retryable: boolean,
  ambiguousWrite = false,
): Rule => ({ when, code, retryable, ambiguousWrite });

const http = (...statuses: number[]) =>
  ((f, status) =>
    f.kind === 'http' && status !== undefined && statuses.includes(status)) as Rule['when'];

/** THE table. First matching rule wins. Transport failures keep the transport's verdict. */
const TABLE: readonly Rule[] = [
  rule((f) => f.kind === 'ok-false', ErrorCode.INTEGRATION_REJECTED, false),
  rule(http(401, 403), ErrorCode.INTEGRATION_AUTH_FAILED, false),
  rule(http(429), ErrorCode.INTEGRATION_THROTTLED, true),
  rule(http(502, 504), ErrorCode.INTEGRATION_UNAVAILABLE, true, true),
  rule(http(503), ErrorCode.INTEGRATION_UNAVAILABLE, true),
  rule(http(500), ErrorCode.INTEGRATION_UNAVAILABLE, false, true),
  rule((f, s) => f.kind === 'http' && (s ?? 0) >= 500, ErrorCode.INTEGRATION_UNAVAILABLE, false),
  rule((f, s) => f.kind === 'http' && (s ?? 0) >= 400, ErrorCode.INTEGRATION_REJECTED, false),
  rule((f) => f.kind === 'malformed', ErrorCode.INTEGRATION_BAD_RESPONSE, true, true),
  rule((f) => f.kind === 'unexpected-body', ErrorCode.INTEGRATION_BAD_RESPONSE, false),
  // 1xx/3xx or anything else we did not expect.
  rule(() => true, ErrorCode.INTEGRATION_BAD_RESPONSE, false),
];

/**
 * Classifies a failure (exported for the table's own tests).
 *
 * @example
 * classifyRevioFailure({ kind: 'http', response }).code; // 'INTEGRATION_THROTTLED' for a 429
 */
export function classifyRevioFailure(failure: RevioFailure): Classification {
  if (failure.kind === 'transport') {
    const e = failure.error;
    return {
      code: e.code as IntegrationErrorCode,
      retryable: e.retryable,
      ambiguousWrite: e.ambiguous,
    };
  }
  const status = failure.response.status;
  const found = TABLE.find((r) => r.when(failure, status));
  // The last rule always matches.
  return (
    found ?? { code: ErrorCode.INTEGRATION_BAD_RESPONSE, retryable: false, ambiguousWrite: false }
  );
}

/**
 * Turns a failure into the one error type the client throws.
 *
 * @example
 * throw toRevioError({ kind: 'http', response }, { operation: 'getService', method: 'GET',
 *   deviceId: 'service 700001', secrets });
 */
export function toRevioError(failure: RevioFailure, call: RevioCallContext): IntegrationError {
  const verdict = classifyRevioFailure(failure);
  const scrub = (text: string | undefined) => redact(text, call.secrets);
  const subject = call.subject ?? call.deviceId;
  const about = subject === undefined ? '' : ` for ${subject}`;
  const isWrite = call.method !== 'GET';

  if (failure.kind === 'transport') {
    const cause = failure.error;
    // The transport's message starts with "revio <operation> "; keep what follows.
    const what = cause.message.replace(/^revio \S+ /, '');
    return new IntegrationError(verdict.code, `revio ${call.operation}${about}: ${scrub(what)}`, {
      api: 'revio',
      operation: call.operation,
      deviceId: call.deviceId,
      retryable: verdict.retryable,
      ambiguous: verdict.ambiguousWrite,
      cause,
    });
  }

  const response = failure.response;
  const vendor = vendorDetails(response);
  const vendorCode = scrub(vendor.code);
  const vendorMessage = scrub(vendor.message);
  const retryAfterMs =
    verdict.code === ErrorCode.INTEGRATION_THROTTLED
      ? revioRetryAfterMs(response.headers.get('retry-after'), vendor.message)
      : undefined;
  const described = [vendorCode, vendorMessage]
    .filter((s) => s !== undefined && s !== '')
    .join(': ');
  const reason =
    failure.kind === 'ok-false'
      ? 'answered ok=false'
      : failure.kind === 'malformed'
        ? 'answered with an unreadable body'
        : failure.kind === 'unexpected-body'
          ? `answered with an unexpected body (${scrub(failure.detail)})`
          : 'failed';
  const message =
    `revio ${call.operation}${about} ${reason}: HTTP ${response.status}` +
    (described === '' ? '' : ` ${described}`) +
    (retryAfterMs === undefined ? '' : ` (retry after ${retryAfterMs} ms)`);
  return new IntegrationError(verdict.code, message, {
    api: 'revio',
    operation: call.operation,
    httpStatus: response.status,
    vendorCode,
    vendorMessage,
    deviceId: call.deviceId,
    retryable: verdict.retryable,
    ambiguous: isWrite && verdict.ambiguousWrite,
    retryAfterMs,
  });
}

/**
 * The wait Rev.io asks for on a 429: the larger of `Retry-After` and the original's rule (first
 * number in the message, in seconds, plus one second). Undefined when neither is present.
 *
 * @example
 * revioRetryAfterMs(null, 'Rate limit is exceeded. Try again in 3 seconds.'); // 4000
 * revioRetryAfterMs('5', 'Rate limit is exceeded. Try again in 3 seconds.'); // 5000
 */
export function revioRetryAfterMs(
  header: string | null | undefined,
  message: string | undefined,
): number | undefined {
  const fromHeader = parseRetryAfter(header);
  const first = message === undefined ? null : /\d+(?:\.\d+)?/.exec(message);
  const fromMessage = first === null ? undefined : Math.round((Number(first[0]) + 1) * 1000);
  if (fromHeader === undefined) return fromMessage;
  if (fromMessage === undefined) return fromHeader;
  return Math.max(fromHeader, fromMessage);
}

/** Vendor error code and message from any Rev.io / APIM error body (first element of arrays). */
function vendorDetails(response: HttpResponse): { code?: string; message?: string } {
  const parsed = revioErrorBodySchema.safeParse(response.json);
  if (!parsed.success) {
    const text = response.text.trim();
    return text === '' || response.json !== undefined ? {} : { message: clip(text) };
  }
  const body = parsed.data;
  const item = Array.isArray(body) ? body[0] : body;
  if (item === undefined) return {};
  if ('statusCode' in item && typeof item.statusCode === 'number') {
    return { message: clip(String(item.message)) };
  }
  const code = typeof item.error === 'string' ? clip(item.error) : undefined;
  const message = typeof item.message === 'string' ? clip(item.message) : undefined;
  return { code, message };
}

const MAX_VENDOR_TEXT = 300;

function clip(text: string): string {
  return text.length > MAX_VENDOR_TEXT ? `${text.slice(0, MAX_VENDOR_TEXT)}…` : text;
}

/** Replaces every occurrence of a secret (4+ characters) with `[redacted]`. */
export function redact(text: string | undefined, secrets: readonly string[]): string | undefined {
  if (text === undefined) return undefined;
  let out = text;
  for (const secret of secrets) {
    if (secret.length >= 4) out = out.split(secret).join('[redacted]');
  }
  return out;
}
