/**
 * Wires the processing engine for local and server modes: engine store, handlers with their
 * carrier gateways, the pg-boss queue and worker, and the stall sweeper.
 */

import { createEngineStore } from '../adapters/db/engine-store.ts';
import {
  createPgBossBulkChangeQueue,
  startPgBossWorker,
} from '../adapters/queue/pgboss/pgboss-bulk-change-queue.ts';
import type { PgBossQueue } from '../adapters/queue/pgboss/pgboss-queue.ts';
import { createHandlerRegistry, type HandlerRegistry } from '../app/engine/change-handler.ts';
import { createMessageProcessor } from '../app/engine/process-message.ts';
import { startStallSweeper } from '../app/engine/stall-sweeper.ts';
import { createJasperCarrierRatePlanHandler } from '../app/handlers/jasper-carrier-rate-plan.ts';
import type { BulkChangeQueue, MessageProcessor } from '../app/ports/bulk-change-queue.ts';
import type { CarrierGateways } from '../app/ports/carrier-gateways.ts';
import type { EngineStore } from '../app/ports/engine-store.ts';
import { createCarrierGateways } from './carrier-gateways.ts';
import type { EngineMetrics } from './engine-metrics.ts';
import type { Runtime } from './open-runtime.ts';

/** Every handler of this build. */
export function createHandlers(deps: {
  gateways: CarrierGateways;
  store: EngineStore;
}): HandlerRegistry {
  return createHandlerRegistry([createJasperCarrierRatePlanHandler(deps)]);
}

/** The engine parts shared by every entry point (pg-boss worker, SQS worker, Lambda). */
export function createEngine(
  runtime: Runtime,
  queue: BulkChangeQueue,
  metrics?: EngineMetrics,
): { store: EngineStore; processMessage: MessageProcessor } {
  const store = createEngineStore(runtime.database.db);
  const gateways = createCarrierGateways({
    secretBox: runtime.secretBox,
    ...(runtime.database.kind === 'postgres' ? { sharedLimitsDb: runtime.database.db } : {}),
    ...(metrics === undefined ? {} : { metrics }),
  });
  const processMessage = createMessageProcessor(
    { store, handlers: createHandlers({ gateways, store }), queue, logger: runtime.logger },
    {
      pageSize: runtime.config.engine.pageSize,
      maxParallel: runtime.config.engine.maxParallelRequests,
      ...(metrics === undefined
        ? {}
        : { onDeviceResult: (event) => metrics.onDeviceResult(event) }),
    },
  );
  return { store, processMessage };
}

/** A running engine. */
export interface RunningEngine {
  readonly queue: BulkChangeQueue;
  readonly store: EngineStore;
  stop(): Promise<void>;
}

/**
 * Starts working the pg-boss queue in this process.
 *
 * @example
 * const engine = await startEngine(runtime, pgboss);
 * await engine.queue.send({ bulkChangeId: 42, retryNumber: 0 });
 */
export async function startEngine(
  runtime: Runtime,
  pgboss: PgBossQueue,
  metrics?: EngineMetrics,
): Promise<RunningEngine> {
  const queue = createPgBossBulkChangeQueue(pgboss.boss);
  metrics?.watchQueue(pgboss.probe);
  const { store, processMessage } = createEngine(runtime, queue, metrics);
  const worker = await startPgBossWorker(pgboss.boss, {
    process: processMessage,
    logger: runtime.logger,
    concurrency: runtime.config.engine.workerConcurrency,
  });
  const sweeper = startStallSweeper({ store, queue, logger: runtime.logger });
  return {
    queue,
    store,
    async stop() {
      sweeper.stop();
      await worker.stop();
    },
  };
}
