/**
 * One database per test (or per test file) on the backend named by `DB_TYPE`:
 *
 * - `pglite` (default): an in-memory PGlite. Creating one runs initdb (≈ 3 s), so the first
 *   call on a machine stores snapshots of an empty and of a migrated database in the OS temp
 *   directory (keyed by PGlite version and migration checksums); later calls load them (< 1 s).
 * - `postgres`: a fresh schema on `TEST_DATABASE_URL` named from a hash of the test file path
 *   plus a random suffix, with `search_path` set on every pooled connection; dropped on dispose
 *   unless the caller asks to keep it (failed tests keep theirs for inspection).
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Kysely } from 'kysely';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import { type AppDatabase, createDatabase } from '../../src/adapters/db/database.ts';
import {
  DEFAULT_MIGRATIONS_DIR,
  loadMigrationFiles,
  migrate,
} from '../../src/adapters/db/migrate.ts';
import type { Database } from '../../src/adapters/db/schema.ts';
import { testDatabaseUrl } from './test-database-url.ts';

/** Backend of this test run. */
export const DB_TYPE: 'pglite' | 'postgres' =
  process.env.DB_TYPE === 'postgres' ? 'postgres' : 'pglite';

/** A database for tests. */
export interface TestDatabase {
  database: AppDatabase;
  db: Kysely<Database>;
  /** The PostgreSQL schema (postgres only). */
  schema?: string;
  /** Closes the database; drops the schema unless `keep`. */
  dispose(options?: { keep?: boolean }): Promise<void>;
}

/** Options of {@link createTestDatabase}. */
export interface TestDatabaseOptions {
  /** Apply the migrations. @default true */
  migrate?: boolean;
  /** Pool size on PostgreSQL. @default 4 */
  poolSize?: number;
}

/** Creates a fresh, isolated test database. */
export async function createTestDatabase(options: TestDatabaseOptions = {}): Promise<TestDatabase> {
  const migrated = options.migrate !== false;
  return DB_TYPE === 'postgres'
    ? createPostgresSchema(migrated, options.poolSize ?? 4)
    : createPgliteDatabase(migrated);
}

/**
 * Registers hooks giving the file one migrated database: created before all tests, disposed
 * after them (kept when a test failed).
 *
 * @example
 * const testDb = useTestDatabase();
 * it('…', async () => { const { db } = testDb(); });
 */
export function useTestDatabase(options: TestDatabaseOptions = {}): () => TestDatabase {
  let current: TestDatabase | undefined;
  let failed = false;
  beforeAll(async () => {
    current = await createTestDatabase(options);
  });
  afterEach((context) => {
    if (context.task.result?.state === 'fail') failed = true;
  });
  afterAll(async () => {
    await current?.dispose({ keep: failed });
  });
  return () => {
    if (current === undefined) throw new Error('test database is not ready (use it inside tests)');
    return current;
  };
}

async function createPostgresSchema(migrated: boolean, poolSize: number): Promise<TestDatabase> {
  const url = testDatabaseUrl();
  const testPath = expect.getState().testPath ?? 'unknown';
  const hash = createHash('sha1').update(testPath).digest('hex').slice(0, 10);
  const schema = `t_${hash}_${randomBytes(3).toString('hex')}`;
  await admin(url, `create schema ${schema}`);
  const database = await createDatabase({ kind: 'postgres', url, poolSize, searchPath: schema });
  if (migrated) await migrate(database);
  return {
    database,
    db: database.db,
    schema,
    async dispose({ keep = false } = {}) {
      await database.close();
      if (keep) {
        console.warn(`kept test schema ${schema} for inspection`);
        return;
      }
      await admin(url, `drop schema if exists ${schema} cascade`);
    },
  };
}

async function admin(url: string, statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

async function createPgliteDatabase(migrated: boolean): Promise<TestDatabase> {
  const snapshot = await pgliteSnapshot(migrated);
  const database = await createDatabase({ kind: 'pglite', memory: true, snapshot });
  if (migrated) await migrate(database);
  return { database, db: database.db, dispose: () => database.close() };
}

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

async function pgliteSnapshot(migrated: boolean): Promise<Blob> {
  const pkg = JSON.parse(
    await readFile(join(REPO_ROOT, 'node_modules/@electric-sql/pglite/package.json'), 'utf8'),
  ) as { version: string };
  let key = `empty-${pkg.version}`;
  if (migrated) {
    const files = await loadMigrationFiles(DEFAULT_MIGRATIONS_DIR);
    const sum = createHash('sha1');
    for (const f of files) sum.update(`${f.name}:${f.checksum};`);
    key = `migrated-${pkg.version}-${sum.digest('hex').slice(0, 12)}`;
  }
  const dir = join(tmpdir(), 'device-bulk-change-pglite-snapshots');
  const file = join(dir, `${key}.tar`);
  try {
    return new Blob([await readFile(file)]);
  } catch {
    // not cached yet: build it below
  }
  const base = migrated ? await pgliteSnapshot(false) : undefined;
  const database = await createDatabase({
    kind: 'pglite',
    memory: true,
    ...(base === undefined ? {} : { snapshot: base }),
  });
  try {
    if (migrated) await migrate(database);
    const blob = await database.dumpSnapshot();
    await mkdir(dir, { recursive: true });
    const temp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}`;
    await writeFile(temp, Buffer.from(await blob.arrayBuffer()));
    await rename(temp, file);
    return blob;
  } finally {
    await database.close();
  }
}
