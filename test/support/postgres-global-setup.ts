/**
 * Vitest global setup of the `db-postgres` project: fails the run at once, with one clear
 * message, when the test PostgreSQL server is not reachable.
 */
import { createDatabase } from '../../src/adapters/db/database.ts';
import { DEFAULT_TEST_DATABASE_URL } from './test-database-url.ts';

const START_HINT =
  'start it with: pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start (or set TEST_DATABASE_URL)';

/** Checks that PostgreSQL answers before any test file runs. */
export default async function setup(): Promise<void> {
  const url = process.env.TEST_DATABASE_URL ?? DEFAULT_TEST_DATABASE_URL;
  try {
    const database = await createDatabase({ kind: 'postgres', url, poolSize: 1 });
    await database.close();
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new Error(`db-postgres tests need PostgreSQL. ${message}. ${START_HINT}`);
  }
}
