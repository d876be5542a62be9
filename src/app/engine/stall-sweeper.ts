/**
 * Safety net against lost messages: every `intervalMs` it looks for bulk changes that are
 * PROCESSING with open device changes and whose continuation is overdue by `graceMs`
 * (a message lost between scheduling and sending, a dead-lettered job), and sends a fresh
 * message for each. Duplicates are harmless: the engine acknowledges what it cannot claim.
 */
import type { Logger } from 'pino';
import type { BulkChangeQueue } from '../ports/bulk-change-queue.ts';
import type { EngineStore } from '../ports/engine-store.ts';

/** Options of {@link startStallSweeper}. */
export interface StallSweeperOptions {
  store: EngineStore;
  queue: BulkChangeQueue;
  logger: Logger;
  /** @default 60000 */
  intervalMs?: number;
  /** @default 120000 */
  graceMs?: number;
}

/** Runs one sweep; returns the bulk changes it re-sent. */
export async function sweepStalledBulkChanges(options: StallSweeperOptions): Promise<number[]> {
  const ids = await options.store.findStalled(options.graceMs ?? 120_000, 100);
  for (const id of ids) {
    await options.store.scheduleWakeup(id, new Date());
    await options.queue.send({ bulkChangeId: id, retryNumber: 0 });
    options.logger.warn(
      { bulkChangeId: id },
      'bulk change had no continuation in time; message re-sent',
    );
  }
  return ids;
}

/**
 * Starts the periodic sweep.
 *
 * @example
 * const sweeper = startStallSweeper({ store, queue, logger });
 * sweeper.stop();
 */
export function startStallSweeper(options: StallSweeperOptions): { stop(): void } {
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    sweepStalledBulkChanges(options)
      .catch((error: unknown) => options.logger.error({ err: error }, 'stall sweep failed'))
      .finally(() => {
        running = false;
      });
  }, options.intervalMs ?? 60_000);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
