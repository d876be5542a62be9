/**
 * Rate limiting per carrier account: a token bucket (calls per second, with a burst size) plus
 * a concurrency cap (calls in flight). Waiters are served in arrival order.
 *
 * This is the in-process limiter. With several worker processes the same {@link RateLimiter}
 * port is implemented over PostgreSQL (`pg-rate-limiter.ts`) so that all workers together stay
 * under the account's limit.
 */

/** Waits for permission to call a carrier account. */
export interface RateLimiter {
  /** Resolves once a call may start; call the returned function when it ends. */
  acquire(signal?: AbortSignal): Promise<() => void>;
}

/** Options of {@link createTokenBucketLimiter}. */
export interface TokenBucketOptions {
  /** Sustained calls per second; `Infinity` disables the rate part. */
  ratePerSecond: number;
  /** Tokens available at once. @default max(1, ratePerSecond) */
  burst?: number;
  /** Calls in flight at once. @default Infinity */
  maxConcurrent?: number;
  /** Clock in ms. @default performance.now */
  now?: () => number;
}

/**
 * Creates an in-memory limiter.
 *
 * @example
 * const limiter = createTokenBucketLimiter({ ratePerSecond: 50, maxConcurrent: 1 });
 * const release = await limiter.acquire(signal);
 * try { await callCarrier(); } finally { release(); }
 */
export function createTokenBucketLimiter(options: TokenBucketOptions): RateLimiter {
  const rate = options.ratePerSecond;
  if (!(rate > 0)) throw new RangeError('ratePerSecond must be greater than 0');
  const burst = options.burst ?? Math.max(1, Number.isFinite(rate) ? rate : 1);
  const maxConcurrent = options.maxConcurrent ?? Number.POSITIVE_INFINITY;
  const now = options.now ?? (() => performance.now());
  let tokens = burst;
  let refilledAt = now();
  let inFlight = 0;
  let timer: NodeJS.Timeout | undefined;
  const waiters: Array<{ grant: () => void; signal?: AbortSignal }> = [];

  const refill = () => {
    if (!Number.isFinite(rate)) {
      tokens = burst;
      return;
    }
    const t = now();
    tokens = Math.min(burst, tokens + ((t - refilledAt) / 1000) * rate);
    refilledAt = t;
  };

  const pump = () => {
    timer = undefined;
    refill();
    while (waiters.length > 0 && inFlight < maxConcurrent && tokens >= 1) {
      const waiter = waiters.shift();
      if (waiter === undefined) break;
      if (waiter.signal?.aborted) continue;
      tokens -= 1;
      inFlight += 1;
      waiter.grant();
    }
    if (waiters.length > 0 && inFlight < maxConcurrent && tokens < 1 && timer === undefined) {
      const waitMs = Math.max(1, Math.ceil(((1 - tokens) / rate) * 1000));
      timer = setTimeout(pump, waitMs);
    }
  };

  return {
    acquire(signal) {
      return new Promise((resolve, reject) => {
        if (signal?.aborted) {
          reject(signal.reason);
          return;
        }
        let released = false;
        const release = () => {
          if (released) return;
          released = true;
          inFlight -= 1;
          pump();
        };
        const waiter = {
          grant: () => {
            signal?.removeEventListener('abort', onAbort);
            resolve(release);
          },
          signal,
        };
        const onAbort = () => {
          const index = waiters.indexOf(waiter);
          if (index >= 0) waiters.splice(index, 1);
          reject(signal?.reason);
        };
        signal?.addEventListener('abort', onAbort, { once: true });
        waiters.push(waiter);
        pump();
      });
    },
  };
}

/** Runs `fn` under the limiter. */
export async function withRateLimit<T>(
  limiter: RateLimiter,
  fn: () => Promise<T>,
  signal?: AbortSignal,
): Promise<T> {
  const release = await limiter.acquire(signal);
  try {
    return await fn();
  } finally {
    release();
  }
}
