/**
 * Health of the running service, composed from one probe per component (database, queue, …).
 *
 * A probe resolves with details when its component works and rejects when it does not; each
 * probe is bounded by a timeout so that a hung dependency reports "error" instead of hanging
 * the health endpoint.
 */

/** One component's probe. */
export interface HealthProbe {
  /** Component name as it appears in the report (e.g. `database`). */
  readonly name: string;
  /** Resolves with details when healthy; rejects when not. */
  check(signal: AbortSignal): Promise<Record<string, unknown>>;
}

/** Status of one component. */
export interface ComponentHealth {
  status: 'ok' | 'error';
  [detail: string]: unknown;
}

/** The whole report served by `GET /health`. */
export interface HealthReport {
  status: 'ok' | 'error';
  version: string;
  mode: string;
  uptimeSeconds: number;
  components: Record<string, ComponentHealth>;
}

/** Options of {@link createHealthCheck}. */
export interface HealthCheckOptions {
  probes: readonly HealthProbe[];
  version: string;
  mode: string;
  /** Per-probe time limit in ms. @default 3000 */
  timeoutMs?: number;
  /** Clock, for tests. @default Date.now */
  now?: () => number;
}

/** Runs every probe and rolls the results up. */
export interface HealthCheck {
  check(): Promise<HealthReport>;
}

/**
 * Creates the health check.
 *
 * @example
 * const health = createHealthCheck({ probes: [databaseProbe], version: '0.1.0', mode: 'local' });
 * const report = await health.check(); // { status: 'ok', components: { database: { status: 'ok' } } }
 */
export function createHealthCheck(options: HealthCheckOptions): HealthCheck {
  const now = options.now ?? Date.now;
  const startedAt = now();
  const timeoutMs = options.timeoutMs ?? 3000;

  const runProbe = async (probe: HealthProbe): Promise<ComponentHealth> => {
    const controller = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        controller.abort();
        reject(new Error(`no answer within ${timeoutMs} ms`));
      }, timeoutMs);
    });
    try {
      const details = await Promise.race([probe.check(controller.signal), timeout]);
      return { ...details, status: 'ok' };
    } catch (error) {
      return { status: 'error', error: error instanceof Error ? error.message : String(error) };
    } finally {
      clearTimeout(timer);
    }
  };

  return {
    async check() {
      const results = await Promise.all(options.probes.map(runProbe));
      const components: Record<string, ComponentHealth> = {};
      options.probes.forEach((probe, i) => {
        components[probe.name] = results[i] ?? { status: 'error', error: 'no result' };
      });
      return {
        status: results.every((r) => r.status === 'ok') ? 'ok' : 'error',
        version: options.version,
        mode: options.mode,
        uptimeSeconds: Math.round((now() - startedAt) / 1000),
        components,
      };
    },
  };
}
