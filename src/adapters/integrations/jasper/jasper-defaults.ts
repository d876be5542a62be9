/**
 * Defaults of a Control Center account: its rate limiter and its resilience policy.
 *
 * The vendor's fair-use policy (carrier-apis.md §1.6) asks for single-threaded access: one call
 * at a time per account, and a per-account calls-per-second cap shared by every API user of
 * the account. So the Jasper limiter defaults to `maxConcurrent: 1`; the rate comes from the
 * service provider's `rateLimitPerSecond` setting (demo accounts: 20), else 5 per second.
 * Throttling (`40000029`) and 5xx are retried at most 3 times with a backoff of at least 1 s.
 */
import { createTokenBucketLimiter, type RateLimiter } from '../shared/rate-limiter.ts';
import {
  createResiliencePolicy,
  type ResilienceOptions,
  type ResiliencePolicy,
} from '../shared/resilience.ts';

/** Default limits of one Control Center account. */
export const JASPER_DEFAULT_LIMITS = {
  /** One call in flight per account, as the vendor asks. */
  maxConcurrent: 1,
  /** Calls per second when the service provider sets no `rateLimitPerSecond`. */
  ratePerSecond: 5,
} as const;

/** Options of {@link createJasperLimiter}. */
export interface JasperLimiterOptions {
  /** @default JASPER_DEFAULT_LIMITS.ratePerSecond */
  ratePerSecond?: number;
  /** @default 1 (the vendor's single-threaded rule) */
  maxConcurrent?: number;
  /** @default 1 */
  burst?: number;
}

/**
 * Creates the in-memory limiter of one Control Center account (share it between every client
 * of that account in the process).
 *
 * @example
 * const limiter = createJasperLimiter({ ratePerSecond: provider.settings.rateLimitPerSecond });
 */
export function createJasperLimiter(options: JasperLimiterOptions = {}): RateLimiter {
  return createTokenBucketLimiter({
    ratePerSecond: options.ratePerSecond ?? JASPER_DEFAULT_LIMITS.ratePerSecond,
    maxConcurrent: options.maxConcurrent ?? JASPER_DEFAULT_LIMITS.maxConcurrent,
    burst: options.burst ?? 1,
  });
}

/**
 * Creates the resilience policy of one Control Center account: at most 3 retries, backoff from
 * 1 s, breaker after 5 consecutive infrastructure failures.
 *
 * @example
 * const policy = createJasperPolicy({ account: 'jasper:pod19' });
 */
export function createJasperPolicy(
  options: Omit<ResilienceOptions, 'api'> & { account: string },
): ResiliencePolicy {
  return createResiliencePolicy({ maxAttempts: 4, baseDelayMs: 1000, ...options, api: 'jasper' });
}
