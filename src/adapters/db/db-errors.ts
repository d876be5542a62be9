/**
 * Errors of the store: opening the database and migrating it. Messages are one line a user can
 * act on, name the place (host, port, database or path) and never contain a password.
 */
import { AppError, type AppErrorOptions, ErrorCode } from '../../domain/errors.ts';

/** Where a PostgreSQL server is, without credentials. */
export interface PostgresLocation {
  host: string;
  port: number;
  database: string;
}

/**
 * The database cannot be reached, refused the credentials, or does not exist.
 *
 * @example
 * // Cannot connect to PostgreSQL at 127.0.0.1:5499 (database "x"): connection refused
 */
export class DatabaseUnavailableError extends AppError {
  constructor(message: string, options: AppErrorOptions = {}) {
    super(ErrorCode.DATABASE_UNAVAILABLE, message, options);
  }

  /** Builds the standard one-line message for a PostgreSQL server. */
  static forPostgres(
    location: PostgresLocation,
    reason: string,
    cause?: unknown,
  ): DatabaseUnavailableError {
    return new DatabaseUnavailableError(
      `Cannot connect to PostgreSQL at ${location.host}:${location.port} (database "${location.database}"): ${reason}`,
      { cause, context: { ...location, reason } },
    );
  }
}

/**
 * The data directory (PGlite files, local key) cannot be created or written. The reason is
 * taken from `options.reason`, else derived from the `cause`'s errno code.
 *
 * @example
 * // Data directory /srv/data is not writable: permission denied
 */
export class DataDirNotWritableError extends AppError {
  constructor(path: string, options: AppErrorOptions & { reason?: string } = {}) {
    const reason = options.reason ?? reasonOf(options.cause);
    super(ErrorCode.DATA_DIR_NOT_WRITABLE, `Data directory ${path} is not writable: ${reason}`, {
      cause: options.cause,
      context: { path, reason, ...(options.context ?? {}) },
    });
  }
}

function reasonOf(cause: unknown): string {
  const code = (cause as { code?: unknown } | undefined)?.code;
  switch (code) {
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'ENOTDIR':
    case 'EEXIST':
      return 'a path component is a file, not a directory';
    case 'EROFS':
      return 'read-only file system';
    case 'ENOSPC':
      return 'no space left on device';
    default:
      return cause instanceof Error ? cause.message : 'unknown error';
  }
}

/** The database has migrations this build does not know: it was upgraded by a newer build. */
export class SchemaTooNewError extends AppError {
  constructor(databaseVersion: number, knownVersion: number) {
    super(
      ErrorCode.SCHEMA_TOO_NEW,
      `database schema is at migration ${databaseVersion} but this build knows only up to ${knownVersion}; upgrade device-bulk-change`,
      { context: { databaseVersion, knownVersion } },
    );
  }
}

/**
 * The database lacks migrations this build needs, found by a process that does not migrate
 * (aws mode: the Lambda and the aws-mode services; `bulk-change migrate` runs in the deploy
 * pipeline).
 */
export class SchemaBehindError extends AppError {
  constructor(databaseVersion: number, pending: readonly string[]) {
    super(
      ErrorCode.SCHEMA_BEHIND,
      `database schema is at migration ${databaseVersion} but this build needs ${pending.join(', ')}; run \`bulk-change migrate\` (the deploy pipeline's step) before starting this version`,
      { context: { databaseVersion, pending: [...pending] } },
    );
  }
}

/** An applied migration's file changed (or vanished) since it was applied. */
export class MigrationChecksumMismatchError extends AppError {
  constructor(version: number, file: string, detail: string) {
    super(
      ErrorCode.MIGRATION_CHECKSUM_MISMATCH,
      `migration ${file} (version ${version}) ${detail}; never edit an applied migration, add a new one`,
      { context: { version, file } },
    );
  }
}

/** A migration failed; its transaction was rolled back and later migrations were not run. */
export class MigrationFailedError extends AppError {
  constructor(file: string, cause: unknown) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    super(ErrorCode.MIGRATION_FAILED, `migration ${file} failed and was rolled back: ${reason}`, {
      cause,
      context: { file },
    });
  }
}
