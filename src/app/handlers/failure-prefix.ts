/**
 * Prefixes a carrier failure with the original's per-device text (e.g. "Failed to update
 * Carrier Rate Plan: Jasper API.") while keeping what the engine decides on: the error code
 * and whether it is retryable. An open circuit (the account is resting) and the caller's own
 * abort pass through unchanged, so the engine still puts the device back without counting it.
 */
import { AppError, ErrorCode, isAppError } from '../../domain/errors.ts';

/** A carrier failure with the original's text in front of it. */
export class PrefixedFailureError extends AppError {
  /** Whether a later attempt may succeed (copied from the underlying failure). */
  readonly retryable: boolean;

  constructor(prefix: string, cause: unknown) {
    const message = cause instanceof Error ? cause.message : String(cause);
    super(isAppError(cause) ? cause.code : ErrorCode.INTEGRATION_REJECTED, `${prefix} ${message}`, {
      cause,
    });
    // Unexpected (non-application) errors keep the engine's default: retryable.
    this.retryable = isAppError(cause)
      ? (cause as { retryable?: boolean }).retryable === true
      : true;
  }
}

/**
 * The error to rethrow for `error`: prefixed, unless it is an open circuit or an abort.
 *
 * @example
 * try { await ctx.step(...) } catch (e) { throw withFailurePrefix('Failed to update Carrier Rate Plan: Jasper API.', e, ctx.signal) }
 */
export function withFailurePrefix(prefix: string, error: unknown, signal?: AbortSignal): unknown {
  if (signal?.aborted) return error;
  if (isAppError(error, ErrorCode.INTEGRATION_CIRCUIT_OPEN)) return error;
  return new PrefixedFailureError(prefix, error);
}
