/**
 * `bulk-change seed`: seeds the demo tenant once. Idempotent: a second run changes nothing.
 */
import { createLogger } from '../../adapters/logging/create-logger.ts';
import type { ServiceOptions } from '../../config/config-options.ts';
import { processEnv } from '../../config/env.ts';
import { resolveConfig } from '../../config/resolve-config.ts';
import { ensureDemoSeeded } from '../../runtime/ensure-demo-seeded.ts';
import { openRuntime } from '../../runtime/open-runtime.ts';

/** Runs the seed command. */
export async function runSeedCommand(flags: ServiceOptions): Promise<void> {
  const config = resolveConfig({ flags, env: processEnv() });
  const logger = createLogger({ level: config.logLevel });
  const runtime = await openRuntime(config, logger);
  try {
    const result = await ensureDemoSeeded(runtime);
    process.stdout.write(
      result.created
        ? `demo tenant ${result.credentials.tenantId} seeded\n`
        : `demo tenant ${result.credentials.tenantId} already present, nothing seeded\n`,
    );
    process.stdout.write(`API key: ${result.credentials.apiKey}\ncredentials: ${result.file}\n`);
  } finally {
    await runtime.close();
  }
}
