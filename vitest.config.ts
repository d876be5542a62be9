import { defineConfig } from 'vitest/config';

/**
 * Three projects:
 * - `unit`: co-located `src/**\/*.test.ts` plus `test/integration`, no database needed.
 * - `db-pglite` / `db-postgres`: the whole database suite (`test/db`) once per backend.
 * - `e2e`: the real CLI in child processes (local mode start, restart, bad input).
 *   `DB_TYPE` selects the backend in `test/support/test-database.ts`.
 */
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['src/**/*.test.ts', 'test/integration/**/*.test.ts'],
          testTimeout: 30_000,
        },
      },
      {
        test: {
          name: 'db-pglite',
          include: ['test/db/**/*.test.ts'],
          env: { DB_TYPE: 'pglite' },
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          name: 'db-postgres',
          include: ['test/db/**/*.test.ts'],
          env: { DB_TYPE: 'postgres' },
          globalSetup: ['test/support/postgres-global-setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          name: 'crash',
          include: ['test/crash/**/*.test.ts'],
          env: { DB_TYPE: 'postgres' },
          globalSetup: ['test/support/postgres-global-setup.ts'],
          testTimeout: 120_000,
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          testTimeout: 180_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
});
