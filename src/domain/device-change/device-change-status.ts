/**
 * Status of a device change (one device of a bulk change), and the one function allowed to
 * change it.
 *
 * ```text
 * NEW ──ENQUEUE──▶ PENDING ──CLAIM──▶ PROCESSING ──SUCCEED──▶ PROCESSED
 *  │                ▲   │                │   │
 *  │                │   │                │   └──FAIL──▶ API_FAILED ──RETRY──▶ PENDING
 *  │                │   │                └──RELEASE / PARK──▶ PENDING
 *  │                │   └──CANCEL──▶ CANCELLED
 *  ├──REJECT──▶ ERROR
 *  └──CANCEL──▶ CANCELLED
 * ```
 *
 * | from       | event   | to         | meaning                                                        |
 * |------------|---------|------------|----------------------------------------------------------------|
 * | NEW        | ENQUEUE | PENDING    | handed to the queue, waiting for a worker                      |
 * | NEW        | REJECT  | ERROR      | rejected at submission (bad identifier, unknown device, …)     |
 * | NEW        | CANCEL  | CANCELLED  | the user cancelled before it was queued                        |
 * | PENDING    | CLAIM   | PROCESSING | a worker took the lease                                        |
 * | PENDING    | CANCEL  | CANCELLED  | the user cancelled before a worker took it                     |
 * | PROCESSING | SUCCEED | PROCESSED  | carrier, billing and device database updates all succeeded     |
 * | PROCESSING | FAIL    | API_FAILED | a step failed for good (after its retries)                     |
 * | PROCESSING | RELEASE | PENDING    | the lease expired or the worker gave it back                   |
 * | PROCESSING | PARK    | PENDING    | waiting for an asynchronous carrier completion, re-checked later |
 * | API_FAILED | RETRY   | PENDING    | a user retries the failed device change                        |
 *
 * States: NEW (created with the bulk change, not yet queued), PENDING (queued or parked),
 * PROCESSING (a worker holds the lease), PROCESSED (done), API_FAILED (a carrier or billing
 * call failed), ERROR (rejected at submission; it is only ever an initial status: rows may be
 * stored directly as ERROR, which is the same as NEW then REJECT), CANCELLED.
 *
 * Terminal: PROCESSED, API_FAILED, ERROR, CANCELLED. Only API_FAILED can be reopened (RETRY):
 * an ERROR row had invalid input and must be submitted again, a CANCELLED row was withdrawn.
 *
 * Design rule: a device change's terminal status is never overwritten by a bulk-level
 * status. (The original marked every device change PROCESSED when it marked the bulk change
 * PROCESSED, erasing API_FAILED and ERROR results.) Only this machine changes a device
 * change's status, one device change at a time.
 *
 * {@link transitionDeviceChange} is strict: an event that does not apply throws. Callers that
 * may see a message twice check the current status first (or use
 * {@link canTransitionDeviceChange}); repositories apply a transition with a conditional
 * update (`WHERE status IN (…)`, see {@link deviceChangeStatusesAccepting}).
 */
import { createStateMachine } from '../state-machine.ts';

/** Every device change status. */
export const DeviceChangeStatus = {
  NEW: 'NEW',
  PENDING: 'PENDING',
  PROCESSING: 'PROCESSING',
  PROCESSED: 'PROCESSED',
  API_FAILED: 'API_FAILED',
  ERROR: 'ERROR',
  CANCELLED: 'CANCELLED',
} as const;

/** One device change status. */
export type DeviceChangeStatus = (typeof DeviceChangeStatus)[keyof typeof DeviceChangeStatus];

/** Events that move a device change between statuses. */
export const DeviceChangeEvent = {
  ENQUEUE: 'ENQUEUE',
  REJECT: 'REJECT',
  CLAIM: 'CLAIM',
  SUCCEED: 'SUCCEED',
  FAIL: 'FAIL',
  RELEASE: 'RELEASE',
  PARK: 'PARK',
  RETRY: 'RETRY',
  CANCEL: 'CANCEL',
} as const;

/** One device change event. */
export type DeviceChangeEvent = (typeof DeviceChangeEvent)[keyof typeof DeviceChangeEvent];

const TRANSITIONS: Readonly<
  Record<DeviceChangeStatus, Readonly<Partial<Record<DeviceChangeEvent, DeviceChangeStatus>>>>
> = {
  NEW: { ENQUEUE: 'PENDING', REJECT: 'ERROR', CANCEL: 'CANCELLED' },
  PENDING: { CLAIM: 'PROCESSING', CANCEL: 'CANCELLED' },
  PROCESSING: { SUCCEED: 'PROCESSED', FAIL: 'API_FAILED', RELEASE: 'PENDING', PARK: 'PENDING' },
  PROCESSED: {},
  API_FAILED: { RETRY: 'PENDING' },
  ERROR: {},
  CANCELLED: {},
};

const TERMINAL: ReadonlySet<DeviceChangeStatus> = new Set([
  'PROCESSED',
  'API_FAILED',
  'ERROR',
  'CANCELLED',
]);

const MACHINE = createStateMachine('DeviceChange', TRANSITIONS);

/**
 * The status a device change moves to when `event` happens in status `from`.
 * Throws `InvalidStatusTransitionError` (INVALID_STATUS_TRANSITION) when the table above does not allow it.
 *
 * @example
 * transitionDeviceChange('PROCESSING', 'PARK'); // 'PENDING'
 */
export function transitionDeviceChange(
  from: DeviceChangeStatus,
  event: DeviceChangeEvent,
): DeviceChangeStatus {
  return MACHINE.transition(from, event);
}

/** True when `event` is allowed in status `from` (same table, no throw). */
export function canTransitionDeviceChange(
  from: DeviceChangeStatus,
  event: DeviceChangeEvent,
): boolean {
  return MACHINE.next(from, event) !== undefined;
}

/** True for PROCESSED, API_FAILED, ERROR and CANCELLED. */
export function isTerminalDeviceChangeStatus(status: DeviceChangeStatus): boolean {
  return TERMINAL.has(status);
}

/** The statuses from which `event` is allowed (for conditional updates in the store). */
export function deviceChangeStatusesAccepting(
  event: DeviceChangeEvent,
): readonly DeviceChangeStatus[] {
  return MACHINE.accepting(event);
}

/** True when `value` is a device change status (exact spelling), e.g. read from storage. */
export function isDeviceChangeStatus(value: string): value is DeviceChangeStatus {
  return MACHINE.isStatus(value);
}
