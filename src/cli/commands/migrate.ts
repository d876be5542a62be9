/**
 * `bulk-change migrate [--status]`: applies pending migrations (or only reports them).
 */
import { getMigrationState } from '../../adapters/db/migrate.ts';
import { createLogger } from '../../adapters/logging/create-logger.ts';
import type { ServiceOptions } from '../../config/config-options.ts';
import { processEnv } from '../../config/env.ts';
import { resolveConfig } from '../../config/resolve-config.ts';
import { openRuntime } from '../../runtime/open-runtime.ts';

/** Runs the migrate command. */
export async function runMigrateCommand(
  flags: ServiceOptions,
  options: { statusOnly: boolean },
): Promise<void> {
  const config = resolveConfig({ flags, env: processEnv() });
  const logger = createLogger({ level: config.logLevel });
  const runtime = await openRuntime(config, logger, {
    schema: options.statusOnly ? 'ignore' : 'migrate',
  });
  try {
    const state = await getMigrationState(runtime.database);
    const out = process.stdout;
    out.write(`database: ${runtime.database.describe()}\n`);
    out.write(`schema version: ${state.current}\n`);
    for (const name of state.applied) out.write(`  applied  ${name}\n`);
    for (const name of state.pending) out.write(`  pending  ${name}\n`);
  } finally {
    await runtime.close();
  }
}
