/**
 * Opens the store: PostgreSQL (over `pg`) or PGlite (embedded, in a data directory or in
 * memory), behind one {@link AppDatabase} whose `db` is a `Kysely<Database>`.
 *
 * Type parsing is the same on both backends: `int8` → `number` (ids and counts; they stay far
 * below 2^53), `numeric` → decimal string, `timestamptz` → `Date`, `jsonb` → parsed value.
 * Connectivity is checked eagerly so that a wrong `DATABASE_URL` or `DATA_DIR` fails at start
 * with one clear line ({@link DatabaseUnavailableError}, {@link DataDirNotWritableError}).
 */
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { PGlite, types as pgliteTypes } from '@electric-sql/pglite';
import { Kysely, PGliteDialect, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { AppError, ErrorCode } from '../../domain/errors.ts';
import {
  DatabaseUnavailableError,
  DataDirNotWritableError,
  type PostgresLocation,
} from './db-errors.ts';
import { acquirePgliteDirLock } from './pglite-dir-lock.ts';
import type { Database } from './schema.ts';

/** How to open the store. */
export type DatabaseOptions =
  | {
      kind: 'pglite';
      /** Directory holding the service's data; PGlite files live in `<dataDir>/pglite`. */
      dataDir: string;
    }
  | {
      kind: 'pglite';
      memory: true;
      /** Start from a data directory tarball made by `dumpSnapshot()` (tests use it). */
      snapshot?: Blob;
    }
  | {
      kind: 'postgres';
      /** `postgres://user[:password]@host[:port]/database` */
      url: string;
      /** @default 10 */
      poolSize?: number;
      /** Sets `search_path` on every pooled connection (e.g. a per-test schema). */
      searchPath?: string;
    };

/** A transaction on a raw connection, able to run multi-statement SQL scripts (migrations). */
export interface ScriptTransaction {
  /** Runs a whole SQL script (several statements, no parameters). */
  execScript(text: string): Promise<void>;
  /** Runs one parameterised statement and returns its rows. */
  query<R = Record<string, unknown>>(text: string, params?: readonly unknown[]): Promise<R[]>;
}

interface AppDatabaseBase {
  /** The Kysely instance every repository is built on. */
  readonly db: Kysely<Database>;
  /** Throws {@link DatabaseUnavailableError} when the database does not answer. */
  ping(): Promise<void>;
  /** Closes the pool / the PGlite instance. Idempotent. */
  close(): Promise<void>;
  /** Where the data is, for logs and `/health`: host/port/database or data dir; no password. */
  describe(): string;
  /**
   * Runs `fn` inside one transaction on a raw connection; commits when it resolves, rolls back
   * when it throws. Used by the migration runner, which needs multi-statement scripts.
   */
  withScriptTransaction<T>(fn: (tx: ScriptTransaction) => Promise<T>): Promise<T>;
}

/** An open PostgreSQL store. */
export interface PostgresAppDatabase extends AppDatabaseBase {
  readonly kind: 'postgres';
}

/** An open PGlite store. */
export interface PgliteAppDatabase extends AppDatabaseBase {
  readonly kind: 'pglite';
  /**
   * The underlying PGlite instance, for adapters that need their own client on the same
   * database (pg-boss). Its transactions are exclusive, so sharing it with Kysely is safe.
   */
  readonly pglite: PGlite;
  /** Tarball of the whole data directory, loadable with `{ memory: true, snapshot }`. */
  dumpSnapshot(): Promise<Blob>;
}

/** An open store. */
export type AppDatabase = PostgresAppDatabase | PgliteAppDatabase;

const INT8_OID = 20;
const parseInt8 = (value: string): number => Number(value);

/**
 * Opens the store and checks that it answers.
 *
 * @throws {DatabaseUnavailableError} server unreachable, credentials refused, database missing.
 * @throws {DataDirNotWritableError} PGlite data directory cannot be created or written.
 * @example
 * const database = await createDatabase({ kind: 'pglite', dataDir: './data' });
 * await migrate(database);
 * const tenants = createTenantRepository(database.db);
 */
export async function createDatabase(
  options: Extract<DatabaseOptions, { kind: 'pglite' }>,
): Promise<PgliteAppDatabase>;
export async function createDatabase(
  options: Extract<DatabaseOptions, { kind: 'postgres' }>,
): Promise<PostgresAppDatabase>;
export async function createDatabase(options: DatabaseOptions): Promise<AppDatabase>;
export async function createDatabase(options: DatabaseOptions): Promise<AppDatabase> {
  if (options.kind === 'postgres') return openPostgres(options);
  if ('dataDir' in options) return openPgliteDir(options.dataDir);
  return openPglite(
    await createPglite(undefined, options.snapshot, 'in memory'),
    'PGlite (in memory)',
  );
}

async function openPgliteDir(dataDir: string): Promise<PgliteAppDatabase> {
  const dir = resolve(dataDir);
  await assertWritableDir(dir);
  const pgliteDir = join(dir, 'pglite');
  const lock = await acquirePgliteDirLock(dir);
  try {
    const pglite = await createPglite(pgliteDir, undefined, pgliteDir);
    return openPglite(pglite, `PGlite ${pgliteDir}`, () => lock.release());
  } catch (error) {
    await lock.release();
    throw error;
  }
}

async function assertWritableDir(dir: string): Promise<void> {
  const probe = join(dir, `.write-test-${process.pid}`);
  try {
    await mkdir(dir, { recursive: true });
    await writeFile(probe, '');
    await rm(probe, { force: true });
  } catch (error) {
    throw new DataDirNotWritableError(dir, { cause: error });
  }
}

async function createPglite(
  dataDir: string | undefined,
  snapshot: Blob | undefined,
  where: string,
): Promise<PGlite> {
  try {
    return await PGlite.create({
      ...(dataDir === undefined ? {} : { dataDir }),
      ...(snapshot === undefined ? {} : { loadDataDir: snapshot }),
      parsers: { [pgliteTypes.INT8]: parseInt8 },
    });
  } catch (error) {
    throw new DatabaseUnavailableError(
      `Cannot open PGlite database (${where}): ${(error as Error).message}`,
      { cause: error, context: { where } },
    );
  }
}

function openPglite(
  pglite: PGlite,
  description: string,
  onClose: () => Promise<void> = async () => {},
): PgliteAppDatabase {
  const db = new Kysely<Database>({ dialect: new PGliteDialect({ pglite }) });
  let closed = false;
  return {
    kind: 'pglite',
    db,
    pglite,
    async ping() {
      try {
        await sql`select 1`.execute(db);
      } catch (error) {
        throw new DatabaseUnavailableError(
          `PGlite database (${description}) does not answer: ${(error as Error).message}`,
          { cause: error },
        );
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      await db.destroy();
      if (!pglite.closed) await pglite.close();
      await onClose();
    },
    describe: () => description,
    withScriptTransaction: (fn) =>
      pglite.transaction((tx) =>
        fn({
          async execScript(text) {
            await tx.exec(text);
          },
          async query<R>(text: string, params?: readonly unknown[]) {
            const result = await tx.query<R>(text, params === undefined ? [] : [...params]);
            return result.rows;
          },
        }),
      ),
    dumpSnapshot: async () => pglite.dumpDataDir('none'),
  };
}

async function openPostgres(
  options: Extract<DatabaseOptions, { kind: 'postgres' }>,
): Promise<PostgresAppDatabase> {
  const location = parsePostgresUrl(options.url);
  const searchPath = options.searchPath;
  if (
    searchPath !== undefined &&
    !/^[A-Za-z_][A-Za-z0-9_$]*(\s*,\s*[A-Za-z_][A-Za-z0-9_$]*)*$/.test(searchPath)
  ) {
    throw new AppError(ErrorCode.CONFIG_INVALID, `invalid search path "${searchPath}"`);
  }
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.poolSize ?? 10,
    connectionTimeoutMillis: 10_000,
    ...(searchPath === undefined ? {} : { options: `-c search_path=${searchPath}` }),
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
        oid === INT8_OID && format !== 'binary'
          ? parseInt8
          : pg.types.getTypeParser(oid, format)) as pg.CustomTypesConfig['getTypeParser'],
    },
  });
  // An idle client that loses its connection emits 'error' on the pool; without a listener
  // Node would crash the process. The next query fails and reports the problem instead.
  pool.on('error', () => {});
  try {
    await pool.query('select 1');
  } catch (error) {
    await pool.end().catch(() => {});
    throw DatabaseUnavailableError.forPostgres(
      location,
      connectionFailureReason(error, location),
      error,
    );
  }

  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  const description =
    `PostgreSQL ${location.host}:${location.port}/${location.database}` +
    (searchPath === undefined ? '' : ` (search_path ${searchPath})`);
  let closed = false;
  return {
    kind: 'postgres',
    db,
    async ping() {
      try {
        await sql`select 1`.execute(db);
      } catch (error) {
        throw DatabaseUnavailableError.forPostgres(
          location,
          connectionFailureReason(error, location),
          error,
        );
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      await db.destroy();
      // Kysely ends the pool only if it ran a query; end it ourselves otherwise, or idle
      // clients would keep the process alive for idleTimeoutMillis.
      if (!pool.ending) await pool.end();
    },
    describe: () => description,
    async withScriptTransaction(fn) {
      const client = await pool.connect();
      let broken: Error | undefined;
      try {
        await client.query('begin');
        try {
          const result = await fn({
            async execScript(text) {
              await client.query(text);
            },
            async query<R>(text: string, params?: readonly unknown[]) {
              const res = await client.query(text, params === undefined ? [] : [...params]);
              return res.rows as R[];
            },
          });
          await client.query('commit');
          return result;
        } catch (error) {
          await client.query('rollback').catch((rollbackError: Error) => {
            broken = rollbackError;
          });
          throw error;
        }
      } finally {
        client.release(broken);
      }
    },
  };
}

/**
 * Host, port and database named by a PostgreSQL URL (never the password).
 *
 * @example
 * parsePostgresUrl('postgres://app:pw@db:5433/bulk'); // { host: 'db', port: 5433, database: 'bulk' }
 */
export function parsePostgresUrl(url: string): PostgresLocation {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch (error) {
    throw new AppError(
      ErrorCode.CONFIG_INVALID,
      'DATABASE_URL is not a valid URL (expected postgres://user:password@host:port/database)',
      { cause: error },
    );
  }
  if (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:') {
    throw new AppError(
      ErrorCode.CONFIG_INVALID,
      `DATABASE_URL must start with postgres:// or postgresql://, got ${parsed.protocol}//`,
    );
  }
  const host = decodeURIComponent(parsed.hostname).replace(/^\[(.*)\]$/, '$1') || 'localhost';
  const user = decodeURIComponent(parsed.username) || 'postgres';
  const database = decodeURIComponent(parsed.pathname.replace(/^\//, '')) || user;
  return { host, port: parsed.port === '' ? 5432 : Number(parsed.port), database };
}

/** Short human reason for a failed connection attempt (no secrets). */
function connectionFailureReason(error: unknown, location: PostgresLocation): string {
  const err = error as { code?: string; message?: string; errors?: { code?: string }[] };
  const code = err.code ?? err.errors?.[0]?.code;
  switch (code) {
    case 'ECONNREFUSED':
      return 'connection refused';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `host "${location.host}" not found`;
    case 'ETIMEDOUT':
      return 'connection timed out';
    case 'ECONNRESET':
      return 'connection reset by the server';
    case '28P01':
      return 'password authentication failed';
    case '28000':
      return 'the server rejected the credentials';
    case '3D000':
      return `database "${location.database}" does not exist`;
    case '57P03':
      return 'the server is starting up or shutting down';
    case '53300':
      return 'too many connections';
    default: {
      const message = err.message ?? String(error);
      if (/timeout/i.test(message)) return 'connection timed out';
      return message.split('\n')[0] ?? message;
    }
  }
}
