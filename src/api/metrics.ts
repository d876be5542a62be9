/**
 * Prometheus metrics: one registry per process (not the prom-client global), with Node's
 * default process metrics and the HTTP request histogram. Other components register their
 * own metrics on the same registry.
 */
import { collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

/** The metrics of one process. */
export interface ServiceMetrics {
  readonly registry: Registry;
  readonly httpRequestDuration: Histogram<'method' | 'route' | 'status_code'>;
}

/**
 * Creates the registry and the service-wide metrics.
 *
 * @example
 * const metrics = createServiceMetrics({ version: '0.1.0', mode: 'local' });
 * await metrics.registry.metrics(); // Prometheus text
 */
export function createServiceMetrics(info: { version: string; mode: string }): ServiceMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'dbc_' });
  const build = new Gauge({
    name: 'dbc_build_info',
    help: 'Version and mode of the running service (always 1).',
    labelNames: ['version', 'mode'],
    registers: [registry],
  });
  build.set({ version: info.version, mode: info.mode }, 1);
  const httpRequestDuration = new Histogram({
    name: 'dbc_http_request_duration_seconds',
    help: 'HTTP request duration by method, route and status code.',
    labelNames: ['method', 'route', 'status_code'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  return { registry, httpRequestDuration };
}
