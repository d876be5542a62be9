/**
 * Error classes shared by every layer.
 *
 * Every error the service raises on purpose is an {@link AppError}: it has a stable
 * machine-readable `code` (part of the public contract: API bodies, logs, device change
 * details), a human message that names the row / field / device concerned, the original
 * `cause` when it wraps another failure, and a structured `context`.
 *
 * Codes are listed once in {@link ErrorCode}; never reuse or rename a code.
 */

/** Stable error codes. The value is the code; keys and values are kept identical. */
export const ErrorCode = {
  /** Input failed validation; `issues` lists every row/field problem. */
  VALIDATION_FAILED: 'VALIDATION_FAILED',
  /** An ICCID, IMEI, MSISDN or EID has the wrong format or check digit. */
  INVALID_IDENTIFIER: 'INVALID_IDENTIFIER',
  /** A change type name the service does not know. */
  UNKNOWN_CHANGE_TYPE: 'UNKNOWN_CHANGE_TYPE',
  /** An integration name the service does not know. */
  UNKNOWN_INTEGRATION: 'UNKNOWN_INTEGRATION',
  /** A status change the state machine does not allow. */
  INVALID_STATUS_TRANSITION: 'INVALID_STATUS_TRANSITION',
  /** A configuration value is missing or malformed. */
  CONFIG_INVALID: 'CONFIG_INVALID',
  /** The database cannot be reached or refused the credentials. */
  DATABASE_UNAVAILABLE: 'DATABASE_UNAVAILABLE',
  /** The data directory cannot be created or written. */
  DATA_DIR_NOT_WRITABLE: 'DATA_DIR_NOT_WRITABLE',
  /** The database schema is newer than this build of the code. */
  SCHEMA_TOO_NEW: 'SCHEMA_TOO_NEW',
  /** The database lacks migrations this build needs (a process that does not migrate found it). */
  SCHEMA_BEHIND: 'SCHEMA_BEHIND',
  /** An applied migration differs from the file shipped with this build. */
  MIGRATION_CHECKSUM_MISMATCH: 'MIGRATION_CHECKSUM_MISMATCH',
  /** A migration failed while being applied (it was rolled back). */
  MIGRATION_FAILED: 'MIGRATION_FAILED',
  /** A secret reference cannot be resolved or decrypted. */
  SECRET_UNAVAILABLE: 'SECRET_UNAVAILABLE',
  /** A record that was asked for does not exist (or belongs to another tenant). */
  NOT_FOUND: 'NOT_FOUND',
  /** A unique record already exists. */
  CONFLICT: 'CONFLICT',
  /** A carrier or billing API could not be reached (connection refused, reset, DNS). */
  INTEGRATION_NETWORK: 'INTEGRATION_NETWORK',
  /** A carrier or billing API did not answer within the call's time limit. */
  INTEGRATION_TIMEOUT: 'INTEGRATION_TIMEOUT',
  /** A carrier or billing API asked us to slow down (429, vendor throttling codes). */
  INTEGRATION_THROTTLED: 'INTEGRATION_THROTTLED',
  /** A carrier or billing API refused our credentials or token. */
  INTEGRATION_AUTH_FAILED: 'INTEGRATION_AUTH_FAILED',
  /** A carrier or billing API rejected the request on its merits (4xx business error). */
  INTEGRATION_REJECTED: 'INTEGRATION_REJECTED',
  /** A carrier or billing API failed on its side (5xx). */
  INTEGRATION_UNAVAILABLE: 'INTEGRATION_UNAVAILABLE',
  /** A carrier or billing API answered with a body we cannot accept (malformed, missing fields). */
  INTEGRATION_BAD_RESPONSE: 'INTEGRATION_BAD_RESPONSE',
  /** Calls to a carrier account are suspended after repeated failures (circuit open). */
  INTEGRATION_CIRCUIT_OPEN: 'INTEGRATION_CIRCUIT_OPEN',
  /** The device must be converted to an eSIM profile before this change (Telegence). */
  INTEGRATION_ESIM_REQUIRED: 'INTEGRATION_ESIM_REQUIRED',
  /** A write was attempted on a service provider whose writes are disabled. */
  WRITES_DISABLED: 'WRITES_DISABLED',
  /** The request has no valid API key (missing, malformed, unknown or revoked). */
  UNAUTHORIZED: 'UNAUTHORIZED',
  /** The request body is larger than allowed (bytes or rows). */
  PAYLOAD_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  /** The request body's Content-Type is not one the route accepts. */
  UNSUPPORTED_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  /** An Idempotency-Key was reused with a different request. */
  IDEMPOTENCY_KEY_REUSED: 'IDEMPOTENCY_KEY_REUSED',
  /** An unexpected failure of the service (a bug or an outage); details are in its logs. */
  INTERNAL_ERROR: 'INTERNAL_ERROR',
  /** An email or status webhook could not be delivered (`retryable` says whether it is retried). */
  NOTIFICATION_DELIVERY_FAILED: 'NOTIFICATION_DELIVERY_FAILED',
} as const;

/** Union of every stable error code. */
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** Options accepted by every {@link AppError} constructor. */
export interface AppErrorOptions {
  /** The underlying failure, kept for logs and debugging. */
  cause?: unknown;
  /** Structured facts about the failure (ids, field names). Never put secrets here. */
  context?: Record<string, unknown>;
}

/**
 * Base class of every deliberate error.
 *
 * @example
 * throw new AppError(ErrorCode.NOT_FOUND, 'Bulk change 42 not found', { context: { id: 42 } });
 */
export class AppError extends Error {
  /** Stable machine-readable code. */
  readonly code: ErrorCode;
  /** Structured facts about the failure. */
  readonly context: Readonly<Record<string, unknown>>;

  constructor(code: ErrorCode, message: string, options: AppErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.context = Object.freeze({ ...(options.context ?? {}) });
  }
}

/** One problem found while validating input: where it is and what is wrong. */
export interface ValidationIssue {
  /** 1-based row number in the submitted list or CSV (header excluded), when row-based. */
  row?: number;
  /** Field (or dotted path) the problem is about. */
  field: string;
  /** What is wrong, in words a user can act on. */
  message: string;
}

/** Input failed validation; carries every issue found, not just the first. */
export class ValidationError extends AppError {
  readonly issues: readonly ValidationIssue[];

  constructor(message: string, issues: readonly ValidationIssue[], options: AppErrorOptions = {}) {
    super(ErrorCode.VALIDATION_FAILED, message, options);
    this.issues = Object.freeze([...issues]);
  }
}

/** A record that was asked for does not exist (or is not visible to the caller). */
export class NotFoundError extends AppError {
  constructor(entity: string, id: string | number, options: AppErrorOptions = {}) {
    super(ErrorCode.NOT_FOUND, `${entity} ${id} not found`, {
      ...options,
      context: { entity, id, ...(options.context ?? {}) },
    });
  }
}

/** A change of status that the documented state machine forbids. */
export class InvalidStatusTransitionError extends AppError {
  constructor(machine: string, from: string, event: string) {
    super(
      ErrorCode.INVALID_STATUS_TRANSITION,
      `${machine}: event "${event}" is not allowed in status ${from}`,
      { context: { machine, from, event } },
    );
  }
}

/** Turns any thrown value into an Error so that callers can rely on `.message`. */
export function toError(value: unknown): Error {
  if (value instanceof Error) return value;
  return new Error(typeof value === 'string' ? value : JSON.stringify(value));
}

/** Type guard for {@link AppError} with an optional specific code. */
export function isAppError(value: unknown, code?: ErrorCode): value is AppError {
  return value instanceof AppError && (code === undefined || value.code === code);
}
