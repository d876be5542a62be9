/**
 * Resuming parked device changes when a carrier reports an asynchronous completion.
 *
 * A handler that starts an asynchronous carrier operation parks its device change with
 * `parkState.requestId` and a re-check time (the fallback when no callback comes). When the
 * carrier's callback arrives, it is stored, the parked device changes waiting for that request
 * become due at once (with the callback in `parkState.callback`), and a message is sent for
 * their bulk changes. Duplicate callbacks wake nothing twice: a device change that already
 * resumed is no longer parked.
 */
import type { Logger } from 'pino';
import type { BulkChangeQueue } from '../ports/bulk-change-queue.ts';
import type { EngineStore } from '../ports/engine-store.ts';

/** Receives checked carrier callbacks. */
export interface CarrierCallbackReceiver {
  /** Returns the bulk changes whose parked device changes were woken. */
  receive(integration: string, requestId: string, payload: unknown): Promise<number[]>;
}

/**
 * Creates the receiver.
 *
 * @example
 * const receiver = createCarrierCallbackReceiver({ store, queue, logger });
 * await receiver.receive('ThingSpace', callback.requestId, callback);
 */
export function createCarrierCallbackReceiver(deps: {
  store: Pick<EngineStore, 'recordCarrierCallback' | 'scheduleWakeup'>;
  queue: BulkChangeQueue;
  logger: Pick<Logger, 'info' | 'debug'>;
}): CarrierCallbackReceiver {
  return {
    async receive(integration, requestId, payload) {
      const bulkChangeIds = await deps.store.recordCarrierCallback(integration, requestId, payload);
      for (const bulkChangeId of bulkChangeIds) {
        await deps.store.scheduleWakeup(bulkChangeId, new Date());
        await deps.queue.send({ bulkChangeId, retryNumber: 0, requestId });
      }
      deps.logger.info({ integration, requestId, bulkChangeIds }, 'carrier callback received');
      return bulkChangeIds;
    },
  };
}
