/**
 * The engine: what happens when a bulk-change message arrives.
 *
 * 1. Load the bulk change; a finished one means a duplicate message: acknowledge.
 * 2. Start it (NEW → PROCESSING) and find the handler for (change type, integration). No
 *    handler, or a writing handler on a service provider whose writes are disabled: every open
 *    device change fails with a clear message and the bulk change finishes (the original
 *    requeued forever or failed only the first device).
 * 3. Until the time budget runs out: claim a page of workable device changes under a lease and
 *    run the handler on them with bounded concurrency; each device's result and logs are one
 *    transaction, fenced by the lease.
 * 4. Finish the bulk change when nothing is open (exactly once, with its outbox row), or
 *    schedule one continuation message for when the next device change is due.
 *
 * A failure that escapes (database down, bug) makes the queue redeliver the message; after
 * `maxMessageAttempts` deliveries the bulk change is marked ERROR and its open device changes
 * API_FAILED — device changes that already finished are never touched.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { ErrorCode, NotFoundError } from '../../domain/errors.ts';
import { type Integration, isSupportedIntegration } from '../../domain/integrations.ts';
import type { BulkChangeMessage } from '../messages/bulk-change-message.ts';
import type {
  BulkChangeQueue,
  MessageProcessor,
  ProcessingContext,
} from '../ports/bulk-change-queue.ts';
import type {
  ClaimedDeviceChange,
  DeviceResult,
  EngineBulkChange,
  EngineServiceProvider,
  EngineStore,
  LogEntry,
} from '../ports/engine-store.ts';
import type { ChangeHandler, HandlerRegistry } from './change-handler.ts';
import {
  classifyFailure,
  DEFAULT_DEVICE_RETRY,
  type DeviceRetryPolicy,
} from './classify-failure.ts';
import { mapWithConcurrency } from './map-with-concurrency.ts';
import { createStepRunner } from './step-runner.ts';

/** Settings of the engine. */
export interface EngineOptions {
  /** Device changes claimed at once. @default 100 */
  pageSize?: number;
  /** Device changes handled at once per message (`MAX_PARALLEL_REQUESTS`). @default 10 */
  maxParallel?: number;
  /** Lease of a claimed device change. @default 300000 */
  leaseMs?: number;
  /** Deliveries of one message before the bulk change is marked ERROR. @default 4 */
  maxMessageAttempts?: number;
  retry?: Partial<DeviceRetryPolicy>;
  /** Identifies this worker in leases. @default `<pid>:<uuid>` */
  workerId?: string;
  /** Observes each device result (metrics). */
  onDeviceResult?: (event: {
    handler: ChangeHandler;
    integration: string;
    result: DeviceResult;
    ms: number;
  }) => void;
}

/** Dependencies of the engine. */
export interface EngineDeps {
  store: EngineStore;
  handlers: HandlerRegistry;
  queue: BulkChangeQueue;
  logger: Logger;
  now?: () => Date;
}

/**
 * Creates the message processor the queue adapters call.
 *
 * @example
 * const processMessage = createMessageProcessor({ store, handlers, queue, logger }, { maxParallel: 10 });
 * await processMessage({ bulkChangeId: 42, retryNumber: 0 }, { messageId: 'm1', deadline: Date.now() + 60_000, signal });
 */
export function createMessageProcessor(
  deps: EngineDeps,
  options: EngineOptions = {},
): MessageProcessor {
  const { store, handlers, queue } = deps;
  const now = deps.now ?? (() => new Date());
  const pageSize = options.pageSize ?? 100;
  const maxParallel = options.maxParallel ?? 10;
  const leaseMs = options.leaseMs ?? 300_000;
  const maxMessageAttempts = options.maxMessageAttempts ?? 4;
  const retry: DeviceRetryPolicy = { ...DEFAULT_DEVICE_RETRY, ...options.retry };
  const owner = options.workerId ?? `${process.pid}:${randomUUID()}`;

  const runDevice = async (
    handler: ChangeHandler,
    bulk: EngineBulkChange,
    provider: EngineServiceProvider,
    change: ClaimedDeviceChange,
    message: BulkChangeMessage,
    context: ProcessingContext,
    claimedAt: number,
  ) => {
    const logger = deps.logger.child({
      bulkChangeId: bulk.id,
      deviceChangeId: change.id,
      carrier: provider.integration,
    });
    const logs: LogEntry[] = [];
    const started = performance.now();
    // The lease is renewed while the handler runs (a slow carrier or a busy rate limit must not
    // let another worker take the device change mid-call); if it is lost, the handler's signal
    // is aborted and its result will not be recorded.
    // A device change taken from a page claimed less than a third of a lease ago still holds
    // at least two thirds of its lease (the heartbeat below renews it before it runs out): the
    // renewal is skipped, one statement less per device change.
    const fresh = performance.now() - claimedAt < leaseMs / 3;
    // When the lease was last known to be held (its renewal asked before this instant).
    let heldSince = claimedAt;
    if (!fresh) {
      const asked = performance.now();
      if (!(await store.renewLease(change.id, owner, leaseMs))) {
        logger.warn('lease lost before the device change started; skipped');
        return;
      }
      heldSince = asked;
    }
    // The handler's signal: aborted when the lease is lost or when the message's own signal
    // aborts (shutdown). Not `AbortSignal.any`, whose composites are registered on the
    // message's long-lived signal for as long as the message runs (one per device of a
    // 100,000-device message); this listener is removed when the device is done.
    const lost = new AbortController();
    const onStop = () => lost.abort(context.signal.reason);
    if (context.signal.aborted) onStop();
    else context.signal.addEventListener('abort', onStop, { once: true });
    const heartbeat = setInterval(
      () => {
        // Self-fencing: a renewal that cannot get through (database slow, pool exhausted, event
        // loop stalled) must not let this worker keep calling the carrier after its lease may
        // have expired and another worker may have taken the device change.
        if (performance.now() - heldSince > leaseMs * 0.75) {
          lost.abort(new Error(`lease of device change ${change.id} not renewed in time`));
          return;
        }
        const asked = performance.now();
        store
          .renewLease(change.id, owner, leaseMs)
          .then((held) => {
            if (held) heldSince = Math.max(heldSince, asked);
            else lost.abort(new Error(`lease of device change ${change.id} lost`));
          })
          .catch(() => undefined);
      },
      Math.max(50, Math.floor(leaseMs / 6)),
    );
    let result: DeviceResult;
    try {
      result = await handler.handle({
        bulkChange: bulk,
        serviceProvider: provider,
        change,
        request: { ...bulk.request, ...(change.changeRequest ?? {}) },
        flags: { ...message },
        signal: lost.signal,
        logger,
        step: createStepRunner(
          store.steps,
          { bulkChangeId: bulk.id, deviceChangeId: change.id },
          logs,
        ),
        log: (entry) => logs.push(entry),
        now,
      });
    } catch (error) {
      result = classifyFailure(error, change.attempt, retry, now());
      if (result.kind === 'failed' && !logs.some((l) => l.hasErrors)) {
        logs.push({
          description: `${handler.description}: failed`,
          hasErrors: true,
          errorText: result.error,
          responseStatus: 'API_FAILED',
        });
      }
      logger.warn(
        { err: error, outcome: result.kind, attempt: change.attempt },
        'device change failed',
      );
    }
    clearInterval(heartbeat);
    context.signal.removeEventListener('abort', onStop);
    const recorded = await store.recordResult(change, owner, result, logs);
    if (!recorded)
      logger.warn(
        'lease lost before the result was recorded; another worker owns this device change',
      );
    options.onDeviceResult?.({
      handler,
      integration: provider.integration,
      result,
      ms: performance.now() - started,
    });
  };

  const failAll = async (bulk: EngineBulkChange, details: string) => {
    const failed = await store.failOpenDeviceChanges(bulk.id, details, {
      description: 'Bulk change: Pre-flight Check',
      hasErrors: true,
      errorText: details,
      responseStatus: 'API_FAILED',
    });
    deps.logger.warn({ bulkChangeId: bulk.id, failed }, details);
  };

  const continueLater = async (message: BulkChangeMessage, madeProgress: boolean) => {
    const work = await store.openWork(message.bulkChangeId);
    if (work.open === 0) {
      await store.finishIfComplete(message.bulkChangeId);
      return;
    }
    // Work that is due but could not be claimed (held by another worker, or waiting for an
    // earlier change of the same device) is looked at again after a pause, not in a tight loop.
    const earliest = new Date(now().getTime() + (madeProgress ? 0 : IDLE_RECHECK_MS));
    const due = work.dueAt ?? now();
    const at = due.getTime() < earliest.getTime() ? earliest : due;
    if (!(await store.scheduleWakeup(message.bulkChangeId, at))) return;
    const delaySeconds = Math.max(0, Math.ceil((at.getTime() - now().getTime()) / 1000));
    await queue.send(continuation(message), { delaySeconds });
  };

  return async (message, context) => {
    const bulk = await store.getBulkChange(message.bulkChangeId);
    if (bulk === undefined) throw new NotFoundError('Bulk change', message.bulkChangeId);
    if (bulk.status === 'PROCESSED' || bulk.status === 'ERROR') {
      deps.logger.debug(
        { bulkChangeId: bulk.id, messageId: context.messageId },
        'bulk change already finished; message acknowledged',
      );
      return;
    }
    try {
      await store.clearDueWakeup(bulk.id);
      if (bulk.status === 'NEW') await store.startBulkChange(bulk.id);
      const provider = await store.getServiceProvider(bulk.serviceProviderId);
      if (provider === undefined)
        throw new NotFoundError('Service provider', bulk.serviceProviderId);
      const handler = handlers.find(bulk.changeType, provider.integration);
      let madeProgress = false;
      if (handler === undefined) {
        await failAll(bulk, unsupportedMessage(bulk.changeType, provider.integration));
      } else if (handler.writes && !provider.writeEnabled) {
        await failAll(bulk, `Writes disabled for service provider ${provider.name}`);
      } else {
        // At least one page per message, so that a short budget still makes progress.
        let first = true;
        while (first || (Date.now() < context.deadline && !context.signal.aborted)) {
          first = false;
          const page = await store.claimPage(bulk.id, { limit: pageSize, owner, leaseMs });
          const claimedAt = performance.now();
          if (page.length === 0) break;
          madeProgress = true;
          await mapWithConcurrency(page, maxParallel, (change) =>
            runDevice(handler, bulk, provider, change, message, context, claimedAt),
          );
        }
      }
      if (!(await store.finishIfComplete(bulk.id))) await continueLater(message, madeProgress);
    } catch (error) {
      const attempts = context.receiveCount ?? message.retryNumber + 1;
      if (attempts >= maxMessageAttempts && !(error instanceof NotFoundError)) {
        const text = error instanceof Error ? error.message : String(error);
        deps.logger.error(
          { err: error, bulkChangeId: bulk.id, attempts },
          'bulk change failed for good',
        );
        await store.markBulkChangeError(bulk.id, text);
        return;
      }
      if ((error as { code?: string }).code !== ErrorCode.NOT_FOUND) {
        deps.logger.warn(
          { err: error, bulkChangeId: bulk.id, attempts },
          'processing failed; the message will be delivered again',
        );
      }
      throw error;
    }
  };
}

/**
 * Why no handler carries a bulk change: the integration itself is not supported by this build
 * (Teal, Pond, eBonding), or this change type is not carried to it.
 */
export function unsupportedMessage(changeType: string, integration: Integration): string {
  return isSupportedIntegration(integration)
    ? `Change type ${changeType} is not supported for integration ${integration}`
    : `Integration ${integration} is not supported: change type ${changeType} was not applied`;
}

/** Pause before re-checking work that was due but could not be claimed (the original's 5 s). */
const IDLE_RECHECK_MS = 5000;

/** The message that continues a bulk change: same id and flags, counters kept. */
function continuation(message: BulkChangeMessage): BulkChangeMessage {
  const { m2mDeviceChangeId: _device, requestId: _request, ...rest } = message;
  return rest;
}
