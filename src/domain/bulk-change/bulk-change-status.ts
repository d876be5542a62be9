/**
 * Status of a bulk change, and the one function allowed to change it.
 *
 * ```text
 * NEW ──START────▶ PROCESSING ──COMPLETE──▶ PROCESSED ──RETRY──▶ PROCESSING
 *  │                   └──────FAIL──────▶ ERROR     ──RETRY──▶ PROCESSING
 *  ├──COMPLETE──▶ PROCESSED
 *  └──FAIL──────▶ ERROR
 * ```
 *
 * | from       | event    | to         | when                                                    |
 * |------------|----------|------------|---------------------------------------------------------|
 * | NEW        | START    | PROCESSING | device changes were enqueued and work begins            |
 * | NEW        | COMPLETE | PROCESSED  | nothing to process: every row was rejected at submission |
 * | NEW        | FAIL     | ERROR      | the bulk change cannot be started (e.g. enqueue failed)  |
 * | PROCESSING | COMPLETE | PROCESSED  | every device change has reached a terminal status        |
 * | PROCESSING | FAIL     | ERROR      | an unrecoverable failure of the bulk change itself       |
 * | PROCESSED  | RETRY    | PROCESSING | a user retries the failed device changes                 |
 * | ERROR      | RETRY    | PROCESSING | a user retries the failed device changes                 |
 *
 * States: NEW (stored, not started), PROCESSING (device changes are being worked on),
 * PROCESSED (finished; per-device outcomes are in the device changes and the counts),
 * ERROR (the bulk change as a whole could not be carried out).
 *
 * Decisions:
 * - The bulk status describes the bulk change, not its devices. A bulk change whose rows
 *   were all rejected at submission (all device changes ERROR) is PROCESSED, with counts that
 *   show the errors; ERROR is kept for a failure of the bulk change itself.
 * - Cancelling is a device-level event (device changes that have not started become
 *   CANCELLED); the bulk change then completes normally (COMPLETE → PROCESSED).
 * - PROCESSED and ERROR are terminal: nothing moves them automatically; only a user RETRY
 *   reopens them.
 * - {@link transitionBulkChange} is strict: an event that does not apply throws, including
 *   START on a PROCESSING bulk change. Callers that may see a message twice (queue
 *   re-delivery) check the current status first (or use {@link canTransitionBulkChange}) and
 *   treat "already there" as done; repositories apply a transition with a conditional update
 *   (`WHERE status IN (…)`, see {@link bulkChangeStatusesAccepting}).
 */
import { createStateMachine } from '../state-machine.ts';

/** Every bulk change status. */
export const BulkChangeStatus = {
  NEW: 'NEW',
  PROCESSING: 'PROCESSING',
  PROCESSED: 'PROCESSED',
  ERROR: 'ERROR',
} as const;

/** One bulk change status. */
export type BulkChangeStatus = (typeof BulkChangeStatus)[keyof typeof BulkChangeStatus];

/** Events that move a bulk change between statuses. */
export const BulkChangeEvent = {
  START: 'START',
  COMPLETE: 'COMPLETE',
  FAIL: 'FAIL',
  RETRY: 'RETRY',
} as const;

/** One bulk change event. */
export type BulkChangeEvent = (typeof BulkChangeEvent)[keyof typeof BulkChangeEvent];

const TRANSITIONS: Readonly<
  Record<BulkChangeStatus, Readonly<Partial<Record<BulkChangeEvent, BulkChangeStatus>>>>
> = {
  NEW: { START: 'PROCESSING', COMPLETE: 'PROCESSED', FAIL: 'ERROR' },
  PROCESSING: { COMPLETE: 'PROCESSED', FAIL: 'ERROR' },
  PROCESSED: { RETRY: 'PROCESSING' },
  ERROR: { RETRY: 'PROCESSING' },
};

const TERMINAL: ReadonlySet<BulkChangeStatus> = new Set(['PROCESSED', 'ERROR']);

const MACHINE = createStateMachine('BulkChange', TRANSITIONS);

/**
 * The status a bulk change moves to when `event` happens in status `from`.
 * Throws `InvalidStatusTransitionError` (INVALID_STATUS_TRANSITION) when the table above does not allow it.
 *
 * @example
 * transitionBulkChange('NEW', 'START'); // 'PROCESSING'
 */
export function transitionBulkChange(
  from: BulkChangeStatus,
  event: BulkChangeEvent,
): BulkChangeStatus {
  return MACHINE.transition(from, event);
}

/** True when `event` is allowed in status `from` (same table, no throw). */
export function canTransitionBulkChange(from: BulkChangeStatus, event: BulkChangeEvent): boolean {
  return MACHINE.next(from, event) !== undefined;
}

/** True for PROCESSED and ERROR: processing has ended (only a user RETRY reopens it). */
export function isTerminalBulkChangeStatus(status: BulkChangeStatus): boolean {
  return TERMINAL.has(status);
}

/** The statuses from which `event` is allowed (for conditional updates in the store). */
export function bulkChangeStatusesAccepting(event: BulkChangeEvent): readonly BulkChangeStatus[] {
  return MACHINE.accepting(event);
}

/** True when `value` is a bulk change status (exact spelling), e.g. a value read from storage. */
export function isBulkChangeStatus(value: string): value is BulkChangeStatus {
  return MACHINE.isStatus(value);
}
