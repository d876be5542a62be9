/**
 * Migration runner for `migrations/NNNN_name.sql`.
 *
 * - `schema_migrations(version, name, checksum, applied_at)` records what was applied.
 * - Each pending file runs in its own transaction together with its `schema_migrations` row, so
 *   a failing file leaves nothing behind ({@link MigrationFailedError}).
 * - Concurrent migrators are serialised: on PostgreSQL every step takes a transaction-scoped
 *   advisory lock keyed by the current schema and re-reads the applied versions under it; PGlite
 *   is a single connection whose transactions are already exclusive.
 * - A database with versions this build does not know is refused ({@link SchemaTooNewError});
 *   an applied file whose content changed is refused ({@link MigrationChecksumMismatchError}).
 */
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AppDatabase, ScriptTransaction } from './database.ts';
import {
  MigrationChecksumMismatchError,
  MigrationFailedError,
  SchemaBehindError,
  SchemaTooNewError,
} from './db-errors.ts';

/** `<repo>/migrations`, resolved from this file. */
export const DEFAULT_MIGRATIONS_DIR = fileURLToPath(
  new URL('../../../migrations/', import.meta.url),
);

/** One migration file shipped with this build. */
export interface MigrationFile {
  version: number;
  /** File name, e.g. `0001_init.sql`. */
  name: string;
  sql: string;
  /** sha256 hex of the file with line endings normalised to `\n`. */
  checksum: string;
}

/** Options of {@link migrate} and {@link getMigrationState}. */
export interface MigrateOptions {
  /** @default DEFAULT_MIGRATIONS_DIR */
  migrationsDir?: string;
}

/** What {@link migrate} did. */
export interface MigrateResult {
  /** File names applied by this call, in order. */
  applied: string[];
  /** Highest applied version afterwards (0 for an empty database). */
  current: number;
}

/** Where a database stands relative to this build's migrations. */
export interface MigrationState {
  /** Highest applied version (0 when none). */
  current: number;
  /** Highest version this build ships. */
  latestKnown: number;
  /** File names of applied migrations, in order. */
  applied: string[];
  /** File names of migrations not yet applied, in order. */
  pending: string[];
}

const FILE_PATTERN = /^(\d{4})_([a-z0-9_]+)\.sql$/;
const CREATE_TABLE = `create table if not exists schema_migrations (
  version integer primary key,
  name text not null,
  checksum text not null,
  applied_at timestamptz not null default now()
)`;

interface AppliedRow {
  version: number;
  name: string;
  checksum: string;
}

/**
 * Applies every pending migration, in order.
 *
 * @throws {SchemaTooNewError} the database is ahead of this build.
 * @throws {MigrationChecksumMismatchError} an applied file was edited or removed.
 * @throws {MigrationFailedError} a file failed; it was rolled back, later ones were not run.
 * @example
 * const { applied, current } = await migrate(database);
 */
export async function migrate(
  database: AppDatabase,
  options: MigrateOptions = {},
): Promise<MigrateResult> {
  const files = await loadMigrationFiles(options.migrationsDir ?? DEFAULT_MIGRATIONS_DIR);
  const applied: string[] = [];
  await database.withScriptTransaction(async (tx) => {
    await lock(database, tx);
    await tx.execScript(CREATE_TABLE);
  });
  for (;;) {
    const step = await database.withScriptTransaction(async (tx) => {
      await lock(database, tx);
      const rows = await readApplied(tx);
      verify(files, rows);
      const done = new Set(rows.map((r) => r.version));
      const next = files.find((f) => !done.has(f.version));
      if (next === undefined) return { done: true as const, current: maxVersion(rows) };
      try {
        await tx.execScript(next.sql);
        await tx.query(
          'insert into schema_migrations (version, name, checksum) values ($1, $2, $3)',
          [next.version, next.name, next.checksum],
        );
      } catch (error) {
        throw new MigrationFailedError(next.name, error);
      }
      return { done: false as const, name: next.name };
    });
    if (step.done) return { applied, current: step.current };
    applied.push(step.name);
  }
}

/**
 * Reads where the database stands without changing it (an empty database is at version 0).
 *
 * @example
 * const { current, pending } = await getMigrationState(database);
 */
export async function getMigrationState(
  database: AppDatabase,
  options: MigrateOptions = {},
): Promise<MigrationState> {
  const files = await loadMigrationFiles(options.migrationsDir ?? DEFAULT_MIGRATIONS_DIR);
  const rows = await readAppliedIfAny(database);
  const done = new Set(rows.map((r) => r.version));
  return {
    current: maxVersion(rows),
    latestKnown: files.at(-1)?.version ?? 0,
    applied: rows.map((r) => r.name),
    pending: files.filter((f) => !done.has(f.version)).map((f) => f.name),
  };
}

/**
 * Checks, without changing anything, that the database is exactly at this build's schema: for
 * processes that must not migrate (aws mode, where `bulk-change migrate` runs in the deploy
 * pipeline). Returns the schema version.
 *
 * @throws {SchemaBehindError} migrations of this build are not applied yet.
 * @throws {SchemaTooNewError} the database is ahead of this build.
 * @throws {MigrationChecksumMismatchError} an applied file was edited or removed.
 * @example
 * const version = await assertSchemaCurrent(database);
 */
export async function assertSchemaCurrent(
  database: AppDatabase,
  options: MigrateOptions = {},
): Promise<number> {
  const files = await loadMigrationFiles(options.migrationsDir ?? DEFAULT_MIGRATIONS_DIR);
  const rows = await readAppliedIfAny(database);
  verify(files, rows);
  const done = new Set(rows.map((r) => r.version));
  const pending = files.filter((f) => !done.has(f.version)).map((f) => f.name);
  if (pending.length > 0) throw new SchemaBehindError(maxVersion(rows), pending);
  return maxVersion(rows);
}

/**
 * Lists and reads the migration files of a directory, sorted by version.
 * Files not named `NNNN_name.sql` are ignored; two files with one version are an error.
 */
export async function loadMigrationFiles(dir: string): Promise<MigrationFile[]> {
  const names = (await readdir(dir)).filter((n) => FILE_PATTERN.test(n)).sort();
  const files: MigrationFile[] = [];
  for (const name of names) {
    const version = Number(FILE_PATTERN.exec(name)?.[1]);
    const previous = files.at(-1);
    if (previous?.version === version) {
      throw new Error(`two migrations have version ${version}: ${previous.name} and ${name}`);
    }
    const sql = (await readFile(join(dir, name), 'utf8')).replace(/\r\n/g, '\n');
    files.push({ version, name, sql, checksum: createHash('sha256').update(sql).digest('hex') });
  }
  return files;
}

async function lock(database: AppDatabase, tx: ScriptTransaction): Promise<void> {
  if (database.kind !== 'postgres') return;
  // Keyed by schema so that parallel test schemas do not wait for each other.
  await tx.query(
    `select pg_advisory_xact_lock(hashtext('device-bulk-change:migrate'), hashtext(coalesce(current_schema(), '')))`,
  );
}

/** The applied rows; none when `schema_migrations` does not exist (an empty database). */
async function readAppliedIfAny(database: AppDatabase): Promise<AppliedRow[]> {
  return database.withScriptTransaction(async (tx) => {
    const exists = await tx.query<{ present: boolean }>(
      `select to_regclass('schema_migrations') is not null as present`,
    );
    return exists[0]?.present === true ? readApplied(tx) : [];
  });
}

async function readApplied(tx: ScriptTransaction): Promise<AppliedRow[]> {
  return tx.query<AppliedRow>(
    'select version, name, checksum from schema_migrations order by version',
  );
}

function verify(files: readonly MigrationFile[], rows: readonly AppliedRow[]): void {
  const latestKnown = files.at(-1)?.version ?? 0;
  const newest = maxVersion(rows);
  if (newest > latestKnown) throw new SchemaTooNewError(newest, latestKnown);
  const byVersion = new Map(files.map((f) => [f.version, f]));
  for (const row of rows) {
    const file = byVersion.get(row.version);
    if (file === undefined) {
      throw new MigrationChecksumMismatchError(
        row.version,
        row.name,
        'was applied but its file is missing',
      );
    }
    if (file.checksum !== row.checksum) {
      throw new MigrationChecksumMismatchError(
        row.version,
        file.name,
        'changed after it was applied',
      );
    }
  }
}

function maxVersion(rows: readonly AppliedRow[]): number {
  return rows.reduce((max, r) => Math.max(max, r.version), 0);
}
