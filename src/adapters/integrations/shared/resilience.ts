/**
 * Resilience for one carrier or billing account, composed from cockatiel policies:
 *
 *   retry (exponential backoff with jitter, honouring Retry-After)
 *     └─ circuit breaker (per account; opens on repeated infrastructure failures)
 *          └─ the call (its timeout is the transport's per-call timeout)
 *
 * What is retryable is decided by the API's error table, which sets
 * {@link IntegrationError.retryable}. A failure that may have been applied server-side
 * ({@link IntegrationError.ambiguous}: timeout or connection lost after sending) is retried
 * only for idempotent calls; a non-idempotent call (Rev.io create, ThingSpace provisioning)
 * first runs its `lookup` to find out whether the write happened, and is retried only when
 * the lookup says it did not.
 */
import {
  BrokenCircuitError,
  CircuitState,
  ConsecutiveBreaker,
  circuitBreaker,
  DelegateBackoff,
  handleWhen,
  type IRetryBackoffContext,
  retry,
  wrap,
} from 'cockatiel';
import { ErrorCode } from '../../../domain/errors.ts';
import { type IntegrationApi, IntegrationError, isIntegrationError } from './integration-error.ts';

/** Options of {@link createResiliencePolicy}. */
export interface ResilienceOptions {
  api: IntegrationApi;
  /** Account key for messages (e.g. `jasper:sp-7`). */
  account: string;
  /** Attempts in all, first included. @default 4 */
  maxAttempts?: number;
  /** First backoff step. @default 250 */
  baseDelayMs?: number;
  /** Longest backoff step. @default 8000 */
  maxDelayMs?: number;
  /** A server asking to wait longer than this fails the call instead. @default 60000 */
  maxRetryAfterMs?: number;
  /** Consecutive infrastructure failures that open the breaker. @default 5 */
  breakerThreshold?: number;
  /** Time the breaker stays open before letting one call through. @default 30000 */
  halfOpenAfterMs?: number;
  /** Source of randomness for jitter (seeded in tests). @default Math.random */
  random?: () => number;
  /** Called before each retry (metrics, logs). */
  onRetry?: (event: { attempt: number; delayMs: number; error: IntegrationError }) => void;
}

/** How one call wants to be treated. */
export interface ExecuteOptions<T> {
  /** Repeating the call cannot apply the change twice. */
  idempotent: boolean;
  /**
   * For non-idempotent calls: finds the result of a write that may have been applied, or
   * returns undefined when it was not applied (then the call is retried).
   */
  lookup?: (signal: AbortSignal) => Promise<T | undefined>;
  signal?: AbortSignal;
}

/** A resilience policy for one account. */
export interface ResiliencePolicy {
  execute<T>(fn: (signal: AbortSignal) => Promise<T>, options: ExecuteOptions<T>): Promise<T>;
  /** `closed`, `open`, `half-open` or `isolated`. */
  readonly breakerState: string;
}

const BREAKER_STATE_NAMES: Readonly<Record<number, string>> = {
  [CircuitState.Closed]: 'closed',
  [CircuitState.Open]: 'open',
  [CircuitState.HalfOpen]: 'half-open',
  [CircuitState.Isolated]: 'isolated',
};

const BREAKER_COUNTS = new Set<string>([
  ErrorCode.INTEGRATION_NETWORK,
  ErrorCode.INTEGRATION_TIMEOUT,
  ErrorCode.INTEGRATION_UNAVAILABLE,
]);

/**
 * Creates the policy of one account.
 *
 * @example
 * const policy = createResiliencePolicy({ api: 'revio', account: 'revio:1' });
 * const service = await policy.execute((signal) => client.getService(42, { signal }), { idempotent: true });
 */
export function createResiliencePolicy(options: ResilienceOptions): ResiliencePolicy {
  const random = options.random ?? Math.random;
  const base = options.baseDelayMs ?? 250;
  const max = options.maxDelayMs ?? 8000;
  const maxRetryAfter = options.maxRetryAfterMs ?? 60_000;

  const breaker = circuitBreaker(
    handleWhen((error) => isIntegrationError(error) && BREAKER_COUNTS.has(error.code)),
    {
      halfOpenAfter: options.halfOpenAfterMs ?? 30_000,
      breaker: new ConsecutiveBreaker(options.breakerThreshold ?? 5),
    },
  );

  const backoff = new DelegateBackoff((context: IRetryBackoffContext<unknown>) => {
    const exp = Math.min(max, base * 2 ** (context.attempt - 1));
    const jittered = exp / 2 + random() * (exp / 2);
    const error = 'error' in context.result ? context.result.error : undefined;
    const asked = isIntegrationError(error) ? (error.retryAfterMs ?? 0) : 0;
    return Math.max(jittered, asked);
  });

  const retryable = (error: unknown): boolean =>
    isIntegrationError(error) &&
    error.retryable &&
    !error.ambiguous &&
    error.code !== ErrorCode.INTEGRATION_CIRCUIT_OPEN &&
    (error.retryAfterMs ?? 0) <= maxRetryAfter;

  const retryPolicy = retry(handleWhen(retryable), {
    maxAttempts: (options.maxAttempts ?? 4) - 1,
    backoff,
  });
  retryPolicy.onRetry((event) => {
    if ('error' in event && isIntegrationError(event.error)) {
      options.onRetry?.({ attempt: event.attempt, delayMs: event.delay, error: event.error });
    }
  });
  const policy = wrap(retryPolicy, breaker);

  return {
    get breakerState() {
      return BREAKER_STATE_NAMES[breaker.state] ?? String(breaker.state);
    },
    async execute(fn, opts) {
      const attempt = async (signal: AbortSignal) => {
        try {
          return await fn(signal);
        } catch (error) {
          const resolved = await resolveAmbiguity(error, opts, signal);
          if (resolved.found) return resolved.value;
          throw resolved.error;
        }
      };
      try {
        return await policy.execute(({ signal }) => attempt(signal), opts.signal);
      } catch (error) {
        if (error instanceof BrokenCircuitError) {
          throw new IntegrationError(
            ErrorCode.INTEGRATION_CIRCUIT_OPEN,
            `${options.api} account ${options.account}: calls suspended after repeated failures (circuit open)`,
            { api: options.api, operation: 'circuit', retryable: true, cause: error },
          );
        }
        throw error;
      }
    },
  };
}

type Resolution<T> = { found: true; value: T } | { found: false; error: unknown };

/**
 * For an ambiguous failure: idempotent calls become plainly retryable; non-idempotent calls
 * look the result up — found means the write happened (its result is the call's result), not
 * found means it did not (retryable) — and without a lookup they fail without a retry.
 */
async function resolveAmbiguity<T>(
  error: unknown,
  opts: ExecuteOptions<T>,
  signal: AbortSignal,
): Promise<Resolution<T>> {
  if (!isIntegrationError(error) || !error.ambiguous) return { found: false, error };
  if (opts.idempotent) return { found: false, error: withAmbiguity(error, false, error.retryable) };
  if (opts.lookup === undefined) return { found: false, error: withAmbiguity(error, true, false) };
  let value: T | undefined;
  try {
    value = await opts.lookup(signal);
  } catch (lookupError) {
    // Cannot tell whether the write happened: do not risk sending it twice.
    const why = lookupError instanceof Error ? lookupError.message : String(lookupError);
    const reported = withAmbiguity(
      error,
      true,
      false,
      `${error.message}; checking whether it was applied failed: ${why}`,
    );
    return { found: false, error: reported };
  }
  if (value !== undefined) return { found: true, value };
  return { found: false, error: withAmbiguity(error, false, error.retryable) };
}

function withAmbiguity(
  error: IntegrationError,
  ambiguous: boolean,
  retryable: boolean,
  message = error.message,
): IntegrationError {
  return new IntegrationError(
    error.code as ConstructorParameters<typeof IntegrationError>[0],
    message,
    {
      api: error.api,
      operation: error.operation,
      httpStatus: error.httpStatus,
      vendorCode: error.vendorCode,
      vendorMessage: error.vendorMessage,
      deviceId: error.deviceId,
      retryAfterMs: error.retryAfterMs,
      retryable,
      ambiguous,
      cause: error.cause,
    },
  );
}
