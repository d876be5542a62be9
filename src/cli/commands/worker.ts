/**
 * `bulk-change worker`: works bulk-change messages from the mode's queue — pg-boss on
 * PostgreSQL (server mode) or the SQS queue by long polling (aws mode, on hosts that are not
 * Lambda: containers, VMs). Run as many as needed, on any hosts: they share the work through
 * leases and each carrier account's rate limit through the database. Every worker also runs
 * the stall sweeper.
 */
import { createLogger } from '../../adapters/logging/create-logger.ts';
import type { ServiceOptions } from '../../config/config-options.ts';
import { processEnv } from '../../config/env.ts';
import { resolveConfig } from '../../config/resolve-config.ts';
import { openRuntime } from '../../runtime/open-runtime.ts';
import { startQueueRelay } from '../../runtime/start-api.ts';
import { startEngine } from '../../runtime/start-engine.ts';
import { startNotifications } from '../../runtime/start-notifications.ts';
import { startQueue } from '../../runtime/start-queue.ts';
import { waitForShutdownSignal } from '../shutdown-signal.ts';

/** Runs the worker command until a shutdown signal. */
export async function runWorkerCommand(flags: ServiceOptions): Promise<void> {
  const config = resolveConfig({ flags, env: processEnv() });
  const logger = createLogger({ level: config.logLevel });
  const runtime = await openRuntime(config, logger);
  try {
    const queue = await startQueue(runtime);
    try {
      const engine = await startEngine(runtime, queue);
      const notifications = startNotifications(runtime);
      const relay = startQueueRelay(runtime, engine.queue);
      const from = queue.kind === 'sqs' ? `SQS ${queue.sqs.settings.queueUrl}` : 'pg-boss';
      process.stdout.write(
        `worker ${process.pid} working bulk-change messages from ${from} (${runtime.database.describe()})\n`,
      );
      await waitForShutdownSignal(logger);
      await notifications.stop();
      await relay.stop();
      await engine.stop();
    } finally {
      await queue.stop();
    }
  } finally {
    await runtime.close();
  }
}
