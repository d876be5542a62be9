/**
 * The one error shape of the REST API and the HTTP status of every stable error code.
 *
 * Body: `{ "code": "VALIDATION_FAILED", "message": "…", "details": [{ "row": 3, "field":
 * "iccid", "message": "…" }] }` (`details` only when there are row/field issues).
 *
 * {@link ERROR_STATUS} is the single table of code → status; the README "API errors" table and
 * the OpenAPI description are rendered from it (`npm run docs:errors` rewrites the README
 * table), and a test fails when a code lacks an entry or the README differs.
 */
import type { FastifyError } from 'fastify';
import { MAX_SUBMIT_BYTES } from '../app/submit/submit-rows.ts';
import { AppError, ErrorCode, ValidationError, type ValidationIssue } from '../domain/errors.ts';

/** HTTP status and meaning of each error code as the API answers it. */
export const ERROR_STATUS: Readonly<Partial<Record<ErrorCode, { status: number; when: string }>>> =
  {
    VALIDATION_FAILED: {
      status: 422,
      when: 'input failed validation; `details` lists every row/field',
    },
    INVALID_IDENTIFIER: { status: 422, when: 'an ICCID, IMEI, MSISDN or EID is malformed' },
    UNKNOWN_CHANGE_TYPE: { status: 422, when: 'the change type is not known' },
    UNKNOWN_INTEGRATION: { status: 422, when: 'the integration is not known' },
    INVALID_STATUS_TRANSITION: {
      status: 409,
      when: 'the action does not apply in the current status (e.g. nothing to retry)',
    },
    CONFIG_INVALID: { status: 500, when: 'the service is misconfigured' },
    DATABASE_UNAVAILABLE: { status: 503, when: 'the database cannot be reached' },
    DATA_DIR_NOT_WRITABLE: { status: 500, when: 'the data directory is not writable' },
    SCHEMA_TOO_NEW: { status: 503, when: 'the database schema is newer than the service' },
    SCHEMA_BEHIND: { status: 503, when: 'the database schema is older than the service' },
    MIGRATION_CHECKSUM_MISMATCH: { status: 500, when: 'an applied migration was changed' },
    MIGRATION_FAILED: { status: 500, when: 'a migration failed' },
    SECRET_UNAVAILABLE: { status: 500, when: 'a stored secret cannot be read' },
    NOT_FOUND: { status: 404, when: "the record does not exist or is another tenant's" },
    CONFLICT: {
      status: 409,
      when: 'a unique record already exists, or a concurrent request holds it',
    },
    INTEGRATION_NETWORK: { status: 502, when: 'a carrier or billing API cannot be reached' },
    NOTIFICATION_DELIVERY_FAILED: {
      status: 502,
      when: 'an email or status webhook could not be delivered (never answered by the API; listed for completeness)',
    },
    INTEGRATION_TIMEOUT: { status: 504, when: 'a carrier or billing API did not answer in time' },
    INTEGRATION_THROTTLED: { status: 503, when: 'a carrier or billing API throttles us' },
    INTEGRATION_AUTH_FAILED: {
      status: 502,
      when: 'a carrier or billing API refused our credentials',
    },
    INTEGRATION_REJECTED: { status: 502, when: 'a carrier or billing API rejected the request' },
    INTEGRATION_UNAVAILABLE: { status: 502, when: 'a carrier or billing API failed' },
    INTEGRATION_BAD_RESPONSE: { status: 502, when: 'a carrier or billing API answered nonsense' },
    INTEGRATION_CIRCUIT_OPEN: { status: 503, when: 'calls to a carrier account are suspended' },
    INTEGRATION_ESIM_REQUIRED: { status: 422, when: 'the device must be converted to eSIM first' },
    WRITES_DISABLED: { status: 409, when: 'writes are disabled for the service provider' },
    UNAUTHORIZED: { status: 401, when: 'no valid `Authorization: Bearer <API key>`' },
    PAYLOAD_TOO_LARGE: { status: 413, when: 'more than 100,000 rows or 20 MB' },
    UNSUPPORTED_MEDIA_TYPE: { status: 415, when: 'the body is neither JSON nor text/csv' },
    IDEMPOTENCY_KEY_REUSED: {
      status: 409,
      when: 'the Idempotency-Key was used with a different request',
    },
    INTERNAL_ERROR: { status: 500, when: 'an unexpected failure; see the service log' },
  };

/** The API error body. */
export interface ErrorBody {
  code: ErrorCode;
  message: string;
  details?: ValidationIssue[];
}

/** HTTP status of a code (500 for a code missing from the table). */
export function statusOf(code: ErrorCode): number {
  return ERROR_STATUS[code]?.status ?? 500;
}

const FASTIFY_CODES: Readonly<Record<string, { code: ErrorCode; message?: string }>> = {
  FST_ERR_CTP_BODY_TOO_LARGE: {
    code: ErrorCode.PAYLOAD_TOO_LARGE,
    message: `The request body is larger than ${MAX_SUBMIT_BYTES / (1024 * 1024)} MB; split the file into several bulk changes`,
  },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: {
    code: ErrorCode.UNSUPPORTED_MEDIA_TYPE,
    message: 'Send application/json or text/csv',
  },
  FST_ERR_CTP_INVALID_JSON_BODY: { code: ErrorCode.VALIDATION_FAILED },
  FST_ERR_CTP_EMPTY_JSON_BODY: {
    code: ErrorCode.VALIDATION_FAILED,
    message: 'The JSON body is empty',
  },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { code: ErrorCode.VALIDATION_FAILED },
};

/**
 * The status and body for any thrown value; `internal` is true for unexpected failures
 * (logged in full, answered without detail).
 */
export function toErrorResponse(error: unknown): {
  status: number;
  body: ErrorBody;
  internal: boolean;
} {
  if (error instanceof AppError) {
    const body: ErrorBody = { code: error.code, message: error.message };
    if (error instanceof ValidationError && error.issues.length > 0) {
      body.details = [...error.issues];
    }
    return { status: statusOf(error.code), body, internal: false };
  }
  const fastifyCode = (error as FastifyError | null)?.code;
  const mapped = fastifyCode === undefined ? undefined : FASTIFY_CODES[fastifyCode];
  if (mapped !== undefined) {
    const message = mapped.message ?? (error as Error).message;
    return { status: statusOf(mapped.code), body: { code: mapped.code, message }, internal: false };
  }
  if (error instanceof SyntaxError) {
    return {
      status: statusOf(ErrorCode.VALIDATION_FAILED),
      body: { code: ErrorCode.VALIDATION_FAILED, message: `Malformed body: ${error.message}` },
      internal: false,
    };
  }
  return {
    status: 500,
    body: { code: ErrorCode.INTERNAL_ERROR, message: 'Internal error; see the service log' },
    internal: true,
  };
}

/** The README / OpenAPI table of error codes (markdown). */
export function renderErrorTable(): string {
  const lines = ['| code | HTTP status | when |', '|---|---|---|'];
  for (const code of Object.values(ErrorCode)) {
    const entry = ERROR_STATUS[code];
    lines.push(`| \`${code}\` | ${entry?.status ?? 500} | ${entry?.when ?? ''} |`);
  }
  return lines.join('\n');
}
