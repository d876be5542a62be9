/**
 * Wires the REST API: the submit use case and the actions over their database stores, and the
 * queue outbox relay that sends the queue messages they write (started here, stopped by the
 * caller). Used by `serve` and by tests that run the real server.
 */
import { createBulkChangeApiStore } from '../adapters/db/bulk-change-api-store.ts';
import { createQueueOutboxStore } from '../adapters/db/queue-outbox-store.ts';
import { createSubmitStore } from '../adapters/db/submit-store.ts';
import type { ApiDeps } from '../api/register-api.ts';
import { createBulkChangeActions } from '../app/bulk-changes/bulk-change-actions.ts';
import {
  type QueueOutboxRelay,
  type QueueOutboxRelayOptions,
  startQueueOutboxRelay,
} from '../app/outbox/queue-outbox-relay.ts';
import type { BulkChangeQueue } from '../app/ports/bulk-change-queue.ts';
import { createSubmitBulkChange } from '../app/submit/submit-bulk-change.ts';
import type { Runtime } from './open-runtime.ts';

/** The API dependencies and the running relay. */
export interface StartedApi {
  deps: ApiDeps;
  relay: QueueOutboxRelay;
  stop(): Promise<void>;
}

/**
 * Starts the queue outbox relay on the runtime's database (`serve` through {@link startApi};
 * `worker` too, so queue messages left by an API process that died after its commit are sent
 * even while no API process runs).
 *
 * @example
 * const relay = startQueueRelay(runtime, engine.queue);
 */
export function startQueueRelay(
  runtime: Pick<Runtime, 'database' | 'logger'>,
  queue: BulkChangeQueue,
  options: QueueOutboxRelayOptions = {},
): QueueOutboxRelay {
  return startQueueOutboxRelay(
    { store: createQueueOutboxStore(runtime.database.db), queue, logger: runtime.logger },
    options,
  );
}

/**
 * Builds the API dependencies and starts the queue outbox relay.
 *
 * @example
 * const api = startApi(runtime, engine.queue);
 * const app = buildServer({ …, api: { ...api.deps, version } });
 */
export function startApi(
  runtime: Pick<Runtime, 'database' | 'logger'>,
  queue: BulkChangeQueue,
  relayOptions: QueueOutboxRelayOptions = {},
): StartedApi {
  const db = runtime.database.db;
  const relay = startQueueRelay(runtime, queue, relayOptions);
  const store = createBulkChangeApiStore(db);
  const deps: ApiDeps = {
    store,
    submit: createSubmitBulkChange({
      store: createSubmitStore(db),
      onCreated: () => relay.nudge(),
    }),
    actions: createBulkChangeActions({ store, onQueued: () => relay.nudge() }),
  };
  return { deps, relay, stop: () => relay.stop() };
}
