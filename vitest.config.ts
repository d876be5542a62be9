import { defineConfig } from 'vitest/config';

/**
 * The reliability suite (`chaos`) runs only when asked for (`npm run test:chaos`, i.e.
 * `vitest run --project chaos`): it takes minutes, so plain `npm test` leaves it out.
 */
const chaosRequested = process.argv.some(
  (arg, i) => arg === '--project=chaos' || (arg === 'chaos' && process.argv[i - 1] === '--project'),
);

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
      ...(chaosRequested
        ? [
            {
              test: {
                name: 'chaos',
                include: ['test/chaos/**/*.test.ts'],
                env: { DB_TYPE: 'postgres' },
                globalSetup: ['test/support/postgres-global-setup.ts'],
                testTimeout: 600_000,
                hookTimeout: 180_000,
              },
            },
          ]
        : []),
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
