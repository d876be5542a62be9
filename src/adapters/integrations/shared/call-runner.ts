/**
 * How every client operation runs: the account's resilience policy (retry + circuit breaker)
 * around the account's rate limiter around one HTTP attempt. Each attempt, retries included,
 * takes its own token, so retries never push an account over its limit.
 */
import { type RateLimiter, withRateLimit } from './rate-limiter.ts';
import type { ExecuteOptions, ResiliencePolicy } from './resilience.ts';

/** Runs client operations for one carrier or billing account. */
export interface CallRunner {
  run<T>(attempt: (signal: AbortSignal) => Promise<T>, options: ExecuteOptions<T>): Promise<T>;
}

/** Dependencies of {@link createCallRunner}; both optional (no retry / no limit). */
export interface CallRunnerOptions {
  policy?: ResiliencePolicy;
  limiter?: RateLimiter;
}

/**
 * Creates the runner of one account.
 *
 * @example
 * const runner = createCallRunner({ policy, limiter });
 * await runner.run((signal) => http.request({ …, signal }), { idempotent: true });
 */
export function createCallRunner(options: CallRunnerOptions = {}): CallRunner {
  const { policy, limiter } = options;
  const limited = <T>(attempt: (signal: AbortSignal) => Promise<T>) =>
    limiter === undefined
      ? attempt
      : (signal: AbortSignal) => withRateLimit(limiter, () => attempt(signal), signal);
  return {
    run(attempt, opts) {
      const once = limited(attempt);
      if (policy !== undefined) return policy.execute(once, opts);
      return once(opts.signal ?? new AbortController().signal);
    },
  };
}
