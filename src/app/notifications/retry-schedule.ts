/**
 * When a failed notification is tried again: exponential backoff with jitter, capped, for at
 * most `maxAttempts` attempts. The outbox is the retry mechanism (a failed row is put back
 * with a later `available_at`), so no process sleeps and a restart loses no retry.
 */

/** Retry policy of notifications. */
export interface RetrySchedule {
  /** Attempts in all (the first included). @default 10 */
  maxAttempts: number;
  /** Delay after the first failure. @default 10000 */
  baseDelayMs: number;
  /** Longest delay. @default 3600000 */
  maxDelayMs: number;
}

/** The defaults: 10 s, 20 s, 40 s … up to 1 h, 10 attempts (about 2.5 h in all). */
export const DEFAULT_RETRY_SCHEDULE: RetrySchedule = Object.freeze({
  maxAttempts: 10,
  baseDelayMs: 10_000,
  maxDelayMs: 3_600_000,
});

/**
 * When to try again after failed attempt number `attempt` (1-based); null when it was the
 * last one or the failure is terminal.
 *
 * @example
 * nextAttemptAt(1, true, now, DEFAULT_RETRY_SCHEDULE, () => 0.5); // now + 10 s
 */
export function nextAttemptAt(
  attempt: number,
  retryable: boolean,
  now: Date,
  schedule: RetrySchedule,
  random: () => number = Math.random,
): Date | null {
  if (!retryable || attempt >= schedule.maxAttempts) return null;
  const exponential = Math.min(schedule.maxDelayMs, schedule.baseDelayMs * 2 ** (attempt - 1));
  // ±20 % jitter so that many notifications failing together do not retry together
  const jittered = exponential * (0.8 + 0.4 * random());
  return new Date(now.getTime() + Math.round(jittered));
}
