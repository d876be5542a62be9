/**
 * Wires the processing engine: engine store, handlers with their carrier gateways, the worker
 * of the mode's queue (pg-boss, or the SQS long-poll worker in aws mode) and the stall sweeper.
 * The Lambda entry (`src/lambda/create-lambda-handler.ts`) uses {@link createEngine} only:
 * Lambda itself is its worker.
 */
import { createEngineStore } from '../adapters/db/engine-store.ts';
import { createTelegenceStore } from '../adapters/db/telegence-store.ts';
import { startPgBossWorker } from '../adapters/queue/pgboss/pgboss-bulk-change-queue.ts';
import { createHandlerRegistry, type HandlerRegistry } from '../app/engine/change-handler.ts';
import { createMessageProcessor } from '../app/engine/process-message.ts';
import { startStallSweeper } from '../app/engine/stall-sweeper.ts';
import { createAssociateCustomerHandler } from '../app/handlers/associate-customer.ts';
import { createCreateRevServiceHandler } from '../app/handlers/create-rev-service.ts';
import { createJasperCarrierRatePlanHandler } from '../app/handlers/jasper-carrier-rate-plan.ts';
import { createJasperEditUsernameHandler } from '../app/handlers/jasper-edit-username.ts';
import { createJasperStatusUpdateHandler } from '../app/handlers/jasper-status-update.ts';
import {
  createStatusRevioSteps,
  jasperStatusRevioHook,
  notesStatusRevioHook,
} from '../app/handlers/status-revio-steps.ts';
import { createTelegenceCarrierRatePlanHandler } from '../app/handlers/telegence-carrier-rate-plan.ts';
import { createTelegenceChangeEquipmentHandler } from '../app/handlers/telegence-change-equipment.ts';
import { createTelegenceEditUsernameHandler } from '../app/handlers/telegence-edit-username.ts';
import { createTelegenceStatusUpdateHandler } from '../app/handlers/telegence-status-update.ts';
import { createThingSpaceCarrierRatePlanHandler } from '../app/handlers/thingspace-carrier-rate-plan.ts';
import { createThingSpaceChangeIdentifierHandler } from '../app/handlers/thingspace-change-identifier.ts';
import { createThingSpaceEditUsernameHandler } from '../app/handlers/thingspace-edit-username.ts';
import { createThingSpaceStatusUpdateHandler } from '../app/handlers/thingspace-status-update.ts';
import type { BulkChangeQueue, MessageProcessor } from '../app/ports/bulk-change-queue.ts';
import type { CarrierGateways } from '../app/ports/carrier-gateways.ts';
import type { EngineStore } from '../app/ports/engine-store.ts';
import type { TelegenceStore } from '../app/ports/telegence-store.ts';
import { createCarrierGateways } from './carrier-gateways.ts';
import type { EngineMetrics } from './engine-metrics.ts';
import type { Runtime } from './open-runtime.ts';
import type { StartedQueue } from './start-queue.ts';
import { startSqsWorker } from './start-sqs.ts';

/** Every handler of this build. */
export function createHandlers(deps: {
  gateways: CarrierGateways;
  store: EngineStore;
  /**
   * Device reads and activation batches of the Telegence StatusUpdate, CarrierRatePlanChange
   * and ChangeICCIDAndIMEI handlers, which are registered only when it is given.
   */
  telegenceStore?: TelegenceStore;
}): HandlerRegistry {
  const telegenceStore = deps.telegenceStore;
  // The optional Rev.io steps after a successful status change, on every integration.
  const statusRevio = createStatusRevioSteps(deps);
  return createHandlerRegistry([
    createJasperCarrierRatePlanHandler(deps),
    createJasperEditUsernameHandler(deps),
    createTelegenceEditUsernameHandler(deps),
    createThingSpaceCarrierRatePlanHandler(deps),
    createThingSpaceChangeIdentifierHandler(deps),
    createThingSpaceEditUsernameHandler(deps),
    ...(telegenceStore === undefined
      ? []
      : [
          createTelegenceStatusUpdateHandler({
            ...deps,
            telegenceStore,
            afterStatusChange: notesStatusRevioHook(statusRevio, deps.store),
          }),
          createTelegenceCarrierRatePlanHandler({ ...deps, telegenceStore }),
          createTelegenceChangeEquipmentHandler({ ...deps, telegenceStore }),
        ]),
    createJasperStatusUpdateHandler({
      ...deps,
      afterStatusChange: jasperStatusRevioHook(statusRevio),
    }),
    createCreateRevServiceHandler(deps),
    createAssociateCustomerHandler(deps),
    createThingSpaceStatusUpdateHandler({
      ...deps,
      afterStatusChange: notesStatusRevioHook(statusRevio, deps.store),
    }),
  ]);
}

/**
 * The engine parts shared by every entry point (pg-boss worker, SQS worker, Lambda).
 *
 * @example
 * const { processMessage } = createEngine(runtime, sqs.queue);
 */
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
    {
      store,
      handlers: createHandlers({
        gateways,
        store,
        telegenceStore: createTelegenceStore(runtime.database.db),
      }),
      queue,
      logger: runtime.logger,
    },
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
  /** Whether this process works messages (false: it only sends them and sweeps stalls). */
  readonly consuming: boolean;
  stop(): Promise<void>;
}

/** Options of {@link startEngine}. */
export interface StartEngineOptions {
  /**
   * Work messages in this process. `serve` in aws mode passes false: Lambda (or
   * `bulk-change worker`) consumes the SQS queue, the API process only sends and sweeps.
   * @default true
   */
  consume?: boolean;
}

/**
 * Starts the engine on the mode's queue: the pg-boss worker or the SQS long-poll worker (when
 * consuming), and the stall sweeper, which re-sends a message for a bulk change whose
 * continuation is overdue (in aws mode the long-running API process is where it runs, since a
 * Lambda runs only when a message arrives).
 *
 * @example
 * const engine = await startEngine(runtime, await startQueue(runtime));
 * await engine.stop();
 */
export async function startEngine(
  runtime: Runtime,
  started: StartedQueue,
  metrics?: EngineMetrics,
  options: StartEngineOptions = {},
): Promise<RunningEngine> {
  const { queue } = started;
  metrics?.watchQueue(started.probe);
  const { store, processMessage } = createEngine(runtime, queue, metrics);
  const consuming = options.consume ?? true;
  let worker: { stop(): Promise<void> } | undefined;
  if (consuming) {
    worker =
      started.kind === 'sqs'
        ? startSqsWorker(runtime, started.sqs, processMessage)
        : await startPgBossWorker(started.pgboss.boss, {
            process: processMessage,
            logger: runtime.logger,
            concurrency: runtime.config.engine.workerConcurrency,
          });
  }
  const sweeper = startStallSweeper({ store, queue, logger: runtime.logger });
  return {
    queue,
    store,
    consuming,
    async stop() {
      sweeper.stop();
      await worker?.stop();
    },
  };
}
