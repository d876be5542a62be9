import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { createDatabase, parsePostgresUrl } from '../../src/adapters/db/database.ts';
import {
  DatabaseUnavailableError,
  DataDirNotWritableError,
} from '../../src/adapters/db/db-errors.ts';
import {
  DEFAULT_MIGRATIONS_DIR,
  loadMigrationFiles,
  migrate,
} from '../../src/adapters/db/migrate.ts';
import { DB_TYPE, useTestDatabase } from '../support/test-database.ts';
import { testDatabaseUrl } from '../support/test-database-url.ts';

const testDb = useTestDatabase();
const tempDirs: string[] = [];

afterAll(async () => {
  await Promise.all(tempDirs.map((d) => rm(d, { recursive: true, force: true })));
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'dbc-data-'));
  tempDirs.push(dir);
  return dir;
}

describe('createDatabase', () => {
  it('answers ping and returns int8 as number, numeric as string, timestamptz as Date', async () => {
    const { database } = testDb();
    await database.ping();

    const { rows } = await sql<{ big: number; amount: string; at: Date; doc: unknown }>`
      select 9007199254740991::int8 as big, 12.500::numeric(10,3) as amount,
             now() as at, '{"a":[1]}'::jsonb as doc
    `.execute(database.db);

    expect(rows[0]).toEqual({
      big: Number.MAX_SAFE_INTEGER,
      amount: '12.500',
      at: expect.any(Date),
      doc: { a: [1] },
    });
  });

  it('fails fast on an unreachable PostgreSQL with one line naming host and database, no password', async () => {
    const error = await createDatabase({
      kind: 'postgres',
      url: 'postgres://app:s3cret-pw@127.0.0.1:1/bulk_x',
    }).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(DatabaseUnavailableError);
    const message = (error as Error).message;
    expect(message).toBe(
      'Cannot connect to PostgreSQL at 127.0.0.1:1 (database "bulk_x"): connection refused',
    );
    expect(message).not.toContain('s3cret');
    expect((error as DatabaseUnavailableError).code).toBe('DATABASE_UNAVAILABLE');
  });

  it('refuses a PGlite data directory below a file (DATA_DIR_NOT_WRITABLE)', async () => {
    const dir = await tempDir();
    const file = join(dir, 'not-a-dir');
    await writeFile(file, 'x');

    const error = await createDatabase({ kind: 'pglite', dataDir: join(file, 'data') }).catch(
      (e: unknown) => e,
    );

    expect(error).toBeInstanceOf(DataDirNotWritableError);
    expect((error as Error).message).toContain(join(file, 'data'));
    expect((error as Error).message.split('\n')).toHaveLength(1);
  });

  it('names host, port and database of a URL without its password', () => {
    expect(parsePostgresUrl('postgresql://u:pw@db.internal:6543/bulk')).toEqual({
      host: 'db.internal',
      port: 6543,
      database: 'bulk',
    });
    expect(parsePostgresUrl('postgres://u@localhost')).toEqual({
      host: 'localhost',
      port: 5432,
      database: 'u',
    });
  });

  describe.runIf(DB_TYPE === 'postgres')('on PostgreSQL', () => {
    it('reports a missing database clearly', async () => {
      const url = new URL(testDatabaseUrl());
      url.pathname = '/no_such_database_dbc';

      const error = await createDatabase({ kind: 'postgres', url: url.toString() }).catch(
        (e: unknown) => e,
      );

      expect(error).toBeInstanceOf(DatabaseUnavailableError);
      expect((error as Error).message).toContain('database "no_such_database_dbc" does not exist');
    });

    it('describes the server without the password', async () => {
      const url = new URL(testDatabaseUrl());
      url.password = 'ignored-by-trust-auth';
      const database = await createDatabase({ kind: 'postgres', url: url.toString(), poolSize: 1 });
      try {
        expect(database.describe()).toBe(
          `PostgreSQL ${url.hostname}:${url.port || 5432}${url.pathname}`,
        );
        expect(database.describe()).not.toContain('ignored-by-trust-auth');
      } finally {
        await database.close();
      }
    });
  });

  describe.runIf(DB_TYPE === 'pglite')('on PGlite with a data directory', () => {
    it('keeps its data in <dataDir>/pglite across a reopen', async () => {
      const dir = await tempDir();
      const first = await createDatabase({ kind: 'pglite', dataDir: dir });
      await migrate(first);
      await first.db.insertInto('tenants').values({ name: 'Kept', slug: 'kept' }).execute();
      await first.close();

      const second = await createDatabase({ kind: 'pglite', dataDir: dir });
      try {
        expect(second.describe()).toBe(`PGlite ${join(dir, 'pglite')}`);
        expect(await migrate(second)).toEqual({
          applied: [],
          // The highest file number (numbers are reserved per branch and may have gaps).
          current: Math.max(
            ...(await loadMigrationFiles(DEFAULT_MIGRATIONS_DIR)).map((f) => f.version),
          ),
        });
        const tenant = await second.db.selectFrom('tenants').select('slug').executeTakeFirst();
        expect(tenant?.slug).toBe('kept');
      } finally {
        await second.close();
      }
    });
  });
});
