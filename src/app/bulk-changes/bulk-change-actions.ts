/**
 * The user actions on a bulk change, with their status changes taken from the domain state
 * machines (never hard-coded here):
 *
 * - retry: device changes API_FAILED → PENDING (RETRY); a finished bulk change (PROCESSED or
 *   ERROR) → PROCESSING (RETRY); then one queue message through the outbox. Nothing failed ⇒
 *   INVALID_STATUS_TRANSITION (409).
 * - cancel: device changes not started yet (NEW or PENDING) → CANCELLED (CANCEL); the engine
 *   then completes the bulk change normally. A finished bulk change ⇒ INVALID_STATUS_TRANSITION.
 */
import {
  BulkChangeEvent,
  bulkChangeStatusesAccepting,
  isTerminalBulkChangeStatus,
  transitionBulkChange,
} from '../../domain/bulk-change/bulk-change-status.ts';
import {
  DeviceChangeEvent,
  deviceChangeStatusesAccepting,
  transitionDeviceChange,
} from '../../domain/device-change/device-change-status.ts';
import { InvalidStatusTransitionError, NotFoundError } from '../../domain/errors.ts';
import type {
  ActionResult,
  BulkChangeApiStore,
  RetryPlan,
} from '../ports/bulk-change-api-store.ts';

/** The retry and cancel actions. */
export interface BulkChangeActions {
  retry(tenantId: number, id: number): Promise<ActionResult>;
  cancel(tenantId: number, id: number): Promise<ActionResult>;
}

function single<T>(values: readonly T[], what: string): T {
  const [first] = values;
  if (values.length !== 1 || first === undefined) throw new Error(`expected one ${what}`);
  return first;
}

/**
 * Creates the actions over the store.
 *
 * @example
 * await createBulkChangeActions({ store, onQueued }).retry(tenantId, 42);
 */
export function createBulkChangeActions(deps: {
  store: BulkChangeApiStore;
  /** Called after an action wrote an outbox row (wakes the relay up). */
  onQueued?: (bulkChangeId: number) => void;
}): BulkChangeActions {
  const retryFrom = deviceChangeStatusesAccepting(DeviceChangeEvent.RETRY);
  const reopenFrom = bulkChangeStatusesAccepting(BulkChangeEvent.RETRY);
  const plan: RetryPlan = {
    deviceChanges: {
      from: retryFrom,
      to: transitionDeviceChange(single(retryFrom, 'retryable status'), DeviceChangeEvent.RETRY),
    },
    reopen: {
      from: reopenFrom,
      to: single(
        [...new Set(reopenFrom.map((s) => transitionBulkChange(s, BulkChangeEvent.RETRY)))],
        'retry target',
      ),
    },
  };
  const cancelFrom = deviceChangeStatusesAccepting(DeviceChangeEvent.CANCEL);
  const cancelTo = single(
    [...new Set(cancelFrom.map((s) => transitionDeviceChange(s, DeviceChangeEvent.CANCEL)))],
    'cancel target',
  );

  return {
    async retry(tenantId, id) {
      const current = await deps.store.getBulkChange(tenantId, id);
      if (current === undefined) throw new NotFoundError('Bulk change', id);
      const failed = retryFrom.reduce((n, s) => n + current.counts[s], 0);
      if (failed === 0) {
        throw new InvalidStatusTransitionError(
          `BulkChange ${id} (no ${retryFrom.join('/')} device changes to retry)`,
          current.facts.status,
          BulkChangeEvent.RETRY,
        );
      }
      const result = await deps.store.retry(tenantId, id, plan);
      if (result === undefined) throw new NotFoundError('Bulk change', id);
      if (result.affected > 0) deps.onQueued?.(id);
      return result;
    },

    async cancel(tenantId, id) {
      const current = await deps.store.getBulkChange(tenantId, id);
      if (current === undefined) throw new NotFoundError('Bulk change', id);
      if (isTerminalBulkChangeStatus(current.facts.status)) {
        throw new InvalidStatusTransitionError(
          `BulkChange ${id} (already finished; nothing to cancel)`,
          current.facts.status,
          DeviceChangeEvent.CANCEL,
        );
      }
      const result = await deps.store.cancel(tenantId, id, { from: cancelFrom, to: cancelTo });
      if (result === undefined) throw new NotFoundError('Bulk change', id);
      deps.onQueued?.(id);
      return result;
    },
  };
}
