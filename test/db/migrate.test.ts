import { copyFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import {
  DEFAULT_MIGRATIONS_DIR,
  getMigrationState,
  loadMigrationFiles,
  migrate,
} from '../../src/adapters/db/migrate.ts';
import { isAppError } from '../../src/domain/errors.ts';
import { createTestDatabase, type TestDatabase } from '../support/test-database.ts';

/** The migrations shipped with this build, and the latest version. */
const FILES = await loadMigrationFiles(DEFAULT_MIGRATIONS_DIR);
const SHIPPED = FILES.map((f) => f.name);
// the latest version is the highest file number (a build may, in principle, ship gaps)
const LATEST = FILES.at(-1)?.version ?? 0;

const opened: TestDatabase[] = [];
const tempDirs: string[] = [];

async function emptyDatabase(): Promise<TestDatabase> {
  const testDb = await createTestDatabase({ migrate: false });
  opened.push(testDb);
  return testDb;
}

/** A migrations dir holding a copy of 0001 plus the given extra files. */
async function migrationsDir(extra: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'dbc-migrations-'));
  tempDirs.push(dir);
  await copyFile(join(DEFAULT_MIGRATIONS_DIR, '0001_init.sql'), join(dir, '0001_init.sql'));
  for (const [name, text] of Object.entries(extra)) await writeFile(join(dir, name), text);
  return dir;
}

afterEach(async () => {
  await Promise.all(opened.splice(0).map((t) => t.dispose()));
  await Promise.all(tempDirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

describe('migrate', () => {
  it('applies every migration on an empty database, then re-running is a no-op', async () => {
    const { database, db } = await emptyDatabase();
    expect(await getMigrationState(database)).toMatchObject({
      current: 0,
      pending: SHIPPED,
    });

    const first = await migrate(database);
    const second = await migrate(database);

    expect(SHIPPED[0]).toBe('0001_init.sql');
    expect(first).toEqual({ applied: SHIPPED, current: LATEST });
    expect(second).toEqual({ applied: [], current: LATEST });
    expect(await getMigrationState(database)).toEqual({
      current: LATEST,
      latestKnown: LATEST,
      applied: SHIPPED,
      pending: [],
    });
    const types = await db.selectFrom('change_request_types').selectAll().orderBy('id').execute();
    expect(types.find((t) => t.id === 5)?.name).toBe('AssociateCustomer');
    expect(types.find((t) => t.id === 10)?.name).toBe('EditUsernameCostCenter');
    const statuses = await db
      .selectFrom('device_statuses')
      .select('status')
      .where('integration', '=', 'ThingSpace')
      .execute();
    expect(statuses.map((s) => s.status).sort()).toEqual(
      ['active', 'deactive', 'inventory', 'pending activation', 'suspend'].sort(),
    );
  });

  it('refuses a database whose schema is newer than the code (SCHEMA_TOO_NEW)', async () => {
    const { database, db } = await emptyDatabase();
    await migrate(database);
    await db
      .insertInto('schema_migrations')
      .values({ version: 99, name: '0099_future.sql', checksum: 'x' })
      .execute();

    const error = await migrate(database).catch((e: unknown) => e);

    expect(isAppError(error, 'SCHEMA_TOO_NEW')).toBe(true);
    expect((error as Error).message).toBe(
      `database schema is at migration 99 but this build knows only up to ${LATEST}; upgrade device-bulk-change`,
    );
  });

  it('refuses an applied migration whose file changed (MIGRATION_CHECKSUM_MISMATCH)', async () => {
    const { database } = await emptyDatabase();
    const dir = await migrationsDir({ '0002_extra.sql': 'create table extra_things (id int);' });
    await migrate(database, { migrationsDir: dir });
    await writeFile(join(dir, '0002_extra.sql'), 'create table extra_things (id bigint);');

    const error = await migrate(database, { migrationsDir: dir }).catch((e: unknown) => e);

    expect(isAppError(error, 'MIGRATION_CHECKSUM_MISMATCH')).toBe(true);
    expect((error as Error).message).toContain('0002_extra.sql');
  });

  it('rolls back a failing migration and names its file (MIGRATION_FAILED)', async () => {
    const { database, db } = await emptyDatabase();
    const dir = await migrationsDir({
      '0002_broken.sql':
        'create table rollback_probe (id int);\ninsert into rollback_probe values (1);\nselect * from no_such_table;',
      '0003_after.sql': 'create table after_broken (id int);',
    });

    const error = await migrate(database, { migrationsDir: dir }).catch((e: unknown) => e);

    expect(isAppError(error, 'MIGRATION_FAILED')).toBe(true);
    expect((error as Error).message).toContain('0002_broken.sql');
    expect((error as Error).message).toContain('no_such_table');
    const state = await getMigrationState(database, { migrationsDir: dir });
    expect(state).toMatchObject({ current: 1, pending: ['0002_broken.sql', '0003_after.sql'] });
    const leftovers = await sql<{ probe: string | null; after: string | null }>`
      select to_regclass('rollback_probe')::text as probe, to_regclass('after_broken')::text as after
    `.execute(db);
    expect(leftovers.rows[0]).toEqual({ probe: null, after: null });
  });

  it('serialises concurrent migrators: the migration is applied exactly once', async () => {
    const { database } = await emptyDatabase();

    const results = await Promise.all([migrate(database), migrate(database), migrate(database)]);

    // Each file applied by exactly one of the migrators (which one applies which may vary).
    expect(results.flatMap((r) => r.applied).sort()).toEqual(SHIPPED);
    expect(results.every((r) => r.current === LATEST)).toBe(true);
  });
});
