/**
 * Turns a failure thrown while handling one device change into its result: retry later with
 * backoff (retryable failures under the attempt limit), put back without counting (circuit
 * open: the carrier account is resting), or fail for good (API_FAILED with the last error).
 */
import { ErrorCode, isAppError } from '../../domain/errors.ts';
import type { DeviceResult } from '../ports/engine-store.ts';

/** Retry settings of device changes (after the client's own retries). */
export interface DeviceRetryPolicy {
  /** Attempts in all, first included. @default 5 */
  maxAttempts: number;
  /** First wait; doubles per attempt. @default 5000 */
  baseDelayMs: number;
  /** Longest wait. @default 300000 */
  maxDelayMs: number;
  /** Wait while a carrier account's circuit is open. @default 30000 */
  circuitOpenDelayMs: number;
}

/** Default retry settings. */
export const DEFAULT_DEVICE_RETRY: Readonly<DeviceRetryPolicy> = Object.freeze({
  maxAttempts: 5,
  baseDelayMs: 5000,
  maxDelayMs: 300_000,
  circuitOpenDelayMs: 30_000,
});

/** Classifies `error` for a device change on its `attempt`-th claim. */
export function classifyFailure(
  error: unknown,
  attempt: number,
  policy: DeviceRetryPolicy,
  now: Date,
): DeviceResult {
  const message = error instanceof Error ? error.message : String(error);
  if (isAppError(error, ErrorCode.INTEGRATION_CIRCUIT_OPEN)) {
    return {
      kind: 'released',
      details: `Waiting: ${message}`,
      notBefore: new Date(now.getTime() + policy.circuitOpenDelayMs),
    };
  }
  const retryable = isAppError(error)
    ? (error as { retryable?: boolean }).retryable === true
    : true; // unexpected errors (a database hiccup) get the bounded retries too
  if (retryable && attempt < policy.maxAttempts) {
    const delay = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
    const notBefore = new Date(now.getTime() + delay);
    return {
      kind: 'retry',
      details: `Attempt ${attempt} of ${policy.maxAttempts} failed (${message}); retrying at ${notBefore.toISOString()}`,
      error: message,
      notBefore,
    };
  }
  const suffix = retryable ? ` (gave up after ${attempt} attempts)` : '';
  return { kind: 'failed', details: `${message}${suffix}`, error: message };
}
